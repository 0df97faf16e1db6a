/**
 * Issue 12 item 5, hook side: hostile hook spool lines (numbers beyond what can be stored exactly,
 * negative counts, payloads the store refuses) are each set aside alone, named by spool file and
 * line number, while every other line is ingested — and the next ingest is never blocked by them.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { importedSessionId } from '../../src/core/claudeCode/claudeSessions';
import { describeRejectedLines, ingestHookSpool, MAX_REPORTED_REJECTS } from '../../src/core/claudeCode/hookIngestion';
import { writeSpoolOffset } from '../../src/core/claudeCode/hookSpoolState';
import type { TransactionalStore } from '../../src/core/store/ports';
import { parseWith } from '../../src/core/model/validation';
import type { SessionStore } from '../../src/core/store/SessionStore';
import payloads from '../fixtures/claudeCode/hook-payloads.json';
import { buildHookScript } from '../unit/claudeCode/buildHookScript';
import { openTestStore, tempDir } from '../unit/claudeCode/testStore';

const CLAUDE_SESSION = payloads.Stop.session_id;

/** A spool line as the hook script writes it (nonce included); `payloadText` is put in verbatim. */
let lineCounter = 0;
const spoolLine = (payloadText: string, event = 'PostToolUse', receivedAt = '2026-01-01T00:00:00.000Z'): string =>
  `{"receivedAt":${JSON.stringify(receivedAt)},"nonce":"${(++lineCounter).toString(16).padStart(32, '0')}","event":${JSON.stringify(event)},"payload":${payloadText}}`;
const clean = (n: number): string => spoolLine(JSON.stringify({ session_id: CLAUDE_SESSION, hook_event_name: 'PostToolUse', n }));
const withSession = (fields: string): string => `{"session_id":${JSON.stringify(CLAUDE_SESSION)},${fields}}`;

