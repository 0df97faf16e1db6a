/**
 * Issue 12 item 8: secrets never leave in exports, and never enter the store through error
 * messages. Hook payloads carrying an `ANTHROPIC_API_KEY=sk-ant-…` and an AWS secret key in tool
 * inputs are exported (JSON and Markdown) without them; a gateway error echoing `x-api-key: …` is
 * stored redacted (in the database and its journal); exported paths are workspace-relative by default.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { exportLedger, serializeLedgerExport } from '../../src/core/ledger/ledgerExport';
import { ledgerToMarkdown } from '../../src/core/ledger/ledgerMarkdown';
import { SessionStore } from '../../src/core/store/SessionStore';
import payloads from '../fixtures/claudeCode/hook-payloads.json';
import { tempDir } from '../unit/claudeCode/testStore';

const ANTHROPIC_KEY = 'sk-ant-api03-Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0LzXcVbNm-1234567890_abcdEFGH';
/** The key a gateway echoes in its error body (only ever written there). */
const GATEWAY_KEY = 'sk-ant-api03-Gw7Pq2Lm9Xc4Vb8Nz1Rt6Yh3Uj5Ik0Ol-gatewayEcHoEdKeY_0987654321';
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzq8H2kLm3N';
const AWS_KEY_ID = 'AKIAZ7Q3EXAMPLEKEY12';
/** The fixture's Claude Code project and home (a real PreToolUse payload). */
const WORKSPACE = payloads.PreToolUse.cwd; // /home/dev/app
const HOME = '/home/dev';

