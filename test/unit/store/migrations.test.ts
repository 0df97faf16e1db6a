import * as assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { searchLedger } from '../../../src/core/ledger/search';
import { BINARY_RECORD_MAGIC, RECORD_MAGIC, decodeSegment } from '../../../src/core/store/journalRecord';
import { BINARY_RECORDS_MIGRATION, MigrationFailedError, StoreVersionError, loadMigrations } from '../../../src/core/store/migrations';
import type { SessionStore } from '../../../src/core/store/SessionStore';
import { loadPgMigrations } from '../../../src/core/sync/pgMigrations';
import type { Pool } from 'pg';
import { Replicator } from '../../../src/core/sync/replicator';
import { SYNC_TABLES } from '../../../src/core/sync/syncTables';
import { META_SYNC_CAPTURE } from '../../../src/core/store/syncCapture';
import { REPO_MIGRATIONS, crashCopy, journalFiles, openStore, temporaryDirectory } from './storeTestSupport';

const SHIPPED_FILES = fs
  .readdirSync(REPO_MIGRATIONS)
  .filter((f) => /^\d{4}_.*\.sql$/.test(f))
  .sort();
const SHIPPED = SHIPPED_FILES.length;
const TEST_MIGRATION_FILE = `${String(SHIPPED + 1).padStart(4, '0')}_test_session_colour.sql`;

/**
 * A migrations directory holding the given shipped migrations (default: all of the repo's) and,
 * optionally, the test-only one numbered after them, or another script under that number.
 */
function migrationsDirectory(
  withTestMigration: boolean,
  shipped: readonly string[] = SHIPPED_FILES,
  next?: { file: string; sql: string },
): string {
  const directory = temporaryDirectory('ledger-migrations-');
  for (const file of shipped) fs.copyFileSync(path.join(REPO_MIGRATIONS, file), path.join(directory, file));
  if (withTestMigration)
    fs.copyFileSync(path.join(__dirname, 'fixtures', '0002_test_session_colour.sql'), path.join(directory, TEST_MIGRATION_FILE));
  if (next) fs.writeFileSync(path.join(directory, next.file), next.sql);
  return directory;
}

/** File descriptors of this process open on files in `directory` (Linux: /proc/self/fd), or undefined where that cannot be read. */
function openFilesIn(directory: string): string[] | undefined {
  if (!fs.existsSync('/proc/self/fd')) return undefined;
  return fs
    .readdirSync('/proc/self/fd')
    .map((fd) => {
      try {
        return fs.readlinkSync(path.join('/proc/self/fd', fd));
      } catch {
        return '';
      }
    })
    .filter((target) => target.startsWith(directory + path.sep));
}

