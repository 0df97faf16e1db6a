import * as assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ReadOnlyStoreError, type StoreAccess } from '../../../src/core/store/readOnlyStore';
import type { SessionStore } from '../../../src/core/store/SessionStore';
import { StoreLockedError } from '../../../src/core/store/lockFile';
import { applyMigration, loadMigrations } from '../../../src/core/store/migrations';
import type { LedgerDatabase } from '../../../src/core/store/ledgerDatabase';
import { REPO_MIGRATIONS, contiguousSeqs, openStore, temporaryDirectory } from './storeTestSupport';

const CHILD = path.join(__dirname, 'fixtures', 'writerForReader.ts');

async function waitUntil(condition: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The writer: a child process holding the store's lock, driven line by line (see fixtures/writerForReader.ts). */
class WriterProcess {
  readonly acknowledged: string[] = [];
  dones = 0;
  ready = false;
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private stderr = '';

  private constructor(readonly child: ChildProcessWithoutNullStreams) {
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop()!; // an incomplete line was not fully reported: it does not count
      for (const line of lines) {
        if (line === 'ready') this.ready = true;
        else if (line === 'done') this.dones++;
        else this.acknowledged.push(line);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')));
    child.on('exit', (code, signal) => (this.exit = { code, signal }));
  }

  static async start(directory: string, sessionId: string): Promise<WriterProcess> {
    const writer = new WriterProcess(
      spawn(process.execPath, ['-r', 'tsx/cjs', CHILD, directory, sessionId], { stdio: ['pipe', 'pipe', 'pipe'] }),
    );
    await waitUntil(
      () => writer.ready || writer.exit !== undefined,
      20_000,
      () => 'the writer to open the store',
    );
    if (!writer.ready) throw new Error(`the writer exited: ${writer.stderr}`);
    return writer;
  }

  /** Sends the commands and waits for each one's "done". */
  async run(...commands: string[]): Promise<void> {
    const target = this.dones + commands.length;
    this.child.stdin.write(commands.map((command) => `${command}\n`).join(''));
    await waitUntil(
      () => this.dones >= target || this.exit !== undefined,
      20_000,
      () => `"${commands.join('; ')}" (stderr: ${this.stderr})`,
    );
    assert.equal(this.exit, undefined, `the writer exited: ${this.stderr}`);
  }

  send(command: string): void {
    this.child.stdin.write(`${command}\n`);
  }

  async exited(): Promise<void> {
    await waitUntil(
      () => this.exit !== undefined,
      20_000,
      () => 'the writer to exit',
    );
  }
}

/** What a reader saw of one session: events pulled on each onDidChange naming it, in the order seen. */
function collect(store: SessionStore, sessionId: string): { ids: string[]; seqs: number[] } {
  const seen = { ids: [] as string[], seqs: [] as number[] };
  let after = 0;
  const pull = (): void => {
    for (;;) {
      const page = store.events.list(sessionId, { after, limit: 10_000 });
      if (page.length === 0) return;
      for (const event of page) {
        seen.ids.push(event.id);
        seen.seqs.push(event.seq);
      }
      after = page[page.length - 1].seq;
    }
  };
  store.onDidChange((change) => {
    if (change.sessionIds.includes(sessionId)) pull();
  });
  pull();
  return seen;
}

/** Blocks this thread (its event loop: no follower runs) until `file` exists. */
function blockUntilExists(file: string, timeoutMs: number): void {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + timeoutMs;
  while (!fs.existsSync(file) && Date.now() < deadline) Atomics.wait(cell, 0, 0, 20);
  assert.ok(fs.existsSync(file), `${file} did not appear within ${timeoutMs} ms`);
}

function accessChanges(store: SessionStore): StoreAccess[] {
  const changes: StoreAccess[] = [];
  store.onDidChangeAccess((access) => changes.push(access));
  return changes;
}

describe('SessionStore read-only when another process holds the lock', function () {
  this.timeout(60_000);
  const cleanup: (() => unknown)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it('follows a writer process live through appends, snapshots, journal rotation and deleted segments: every acknowledged event seen once, in order', async () => {
    const directory = temporaryDirectory('ledger-reader-');
    const sessionId = randomUUID();
    const writer = await WriterProcess.start(directory, sessionId);
    cleanup.push(() => writer.exit ?? writer.child.kill('SIGKILL'));
    await writer.run('append 30 before');
    const reader = await openStore(directory, { readOnlyWhenHeld: true });
    cleanup.push(() => reader.close());
    assert.equal(reader.readOnly, true);
    assert.equal(reader.holder?.pid, writer.child.pid);
    const seen = collect(reader, sessionId);
    assert.deepEqual(seen.ids, writer.acknowledged, 'the state at open: snapshot + journal');

    // Live: appended, then a snapshot (rotation; older segments deleted), then more.
    await writer.run('append 40 live', 'snapshot', 'append 40 after');
    const started = Date.now();
    await waitUntil(
      () => seen.ids.length >= writer.acknowledged.length,
      5_000,
      () => `the reader to see ${writer.acknowledged.length} events (has ${seen.ids.length})`,
    );
    assert.ok(Date.now() - started < 3_000, 'seen live, within about a second');

    // This reader stalls while the writer snapshots several times: the segments it needed next are deleted.
    const flag = path.join(temporaryDirectory('ledger-flag-'), 'written');
    const dones = writer.dones;
    writer.send(`append 60 stalled-a`);
    writer.send('snapshot');
    writer.send(`append 60 stalled-b`);
    writer.send('snapshot');
    writer.send(`touch ${flag}`);
    blockUntilExists(flag, 20_000);
    await waitUntil(
      () => writer.dones >= dones + 5,
      5_000,
      () => 'the stalled commands to be reported',
    );
    await writer.run('append 20 resumed');
    await waitUntil(
      () => seen.ids.length >= writer.acknowledged.length,
      5_000,
      () => `the reader to see ${writer.acknowledged.length} events (has ${seen.ids.length})`,
    );
    assert.ok(
      (reader as unknown as { reading: { follower: { reloads: number } } }).reading.follower.reloads >= 1,
      'the reader reloaded from the newest snapshot',
    );

    assert.deepEqual(seen.ids, writer.acknowledged, 'every acknowledged event, once, in the order written');
    assert.deepEqual(
      seen.seqs,
      seen.ids.map((_, index) => index + 1),
    );
    assert.equal(reader.sessions.require(sessionId).eventCount, writer.acknowledged.length);
    assert.deepEqual(reader.warnings, []);
    assert.equal(reader.readOnly, true, 'still read-only while the writer lives');
  });

  it('takes the lock over when the writer exits, and its own writes are durable', async () => {
    const directory = temporaryDirectory('ledger-handover-');
    const sessionId = randomUUID();
    const writer = await WriterProcess.start(directory, sessionId);
    cleanup.push(() => writer.exit ?? writer.child.kill('SIGKILL'));
    const reader = await openStore(directory, { readOnlyWhenHeld: true });
    cleanup.push(() => reader.close());
    const access = accessChanges(reader);
    const seen = collect(reader, sessionId);
    await writer.run('append 25 old');
    writer.send('exit');
    await writer.exited();
    assert.equal(writer.exit?.code, 0);
    await waitUntil(
      () => !reader.readOnly,
      5_000,
      () => 'the reader to take the lock over',
    );
    assert.deepEqual(access, [{ readOnly: false, holder: undefined }]);
    assert.equal(reader.holder, undefined);
    assert.deepEqual(seen.ids, writer.acknowledged, 'nothing from the old writer lost');

    const mine = ['new-0', 'new-1', 'new-2'];
    for (const id of mine) await reader.events.append({ id, sessionId, type: 'mine', payload: {} });
    assert.deepEqual(seen.ids, [...writer.acknowledged, ...mine]);
    await reader.close();

    const reopened = await openStore(directory);
    try {
      assert.deepEqual(reopened.warnings, []);
      assert.equal(contiguousSeqs(reopened, sessionId).length, writer.acknowledged.length + mine.length);
      for (const id of [...writer.acknowledged, ...mine]) assert.ok(reopened.events.get(id), `${id} is in the reopened store`);
    } finally {
      await reopened.close();
    }
  });

  it('takes the lock over when the writer is SIGKILLed mid-write, losing nothing acknowledged', async () => {
    const directory = temporaryDirectory('ledger-killed-');
    const sessionId = randomUUID();
    const writer = await WriterProcess.start(directory, sessionId);
    cleanup.push(() => writer.exit ?? writer.child.kill('SIGKILL'));
    const reader = await openStore(directory, { readOnlyWhenHeld: true });
    cleanup.push(() => reader.close());
    writer.send('stream killed');
    await waitUntil(
      () => writer.acknowledged.length >= 150,
      20_000,
      () => 'the writer to acknowledge 150 events',
    );
    writer.child.kill('SIGKILL');
    await writer.exited();
    await waitUntil(
      () => !reader.readOnly,
      5_000,
      () => 'the reader to take the lock over from the dead writer',
    );
    const missing = writer.acknowledged.filter((id) => !reader.events.get(id));
    assert.deepEqual(missing, [], 'every event the killed writer acknowledged');
    const before = contiguousSeqs(reader, sessionId).length;

    await reader.events.append({ id: 'after-kill', sessionId, type: 'mine', payload: {} });
    await reader.close();
    const reopened = await openStore(directory);
    try {
      assert.deepEqual(
        reopened.warnings.filter((warning) => warning.kind !== 'corrupt-journal'),
        [],
        'at most the torn tail, kept aside at the takeover',
      );
      assert.equal(contiguousSeqs(reopened, sessionId).length, before + 1);
      assert.equal(reopened.events.get('after-kill')?.seq, before + 1);
      assert.deepEqual(
        writer.acknowledged.filter((id) => !reopened.events.get(id)),
        [],
      );
    } finally {
      await reopened.close();
    }
  });

  it('refuses writes with an error naming the holder, follows it, and becomes the writer when it closes (same process)', async () => {
    const directory = temporaryDirectory('ledger-refuse-');
    const holder = await openStore(directory);
    cleanup.push(() => holder.close());
    await assert.rejects(openStore(directory), StoreLockedError, 'without the option, a held lock still fails the open');
    const reader = await openStore(directory, { readOnlyWhenHeld: true });
    cleanup.push(() => reader.close());
    assert.equal(reader.readOnly, true);
    assert.equal(reader.holder?.pid, process.pid);
    const held = (error: unknown): boolean => {
      assert.ok(error instanceof ReadOnlyStoreError, String(error));
      assert.match(
        error.message,
        new RegExp(
          `held by process ${process.pid} on this machine since \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC; this window is read-only`,
        ),
      );
      return true;
    };
    await assert.rejects(reader.sessions.create({ type: 'x', title: 'refused', intention: 'none' }), held);
    await assert.rejects(
      reader.transaction((tx) => tx.notes.add({ sessionId: randomUUID(), kind: 'note', content: 'no' })),
      held,
    );
    await assert.rejects(reader.snapshot(), held);
    assert.equal(reader.sessions.count(), 0, 'nothing was written');

    const changed: string[][] = [];
    reader.onDidChange((change) => changed.push([...change.sessionIds]));
    const session = await holder.sessions.create({ type: 'x', title: 'written by the holder', intention: 'be seen' });
    await waitUntil(
      () => changed.some((ids) => ids.includes(session.id)),
      3_000,
      () => 'the reader to report the new session',
    );
    assert.equal(reader.sessions.require(session.id).title, 'written by the holder');

    await holder.close();
    await waitUntil(
      () => !reader.readOnly,
      3_000,
      () => 'the reader to take the released lock',
    );
    await reader.sessions.update(session.id, { title: 'now mine' });
    assert.equal(reader.sessions.require(session.id).title, 'now mine');
  });

  it('does not take over a ledger that a newer version upgraded while it followed: stays read-only, says so, repairs nothing', async () => {
    const directory = temporaryDirectory('ledger-newer-');
    const holder = await openStore(directory);
    cleanup.push(() => holder.close());
    const reader = await openStore(directory, { readOnlyWhenHeld: true });
    cleanup.push(() => reader.close());
    // The holder turns into a newer version, as its open would: a migration this code does not know, journalled.
    const known = loadMigrations(REPO_MIGRATIONS);
    const newer = {
      version: known.length + 1,
      name: 'from_a_newer_version',
      file: 'from_a_newer_version.sql',
      sql: 'CREATE TABLE newer_things (id INTEGER PRIMARY KEY);',
    };
    const internals = holder as unknown as {
      database: LedgerDatabase;
      writes: { commit(work: () => void): { durable: Promise<void> } };
    };
    await internals.writes.commit(() => applyMigration(internals.database, newer, Date.now())).durable;
    // Said as soon as the migration's record is followed (it changes no session), before any takeover.
    await waitUntil(
      () => reader.warnings.some((w) => w.kind === 'newer-version'),
      3_000,
      () => `the reader to warn about the upgrade (warnings: ${JSON.stringify(reader.warnings)})`,
    );
    const session = await holder.sessions.create({ type: 'x', title: 'after the upgrade', intention: 'kept' });
    await waitUntil(
      () => reader.sessions.get(session.id) !== undefined,
      3_000,
      () => 'the reader to follow the upgraded holder',
    );
    // Once, however many records follow.
    await holder.sessions.create({ type: 'x', title: 'more after the upgrade', intention: 'kept' });
    await reader.refresh();
    const following = reader.warnings.filter((w) => w.kind === 'newer-version');
    assert.equal(following.length, 1, JSON.stringify(reader.warnings));
    assert.match(
      following[0].message,
      new RegExp(`schema ${known.length + 1}; this version knows up to ${known.length}\\).*will not take it over`),
    );
    await holder.close();
    const files = () =>
      fs
        .readdirSync(directory)
        .filter((name) => name !== 'ledger.lock')
        .sort();
    const before = Object.fromEntries(files().map((name) => [name, fs.readFileSync(path.join(directory, name)).toString('base64')]));
    await waitUntil(
      () => reader.warnings.some((warning) => /could not take the session ledger/.test(warning.message)),
      5_000,
      () => `the reader to say why it stays read-only (warnings: ${JSON.stringify(reader.warnings)})`,
    );
    const warning = reader.warnings.find((w) => /could not take the session ledger/.test(w.message))!;
    assert.match(
      warning.message,
      new RegExp(`newer version of Session Ledger \\(schema ${known.length + 1}; this version knows up to ${known.length}\\)`),
    );
    assert.equal(reader.readOnly, true, 'still read-only');
    assert.deepEqual(
      Object.fromEntries(files().map((name) => [name, fs.readFileSync(path.join(directory, name)).toString('base64')])),
      before,
      'no file changed, none kept aside',
    );
    const again = await openStore(directory, { migrationsDirectory: undefined }).catch((error: Error) => error);
    assert.ok(again instanceof Error && /newer version/.test(again.message), 'an open refuses it the same way');
  });
});