describe('hook spool: hostile lines are refused one by one (issue 12.5)', function () {
  this.timeout(60_000);
  let store: SessionStore;
  let spool: string;

  beforeEach(async () => {
    store = await openTestStore();
    spool = path.join(tempDir('spool-hostile'), 'hooks.spool.jsonl');
  });
  afterEach(() => store.close());

  const storedNumbers = () =>
    store.events.list(importedSessionId(CLAUDE_SESSION), { limit: 1000 }).map((e) => (e.payload as { n?: number }).n);

  it('refuses a 1e20 count, a negative count, a non-finite number, a too-deep payload, a pre-1970 time and an over-long event name by file:line, and ingests the rest', async () => {
    const lines = [
      clean(1),
      spoolLine(withSession('"usage":{"output_tokens":1e20}')), // 2
      clean(3),
      spoolLine(withSession('"duration_ms":-5')), // 4
      spoolLine(withSession('"n":5,"tool_name":"Read","tool_input":{"offset":-3}')), // a tool's own negative number is data
      spoolLine(withSession('"usage":{"input_tokens":1e999}')), // 6
      spoolLine(withSession(`"deep":${'['.repeat(100)}${']'.repeat(100)}`)), // 7
      spoolLine(withSession('"n":8,"__proto__":{"polluted":true}')),
      spoolLine(JSON.stringify({ session_id: CLAUDE_SESSION, n: 9 }), 'Stop', '1969-12-31T23:59:59.000Z'), // 9
      spoolLine(JSON.stringify({ session_id: CLAUDE_SESSION, n: 10 }), 'X'.repeat(300)), // 10
      '',
      clean(12),
    ];
    fs.writeFileSync(spool, lines.join('\n') + '\n');

    const report = await ingestHookSpool(store, { spoolPath: spool });
    assert.equal(report.ingested, 5, 'lines 1, 3, 5, 8 and 12');
    assert.deepEqual(storedNumbers(), [1, 3, 5, 8, 12]);
    assert.equal(report.rejected, 6);
    assert.deepEqual(
      report.rejectedLines.map((r) => `${path.basename(r.file)}:${r.line}`),
      ['2', '4', '6', '7', '9', '10'].map((n) => `hooks.spool.jsonl:${n}`),
    );
    const reasons = report.rejectedLines.map((r) => r.reason);
    assert.match(reasons[0], /^payload\.usage\.output_tokens: 100000000000000000000 is beyond Number\.MAX_SAFE_INTEGER/);
    assert.match(reasons[1], /^payload\.duration_ms: -5 is negative/);
    assert.match(reasons[2], /^payload\.usage\.input_tokens: Infinity is not a finite number/);
    assert.match(reasons[3], /nested deeper than 64 levels/);
    assert.match(reasons[4], /^receivedAt: .* before 1970/);
    assert.match(reasons[5], /^event: .*195 characters/);
    assert.match(
      describeRejectedLines(report)[0],
      new RegExp(`^${spool.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: payload\\.usage\\.output_tokens`),
    );

    const kept = fs
      .readFileSync(report.rejectedPath, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      kept.map((k) => [k.file, k.lineNumber]),
      [2, 4, 6, 7, 9, 10].map((n) => [spool, n]),
    );
    assert.equal(kept[0].line, lines[1], 'the refused line is kept byte for byte');

    const proto = store.events.list(importedSessionId(CLAUDE_SESSION)).find((e) => (e.payload as { n?: number }).n === 8)!;
    assert.ok(Object.keys(proto.payload as object).includes('__proto__'), 'a "__proto__" key is stored as written, not dropped');
    assert.equal(({} as { polluted?: boolean }).polluted, undefined);

    // The next ingest is not blocked, and line numbers go on from where the last one stopped.
    fs.appendFileSync(spool, clean(13) + '\n' + spoolLine(withSession('"usage":{"output_tokens":-1}')) + '\n');
    const next = await ingestHookSpool(store, { spoolPath: spool });
    assert.equal(next.ingested, 1);
    assert.deepEqual(
      next.rejectedLines.map((r) => r.line),
      [14],
    );
    // An offset saved by an older version (no line count): the count is taken from the file.
    writeSpoolOffset(spool, fs.statSync(spool).size);
    fs.appendFileSync(spool, spoolLine(withSession('"usage":{"output_tokens":9007199254740992}')) + '\n');
    assert.deepEqual(
      (await ingestHookSpool(store, { spoolPath: spool })).rejectedLines.map((r) => r.line),
      [15],
    );
  });

  it('a number written by Claude Code beyond what JSON keeps exactly reaches the ingester as written, through the real hook script', async () => {
    const script = buildHookScript();
    const feed = (text: string) => spawnSync(process.execPath, [script, spool, 'Stop'], { input: text }).status;
    assert.equal(feed(JSON.stringify({ ...payloads.Stop, n: 1 })), 0);
    assert.equal(feed(JSON.stringify(payloads.Stop).slice(0, -1) + ',"usage":{"output_tokens":1e999}}'), 0); // re-serialised, this became null
    assert.equal(feed(JSON.stringify({ ...payloads.Stop, n: 3 })), 0);
    const report = await ingestHookSpool(store, { spoolPath: spool });
    assert.equal(report.ingested, 2);
    assert.deepEqual(
      report.rejectedLines.map((r) => [r.line, r.reason]),
      [[2, 'payload.usage.output_tokens: Infinity is not a finite number']],
    );
  });

  it('lists at most MAX_REPORTED_REJECTS lines in the report; all are kept in the rejected file', async () => {
    const bad = Array.from({ length: MAX_REPORTED_REJECTS + 5 }, () => spoolLine(withSession('"usage":{"output_tokens":-1}')));
    fs.writeFileSync(spool, [clean(0), ...bad, clean(1)].join('\n') + '\n');
    const report = await ingestHookSpool(store, { spoolPath: spool });
    assert.equal(report.ingested, 2);
    assert.equal(report.rejected, MAX_REPORTED_REJECTS + 5);
    assert.equal(report.rejectedLines.length, MAX_REPORTED_REJECTS);
    assert.match(describeRejectedLines(report).at(-1)!, /and 5 more, all kept in .*hooks\.spool\.jsonl\.rejected$/);
    assert.equal(fs.readFileSync(report.rejectedPath, 'utf8').trim().split('\n').length, MAX_REPORTED_REJECTS + 5);
  });

  it('a line the store refuses is set aside alone (the batch is retried line by line); a failing store sets nothing aside and loses nothing', async () => {
    const other = 'd00d0000-0000-4000-8000-000000000002';
    fs.writeFileSync(
      spool,
      [
        spoolLine(JSON.stringify({ session_id: other, n: 1 })), // creates a session in the batch that is rolled back
        spoolLine(JSON.stringify({ session_id: other, n: 2, refuse: true })),
        spoolLine(JSON.stringify({ session_id: other, n: 3 })),
      ].join('\n') + '\n',
    );
    /** The real store, whose event appends fail as the wrapped test decides. */
    const failing = (fail: (payload: { refuse?: boolean }) => void): TransactionalStore => ({
      sessions: store.sessions,
      transaction: (work) =>
        store.transaction((tx) =>
          work({
            ...tx,
            sessions: tx.sessions,
            events: Object.assign(Object.create(tx.events), {
              append: (input: Parameters<typeof tx.events.append>[0]) => {
                fail(input.payload as { refuse?: boolean });
                return tx.events.append(input);
              },
            }),
          }),
        ),
    });

    const broken = failing(() => {
      throw new Error('journal write failed: EIO');
    });
    await assert.rejects(ingestHookSpool(broken, { spoolPath: spool }), /EIO/);
    assert.ok(!fs.existsSync(`${spool}.rejected`), 'a store failure is not blamed on the lines');

    const refusing = failing((payload) => {
      if (payload.refuse) parseWith(z.string(), 0, 'event'); // the store's own validation error
    });
    const report = await ingestHookSpool(refusing, { spoolPath: spool });
    assert.equal(report.ingested, 2);
    assert.deepEqual(report.createdSessionIds, [importedSessionId(other)]);
    assert.deepEqual(
      report.rejectedLines.map((r) => [r.line, r.reason.replace(/:.*/s, '')]),
      [[2, 'refused by the session store']],
    );
    assert.deepEqual(
      store.events.list(importedSessionId(other)).map((e) => (e.payload as { n: number }).n),
      [1, 3],
    );
  });
});
