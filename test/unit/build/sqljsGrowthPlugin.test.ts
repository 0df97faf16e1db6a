import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type initSqlJsType from 'sql.js';

/** The build's sql.js patch (scripts/sqljsGrowthPlugin.mjs), loaded as the build loads it. */
async function plugin(): Promise<{
  patchSqlJsGrowth(source: string, file?: string): string;
  patchSqlJsStrings(source: string, file?: string): string;
  patchSqlJs(source: string, file?: string): string;
}> {
  return import(join(__dirname, '../../../scripts/sqljsGrowthPlugin.mjs'));
}

const sqlJsFile = require.resolve('sql.js/dist/sql-wasm.js');

type SqlJsInit = typeof initSqlJsType;

/** sql.js with the installed glue run through one of the build's patches, loaded from a temp file. */
async function loadPatched(
  pick: (patches: Awaited<ReturnType<typeof plugin>>) => (source: string) => string,
): Promise<Awaited<ReturnType<SqlJsInit>>> {
  const patch = pick(await plugin());
  const file = join(mkdtempSync(join(tmpdir(), 'sqljs-patched-')), 'sql-wasm.js');
  writeFileSync(file, patch(readFileSync(sqlJsFile, 'utf8')));
  const initSqlJs = require(file) as SqlJsInit;
  return initSqlJs({ locateFile: () => require.resolve('sql.js/dist/sql-wasm.wasm') });
}

describe('sql.js MEMFS growth patch (build)', () => {
  it('patches the installed sql.js exactly once, and refuses code it does not recognise', async () => {
    const { patchSqlJsGrowth } = await plugin();
    const source = readFileSync(sqlJsFile, 'utf8');
    const patched = patchSqlJsGrowth(source);
    assert.notEqual(patched, source);
    assert.ok(patched.includes('(m<67108864?m*2:m+67108864)>>>0'));
    assert.ok(!patched.includes('1.125'), 'the 12.5% growth step is gone');
    assert.throws(() => patchSqlJsGrowth('var x = 1;', 'other.js'), /other\.js: the MEMFS growth code to patch was not found exactly once/);
    assert.throws(() => patchSqlJsGrowth(source + source), /not found exactly once/);
  });

  it('the patched sql.js still runs SQLite: a database grown past the 1 MiB step keeps every row', async function () {
    this.timeout(30_000);
    const SQL = await loadPatched((p) => p.patchSqlJsGrowth);
    const db = new SQL.Database();
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
    const insert = db.prepare('INSERT INTO t (body) VALUES (?)');
    db.exec('BEGIN');
    for (let i = 0; i < 6000; i++) insert.run([`row ${i} ${'x'.repeat(1000)}`]);
    db.exec('COMMIT');
    insert.free();
    const [[count, last]] = db.exec('SELECT count(*), max(body) FROM t')[0].values as [[number, string]];
    assert.equal(count, 6000);
    assert.match(last, /^row 999 x+$/);
    // Export and reopen: the file the patched growth kept is a valid database of the same content.
    const reopened = new SQL.Database(db.export());
    assert.equal(reopened.exec('SELECT count(*) FROM t')[0].values[0][0], 6000);
    assert.equal(reopened.exec('PRAGMA integrity_check')[0].values[0][0], 'ok');
  });
});

describe('sql.js native UTF-8 string patch (build)', () => {
  it('patches the installed sql.js exactly once, and refuses code it does not recognise', async () => {
    const { patchSqlJsStrings } = await plugin();
    const source = readFileSync(sqlJsFile, 'utf8');
    const patched = patchSqlJsStrings(source);
    assert.ok(patched.includes('l=a=>Buffer.byteLength(a,"utf8")'));
    assert.ok(patched.includes('Buffer.from(b.buffer,b.byteOffset,b.byteLength).write(a,d,Math.min(c-1,b.length-d),"utf8")'));
    assert.throws(
      () => patchSqlJsStrings('var x = 1;', 'other.js'),
      /other\.js: the UTF-8 length code to patch was not found exactly once/,
    );
    assert.throws(() => patchSqlJsStrings(source + source), /not found exactly once/);
  });

  it('strings bound through the patched sql.js read back as bound: ASCII, accents, CJK, emoji, NUL, long text', async function () {
    this.timeout(30_000);
    const SQL = await loadPatched((p) => p.patchSqlJs);
    const db = new SQL.Database();
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
    const values = [
      '',
      'plain ascii',
      'café naïve Ærø',
      '日本語のテキスト',
      'emoji 😀🎉 and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
      'before\u0000after',
      'x'.repeat(300_000) + 'é😀',
    ];
    const insert = db.prepare('INSERT INTO t (id, body) VALUES (?, ?)');
    values.forEach((value, i) => insert.run([i, value]));
    // A lone surrogate is not valid UTF-16: it is stored as U+FFFD, 3 bytes, as the original glue measured it.
    insert.run([100, 'a\ud800b']);
    insert.free();
    for (const [i, value] of values.entries()) {
      const [[body, bytes]] = db.exec('SELECT body, length(CAST(body AS BLOB)) FROM t WHERE id = ?', [i])[0].values as [[string, number]];
      assert.equal(body, value, `row ${i}`);
      assert.equal(bytes, Buffer.byteLength(value, 'utf8'), `row ${i} bytes`);
    }
    const [[lone, loneBytes]] = db.exec('SELECT body, length(CAST(body AS BLOB)) FROM t WHERE id = 100')[0].values as [[string, number]];
    assert.equal(lone, 'a\ufffdb');
    assert.equal(loneBytes, 5);
    // Parameters bound by name, and LIKE over the stored UTF-8, take the same path.
    assert.equal(db.exec("SELECT count(*) FROM t WHERE body LIKE '%' || $w || '%'", { $w: '😀🎉' })[0].values[0][0], 1);
  });
});
