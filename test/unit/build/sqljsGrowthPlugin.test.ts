import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The build's sql.js patch (scripts/sqljsGrowthPlugin.mjs), loaded as the build loads it. */
async function plugin(): Promise<{ patchSqlJsGrowth(source: string, file?: string): string }> {
  return import(join(__dirname, '../../../scripts/sqljsGrowthPlugin.mjs'));
}

const sqlJsFile = require.resolve('sql.js/dist/sql-wasm.js');

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
    const { patchSqlJsGrowth } = await plugin();
    const dir = mkdtempSync(join(tmpdir(), 'sqljs-patch-'));
    const file = join(dir, 'sql-wasm.js');
    writeFileSync(file, patchSqlJsGrowth(readFileSync(sqlJsFile, 'utf8')));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const initSqlJs = require(file) as typeof import('sql.js').default;
    const SQL = await initSqlJs({ locateFile: () => require.resolve('sql.js/dist/sql-wasm.wasm') });
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
