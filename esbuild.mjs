// Builds the extension (cjs, node, `vscode` external), the store's snapshot worker, the
// timeline webview (browser) and, with --tests, the integration tests for the extension host.
//   node esbuild.mjs [--production] [--watch] [--tests]
// Type checking is separate: `npm run typecheck` (tsc --noEmit).
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { sqlJsGrowthPlugin } from './scripts/sqljsGrowthPlugin.mjs';
import { zodLocalesPlugin } from './scripts/zodLocalesPlugin.mjs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const tests = process.argv.includes('--tests');

const common = {
  bundle: true,
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  logLevel: 'warning',
  // sql.js grows its in-memory database file in small steps, copying it each time; zod's locales
  // other than English are not bundled (400 KB parsed at every start): see the plugins.
  plugins: [sqlJsGrowthPlugin, zodLocalesPlugin],
};

/** Copies runtime assets that are not bundled: sql.js's wasm and the codicon font. */
function copyAssets() {
  mkdirSync('dist', { recursive: true });
  cpSync('node_modules/sql.js/dist/sql-wasm.wasm', 'dist/sql-wasm.wasm');
  mkdirSync('dist/codicons', { recursive: true });
  for (const f of ['codicon.css', 'codicon.ttf']) {
    cpSync(join('node_modules/@vscode/codicons/dist', f), join('dist/codicons', f));
  }
  mkdirSync('dist/webview', { recursive: true });
  for (const css of readdirSync('src/webview').filter((f) => f.endsWith('.css')))
    cpSync(join('src/webview', css), join('dist/webview', css));
}

function walk(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

const builds = [
  {
    ...common,
    entryPoints: { extension: 'src/extension.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node18',
    external: ['vscode', 'sql.js/dist/sql-wasm.wasm'],
  },
];

const worker = 'src/core/store/snapshotWorker.ts';
if (existsSync(worker)) {
  builds.push({ ...common, entryPoints: { snapshotWorker: worker }, outdir: 'dist', platform: 'node', format: 'cjs', target: 'node18' });
}
const hookScript = 'src/core/claudeCode/hookSpool.ts';
if (existsSync(hookScript)) {
  builds.push({ ...common, entryPoints: { hookSpool: hookScript }, outdir: 'dist', platform: 'node', format: 'cjs', target: 'node18' });
}
// The `session-ledger` command line (plain Node; finds sql-wasm.wasm, snapshotWorker.js beside it and ../migrations like the extension).
const cli = 'src/cli/main.ts';
if (existsSync(cli)) {
  // Commands that need large SDKs are bundles of their own, loaded only when used (see loadApart in main.ts).
  const entryPoints = {
    cli,
    'cli-run': 'src/cli/commands/run.ts',
    ...(existsSync('src/cli/mcp.ts') ? { 'cli-mcp': 'src/cli/mcp.ts' } : {}),
  };
  builds.push({
    ...common,
    entryPoints,
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node18',
    external: ['vscode', 'sql.js/dist/sql-wasm.wasm'],
  });
}
const webviews = walk('src/webview').filter((f) => /\/(timeline|usage)\.ts$/.test(f));
if (webviews.length) {
  builds.push({ ...common, entryPoints: webviews, outdir: 'dist/webview', platform: 'browser', format: 'iife', target: 'es2022' });
}
if (tests) {
  const testEntries = [...walk('test/integration'), ...walk('test/integration-untrusted'), ...walk('test/electron')].filter((f) =>
    f.endsWith('.ts'),
  );
  builds.push({
    ...common,
    minify: false,
    entryPoints: testEntries,
    outbase: '.',
    outdir: 'out',
    platform: 'node',
    format: 'cjs',
    target: 'node18',
    external: ['vscode', 'mocha', '@vscode/test-electron'],
  });
}

copyAssets();
if (watch) {
  const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
  await Promise.all(contexts.map((c) => c.watch()));
  console.log('[esbuild] watching…');
} else {
  const t0 = Date.now();
  await Promise.all(builds.map((b) => esbuild.build(b)));
  console.log(`[esbuild] built ${builds.length} bundle(s)${production ? ' (production)' : ''} in ${Date.now() - t0} ms`);
}
