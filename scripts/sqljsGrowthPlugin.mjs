// esbuild plugin: changes how sql.js grows the in-memory file that holds the database.
//
// sql.js keeps the database in an Emscripten MEMFS file. Past 1 MiB that file's buffer grows by
// only 12.5% at a time, and every growth allocates a new buffer and copies the whole database
// into it: a 150 MB store is copied again every ~19 MB it grows, inside the write that needed the
// room (measured: the largest single cost of an event append at 100,000 events). This plugin makes
// it double up to 64 MiB and then grow 64 MiB at a time: a few copies instead of dozens, at most
// 64 MiB of unused capacity. Only the growth policy changes; SQLite sees the same file.
//
// The build fails if the code it patches is not found exactly once (a new sql.js release must be
// looked at, not silently left unpatched).
import { readFileSync } from 'node:fs';

const ORIGINAL = 'm*(m<1048576?2:1.125)>>>0';
const PATCHED = '(m<67108864?m*2:m+67108864)>>>0';

export function patchSqlJsGrowth(source, file = 'sql-wasm.js') {
  const at = source.indexOf(ORIGINAL);
  if (at < 0 || source.indexOf(ORIGINAL, at + 1) >= 0) {
    throw new Error(`${file}: the MEMFS growth code to patch was not found exactly once (sql.js changed?); see scripts/sqljsGrowthPlugin.mjs`);
  }
  return source.slice(0, at) + PATCHED + source.slice(at + ORIGINAL.length);
}

export const sqlJsGrowthPlugin = {
  name: 'sqljs-memfs-growth',
  setup(build) {
    build.onLoad({ filter: /[\\/]sql\.js[\\/]dist[\\/]sql-wasm\.js$/ }, (args) => ({
      contents: patchSqlJsGrowth(readFileSync(args.path, 'utf8'), args.path),
      loader: 'js',
    }));
  },
};
