import { strict as assert } from 'node:assert';
import { NLS_PLACEHOLDER, readManifest } from './manifestFiles';

/** Every string value in `value`, with its path (`contributes.commands[3].title`). */
function strings(value: unknown, path = ''): [string, string][] {
  if (typeof value === 'string') return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${path}[${i}]`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => strings(v, path ? `${path}.${k}` : k));
  return [];
}

describe('package.nls.json (the English bundle of package.json)', () => {
  const { pkg, nls } = readManifest();
  const placeholders = strings(pkg).flatMap(([path, value]) => {
    const key = NLS_PLACEHOLDER.exec(value)?.[1];
    return key === undefined ? [] : [{ path, key }];
  });

  it('has a non-empty entry for every %key% in package.json', () => {
    const missing = placeholders.filter(({ key }) => typeof nls[key] !== 'string' || (nls[key] as string).trim() === '');
    assert.deepEqual(
      missing,
      [],
      `package.json uses keys package.nls.json does not have: ${missing.map((m) => `${m.key} (at ${m.path})`).join(', ')}`,
    );
  });

  it('has no entry package.json does not use', () => {
    const used = new Set(placeholders.map((p) => p.key));
    assert.deepEqual(
      Object.keys(nls).filter((k) => !used.has(k)),
      [],
    );
  });

  it('takes the title and category of every command from it, so a new command cannot ship an English-only title', () => {
    for (const c of pkg.contributes.commands) {
      for (const field of ['title', 'category', 'shortTitle'] as const) {
        const value = c[field];
        if (field !== 'title' && value === undefined) continue;
        assert.match(String(value), NLS_PLACEHOLDER, `${c.command}: ${field} ${JSON.stringify(value)} must be a %key% of package.nls.json`);
      }
    }
  });

  it('takes every other user-facing string of package.json from it', () => {
    const c = pkg.contributes;
    const userFacing: [string, unknown][] = [
      ['displayName', pkg.displayName],
      ['description', pkg.description],
      ['capabilities.untrustedWorkspaces.description', pkg.capabilities?.untrustedWorkspaces?.description],
      ['contributes.configuration.title', c.configuration.title],
    ];
    for (const v of Object.values(c.viewsContainers ?? {}).flat()) userFacing.push([`viewsContainers ${v.id}.title`, v.title]);
    for (const v of Object.values(c.views ?? {}).flat()) {
      userFacing.push([`views ${v.id}.name`, v.name]);
      if (v.contextualTitle !== undefined) userFacing.push([`views ${v.id}.contextualTitle`, v.contextualTitle]);
    }
    for (const w of c.viewsWelcome ?? []) userFacing.push([`viewsWelcome ${w.view}.contents`, w.contents]);
    for (const w of c.walkthroughs ?? []) {
      userFacing.push([`walkthrough ${w.id}.title`, w.title], [`walkthrough ${w.id}.description`, w.description]);
      for (const s of w.steps)
        userFacing.push([`walkthrough step ${s.id}.title`, s.title], [`walkthrough step ${s.id}.description`, s.description]);
    }
    for (const [name, p] of Object.entries(c.configuration.properties)) {
      userFacing.push([`${name}.markdownDescription`, p.markdownDescription]);
      (p.enumDescriptions ?? []).forEach((d, i) => userFacing.push([`${name}.enumDescriptions[${i}]`, d]));
    }
    const literal = userFacing.filter(([, value]) => !NLS_PLACEHOLDER.test(String(value)));
    assert.deepEqual(
      literal.map(([where]) => where),
      [],
    );
  });
});
