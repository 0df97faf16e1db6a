/*
 * Issue 14, item 6: LedgerDatabase reads a statement's result column names once (each name read is
 * a call into sql.js) and builds rows from them, as sql.js's getAsObject does. These tests hold the
 * rows to getAsObject's, and the names to the schema as it changes: a migration script, a prepared
 * statement altering a table, and a rolled-back change.
 */
import * as assert from 'node:assert/strict';
import initSqlJs, { type SqlJsStatic } from 'sql.js';
import { LedgerDatabase, type FileMode } from '../../../src/core/store/ledgerDatabase';

describe('LedgerDatabase rows (issue 14, item 6)', () => {
  let SQL: SqlJsStatic;
  before(async () => {
    SQL = await initSqlJs();
  });

  for (const mode of ['plain', 'on-demand'] as FileMode[]) {
    describe(`${mode} file`, () => {
      let database: LedgerDatabase;
      let record = 0;
      const write = (work: () => void) => database.recordTransaction(++record, work);
      beforeEach(() => {
        database = LedgerDatabase.open(SQL, undefined, { mode });
        write(() => {
          database.runScript('CREATE TABLE t (a TEXT, n INTEGER, x REAL, z TEXT);');
          database.run('INSERT INTO t VALUES (?, ?, ?, ?)', ['one', 1, 1.5, null]);
          database.run('INSERT INTO t VALUES (?, ?, ?, ?)', ['two', 2, -0.25, 'zed']);
        });
      });
      afterEach(() => database.close());

      it('gives the rows sql.js getAsObject gives: names, aliases, repeated names, types and NULLs', () => {
        const sql = 'SELECT a, n AS number, x, z, a AS a, n + 1 AS next FROM t ORDER BY n';
        const statement = database.db.prepare(sql);
        const expected: unknown[] = [];
        while (statement.step()) expected.push(statement.getAsObject());
        statement.free();
        assert.deepEqual(database.all(sql), expected);
        assert.deepEqual(database.all(sql), expected, 'the same from the cached statement');
        assert.deepEqual(database.get(sql), expected[0]);
        assert.equal(database.get('SELECT a FROM t WHERE n = ?', [3]), undefined);
        assert.deepEqual(database.all('SELECT a FROM t WHERE n > ?', [5]), []);
        write(() =>
          assert.deepEqual(database.runReturning('INSERT INTO t (a, n) VALUES (?, ?) RETURNING n, a AS name', ['three', 3]), {
            n: 3,
            name: 'three',
          }),
        );
      });

      it('reads the names again after a migration script adds a column', () => {
        assert.deepEqual(Object.keys(database.get('SELECT * FROM t')!), ['a', 'n', 'x', 'z']);
        write(() => database.runScript("ALTER TABLE t ADD COLUMN added TEXT NOT NULL DEFAULT 'new';"));
        assert.deepEqual(database.get('SELECT * FROM t'), { a: 'one', n: 1, x: 1.5, z: null, added: 'new' });
      });

      it('reads the names again after a prepared statement renames a column', () => {
        assert.deepEqual(Object.keys(database.all('SELECT * FROM t')[1]), ['a', 'n', 'x', 'z']);
        write(() => database.run('ALTER TABLE t RENAME COLUMN a TO label'));
        assert.deepEqual(database.all('SELECT * FROM t')[1], { label: 'two', n: 2, x: -0.25, z: 'zed' });
      });

      it('reads the names again after a schema change is rolled back', () => {
        assert.deepEqual(Object.keys(database.get('SELECT * FROM t')!), ['a', 'n', 'x', 'z']);
        assert.throws(
          () =>
            write(() => {
              database.runScript('ALTER TABLE t ADD COLUMN doomed TEXT;');
              assert.deepEqual(Object.keys(database.get('SELECT * FROM t')!), ['a', 'n', 'x', 'z', 'doomed']);
              throw new Error('rolled back');
            }),
          /rolled back/,
        );
        assert.deepEqual(Object.keys(database.get('SELECT * FROM t')!), ['a', 'n', 'x', 'z']);
      });
    });
  }
});
