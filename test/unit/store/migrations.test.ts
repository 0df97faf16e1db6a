import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StoreVersionError, loadMigrations } from '../../../src/core/store/migrations';
import { REPO_MIGRATIONS, openStore, temporaryDirectory } from './storeTestSupport';

/** A migrations directory holding the repo's migrations and, optionally, the test-only one numbered after them. */
const SHIPPED = fs.readdirSync(REPO_MIGRATIONS).filter((f) => /^\d{4}_.*\.sql$/.test(f)).length;

function migrationsDirectory(withTestMigration: boolean): string {
  const directory = temporaryDirectory('ledger-migrations-');
  for (const file of fs.readdirSync(REPO_MIGRATIONS).filter((f) => /^\d{4}_.*\.sql$/.test(f))) fs.copyFileSync(path.join(REPO_MIGRATIONS, file), path.join(directory, file));
  if (withTestMigration) {
    const next = String(SHIPPED + 1).padStart(4, '0');
    fs.copyFileSync(path.join(__dirname, 'fixtures', '0002_test_session_colour.sql'), path.join(directory, `${next}_test_session_colour.sql`));
  }
  return directory;
}

function fingerprint(directory: string): Record<string, string> {
  return Object.fromEntries(
    fs.readdirSync(directory).sort().map((name) => [name, createHash('sha256').update(fs.readFileSync(path.join(directory, name))).digest('hex')]),
  );
}

describe('SessionStore migrations', function () {
  this.timeout(30_000);

  it('applies the repo migrations in order and records them', async () => {
    const store = await openStore(temporaryDirectory());
    assert.equal(store.schemaVersion, loadMigrations(REPO_MIGRATIONS).length);
    await store.close();
  });

  it('upgrades a store created with the shipped migrations to a further migration, keeping its data', async () => {
    const directory = temporaryDirectory();
    const v1 = await openStore(directory, { migrationsDirectory: migrationsDirectory(false) });
    assert.equal(v1.schemaVersion, SHIPPED);
    const session = await v1.sessions.create({ type: 't', title: 'Before the upgrade', intention: 'survive it' });
    await v1.events.append({ id: 'e1', sessionId: session.id, type: 'x' });
    await v1.close();

    const v2 = await openStore(directory, { migrationsDirectory: migrationsDirectory(true) });
    assert.equal(v2.schemaVersion, SHIPPED + 1);
    assert.equal(v2.sessions.require(session.id).title, 'Before the upgrade');
    assert.equal(v2.events.get('e1')?.seq, 1);
    await v2.sessions.update(session.id, { phase: 'after' });
    await v2.close();

    // The upgrade is durable (journalled + snapshotted): a third open sees the new version and the new column.
    const again = await openStore(directory, { migrationsDirectory: migrationsDirectory(true) });
    assert.equal(again.schemaVersion, SHIPPED + 1);
    assert.equal(again.sessions.require(session.id).phase, 'after');
    await again.close();
  });

  it('refuses a store written by a newer version and leaves it untouched', async () => {
    const directory = temporaryDirectory();
    const newer = await openStore(directory, { migrationsDirectory: migrationsDirectory(true) });
    await newer.sessions.create({ type: 't', title: 'From the future', intention: 'x' });
    await newer.close();
    // A torn journal tail too: even that must not be "repaired" by a refused open.
    const segment = fs.readdirSync(directory).filter((name) => name.startsWith('journal-')).sort().pop()!;
    fs.appendFileSync(path.join(directory, segment), Buffer.from([0x53, 0x4c, 0x4a, 0x31, 0x09]));
    const before = fingerprint(directory);
    await assert.rejects(openStore(directory, { migrationsDirectory: migrationsDirectory(false) }), (error: unknown) => {
      assert.ok(error instanceof StoreVersionError);
      assert.ok(error.message.includes(`newer version of Session Ledger (schema ${SHIPPED + 1}; this version knows up to ${SHIPPED})`), error.message);
      assert.match(error.message, /left untouched/);
      return true;
    });
    assert.deepEqual(fingerprint(directory), before);
    assert.equal(fs.existsSync(path.join(directory, 'ledger.lock')), false, 'the lock is released');
  });

  it('rejects a migrations directory with a gap', () => {
    const directory = migrationsDirectory(false);
    const gap = `${String(SHIPPED + 2).padStart(4, '0')}_gap.sql`;
    fs.writeFileSync(path.join(directory, gap), 'SELECT 1;');
    assert.throws(() => loadMigrations(directory), new RegExp(`without gaps; found ${gap} at position ${SHIPPED + 1}`));
  });
});
