import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { importedSessionId } from '../../../src/core/claudeCode/claudeSessions';
import { CLAUDE_HOOK_EVENTS } from '../../../src/core/claudeCode/hookProtocol';
import { ingestHookSpool, type SpoolIngestReport } from '../../../src/core/claudeCode/hookIngestion';
import { parseSpoolLine } from '../../../src/core/claudeCode/hookLines';
import {
  readSpoolOffset,
  spoolHasUnread,
  spoolOffsetPath,
  spoolRotatedPath,
  writeSpoolOffset,
} from '../../../src/core/claudeCode/hookSpoolState';
import type { SessionStore } from '../../../src/core/store/SessionStore';
import payloads from '../../fixtures/claudeCode/hook-payloads.json';
import { buildHookScript } from './buildHookScript';
import { openTestStore, tempDir } from './testStore';

const CLAUDE_SESSION = payloads.Stop.session_id;

describe('hook spool ingest', function () {
  this.timeout(60_000);
  let script: string;
  let store: SessionStore;
  let spool: string;

  const feed = (event: string, payload: unknown) =>
    spawnSync(process.execPath, [script, spool, event], { input: typeof payload === 'string' ? payload : JSON.stringify(payload) });
  const feedAll = () => CLAUDE_HOOK_EVENTS.forEach((event) => feed(event, payloads[event]));

  before(() => {
    script = buildHookScript();
  });
  beforeEach(async () => {
    store = await openTestStore();
    spool = path.join(tempDir('spool'), 'hooks.spool.jsonl');
  });
  afterEach(() => store.close());

  it('turns hook payloads of every event into events of the session with that conversation id', async () => {
    const own = await store.sessions.create({
      type: 'test-fix',
      title: 'Fix CSV',
      intention: 'csv',
      externalConversationId: CLAUDE_SESSION,
    });
    feedAll();
    const report = await ingestHookSpool(store, { spoolPath: spool });
    assert.equal(report.ingested, CLAUDE_HOOK_EVENTS.length);
    assert.equal(report.rejected, 0);
    assert.deepEqual(report.createdSessionIds, []);
    const events = store.events.list(own.id);
    assert.deepEqual(
      events.map((e) => e.type),
      CLAUDE_HOOK_EVENTS.map((e) => `hook.${e}`),
    );
    const pre = events.find((e) => e.type === 'hook.PreToolUse')!;
    assert.equal(pre.toolName, 'Write');
    assert.deepEqual(pre.payload, payloads.PreToolUse);
    assert.equal(report.nextOffset, fs.statSync(spool).size);
  });

  it('creates an imported session for an unknown Claude session id', async () => {
    feed('UserPromptSubmit', payloads.UserPromptSubmit);
    const report = await ingestHookSpool(store, { spoolPath: spool });
    assert.deepEqual(report.createdSessionIds, [importedSessionId(CLAUDE_SESSION)]);
    const session = store.sessions.require(importedSessionId(CLAUDE_SESSION));
    assert.equal(session.externalConversationId, CLAUDE_SESSION);
    assert.equal(session.title, 'Write a function that');
    assert.equal(session.workingDir, '/home/dev/app');
  });

  it('is idempotent: a second ingest reads nothing, a reset offset duplicates nothing', async () => {
    feedAll();
    await ingestHookSpool(store, { spoolPath: spool });
    const again = await ingestHookSpool(store, { spoolPath: spool });
    assert.equal(again.ingested + again.duplicates, 0);
    writeSpoolOffset(spool, 0);
    const replay = await ingestHookSpool(store, { spoolPath: spool });
    assert.equal(replay.ingested, 0);
    assert.equal(replay.duplicates, CLAUDE_HOOK_EVENTS.length);
    assert.equal(store.events.lastSeq(importedSessionId(CLAUDE_SESSION)), CLAUDE_HOOK_EVENTS.length);
  });

  it('sets malformed lines aside, counts them and goes on; leaves a partial last line for later', async () => {
    feed('Stop', 'not json');
    feed('PreToolUse', { hook_event_name: 'PreToolUse', tool_name: 'Bash' }); // no session_id
    fs.appendFileSync(spool, '{"receivedAt": "yesterday", "event": "Stop", "payload": {"session_id": "x"}}\n');
    feed('Stop', payloads.Stop);
    fs.appendFileSync(spool, '{"receivedAt":"2026-01-01T00:00:00.000Z","event":"Stop","payl');
    const report = await ingestHookSpool(store, { spoolPath: spool });
    assert.equal(report.ingested, 1);
    assert.equal(report.rejected, 3);
    const rejected = fs
      .readFileSync(report.rejectedPath, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(rejected.length, 3);
    assert.match(rejected[0].reason, /^hook input: invalid JSON/);
    assert.match(rejected[1].reason, /^payload\.session_id: /);
    assert.match(rejected[2].reason, /^receivedAt: /);
    assert.equal(JSON.parse(rejected[1].line).payload.tool_name, 'Bash', 'the line itself is kept');
    assert.ok(readSpoolOffset(spool) < fs.statSync(spool).size, 'the partial line is not consumed');
    fs.appendFileSync(spool, `oad":${JSON.stringify(payloads.Stop)}}\n`);
    const later = await ingestHookSpool(store, { spoolPath: spool });
    assert.equal(later.ingested, 1);
  });

  it('keeps two hook events with identical payloads in the same millisecond as two events, and re-ingesting them adds nothing', async () => {
    // Both hook processes see the same clock reading, as two hooks fired within one millisecond do.
    const frozenClock = path.join(tempDir('clock'), 'frozen-clock.js');
    fs.writeFileSync(
      frozenClock,
      `const RealDate = Date; globalThis.Date = class extends RealDate { constructor(...a) { if (a.length) super(...a); else super(Date.UTC(2026, 0, 1)); } static now() { return Date.UTC(2026, 0, 1); } };`,
    );
    const feedAtFrozenTime = () =>
      spawnSync(process.execPath, ['--require', frozenClock, script, spool, 'Stop'], { input: JSON.stringify(payloads.Stop) });
    assert.equal(feedAtFrozenTime().status, 0);
    assert.equal(feedAtFrozenTime().status, 0);
    const lines = fs.readFileSync(spool, 'utf8').trim().split('\n');
    assert.deepEqual(
      lines.map((l) => JSON.parse(l).receivedAt),
      ['2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'],
    );

    const report = await ingestHookSpool(store, { spoolPath: spool });
    assert.equal(report.ingested, 2, 'two hook events, two events');
    assert.equal(report.duplicates, 0);
    const events = store.events.list(importedSessionId(CLAUDE_SESSION));
    assert.deepEqual(
      events.map((e) => e.type),
      ['hook.Stop', 'hook.Stop'],
    );
    assert.deepEqual(events[0].payload, payloads.Stop);
    assert.deepEqual(events[1].payload, payloads.Stop);

    writeSpoolOffset(spool, 0); // the same bytes read again (a crash before the offset was saved)
    const replay = await ingestHookSpool(store, { spoolPath: spool });
    assert.equal(replay.ingested, 0);
    assert.equal(replay.duplicates, 2);
    assert.equal(store.events.list(importedSessionId(CLAUDE_SESSION)).length, 2);
  });

  it('ingests lines of the older hook script (no nonce) under the ids they always had, so a spool ingested before the update adds nothing', async () => {
    const oldLine = (event: keyof typeof payloads) =>
      JSON.stringify({ receivedAt: '2026-01-01T00:00:00.000Z', event, payload: payloads[event] });
    const oldId = (line: string) => `hook:${createHash('sha256').update(line).digest('hex')}`;
    const [before, after] = [oldLine('UserPromptSubmit'), oldLine('Stop')];
    fs.appendFileSync(spool, before + '\n');
    // The first line was ingested by the previous version: its event is stored under the old id.
    const sessionId = importedSessionId(CLAUDE_SESSION);
    await ingestHookSpool(store, { spoolPath: spool });
    assert.deepEqual(
      store.events.list(sessionId).map((e) => e.id),
      [oldId(before)],
    );
    writeSpoolOffset(spool, 0);
    fs.appendFileSync(spool, after + '\n');
    feed('Stop', payloads.Stop); // and a line of the new script after them

    const report = await ingestHookSpool(store, { spoolPath: spool });
    assert.equal(report.duplicates, 1, 'the line ingested before is recognised');
    assert.equal(report.ingested, 2);
    const ids = store.events.list(sessionId).map((e) => e.id);
    assert.deepEqual(ids.slice(0, 2), [oldId(before), oldId(after)]);
    const newLine = fs.readFileSync(spool, 'utf8').trim().split('\n')[2];
    assert.match(JSON.parse(newLine).nonce, /^[0-9a-f]{32}$/);
    assert.equal(ids[2], oldId(newLine), 'a new line is named the same way: by the hash of the line, nonce included');
  });

  it('parses a spool line into an event id derived from the line', () => {
    const line = JSON.stringify({ receivedAt: '2026-01-01T00:00:00.000Z', event: 'PostToolUse', payload: payloads.PostToolUse });
    const parsed = parseSpoolLine(line);
    assert.ok(!('error' in parsed));
    assert.equal(parsed.type, 'hook.PostToolUse');
    assert.deepEqual(parseSpoolLine(line), parsed);
    assert.match(parsed.id, /^hook:[0-9a-f]{64}$/);
  });

  describe('rotation', () => {
    const line = (n: number) =>
      JSON.stringify({
        receivedAt: new Date(Date.UTC(2026, 0, 1) + n).toISOString(),
        event: 'PostToolUse',
        payload: { session_id: CLAUDE_SESSION, hook_event_name: 'PostToolUse', n },
      }) + '\n';
    const storedNumbers = () =>
      store.events.list(importedSessionId(CLAUDE_SESSION), { limit: 10_000 }).map((e) => (e.payload as { n: number }).n);

    it('renames the fully ingested spool aside, reads what late writers append to it, and deletes it only after the grace period', async () => {
      let now = 1_000_000;
      const options = { spoolPath: spool, rotateAtBytes: 1, rotationGraceMs: 15_000, now: () => now };
      fs.appendFileSync(spool, line(1) + line(2));
      const first = await ingestHookSpool(store, options);
      assert.equal(first.ingested, 2);
      assert.equal(first.rotated, true);
      assert.equal(first.nextOffset, 0);
      const rotated = spoolRotatedPath(spool);
      assert.ok(!fs.existsSync(spool) && fs.existsSync(rotated), 'the spool was renamed');
      assert.equal(readSpoolOffset(rotated), fs.statSync(rotated).size, 'its offset moved with it');

      // A hook that opened the spool just before the rename still writes to the old file; new hooks create a new one.
      fs.appendFileSync(rotated, line(3));
      feed('Stop', payloads.Stop);
      now += 1000;
      const second = await ingestHookSpool(store, options);
      assert.equal(second.ingested, 2);
      assert.equal(second.rotated, false, 'no second rotation while one is pending');
      assert.equal(second.rotatedRemoved, false);
      assert.ok(fs.existsSync(rotated), 'kept during the grace period');
      assert.ok(spoolHasUnread(spool), 'a pending rotated spool keeps the watcher ingesting');

      fs.appendFileSync(rotated, line(4) + '{"receivedAt":"2026-01-01T00:00:00.000Z","ev');
      now += 15_000;
      const third = await ingestHookSpool(store, options);
      assert.equal(third.rotatedRemoved, true);
      assert.equal(third.ingested, 1, 'the last read of the rotated spool happens after the grace period');
      assert.equal(third.rejected, 1, 'an unterminated last line is set aside, not dropped silently');
      assert.match(fs.readFileSync(third.rejectedPath, 'utf8'), /unterminated last line.*\\"ev/);
      assert.equal(third.rotated, true, 'the live spool, fully read, is rotated in turn');
      const nowRotated = fs.readFileSync(rotated, 'utf8');
      assert.ok(
        nowRotated.includes('"hook_event_name":"Stop"') && !nowRotated.includes('"n":'),
        'the old rotated file is gone; this is the next one',
      );
      assert.ok(!fs.existsSync(spool));
      assert.deepEqual(
        storedNumbers()
          .filter((n) => n !== undefined)
          .sort(),
        [1, 2, 3, 4],
      );
      assert.equal(store.events.list(importedSessionId(CLAUDE_SESSION), { limit: 100 }).length, 5);
    });

    it('keeps a small spool in place (rotateAtBytes), and survives a crash right after the rename without losing or duplicating', async () => {
      fs.appendFileSync(spool, line(1));
      const kept = await ingestHookSpool(store, { spoolPath: spool });
      assert.equal(kept.rotated, false, 'below the default 1 MiB');
      assert.ok(fs.existsSync(spool));
      // A crash after the rename, before any offset was written: the rotated file has no state.
      fs.renameSync(spool, spoolRotatedPath(spool));
      fs.rmSync(spoolOffsetPath(spool));
      fs.appendFileSync(spool, line(2));
      let now = 5_000;
      const options = { spoolPath: spool, rotationGraceMs: 100, now: () => now };
      const after = await ingestHookSpool(store, options);
      assert.equal(after.ingested, 1);
      assert.equal(after.duplicates, 1, 'line 1 re-read from the rotated file, not stored twice');
      assert.ok(fs.existsSync(spoolRotatedPath(spool)), 'its grace period starts when it is found');
      now += 100;
      assert.equal((await ingestHookSpool(store, options)).rotatedRemoved, true);
      assert.deepEqual(storedNumbers().sort(), [1, 2]);
    });

    it("keeps the event of a hook held up between opening the spool and writing, past the rotated spool's last read", async () => {
      fs.appendFileSync(spool, line(1));
      // The real hook script, paused (by a preloaded patch) after it opened the spool and before its write.
      const hold = tempDir('hold');
      const preload = path.join(hold, 'hold-write.js');
      fs.writeFileSync(
        preload,
        `const fs = require('fs'); const path = require('path'); const real = fs.writeSync; let held = false;
         fs.writeSync = function (...args) {
           if (!held) {
             held = true;
             real(fs.openSync(path.join(${JSON.stringify(hold)}, 'opened'), 'w'), 'x');
             const sleeper = new Int32Array(new SharedArrayBuffer(4));
             for (let i = 0; i < 3000 && !fs.existsSync(path.join(${JSON.stringify(hold)}, 'go')); i++) Atomics.wait(sleeper, 0, 0, 10);
           }
           return real.apply(this, args);
         };`,
      );
      const hook = spawn(process.execPath, ['--require', preload, script, spool, 'Stop']);
      const exited = new Promise<number | null>((resolve) => hook.on('exit', resolve));
      hook.stdin.end(JSON.stringify(payloads.Stop));
      for (let i = 0; i < 3000 && !fs.existsSync(path.join(hold, 'opened')); i++) await new Promise((r) => setTimeout(r, 10));
      assert.ok(fs.existsSync(path.join(hold, 'opened')), 'the hook has opened the spool');

      let now = 1_000_000;
      const options = { spoolPath: spool, rotateAtBytes: 0, rotationGraceMs: 1000, now: () => now };
      assert.equal((await ingestHookSpool(store, options)).rotated, true);
      now += 1000;
      assert.equal(
        (await ingestHookSpool(store, options)).rotatedRemoved,
        true,
        'the file the hook holds open is read a last time and deleted',
      );
      fs.writeFileSync(path.join(hold, 'go'), '');
      assert.equal(await exited, 0);

      const after = await ingestHookSpool(store, options);
      assert.equal(after.ingested, 1, 'the hook wrote its line again to the live spool');
      assert.deepEqual(
        store.events.list(importedSessionId(CLAUDE_SESSION)).map((e) => e.type),
        ['hook.PostToolUse', 'hook.Stop'],
      );
    });

    it('loses and duplicates no line while hooks append concurrently with ingests that rotate', async function () {
      this.timeout(120_000);
      const total = 3000;
      // Appends exactly as hookSpool.ts does: open O_WRONLY|O_APPEND|O_CREAT, one write, close, and the
      // same line again when the file written to is no longer the one at the spool path (rotated
      // aside meanwhile); a pause now and then.
      const writer = spawn(process.execPath, [
        '-e',
        `const fs = require('fs'); const [spool, total] = [process.argv[1], Number(process.argv[2])];
         const sleeper = new Int32Array(new SharedArrayBuffer(4));
         for (let n = 0; n < total; n++) {
           const line = JSON.stringify({ receivedAt: new Date(Date.UTC(2026, 0, 1) + n).toISOString(), event: 'PostToolUse', payload: { session_id: ${JSON.stringify(CLAUDE_SESSION)}, hook_event_name: 'PostToolUse', n } }) + '\\n';
           for (let attempt = 0; attempt < 3; attempt++) {
             const fd = fs.openSync(spool, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT, 0o600);
             fs.writeSync(fd, Buffer.from(line)); const written = fs.fstatSync(fd); fs.closeSync(fd);
             let now; try { now = fs.statSync(spool); } catch {}
             if (now && now.ino === written.ino && now.dev === written.dev) break;
           }
           if (n % 20 === 0) Atomics.wait(sleeper, 0, 0, 2);
         }`,
        spool,
        String(total),
      ]);
      const exited = new Promise<number | null>((resolve) => writer.on('exit', resolve));
      let running = true;
      void exited.then(() => (running = false));
      // And a few real hook processes at the same time.
      const hooks = Array.from({ length: 6 }, () => {
        const child = spawn(process.execPath, [script, spool, 'Stop']);
        child.stdin.end(JSON.stringify(payloads.Stop));
        return new Promise((resolve) => child.on('exit', resolve));
      });

      const options = { spoolPath: spool, rotateAtBytes: 0, rotationGraceMs: 50 };
      const reports: SpoolIngestReport[] = [];
      while (running) {
        reports.push(await ingestHookSpool(store, options));
        await new Promise((r) => setTimeout(r, 5));
      }
      assert.equal(await exited, 0);
      await Promise.all(hooks);
      // On a loaded machine the writer can finish within one or two ingests: append (and ingest)
      // a few more lines until the spool has been rotated at least twice, so rotation is exercised.
      let extra = 0;
      while (reports.filter((r) => r.rotated).length < 2 && extra < 20) {
        fs.appendFileSync(spool, line(total + extra++));
        reports.push(await ingestHookSpool(store, options));
        await new Promise((r) => setTimeout(r, 60)); // past the grace period of the file set aside
      }
      for (let i = 0; i < 5 && (fs.existsSync(spoolRotatedPath(spool)) || spoolHasUnread(spool)); i++) {
        await new Promise((r) => setTimeout(r, 60));
        reports.push(await ingestHookSpool(store, options));
      }

      const numbers = storedNumbers().filter((n) => n !== undefined);
      assert.equal(numbers.length, total + extra, 'every line once');
      assert.deepEqual(
        [...new Set(numbers)].sort((a, b) => a - b),
        Array.from({ length: total + extra }, (_, n) => n),
      );
      assert.equal(
        store.events.list(importedSessionId(CLAUDE_SESSION), { limit: 10_000 }).length,
        total + extra + hooks.length,
        'and the real hooks',
      );
      assert.equal(
        reports.reduce((sum, r) => sum + r.ingested, 0),
        total + extra + hooks.length,
      );
      assert.ok(reports.filter((r) => r.rotated).length >= 2, `rotations: ${reports.filter((r) => r.rotated).length}`);
      assert.ok(reports.some((r) => r.rotatedRemoved));
      assert.ok(!fs.existsSync(spoolRotatedPath(spool)), 'the last rotated spool was removed');
      assert.equal(
        reports.reduce((sum, r) => sum + r.rejected, 0),
        0,
      );
    });
  });
});
