import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CommandId } from '../../../src/vscode/commandIds';
import { ConfigSchema, configKeys } from '../../../src/vscode/configSchema';

const repoRoot = join(__dirname, '..', '..', '..');
const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
const nls = JSON.parse(readFileSync(join(repoRoot, 'package.nls.json'), 'utf8')) as Record<string, string>;
/** A manifest string as people see it: `%key%` looked up in package.nls.json. */
const localized = (value: string): string => (/^%[^%]+%$/.test(value) ? nls[value.slice(1, -1)] : value);

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

describe('extension manifest', () => {
  it('contributes exactly the commands of the command table', () => {
    const contributed = (pkg.contributes.commands as { command: string }[]).map((c) => c.command).sort();
    const declared = Object.values(CommandId).sort();
    assert.deepEqual(contributed, declared);
  });

  it('gives every contributed command a title and the Session Ledger category', () => {
    for (const c of pkg.contributes.commands as { command: string; title?: string; category?: string }[]) {
      assert.ok(c.title, `${c.command} has no title`);
      assert.equal(localized(c.category ?? ''), 'Session Ledger', `${c.command} has category ${c.category}`);
    }
  });

  it('only refers to declared commands from menus and welcome views', () => {
    const declared = new Set<string>(Object.values(CommandId));
    const menus = pkg.contributes.menus ?? {};
    for (const [menu, items] of Object.entries(menus) as [string, { command?: string }[]][]) {
      for (const item of items) {
        if (item.command) assert.ok(declared.has(item.command), `${menu} refers to unknown command ${item.command}`);
      }
    }
    for (const w of pkg.contributes.viewsWelcome ?? []) {
      for (const m of localized(w.contents as string).matchAll(/command:(sessionLedger\.[\w.]+)/g)) {
        assert.ok(declared.has(m[1]), `welcome view refers to unknown command ${m[1]}`);
      }
    }
  });

  it('offers Pin Session on an unpinned tree item and Unpin Session on a pinned one, by contextValue', () => {
    const items = pkg.contributes.menus['view/item/context'] as { command: string; when: string }[];
    const shownOn = (command: string) => {
      const entries = items.filter((i) => i.command === command);
      assert.equal(entries.length, 1, `one context menu entry for ${command}`);
      const pattern = /viewItem =~ \/(.+)\/$/.exec(entries[0].when)![1];
      const regex = new RegExp(pattern);
      // The tree's contextValue: session.<status>[.current][.pinned].
      return ['session.complete', 'session.active.current', 'session.failed.pinned', 'session.paused.current.pinned'].filter((v) =>
        regex.test(v),
      );
    };
    assert.deepEqual(shownOn(CommandId.pinSession), ['session.complete', 'session.active.current']);
    assert.deepEqual(shownOn(CommandId.unpinSession), ['session.failed.pinned', 'session.paused.current.pinned']);
    assert.deepEqual(
      shownOn(CommandId.setActiveSession),
      ['session.complete', 'session.failed.pinned'],
      'not on the session that is already active',
    );
  });

  it('activates on its view and commands, never on *', () => {
    assert.ok(!pkg.activationEvents.includes('*'));
    assert.equal(pkg.engines.vscode, '^1.93.0');
    assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
  });

  it('contributes exactly the settings the config module reads, with the same defaults', () => {
    const props = pkg.contributes.configuration.properties as Record<string, { default: unknown }>;
    assert.deepEqual(Object.keys(props).sort(), configKeys.map((k) => `sessionLedger.${k}`).sort());
    const defaults = ConfigSchema.parse({});
    for (const key of configKeys) {
      assert.deepEqual(props[`sessionLedger.${key}`].default, defaults[key], `default of sessionLedger.${key}`);
    }
  });

  it('keeps src/core free of vscode imports', () => {
    const offenders = walk(join(repoRoot, 'src', 'core'))
      .filter((f) => f.endsWith('.ts'))
      .filter((f) => /from ['"]vscode['"]|require\(['"]vscode['"]\)/.test(readFileSync(f, 'utf8')));
    assert.deepEqual(offenders, []);
  });
});