function fingerprint(directory: string): Record<string, string> {
  return Object.fromEntries(
    fs
      .readdirSync(directory)
      .sort()
      .map((name) => [
        name,
        createHash('sha256')
          .update(fs.readFileSync(path.join(directory, name)))
          .digest('hex'),
      ]),
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

  it('upgrades a store created with only the first migration through every shipped one and a test migration', async () => {
    const directory = temporaryDirectory();
    const v1 = await openStore(directory, { migrationsDirectory: migrationsDirectory(false, SHIPPED_FILES.slice(0, 1)) });
    assert.equal(v1.schemaVersion, 1);
    const sessionId = randomUUID();
    const otherId = randomUUID();
    // The rows a store of that version held, written with its columns (the repositories now write later ones).
    await v1.transaction(() => {
      const session = (id: string, title: string, intention: string, interactions: number, events: number) =>
        v1.sql.run(
          'INSERT INTO sessions (id, type, title, slug, intention, agent, provider, environment, execution_mode, status, interaction_count, event_count, created_at, updated_at) ' +
            "VALUES (?, 'test-fix', ?, ?, ?, 'claude_code', 'anthropic-api', 'vscode', 'manual', 'complete', ?, ?, 1000, 2000)",
          [id, title, title.toLowerCase().replace(/ /g, '-'), intention, interactions, events],
        );
      session(sessionId, 'Fix the flaky parser', 'make the quokka tests pass', 1, 3);
      session(otherId, 'Unrelated', 'nothing to see', 0, 0);
      v1.sql.run(
        "INSERT INTO interactions (id, session_id, seq, step, command_kind, command, command_at, result_status, exit_code, output) VALUES ('i1', ?, 1, 'build', 'shell', 'npm test -- --grep wombat', 1000000, 'ok', 0, '3 passing')",
        [sessionId],
      );
      for (const [id, seq, payload] of [
        ['e1', 1, '{"text":"platypus"}'],
        ['e2', 2, '{"text":"numbat"}'],
        ['e3', 3, '{"text":"echidna"}'],
      ] as const) {
        v1.sql.run("INSERT INTO events (id, session_id, seq, type, payload, ts) VALUES (?, ?, ?, 'agent.text', ?, 1500)", [
          id,
          sessionId,
          seq,
          payload,
        ]);
      }
    });
    // What retention of that version did: prune an event, then count the rest.
    await v1.transaction(() => {
      v1.sql.run("DELETE FROM events WHERE id = 'e2'");
      v1.sql.run('UPDATE sessions SET event_count = 2 WHERE id = ?', [sessionId]);
    });
    await v1.close();

    const upgraded = await openStore(directory, { migrationsDirectory: migrationsDirectory(true) });
    assert.equal(upgraded.schemaVersion, SHIPPED + 1);
    assert.deepEqual(
      upgraded.sql.all('SELECT version, name FROM schema_migrations ORDER BY version').map((row) => [row.version, row.name]),
      [...SHIPPED_FILES, TEST_MIGRATION_FILE].map((file, index) => [index + 1, file.slice(5, -4)]),
    );
    // The data is intact.
    const session = upgraded.sessions.require(sessionId);
    assert.deepEqual(
      [session.title, session.intention, session.interactionCount, session.eventCount, session.updatedAt],
      ['Fix the flaky parser', 'make the quokka tests pass', 1, 2, 2000],
    );
    assert.equal(upgraded.interactions.getBySeq(sessionId, 1)?.result.output, '3 passing');
    assert.deepEqual(
      upgraded.events.list(sessionId).map((e) => [e.id, e.seq, e.payload]),
      [
        ['e1', 1, { text: 'platypus' }],
        ['e3', 3, { text: 'echidna' }],
      ],
    );
    // 0002's backfill indexed the rows that were there before it.
    const hits = (text: string, options: Parameters<typeof searchLedger>[2]) =>
      searchLedger(upgraded.sql, text, options).map((hit) => [hit.kind, hit.sessionId, hit.interactionId ?? hit.eventId]);
    assert.deepEqual(hits('quokka', { kinds: ['session'] }), [['session', sessionId, null]]);
    assert.deepEqual(hits('wombat', { kinds: ['interaction'] }), [['interaction', sessionId, 'i1']]);
    assert.deepEqual(hits('echidna', { kinds: ['event'] }), [['event', sessionId, 'e3']]);
    assert.deepEqual(hits('platypus', { sessionId, kinds: ['event'] }), [['event', sessionId, 'e1']]);
    assert.deepEqual(hits('platypus', { sessionId: otherId, kinds: ['event'] }), []);
    assert.deepEqual(hits('numbat', { kinds: ['event'] }), [], 'the pruned event is not indexed');
    // The new columns work: 0003 (cost_unknown), 0004 (the next seq is above the highest, not event_count + 1), the test migration's.
    assert.equal(session.costUnknown, false);
    const run = await upgraded.runs.start({ sessionId, provider: 'claude-code-cli', model: 'unpriced-model' });
    // Tokens of a model without a price: a run without tokens has nothing unpriced (runRepository.update).
    await upgraded.runs.update(run.id, { status: 'ok', outputTokens: 10, costUnknown: true });
    assert.equal(upgraded.sessions.require(sessionId).costUnknown, true);
    assert.equal((await upgraded.events.append({ id: 'e4', sessionId, type: 'agent.text', payload: { text: 'bilby' } })).seq, 4);
    assert.equal(upgraded.sessions.require(sessionId).eventCount, 3);
    assert.deepEqual(hits('bilby', { kinds: ['event'] }), [['event', sessionId, 'e4']]);
    assert.deepEqual(upgraded.sql.all('SELECT colour FROM sessions WHERE id = ?', [sessionId]), [{ colour: 'blue' }]);
    await upgraded.transaction(() => upgraded.sql.run("INSERT INTO test_labels (session_id, label) VALUES (?, 'migrated')", [sessionId]));
    await upgraded.close();

    const again = await openStore(directory, { migrationsDirectory: migrationsDirectory(true) });
    assert.equal(again.schemaVersion, SHIPPED + 1);
    assert.deepEqual(
      again.events.list(sessionId).map((e) => e.seq),
      [1, 3, 4],
    );
    assert.deepEqual(again.sql.all('SELECT label FROM test_labels'), [{ label: 'migrated' }]);
    await again.close();
  });

  it('upgrades a store through 0007: old runs and sessions read 0 one-hour cache writes, new ones keep and add them', async () => {
    const directory = temporaryDirectory();
    const before0007 = SHIPPED_FILES.filter((file) => Number(file.slice(0, 4)) < 7);
    assert.equal(before0007.length, 6);
    const v6 = await openStore(directory, { migrationsDirectory: migrationsDirectory(false, before0007) });
    assert.equal(v6.schemaVersion, 6);
    const sessionId = randomUUID();
    // Rows as version 6 wrote them (the repositories now write the 0007 column): cache writes were one figure.
    await v6.transaction(() => {
      v6.sql.run(
        'INSERT INTO sessions (id, type, title, slug, intention, agent, provider, environment, execution_mode, status, total_cost_usd, input_tokens, output_tokens, cache_creation_tokens, cache_read_tokens, created_at, updated_at) ' +
          "VALUES (?, 't', 'Old costs', 'old-costs', 'x', 'claude_code', 'claude-code-cli', 'vscode', 'manual', 'active', 0.5, 100, 200, 3000, 4000, 1000, 2000)",
        [sessionId],
      );
      v6.sql.run(
        'INSERT INTO runs (id, session_id, provider, model, status, input_tokens, output_tokens, cache_creation_tokens, cache_read_tokens, cost_usd, started_at) ' +
          "VALUES ('00000000-0000-4000-8000-000000000001', ?, 'claude-code-cli', 'claude-sonnet-4-5', 'ok', 100, 200, 3000, 4000, 0.5, 1500)",
        [sessionId],
      );
    });
    await v6.close();

    const upgraded = await openStore(directory);
    assert.equal(upgraded.schemaVersion, SHIPPED);
    assert.ok(SHIPPED >= 7);
    const oldRun = upgraded.runs.get('00000000-0000-4000-8000-000000000001')!;
    assert.deepEqual([oldRun.cacheCreationTokens, oldRun.cacheCreation1hTokens, oldRun.costUsd], [3000, 0, 0.5]);
    const oldSession = upgraded.sessions.require(sessionId);
    assert.deepEqual([oldSession.cacheCreationTokens, oldSession.cacheCreation1hTokens], [3000, 0]);
    // A new run keeps its 1-hour part and the session's counter adds it like the other kinds.
    const run = await upgraded.runs.start({ sessionId, provider: 'anthropic-api', model: 'claude-sonnet-4-5' });
    await upgraded.runs.update(run.id, { status: 'ok', cacheCreationTokens: 1000, cacheCreation1hTokens: 600, costUsd: 0.1 });
    await upgraded.runs.update(run.id, { cacheCreationTokens: 1500, cacheCreation1hTokens: 900 });
    assert.deepEqual([upgraded.runs.get(run.id)!.cacheCreationTokens, upgraded.runs.get(run.id)!.cacheCreation1hTokens], [1500, 900]);
    const session = upgraded.sessions.require(sessionId);
    assert.deepEqual([session.cacheCreationTokens, session.cacheCreation1hTokens], [4500, 900]);
    await upgraded.close();

    const again = await openStore(directory);
    assert.equal(again.sessions.require(sessionId).cacheCreation1hTokens, 900);
    assert.equal(again.runs.get(run.id)!.cacheCreation1hTokens, 900);
    await again.close();
  });

  it('upgrades through 0013: a ledger that never shared loses the capture triggers, one that shares keeps capturing, and turning capture on creates them in its journalled transaction', async () => {
    const before0013 = SHIPPED_FILES.filter((file) => Number(file.slice(0, 4)) < 13);
    assert.equal(before0013.length, 12);
    const captureTriggers = (store: SessionStore): string[] =>
      store.sql
        .all("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'sync_outbox_%' ORDER BY name")
        .map((row) => String(row.name));
    const outbox = (store: SessionStore): number => Number(store.sql.all('SELECT count(*) AS n FROM sync_outbox')[0]!.n);
    const appendOne = (store: SessionStore, sessionId: string): Promise<unknown> =>
      store.events.append({ id: randomUUID(), sessionId, type: 'agent.text', payload: { text: 'after the upgrade' } });

    // Two ledgers at schema 12: one whose capture was turned on then (0009's triggers asked on each write), one never.
    const sharing = temporaryDirectory();
    const notSharing = temporaryDirectory();
    const sessions: Record<string, string> = {};
    for (const directory of [sharing, notSharing]) {
      const v12 = await openStore(directory, { migrationsDirectory: migrationsDirectory(false, before0013) });
      assert.equal(captureTriggers(v12).length, 14);
      if (directory === sharing) await v12.transaction((tx) => tx.ledgerMeta.set(META_SYNC_CAPTURE, '1'));
      sessions[directory] = (await v12.sessions.create({ type: 't', title: 'Before 0013', intention: 'x' })).id;
      await v12.close();
    }

    const upgradedSharing = await openStore(sharing);
    assert.equal(upgradedSharing.schemaVersion, SHIPPED);
    assert.deepEqual(
      captureTriggers(upgradedSharing),
      SYNC_TABLES.flatMap((table) => [`sync_outbox_${table.name}_insert`, `sync_outbox_${table.name}_update`]).sort(),
      'a ledger that shares keeps a capture trigger for each change of each table the replicator pushes',
    );
    const queuedBefore = outbox(upgradedSharing);
    assert.ok(queuedBefore >= 1, 'its session was captured at schema 12');
    await appendOne(upgradedSharing, sessions[sharing]!);
    // The event and the session's counters (an update of the session row).
    assert.equal(outbox(upgradedSharing), queuedBefore + 2);
    await upgradedSharing.close();

    const upgraded = await openStore(notSharing);
    assert.deepEqual(captureTriggers(upgraded), []);
    assert.equal(outbox(upgraded), 0);
    await appendOne(upgraded, sessions[notSharing]!);
    assert.equal(outbox(upgraded), 0, 'a ledger that never shares queues nothing');

    // Turning capture on creates the triggers and queues the history in one transaction...
    const replicator = new Replicator({
      store: upgraded,
      pool: undefined as unknown as Pool, // enableCapture never reaches the server
      person: 'p',
      machine: 'm',
      projectId: 'project',
      sharing: 'all',
    });
    await replicator.enableCapture();
    assert.equal(captureTriggers(upgraded).length, 14);
    const backfilled = outbox(upgraded);
    assert.equal(backfilled, 2, 'the session and its event');
    // ...journalled: what a crash right after it leaves (snapshot and journal as they are) opens with them.
    const crashed = crashCopy(notSharing);
    await upgraded.close();
    const replayed = await openStore(crashed);
    assert.equal(captureTriggers(replayed).length, 14);
    assert.equal(outbox(replayed), backfilled);
    await appendOne(replayed, sessions[notSharing]!);
    assert.equal(outbox(replayed), backfilled + 2);
    await replayed.close();
  });

  it('rolls a migration that fails halfway back completely, names its file and leaves the store openable', async () => {
    const directory = temporaryDirectory();
    const store = await openStore(directory, { migrationsDirectory: migrationsDirectory(false) });
    const session = await store.sessions.create({ type: 't', title: 'Before the failed upgrade', intention: 'survive it' });
    await store.events.append({ id: 'e1', sessionId: session.id, type: 'x' });
    await store.close();
    const before = fingerprint(directory);

    const file = `${String(SHIPPED + 1).padStart(4, '0')}_half_broken.sql`;
    const broken = migrationsDirectory(false, SHIPPED_FILES, {
      file,
      sql: 'CREATE TABLE half_done (x INTEGER);\nALTER TABLE sessions ADD COLUMN half TEXT;\nINSERT INTO half_done VALUES (1);\nUPDATE sessions SET no_such_column = 1;\n',
    });
    await assert.rejects(openStore(directory, { migrationsDirectory: broken }), (error: unknown) => {
      assert.ok(error instanceof MigrationFailedError, String(error));
      assert.ok(error.message.includes(`migration ${file} failed (no such column: no_such_column)`), error.message);
      assert.ok(error.message.includes(`It was rolled back: the store stays at schema ${SHIPPED} with its data intact`), error.message);
      return true;
    });
    assert.deepEqual(fingerprint(directory), before, 'the store files are untouched');
    assert.equal(fs.existsSync(path.join(directory, 'ledger.lock')), false, 'the lock is released');
    const open = openFilesIn(directory);
    if (open) assert.deepEqual(open, [], 'no file of the store is left open (journal writer closed)');

    // The version that knows only the shipped migrations opens it, with none of the failed script's effects.
    const older = await openStore(directory, { migrationsDirectory: migrationsDirectory(false) });
    assert.equal(older.schemaVersion, SHIPPED);
    assert.deepEqual(older.sql.all("SELECT name FROM sqlite_master WHERE name = 'half_done'"), []);
    assert.equal(
      older.sql.all('PRAGMA table_info(sessions)').some((column) => column.name === 'half'),
      false,
    );
    assert.equal(older.sessions.require(session.id).title, 'Before the failed upgrade');
    assert.equal(older.events.get('e1')?.seq, 1);
    await older.close();
    // And a good upgrade still goes through.
    const fixed: SessionStore = await openStore(directory, { migrationsDirectory: migrationsDirectory(true) });
    assert.equal(fixed.schemaVersion, SHIPPED + 1);
    await fixed.close();
  });

  it('refuses a store written by a newer version and leaves it untouched', async () => {
    const directory = temporaryDirectory();
    const newer = await openStore(directory, { migrationsDirectory: migrationsDirectory(true) });
    await newer.sessions.create({ type: 't', title: 'From the future', intention: 'x' });
    await newer.close();
    // A torn journal tail too: even that must not be "repaired" by a refused open.
    const segment = fs
      .readdirSync(directory)
      .filter((name) => name.startsWith('journal-'))
      .sort()
      .pop()!;
    fs.appendFileSync(path.join(directory, segment), Buffer.from([0x53, 0x4c, 0x4a, 0x31, 0x09]));
    const before = fingerprint(directory);
    await assert.rejects(openStore(directory, { migrationsDirectory: migrationsDirectory(false) }), (error: unknown) => {
      assert.ok(error instanceof StoreVersionError);
      assert.ok(
        error.message.includes(`newer version of Session Ledger (schema ${SHIPPED + 1}; this version knows up to ${SHIPPED})`),
        error.message,
      );
      assert.match(error.message, /left untouched/);
      return true;
    });
    assert.deepEqual(fingerprint(directory), before);
    assert.equal(fs.existsSync(path.join(directory, 'ledger.lock')), false, 'the lock is released');
  });

  it('writes JSON journal records with the shipped migrations, binary ones only after the fence a later release ships', async () => {
    const shippedDirectory = temporaryDirectory();
    const shipped = await openStore(shippedDirectory);
    assert.equal(
      SHIPPED_FILES.some((file) => file.includes(BINARY_RECORDS_MIGRATION)),
      false,
      'not shipped yet: this release reads binary records and writes JSON',
    );
    const session = await shipped.sessions.create({ type: 't', title: 'Shipped', intention: 'json records' });
    await shipped.events.append({ id: 'e0', sessionId: session.id, type: 'x', payload: { said: 'a "quoted" word' } });
    const shippedImage = crashCopy(shippedDirectory);
    await shipped.close();
    const shippedBytes = fs.readFileSync(journalFiles(shippedImage)[0]!);
    const shippedRecords = decodeSegment(shippedBytes);
    assert.ok(
      shippedRecords.offsets.length > SHIPPED &&
        shippedRecords.offsets.every((offset) => shippedBytes.readUInt32LE(offset) === RECORD_MAGIC),
    );

    // The later release: the shipped migrations and the fence after them.
    const fenceVersion = SHIPPED + 1;
    const later = migrationsDirectory(false, SHIPPED_FILES, {
      file: `${String(fenceVersion).padStart(4, '0')}_${BINARY_RECORDS_MIGRATION}.sql`,
      sql: fs.readFileSync(path.join(__dirname, 'fixtures', `${BINARY_RECORDS_MIGRATION}.sql`), 'utf8'),
    });
    const directory = temporaryDirectory();
    const store = await openStore(directory, { migrationsDirectory: later });
    const title = 'Quotes "inside" JSON, and a lone surrogate \ud83d';
    const written = await store.sessions.create({ type: 't', title, intention: 'binary records' });
    const titleAsStored = store.sessions.require(written.id).title; // sql.js's bytes for the lone surrogate, read back
    await store.events.append({ id: 'e1', sessionId: written.id, type: 'x', payload: { said: 'a "quoted" word' } });
    const image = crashCopy(directory); // no snapshot yet: the journal alone holds the ledger
    await store.close();
    const [segment, ...more] = journalFiles(image);
    assert.equal(more.length, 0);
    const bytes = fs.readFileSync(segment!);
    const decoded = decodeSegment(bytes);
    assert.equal(decoded.damage, undefined);
    // A new ledger: record n applies migration n. JSON through the fence's own record, binary after
    // it, except the session's record: its title has a lone surrogate, which only JSON keeps.
    const magics = decoded.offsets.map((offset) => bytes.readUInt32LE(offset));
    const kinds = magics.map((magic) => (magic === BINARY_RECORD_MAGIC ? 'binary' : magic === RECORD_MAGIC ? 'json' : magic));
    assert.deepEqual(kinds.slice(0, fenceVersion), new Array(fenceVersion).fill('json'));
    assert.deepEqual(kinds.slice(fenceVersion), ['json', 'binary'], 'the session (lone surrogate: JSON), then the event');

    // This release knows the shipped migrations only. Reading binary records or not (as a version
    // before this one, which reads them as a bad marker), it replays up to the fence and refuses.
    const asOldCodeReadsIt = crashCopy(image);
    const seen = Buffer.from(bytes);
    decoded.offsets.forEach((offset, index) => {
      if (magics[index] === BINARY_RECORD_MAGIC) seen.write('????', offset, 'latin1');
    });
    fs.writeFileSync(journalFiles(asOldCodeReadsIt)[0]!, seen);
    for (const folder of [image, asOldCodeReadsIt]) {
      const before = fingerprint(folder);
      await assert.rejects(openStore(folder, { migrationsDirectory: REPO_MIGRATIONS }), (error: unknown) => {
        assert.ok(error instanceof StoreVersionError, String(error));
        assert.match(error.message, new RegExp(`schema ${fenceVersion}; this version knows up to ${SHIPPED}`));
        return true;
      });
      assert.deepEqual(fingerprint(folder), before, 'left untouched');
    }

    const reopened = await openStore(image, { migrationsDirectory: later });
    assert.deepEqual(reopened.events.get('e1')?.payload, { said: 'a "quoted" word' });
    assert.equal(reopened.sessions.require(written.id).title, titleAsStored, 'replayed to the same bytes as written live');
    await reopened.close();
  });

  it('rejects a migrations directory with a gap', () => {
    const directory = migrationsDirectory(false);
    const gap = `${String(SHIPPED + 2).padStart(4, '0')}_gap.sql`;
    fs.writeFileSync(path.join(directory, gap), 'SELECT 1;');
    assert.throws(() => loadMigrations(directory), new RegExp(`without gaps; found ${gap} at position ${SHIPPED + 1}`));
  });

  it("reads the team server's migrations the same way: in order, a gap refused, not a file of another name", () => {
    const shipped = loadPgMigrations();
    assert.deepEqual(
      shipped.map((migration) => [migration.version, migration.file]),
      fs
        .readdirSync(path.join(REPO_MIGRATIONS, 'postgres'))
        .filter((file) => /^\d{4}_.*\.sql$/.test(file))
        .sort()
        .map((file, index) => [index + 1, file]),
    );
    assert.equal(shipped[0]?.name, 'team_ledger');
    const directory = temporaryDirectory('team-migrations-');
    fs.writeFileSync(path.join(directory, '0002_second.sql'), 'SELECT 2;');
    fs.writeFileSync(path.join(directory, '0001_first.sql'), 'SELECT 1;');
    fs.writeFileSync(path.join(directory, 'README.md'), 'not a migration');
    assert.deepEqual(
      loadPgMigrations(directory).map((migration) => [migration.version, migration.name, migration.sql]),
      [
        [1, 'first', 'SELECT 1;'],
        [2, 'second', 'SELECT 2;'],
      ],
    );
    fs.writeFileSync(path.join(directory, '0004_gap.sql'), 'SELECT 4;');
    assert.throws(
      () => loadPgMigrations(directory),
      /^Error: PostgreSQL migrations in .* without gaps; found 0004_gap\.sql at position 3\.$/,
    );
  });
});
