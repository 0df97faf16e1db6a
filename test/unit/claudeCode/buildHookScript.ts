import { buildSync } from 'esbuild';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Bundles `src/core/claudeCode/hookSpool.ts` the way esbuild.mjs does, into a temp dir. */
export function buildHookScript(): string {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-hook-'));
  const outfile = path.join(outDir, 'hookSpool.js');
  buildSync({
    entryPoints: [path.join(__dirname, '../../../src/core/claudeCode/hookSpool.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node18',
    outfile,
    logLevel: 'error',
  });
  return outfile;
}
