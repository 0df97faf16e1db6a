/*
 * A small ledger written through the store's own write path, at fixed times (a fake clock), for the
 * command-line tests: two sessions with steps, outputs, a note, events and usage on two days.
 */
import { SessionStore } from '../../../src/core/store/SessionStore';

export const DAY1 = Date.parse('2026-11-01T10:00:00Z');
export const DAY2 = Date.parse('2026-12-01T09:00:00Z');

export interface FixtureLedger {
  readonly directory: string;
  readonly parserId: string;
  readonly oauthId: string;
}

/** Writes the fixture into `directory` (a new ledger) and closes it. */
export async function writeFixtureLedger(directory: string): Promise<FixtureLedger> {
  let now = DAY1;
  const store = await SessionStore.open({
    directory,
    clock: { now: () => now },
    snapshotInWorker: false,
    snapshotIdleMs: 0,
    fileCheckMs: 0,
  });
  try {
    const parser = await store.sessions.create({
      type: 'test-fix',
      title: 'Fix the flaky parser test',
      slug: 'fix-flaky-parser',
      intention: 'make parser.test.ts pass every time',
      successCriteria: ['npm test passes 10 times in a row'],
    });
    await store.transaction((tx) => {
      const first = tx.interactions.append({ sessionId: parser.id, step: 'test', kind: 'shell', command: 'npm test' });
      tx.interactions.setResult(first.id, {
        status: 'error',
        exitCode: 1,
        output: 'running 12 tests\nparser.test.ts failed: expected token RBRACE\n',
        durationMs: 2300,
      });
      const fix = tx.interactions.append({ sessionId: parser.id, step: 'fix', kind: 'claude', command: 'Fix the failing parser test' });
      tx.interactions.setResult(fix.id, { status: 'ok', output: 'Changed the tokenizer to flush on EOF.', durationMs: 15000 });
      tx.notes.add({ sessionId: parser.id, content: 'The tokenizer dropped the last brace', interactionSeq: 2 });
      const run = tx.runs.start({ sessionId: parser.id, interactionId: fix.id, provider: 'anthropic-api', model: 'claude-sonnet-4-6' });
      tx.runs.update(run.id, {
        status: 'ok',
        inputTokens: 1000,
        outputTokens: 500,
        cacheCreationTokens: 0,
        cacheCreation1hTokens: 0,
        cacheReadTokens: 2000,
        costUsd: 0.42,
        costUnknown: false,
      });
      tx.events.append({
        id: 'fixture-parser-text',
        sessionId: parser.id,
        interactionId: fix.id,
        type: 'agent.text',
        payload: { text: 'I will look at the tokenizer' },
      });
    });
    await store.sessions.update(parser.id, { status: 'complete' });
    now = DAY2;
    const oauth = await store.sessions.create({
      type: 'spec-plan-build',
      title: 'Add OAuth login',
      slug: 'add-oauth-login',
      intention: 'users sign in with GitHub',
    });
    await store.transaction((tx) => {
      const spec = tx.interactions.append({ sessionId: oauth.id, step: 'spec', kind: 'claude', command: 'Write the spec for OAuth login' });
      tx.interactions.setResult(spec.id, { status: 'ok', output: '# Spec\nGitHub OAuth app, callback route', durationMs: 9000 });
      const run = tx.runs.start({ sessionId: oauth.id, interactionId: spec.id, provider: 'anthropic-api', model: 'claude-haiku-4-5' });
      tx.runs.update(run.id, {
        status: 'ok',
        inputTokens: 300,
        outputTokens: 100,
        cacheCreationTokens: 0,
        cacheCreation1hTokens: 0,
        cacheReadTokens: 0,
        costUsd: 0.1,
        costUnknown: false,
      });
      tx.events.append({
        id: 'fixture-oauth-text',
        sessionId: oauth.id,
        interactionId: spec.id,
        type: 'agent.text',
        payload: { text: 'zebracorn callback handler drafted' },
      });
    });
    return { directory, parserId: parser.id, oauthId: oauth.id };
  } finally {
    await store.close();
  }
}
