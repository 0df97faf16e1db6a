import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/*
 * The webview's browser code imports only src/protocol (its own tsconfig gives it DOM types and no
 * Node types), src/protocol imports nothing from the rest of the extension, and the webview builds
 * DOM nodes: no HTML from strings.
 */

const root = resolve(__dirname, '../../..');

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

/** Every module a file imports or re-exports: bare package names, or paths relative to the repository. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const specifiers = [
    ...text.matchAll(
      /\b(?:import|export)\s[^;]*?from\s+'([^']+)'|\bimport\s+'([^']+)'|\bimport\(\s*'([^']+)'\s*\)|\brequire\(\s*'([^']+)'\s*\)/g,
    ),
  ].map((m) => (m[1] ?? m[2] ?? m[3] ?? m[4])!);
  return specifiers.map((s) => (s.startsWith('.') ? relative(root, resolve(join(root, dirname(file)), s)) : s));
}

describe('webview boundaries', () => {
  it('src/webview imports only src/webview, src/protocol and zod', () => {
    const files = sources('src/webview');
    assert.ok(files.length > 5, `found ${files.length} files`);
    const bad = files.flatMap((file) =>
      importsOf(file)
        .filter((target) => !(target.startsWith('src/webview/') || target.startsWith('src/protocol/') || target === 'zod'))
        .map((target) => `${file} imports ${target}`),
    );
    assert.deepEqual(bad, []);
  });

  it('src/protocol imports only src/protocol and zod (so the webview reaches nothing else through it)', () => {
    const bad = sources('src/protocol').flatMap((file) =>
      importsOf(file)
        .filter((target) => !(target.startsWith('src/protocol/') || target === 'zod'))
        .map((target) => `${file} imports ${target}`),
    );
    assert.deepEqual(bad, []);
  });

  it('the webview never parses HTML from strings (innerHTML, outerHTML, insertAdjacentHTML, document.write)', () => {
    const bad = sources('src/webview').filter((file) =>
      /\.(?:innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write/.test(readFileSync(join(root, file), 'utf8')),
    );
    assert.deepEqual(bad, []);
  });
});