describe('secrets never leave: exports and stored errors are redacted (issue 12.8)', function () {
  this.timeout(60_000);
  let directory: string;
  let store: SessionStore;
  let sessionId: string;

  beforeEach(async () => {
    directory = tempDir('secrets');
    store = await SessionStore.open({ directory, snapshotIdleMs: 0 });
    const session = await store.sessions.create({
      type: 'test-fix',
      title: 'Deploy',
      intention: 'ship it',
      workingDir: WORKSPACE,
      workspaceFolder: WORKSPACE,
    });
    sessionId = session.id;
    await store.transaction((tx) => {
      const step = tx.interactions.append({
        sessionId,
        step: 'build',
        kind: 'shell',
        command: `ANTHROPIC_API_KEY=${ANTHROPIC_KEY} claude -p "deploy"`,
      });
      tx.interactions.setResult(step.id, {
        status: 'ok',
        output: `[default]\naws_access_key_id = ${AWS_KEY_ID}\naws_secret_access_key = ${AWS_SECRET}\n`,
      });
      tx.events.append({
        id: 'hook-1',
        sessionId,
        interactionId: step.id,
        type: 'hook.PreToolUse',
        toolName: 'Bash',
        payload: {
          ...payloads.PreToolUse,
          tool_name: 'Bash',
          tool_input: { command: `export ANTHROPIC_API_KEY=${ANTHROPIC_KEY} && aws s3 ls`, description: 'list' },
        },
      });
      tx.events.append({
        id: 'hook-2',
        sessionId,
        type: 'hook.PreToolUse',
        toolName: 'Write',
        payload: {
          ...payloads.PreToolUse,
          tool_input: {
            file_path: `${WORKSPACE}/.aws/credentials`,
            content: `AWS_SECRET_ACCESS_KEY=${AWS_SECRET}\nAWS_ACCESS_KEY_ID=${AWS_KEY_ID}\n`,
          },
        },
      });
      tx.notes.add({ sessionId, kind: 'observation', content: `the key was ${ANTHROPIC_KEY}` });
    });
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(directory, { recursive: true, force: true });
  });

  it('exported JSON and Markdown carry no API key and no AWS secret, in hook payloads, commands, outputs or notes', () => {
    const data = exportLedger(store, [sessionId], Date.UTC(2026, 5, 1), { homeDir: HOME });
    for (const [format, text] of [
      ['JSON', serializeLedgerExport(data)],
      ['Markdown', ledgerToMarkdown(data)],
    ]) {
      for (const secret of [ANTHROPIC_KEY, AWS_SECRET, AWS_KEY_ID, 'sk-ant-api03'])
        assert.ok(!text.includes(secret), `${format} export contains ${secret}`);
      assert.match(text, /\[REDACTED:anthropic-api-key\]/, format);
      assert.match(text, /\[REDACTED:aws-secret-access-key\]/, format);
    }
    const payload = data.sessions[0].events[0].payload as { tool_input: { command: string } };
    assert.equal(
      payload.tool_input.command,
      'export ANTHROPIC_API_KEY=[REDACTED:anthropic-api-key] && aws s3 ls',
      'the rest of the payload is kept',
    );
  });

  it('Markdown built from data that was not redacted is redacted all the same', () => {
    const raw = exportLedger(store, [sessionId], 0, { homeDir: HOME });
    raw.sessions[0].intention = `use ${ANTHROPIC_KEY}`;
    assert.ok(!ledgerToMarkdown(raw).includes(ANTHROPIC_KEY));
  });

  it('exported paths are workspace-relative by default (home as ~), absolute when asked', () => {
    const relative = exportLedger(store, [sessionId], 0, { homeDir: HOME });
    const session = relative.sessions[0];
    const payload = session.events[1].payload as { cwd: string; transcript_path: string; tool_input: { file_path: string } };
    assert.equal(session.workspaceFolder, '.');
    assert.equal(session.workingDir, '.');
    assert.equal(payload.cwd, '.');
    assert.equal(payload.tool_input.file_path, '.aws/credentials');
    assert.equal(payload.transcript_path, `~/.claude/projects/-home-dev-app/${payloads.PreToolUse.session_id}.jsonl`);
    assert.ok(!serializeLedgerExport(relative).includes(HOME), 'no absolute path under the home directory is left');
    assert.ok(!ledgerToMarkdown(relative).includes(HOME));

    const absolute = exportLedger(store, [sessionId], 0, { homeDir: HOME, absolutePaths: true });
    assert.equal(absolute.sessions[0].workspaceFolder, WORKSPACE);
    assert.equal((absolute.sessions[0].events[1].payload as { cwd: string }).cwd, WORKSPACE);
  });

  it('an error body echoing request headers is stored without the API key (interaction error and run error, database and journal)', async () => {
    const gatewayError = `502 Bad Gateway: upstream said 401 for POST /v1/messages with headers {"x-api-key": "${GATEWAY_KEY}", "anthropic-version": "2023-06-01"}\nx-api-key: ${GATEWAY_KEY}\nAuthorization: Bearer ${GATEWAY_KEY}`;
    const { interactionId, runId } = await store.transaction((tx) => {
      const step = tx.interactions.append({ sessionId, step: 'spec', kind: 'claude', command: 'Write the spec' });
      const run = tx.runs.start({ sessionId, interactionId: step.id, provider: 'anthropic-api', model: 'claude-sonnet-4-5' });
      tx.runs.update(run.id, { status: 'error', error: gatewayError });
      tx.interactions.setResult(step.id, { status: 'error', errorMessage: gatewayError });
      return { interactionId: step.id, runId: run.id };
    });
    const storedError = store.interactions.get(interactionId)?.result.errorMessage ?? '';
    const storedRunError = store.runs.get(runId)?.error ?? '';
    for (const stored of [storedError, storedRunError]) {
      assert.ok(!stored.includes('Gw7Pq2Lm9Xc4Vb8Nz1'), stored);
      assert.match(stored, /^502 Bad Gateway: upstream said 401 for POST \/v1\/messages/, 'the rest of the message is kept');
      assert.match(stored, /x-api-key: \[REDACTED:/);
    }
    await store.close();
    // Nothing in the store's files: the journal holds the statements as they were executed.
    for (const name of fs.readdirSync(directory)) {
      const file = path.join(directory, name);
      if (!fs.statSync(file).isFile()) continue;
      assert.ok(!fs.readFileSync(file).includes(Buffer.from('Gw7Pq2Lm9Xc4Vb8Nz1')), `${name} holds the API key`);
    }
    store = await SessionStore.open({ directory, snapshotIdleMs: 0 });
  });
});
