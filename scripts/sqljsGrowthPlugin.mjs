// esbuild plugin: two changes to sql.js's JavaScript glue, both measured (SQLite itself is untouched).
//
// 1. How sql.js grows the in-memory file that holds the database.
// sql.js keeps the database in an Emscripten MEMFS file. Past 1 MiB that file's buffer grows by
// only 12.5% at a time, and every growth allocates a new buffer and copies the whole database
// into it: a 150 MB store is copied again every ~19 MB it grows, inside the write that needed the
// room (measured: the largest single cost of an event append at 100,000 events). This plugin makes
// it double up to 64 MiB and then grow 64 MiB at a time: a few copies instead of dozens, at most
// 64 MiB of unused capacity. Only the growth policy changes; SQLite sees the same file.
//
// 2. How strings reach SQLite. Binding a string parameter measures and encodes it to UTF-8 in a
// JavaScript loop, one code point at a time, and measures it twice: importing 30 MB of Claude Code
// transcripts spent ~1.1 s of 4.7 s there (bench/import.mjs, --cpu-prof). The patch uses Node's
// native UTF-8 (Buffer.byteLength, Buffer#write; simdutf) for the same bytes. One difference, on
// purpose: a lone surrogate (invalid UTF-16) is written as U+FFFD (valid UTF-8, 3 bytes) instead of
// the invalid bytes the loop wrote; both read back as U+FFFD, and the length is the same 3 bytes.
//
// The build fails if the code it patches is not found exactly once (a new sql.js release must be
// looked at, not silently left unpatched).
import { readFileSync } from 'node:fs';

const ORIGINAL = 'm*(m<1048576?2:1.125)>>>0';
const PATCHED = '(m<67108864?m*2:m+67108864)>>>0';

export function patchSqlJsGrowth(source, file = 'sql-wasm.js') {
  const at = source.indexOf(ORIGINAL);
  if (at < 0 || source.indexOf(ORIGINAL, at + 1) >= 0) {
    throw new Error(
      `${file}: the MEMFS growth code to patch was not found exactly once (sql.js changed?); see scripts/sqljsGrowthPlugin.mjs`,
    );
  }
  return source.slice(0, at) + PATCHED + source.slice(at + ORIGINAL.length);
}

// sql.js 1.16's lengthBytesUTF8 (`l`) and stringToUTF8Array (`L`), minified. `L` may be given a
// plain Array (intArrayFromString): that keeps the original loop. Callers may pass Infinity as the
// room left (`c`): the write is bounded by the array's end.
const LENGTH_ORIGINAL =
  'l=a=>{for(var b=0,d=0;d<a.length;++d){var c=a.codePointAt(d);c<=127?b++:c<=2047?b+=2:c<=65535?b+=3:(b+=4,d++)}return b}';
const LENGTH_PATCHED = 'l=a=>Buffer.byteLength(a,"utf8")';
const ENCODE_START = 'L=(a,b,d,c)=>{if(!(c>0))return 0;';
const ENCODE_PATCHED_START =
  'L=(a,b,d,c)=>{if(!(c>0))return 0;' +
  'if(b instanceof Uint8Array){var n=Buffer.from(b.buffer,b.byteOffset,b.byteLength).write(a,d,Math.min(c-1,b.length-d),"utf8");b[d+n]=0;return n}';

function replaceOnce(source, original, patched, what, file) {
  const at = source.indexOf(original);
  if (at < 0 || source.indexOf(original, at + 1) >= 0) {
    throw new Error(`${file}: the ${what} to patch was not found exactly once (sql.js changed?); see scripts/sqljsGrowthPlugin.mjs`);
  }
  return source.slice(0, at) + patched + source.slice(at + original.length);
}

/** Native UTF-8 measuring and encoding of bound strings (see 2. above). */
export function patchSqlJsStrings(source, file = 'sql-wasm.js') {
  const measured = replaceOnce(source, LENGTH_ORIGINAL, LENGTH_PATCHED, 'UTF-8 length code', file);
  return replaceOnce(measured, ENCODE_START, ENCODE_PATCHED_START, 'UTF-8 encoding code', file);
}

/** Every patch of this file, as the build applies them. */
export function patchSqlJs(source, file = 'sql-wasm.js') {
  return patchSqlJsStrings(patchSqlJsGrowth(source, file), file);
}

export const sqlJsGrowthPlugin = {
  name: 'sqljs-memfs-growth',
  setup(build) {
    build.onLoad({ filter: /[\\/]sql\.js[\\/]dist[\\/]sql-wasm\.js$/ }, (args) => ({
      contents: patchSqlJs(readFileSync(args.path, 'utf8'), args.path),
      loader: 'js',
    }));
  },
};
