import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './manifestFiles';

/*
 * l10n/bundle.l10n.json is the English bundle of the runtime strings (every `vscode.l10n.t(...)` in
 * src), written by the official extractor (`npm run l10n:export`, @vscode/l10n-dev). Translations
 * (bundle.l10n.<locale>.json) are made from it. These tests run the extractor into a temporary folder
 * and compare: a string added, changed or removed without running `npm run l10n:export` fails here.
 */

const bundleFile = join(repoRoot, 'l10n', 'bundle.l10n.json');

function extract(): Record<string, unknown> {
  const out = mkdtempSync(join(tmpdir(), 'session-ledger-l10n-'));
  try {
    const cli = join(repoRoot, 'node_modules', '@vscode', 'l10n-dev', 'dist', 'cli.js');
    execFileSync(process.execPath, [cli, 'export', '--outDir', out, './src'], { cwd: repoRoot, stdio: 'pipe' });
    const file = join(out, 'bundle.l10n.json');
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

describe('l10n/bundle.l10n.json (the English bundle of the runtime strings)', () => {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    l10n?: string;
    scripts: Record<string, string>;
  };

  it('is where package.json says, and npm run l10n:export writes it', () => {
    assert.equal(pkg.l10n, './l10n');
    // First the extension's tables of the webviews' strings (scripts/webview-strings.mjs), then the extractor.
    assert.match(
      pkg.scripts['l10n:export'] ?? '',
      /^node scripts\/webview-strings\.mjs && vscode-l10n-dev export --outDir \.\/l10n \.\/src$/,
    );
    assert.ok(existsSync(bundleFile), 'l10n/bundle.l10n.json is missing: run npm run l10n:export');
  });

  it('is current: exactly what the extractor finds in src now (run npm run l10n:export after changing a vscode.l10n.t string)', function () {
    this.timeout(60_000);
    const committed = JSON.parse(readFileSync(bundleFile, 'utf8')) as Record<string, unknown>;
    const extracted = extract();
    const missing = Object.keys(extracted).filter((k) => !(k in committed));
    const stale = Object.keys(committed).filter((k) => !(k in extracted));
    assert.deepEqual({ missing, stale }, { missing: [], stale: [] }, 'l10n/bundle.l10n.json is out of date: run npm run l10n:export');
    assert.deepEqual(committed, extracted);
  });

  it('holds the strings of the commands, the status bar and the webviews', () => {
    const committed = JSON.parse(readFileSync(bundleFile, 'utf8')) as Record<string, unknown>;
    for (const key of [
      'Delete "{0}"?',
      'Session Ledger: no active session. Click to open the Sessions view.',
      'Session timeline',
      'Show Log',
    ]) {
      assert.equal(committed[key], key, `${key} is not in the bundle`);
    }
  });
});
