import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Metafile, Plugin } from 'esbuild';

const repoRoot = resolve(__dirname, '../../..');

/** Bundles `entry` as esbuild.mjs bundles the command line (its plugins), with the list of what went in. */
async function bundle(entry: string, outdir: string): Promise<{ inputs: string[]; file: string }> {
  const esbuild = await import('esbuild');
  const { sqlJsGrowthPlugin } = (await import(join(repoRoot, 'scripts', 'sqljsGrowthPlugin.mjs'))) as { sqlJsGrowthPlugin: Plugin };
  const { zodLocalesPlugin } = (await import(join(repoRoot, 'scripts', 'zodLocalesPlugin.mjs'))) as { zodLocalesPlugin: Plugin };
  const result = await esbuild.build({
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node18',
    logLevel: 'silent',
    plugins: [sqlJsGrowthPlugin, zodLocalesPlugin],
    absWorkingDir: repoRoot,
    nodePaths: [join(repoRoot, 'node_modules')],
    entryPoints: { out: entry },
    outdir,
    external: ['vscode', 'sql.js/dist/sql-wasm.wasm'],
    metafile: true,
  });
  const metafile = result.metafile as Metafile;
  return { inputs: Object.keys(metafile.inputs), file: join(outdir, 'out.js') };
}

describe('the command line bundle: what a reading command loads at start', function () {
  this.timeout(60_000);

  it('dist/cli.js holds neither the Anthropic nor the MCP SDK, nor zod locales other than English', async () => {
    const { inputs } = await bundle('src/cli/main.ts', mkdtempSync(join(tmpdir(), 'cli-bundle-')));
    assert.ok(
      inputs.some((input) => input.includes('src/cli/commands/browse.ts')),
      'list and search are in it',
    );
    assert.deepEqual(
      inputs.filter((input) => /@anthropic-ai|@modelcontextprotocol/.test(input)),
      [],
      'loaded apart (cli-run.js, cli-mcp.js) by the commands that need them',
    );
    const locales = inputs.filter((input) => /zod\/v4\/locales\//.test(input) && !input.startsWith('zod-english-only:')); // the plugin's stand-in index
    assert.deepEqual(
      locales.map((input) => input.replace(/^.*zod\/v4\/locales\//, '').replace(/\.c?js$/, '')),
      ['en'],
    );
  });

  it('zod bundled with English only still validates and explains in English', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zod-english-'));
    const entry = join(dir, 'entry.ts');
    writeFileSync(
      entry,
      "import { z } from 'zod';\n" +
        'const result = z.object({ n: z.number().int() }).safeParse({ n: 1.5 });\n' +
        'export const message = result.success ? "" : result.error.issues[0].message;\n' +
        'export const locales = Object.keys(z.locales);\n',
    );
    // Resolved from the repository (its node_modules), as the real builds are.
    const { file } = await bundle(entry, dir);
    const loaded = require(file) as { message: string; locales: string[] };
    assert.match(loaded.message, /expected int, received number/i);
    assert.deepEqual(loaded.locales, ['en']);
  });
});
