import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { importedSessionId } from '../../../src/core/claudeCode/claudeSessions';
import { CLAUDE_HOOK_EVENTS } from '../../../src/core/claudeCode/hookProtocol';
import { ingestHookSpool, parseSpoolLine, readSpoolOffset, writeSpoolOffset } from '../../../src/core/claudeCode/spoolIngest';
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
    const own = await store.sessions.create({ type: 'test-fix', title: 'Fix CSV', intention: 'csv', externalConversationId: CLAUDE_SESSION });
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
    const rejected = fs.readFileSync(report.rejectedPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
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

  it('parses a spool line into an event id derived from the line', () => {
    const line = JSON.stringify({ receivedAt: '2026-01-01T00:00:00.000Z', event: 'PostToolUse', payload: payloads.PostToolUse });
    const parsed = parseSpoolLine(line);
    assert.ok(!('error' in parsed));
    assert.equal(parsed.type, 'hook.PostToolUse');
    assert.deepEqual(parseSpoolLine(line), parsed);
    assert.match(parsed.id, /^hook:[0-9a-f]{64}$/);
  });
});
