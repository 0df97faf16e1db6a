/**
 * A transcript written by the REAL Claude Code CLI 2.1.328 against the project's fake API
 * (test/fixtures/claudeCode/real-2.1.328/, how it was made is in its README): the import and the
 * manual-step reader count exactly what the fake reported, and agree with Claude Code's own figure.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadPricing } from '../../../src/core/agent/pricing';
import { importedSessionId } from '../../../src/core/claudeCode/claudeSessions';
import { claudeProjectDir } from '../../../src/core/claudeCode/transcriptFiles';
import { importClaudeTranscripts } from '../../../src/core/claudeCode/transcriptImport';
import { transcriptResponses } from '../../../src/core/claudeCode/transcriptResponses';
import { mainLines } from '../../fixtures/claudeCode/realShape';
import { openTestStore, tempDir } from './testStore';

const DIR = path.join(__dirname, '../../fixtures/claudeCode/real-2.1.328');
const SESSION = '2c0ffee0-1328-4000-8000-000000000001';
const text = fs.readFileSync(path.join(DIR, 'transcript.jsonl'), 'utf8');
/** What the fake API reported for the two requests (README), by hand. */
const EXPECTED = { inputTokens: 42, outputTokens: 65, cacheCreationTokens: 1700, cacheCreation1hTokens: 500, cacheReadTokens: 1500 };
/** claude-opus-5-5 at $4 in, $20 out, $5 5-minute write, $8 1-hour write, $0.2 read per MTok; equals Claude Code's cost-state. */
const EXPECTED_USD = (42 * 4 + 65 * 20 + 1200 * 5 + 500 * 8 + 1500 * 0.2) / 1e6;

describe('a transcript of the real Claude Code 2.1.328', function () {
  this.timeout(30_000);

  it('is imported with the figures the API reported, every line type known, and no difference from Claude Code’s own cost', async () => {
    assert.ok(Math.abs(EXPECTED_USD - 0.011768) < 1e-12, 'the hand price is the cost-state figure');
    const store = await openTestStore();
    try {
      const configDir = tempDir('claude-config');
      const projectDir = claudeProjectDir('/PROJECT', configDir);
      fs.mkdirSync(projectDir, { recursive: true });
      fs.writeFileSync(path.join(projectDir, `${SESSION}.jsonl`), text);
      const report = await importClaudeTranscripts(store, {
        workspacePath: '/PROJECT',
        configDir,
        statePath: path.join(tempDir('state'), 's.json'),
        pricing: loadPricing(),
      });
      const session = store.sessions.require(importedSessionId(SESSION));
      assert.deepEqual(
        {
          inputTokens: session.inputTokens,
          outputTokens: session.outputTokens,
          cacheCreationTokens: session.cacheCreationTokens,
          cacheCreation1hTokens: session.cacheCreation1hTokens,
          cacheReadTokens: session.cacheReadTokens,
        },
        EXPECTED,
      );
      assert.ok(Math.abs(session.totalCostUsd - EXPECTED_USD) < 1e-9);
      assert.deepEqual(report.unknownLineTypes, {});
      assert.equal(report.linesDamaged, 0);
      assert.deepEqual(report.costDifferences, []);
      assert.equal(store.interactions.list(session.id).length, 1, 'one prompt, one turn');
    } finally {
      await store.close();
    }
  });

  it('gives the manual-step reader the same responses', () => {
    const responses = transcriptResponses(text);
    assert.deepEqual(responses.map((r) => r.key).sort(), ['msg_fake_1:req_fake_1', 'msg_fake_2:req_fake_2']);
    const sum = (field: keyof typeof EXPECTED) => responses.reduce((n, r) => n + r.usage[field], 0);
    assert.deepEqual(Object.fromEntries(Object.keys(EXPECTED).map((k) => [k, sum(k as keyof typeof EXPECTED)])), EXPECTED);
  });
});

describe('the manual-step reader on older shapes', () => {
  it('takes each response’s final line, bills no <synthetic> line and skips damaged ones', () => {
    const responses = transcriptResponses(mainLines().join('\n'));
    assert.deepEqual(
      responses.map((r) => [r.key, r.usage.outputTokens, r.line]),
      [
        ['msg_R1:req_R1', 310, 6],
        ['msg_R2:req_R2', 120, 9],
        ['msg_R3:req_R3', 50, 19],
        ['msg_R4:req_R4', 30, 21],
      ],
    );
  });
});
