/**
 * The lower-bound mark of a response (recorded output tokens implausibly small for what it wrote)
 * does not depend on how its lines reached the importer, and re-importing adds nothing. Found in
 * review: a per-line sum of characters counted re-read lines twice and lost lines across appends.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadPricing } from '../../../src/core/agent/pricing';
import { importedSessionId } from '../../../src/core/claudeCode/claudeSessions';
import { claudeProjectDir } from '../../../src/core/claudeCode/transcriptFiles';
import { importClaudeTranscripts } from '../../../src/core/claudeCode/transcriptImport';
import { ManualClock } from '../store/storeTestSupport';
import { openTestStore, tempDir } from './testStore';

const SESSION = '11111111-2222-4333-8444-555555555555';
const WORKSPACE = '/work/lb';
const base = { sessionId: SESSION, isSidechain: false, userType: 'external', cwd: WORKSPACE, version: '2.1.42' };
const usage = { input_tokens: 3, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 12 };
const assistant = (uuid: string, parent: string, text: string) =>
  JSON.stringify({
    ...base,
    parentUuid: parent,
    type: 'assistant',
    uuid,
    timestamp: '2026-02-16T18:47:53.000Z',
    requestId: 'req_1',
    message: { model: 'claude-opus-4-6', id: 'msg_1', type: 'message', role: 'assistant', content: [{ type: 'text', text }], usage },
  });
const lines = [
  JSON.stringify({
    ...base,
    parentUuid: null,
    type: 'user',
    uuid: 'u1',
    timestamp: '2026-02-16T18:47:50.000Z',
    message: { role: 'user', content: 'hello' },
  }),
  assistant('a1', 'u1', 'x'.repeat(150)),
  assistant('a2', 'a1', 'y'.repeat(45)),
  assistant('a3', 'a2', 'z'.repeat(10)),
];

async function run(splitAfter: number | null) {
  const store = await openTestStore(new ManualClock(Date.UTC(2026, 11, 1)));
  const configDir = tempDir('cfg');
  const dir = claudeProjectDir(WORKSPACE, configDir);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${SESSION}.jsonl`);
  const options = { workspacePath: WORKSPACE, configDir, statePath: path.join(tempDir('st'), 's.json'), pricing: loadPricing() };
  let lowerBounds = 0;
  if (splitAfter === null) {
    fs.writeFileSync(file, lines.join('\n') + '\n');
    lowerBounds += (await importClaudeTranscripts(store, options)).lowerBoundResponses;
  } else {
    fs.writeFileSync(file, lines.slice(0, splitAfter).join('\n') + '\n');
    lowerBounds += (await importClaudeTranscripts(store, options)).lowerBoundResponses;
    fs.appendFileSync(file, lines.slice(splitAfter).join('\n') + '\n');
    lowerBounds += (await importClaudeTranscripts(store, options)).lowerBoundResponses;
  }
  const events = store.events.list(importedSessionId(SESSION), { type: 'claude.usage' });
  const last = events[events.length - 1].payload as { lowerBound: boolean; chars: number };
  await store.close();
  return { lowerBounds, lowerBound: last.lowerBound, chars: last.chars };
}

describe('Claude Code transcript import: lower-bound marks', function () {
  this.timeout(60_000);
  it('a response is a lower bound whether its lines arrive in one import or across appends', async () => {
    const oneGo = await run(null);
    const appended = await run(3);
    assert.deepEqual(appended, oneGo);
  });

  it('re-importing from scratch (state file gone) adds no event and changes no lower-bound mark', async () => {
    const store = await openTestStore(new ManualClock(Date.UTC(2026, 11, 1)));
    const configDir = tempDir('cfg');
    const dir = claudeProjectDir(WORKSPACE, configDir);
    fs.mkdirSync(dir, { recursive: true });
    const statePath = path.join(tempDir('st'), 's.json');
    const options = { workspacePath: WORKSPACE, configDir, statePath, pricing: loadPricing() };
    // One response of one line: 150 characters for 12 output tokens (not a lower bound: under 200 characters).
    fs.writeFileSync(path.join(dir, `${SESSION}.jsonl`), lines.slice(0, 2).join('\n') + '\n');
    await importClaudeTranscripts(store, options);
    fs.rmSync(statePath);
    const again = await importClaudeTranscripts(store, options);
    const events = store.events.list(importedSessionId(SESSION), { type: 'claude.usage' });
    await store.close();
    assert.equal(again.eventsAdded, 0);
    assert.equal(events.length, 1);
  });
});
