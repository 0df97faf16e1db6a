/**
 * Turn boundaries and sub-agent attribution on shapes found in review: custom slash commands
 * (2.0.22: the command line, then an isMeta line with the expanded prompt, as in a public
 * repository's tests of real transcripts), prompts with a pasted image (isMeta, "[Image: original …]",
 * per a public census of 684 real transcripts), and a sub-agent whose launching line is damaged.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadPricing } from '../../../src/core/agent/pricing';
import { importedSessionId } from '../../../src/core/claudeCode/claudeSessions';
import { claudeProjectDir } from '../../../src/core/claudeCode/transcriptFiles';
import { importClaudeTranscripts, type TranscriptImportOptions } from '../../../src/core/claudeCode/transcriptImport';
import type { SessionStore } from '../../../src/core/store/SessionStore';
import { AGENT, mainLines, SESSION, subagentLines, subagentMeta, WORKSPACE, writeLines } from '../../fixtures/claudeCode/realShape';
import { openTestStore, tempDir } from './testStore';

const S = '11111111-2222-4333-8444-555555555555';
let t = Date.parse('2025-10-21T01:43:00.000Z');
const ts = () => new Date((t += 1000)).toISOString();
const base = (type: string, uuid: string, parentUuid: string | null, extra: Record<string, unknown>) =>
  JSON.stringify({
    parentUuid,
    isSidechain: false,
    userType: 'external',
    cwd: WORKSPACE,
    sessionId: S,
    version: '2.0.22',
    type,
    uuid,
    timestamp: ts(),
    ...extra,
  });
const user = (uuid: string, parent: string | null, content: unknown, extra: Record<string, unknown> = {}) =>
  base('user', uuid, parent, { message: { role: 'user', content }, ...extra });
const reply = (uuid: string, parent: string, id: string, text: string, output: number, model = 'claude-sonnet-4-20250514') =>
  base('assistant', uuid, parent, {
    requestId: `req_${id}`,
    message: {
      id: `msg_${id}`,
      type: 'message',
      role: 'assistant',
      model,
      content: [{ type: 'text', text }],
      usage: { input_tokens: 10, output_tokens: output, cache_creation_input_tokens: 0, cache_read_input_tokens: 100 },
    },
  });

describe('Claude Code transcript import: turns and sub-agents in harder shapes', function () {
  this.timeout(60_000);
  let store: SessionStore;
  let projectDir: string;
  let options: TranscriptImportOptions;
  beforeEach(async () => {
    store = await openTestStore();
    const configDir = tempDir('claude-config');
    projectDir = claudeProjectDir(WORKSPACE, configDir);
    fs.mkdirSync(projectDir, { recursive: true });
    options = {
      workspacePath: WORKSPACE,
      configDir,
      statePath: path.join(tempDir('state'), 'claude-transcripts.json'),
      pricing: loadPricing(),
    };
  });
  afterEach(() => store.close());

  it('a custom slash command starts its own turn, named as typed', async () => {
    // Shape from a public repo's test of real 2.0.22 transcripts: the command line, then an isMeta line with the expanded prompt.
    writeLines(path.join(projectDir, `${S}.jsonl`), [
      user('u1', null, 'Find the flaky test'),
      reply('a1', 'u1', 'A1', 'It is checkout.spec.ts.', 40),
      user(
        'u2',
        'a1',
        '<command-message>git:commit is running…</command-message>\n<command-name>/git:commit</command-name>\n<command-args>fix flaky test</command-args>',
      ),
      user('u3', 'u2', '# /git:commit\n\nIntelligently commit git changes...', { isMeta: true }),
      reply('a2', 'u3', 'A2', 'Committed 3 files as "Fix flaky checkout spec".', 900),
    ]);
    await importClaudeTranscripts(store, options);
    const turns = store.interactions.list(importedSessionId(S));
    const runs = store.runs.listBySession(importedSessionId(S));
    assert.equal(turns.length, 2, 'the person typed /git:commit: that is a turn, with its own reply and cost');
    assert.equal(turns[1].command.command, '/git:commit fix flaky test');
    assert.equal(turns[1].result.output, 'Committed 3 files as "Fix flaky checkout spec".');
    assert.deepEqual(
      runs.map((r) => [r.interactionId, r.outputTokens]).sort((a, b) => Number(a[1]) - Number(b[1])),
      [
        [turns[0].id, 40],
        [turns[1].id, 900],
      ],
    );
    assert.doesNotMatch(turns[0].result.output ?? '', /Committed/, "the command's reply is not the first prompt's reply");
  });

  it('a prompt sent with a pasted image starts a turn', async () => {
    writeLines(path.join(projectDir, `${S}.jsonl`), [
      user('u1', null, 'Find the flaky test'),
      reply('a1', 'u1', 'A1', 'It is checkout.spec.ts.', 40),
      user('u2', 'a1', [{ type: 'text', text: '[Image: original 2160x742, displayed at 2000x687.]\nWhy is this button misaligned?' }], {
        isMeta: true,
      }),
      reply('a2', 'u2', 'A2', 'The flex container has no align-items.', 300),
    ]);
    await importClaudeTranscripts(store, options);
    const turns = store.interactions.list(importedSessionId(S));
    assert.equal(turns.length, 2);
    assert.match(turns[1].command.command, /Why is this button misaligned\?/);
  });

  it('a sub-agent whose launching line is damaged is counted in its session once the parent is read, not left waiting', async () => {
    // The assistant line carrying the Agent tool_use (a-003, line 6) was torn (crash mid-write, disk full, …).
    const main = mainLines().filter((l) => !l.includes('msg_BAD'));
    const torn = main.map((l) => (l.includes('"uuid":"a-003"') ? l.slice(0, 200) : l));
    writeLines(path.join(projectDir, `${SESSION}.jsonl`), torn);
    const sub = path.join(projectDir, SESSION, 'subagents', `agent-${AGENT}.jsonl`);
    writeLines(sub, subagentLines());
    fs.writeFileSync(sub.replace(/\.jsonl$/, '.meta.json'), subagentMeta());
    const first = await importClaudeTranscripts(store, options);
    assert.deepEqual(first.subagentFilesUnlinked, [path.join(SESSION, 'subagents', `agent-${AGENT}.jsonl`)]);
    let report = first;
    for (let i = 0; i < 3; i++) report = await importClaudeTranscripts(store, options); // later imports: nothing changes
    const session = store.sessions.require(importedSessionId(SESSION));
    // The sub-agent's own responses: S1 (80) + S2 (40) = 120 output tokens, billed by Anthropic.
    assert.deepEqual(report.subagentFilesWaiting, [], 'the parent is fully imported; nothing will ever launch it');

    assert.equal(session.outputTokens, 10 + 120 + 50 + 30 + 120, "R1's surviving lines + R2 + R3 + R4 + the sub-agent's 120");
  });

  it('re-importing from scratch changes no lower-bound mark and adds no event', async () => {
    // One response over two lines (a streaming snapshot of 5 tokens, then the final 20): 200 characters for
    // 20 tokens — 10 characters per token (dense or indented code), not flagged (the threshold is 16).
    const code = 'x'.repeat(100);
    const line = (uuid: string, parent: string, output: number) =>
      base('assistant', uuid, parent, {
        requestId: 'req_A',
        message: {
          id: 'msg_A',
          role: 'assistant',
          model: 'claude-sonnet-4-20250514',
          content: [{ type: 'text', text: code }],
          usage: { input_tokens: 1, output_tokens: output, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
        },
      });
    writeLines(path.join(projectDir, `${S}.jsonl`), [user('u1', null, 'Write it'), line('a1', 'u1', 5), line('a2', 'a1', 20)]);
    const first = await importClaudeTranscripts(store, options);
    assert.equal(first.lowerBoundResponses, 0, '200 chars for 20 tokens is not flagged');
    fs.rmSync(options.statePath); // state lost / unreadable: "start over; ids are idempotent, so nothing is duplicated"
    const again = await importClaudeTranscripts(store, options);
    assert.equal(again.eventsAdded, 0);
    assert.equal(again.lowerBoundResponses, 0);
  });
});
