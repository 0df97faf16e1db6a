import { strict as assert } from 'node:assert';
import { TimelineViewStateSchema, parseHostMessage, parseRequestResult, parseWebviewMessage } from '../../../src/protocol/timelineMessages';
import { ValidationError } from '../../../src/core/model/validation';
import { row } from './fixtures';

function rejects(parse: () => unknown, field: RegExp): void {
  assert.throws(parse, (error: unknown) => {
    assert.ok(error instanceof ValidationError, `expected a ValidationError, got ${String(error)}`);
    assert.match(error.message, field);
    return true;
  });
}

describe('timeline protocol', () => {
  describe('webview → extension', () => {
    it('accepts ready, requests of each method, rendered and log', () => {
      assert.deepEqual(parseWebviewMessage({ type: 'ready' }), { type: 'ready' });
      const request = { type: 'request', id: 7, method: 'loadEvents', params: { interactionId: 'i', after: 3 } };
      assert.deepEqual(parseWebviewMessage(request), request);
      parseWebviewMessage({ type: 'request', id: 0, method: 'copy', params: { interactionId: 'i', what: 'output' } });
      parseWebviewMessage({ type: 'request', id: 1, method: 'openArtifact', params: { artifactId: 'a' } });
      parseWebviewMessage({ type: 'request', id: 2, method: 'loadDetail', params: { interactionId: 'i' } });
      parseWebviewMessage({ type: 'request', id: 4, method: 'loadSessionEvents', params: { after: 0 } });
      for (const action of ['nextStep', 'pause', 'resume', 'cancel']) {
        parseWebviewMessage({ type: 'request', id: 3, method: 'runSessionAction', params: { action } });
      }
      parseWebviewMessage({
        type: 'rendered',
        totalRows: 10,
        loadedRows: 10,
        visibleRows: 5,
        renderedRows: 9,
        renderMs: 1.5,
        header: null,
        focusedSeq: null,
        sessionEvents: null,
      });
      parseWebviewMessage({
        type: 'rendered',
        totalRows: 0,
        loadedRows: 0,
        visibleRows: 0,
        renderedRows: 0,
        renderMs: 0,
        header: { status: 'paused', actions: ['resume', 'cancel'] },
        focusedSeq: 4,
        sessionEvents: 3,
      });
      parseWebviewMessage({ type: 'log', level: 'warn', message: 'x' });
    });

    it('rejects an unknown type or method, naming the discriminator', () => {
      rejects(() => parseWebviewMessage({ type: 'exec', command: 'rm -rf /' }), /^Invalid timeline webview message: type:/);
      rejects(() => parseWebviewMessage({ type: 'request', id: 1, method: 'runShell', params: {} }), /method:/);
      rejects(() => parseWebviewMessage('ready'), /\(value\)/);
      rejects(() => parseWebviewMessage(null), /\(value\)/);
    });

    it('rejects bad params by their path', () => {
      rejects(
        () => parseWebviewMessage({ type: 'request', id: 1, method: 'loadEvents', params: { interactionId: 'i', after: -1 } }),
        /params\.after:/,
      );
      // Session events take no interaction id (they are the session's own) and a valid cursor.
      rejects(() => parseWebviewMessage({ type: 'request', id: 1, method: 'loadSessionEvents', params: { after: 'x' } }), /params\.after:/);
      rejects(
        () => parseWebviewMessage({ type: 'request', id: 1, method: 'loadSessionEvents', params: { after: 0, interactionId: 'i' } }),
        /params: unknown field/,
      );
      rejects(
        () => parseWebviewMessage({ type: 'request', id: 1, method: 'copy', params: { interactionId: 'i', what: 'everything' } }),
        /params\.what:/,
      );
      rejects(() => parseWebviewMessage({ type: 'request', id: 1, method: 'loadDetail', params: {} }), /params\.interactionId:/);
    });

    it("runSessionAction: rejects a bad or missing action by name, and any session id (it acts on the panel's own)", () => {
      rejects(
        () => parseWebviewMessage({ type: 'request', id: 1, method: 'runSessionAction', params: { action: 'delete' } }),
        /params\.action:/,
      );
      rejects(() => parseWebviewMessage({ type: 'request', id: 1, method: 'runSessionAction', params: {} }), /params\.action:/);
      rejects(
        () => parseWebviewMessage({ type: 'request', id: 1, method: 'runSessionAction', params: { action: 'pause', sessionId: 'other' } }),
        /params: unknown field\(s\) "sessionId"/,
      );
      rejects(() => parseRequestResult('runSessionAction', { status: 'asleep' }), /^Invalid runSessionAction result: status:/);
      rejects(
        () =>
          parseWebviewMessage({
            type: 'rendered',
            totalRows: 0,
            loadedRows: 0,
            visibleRows: 0,
            renderedRows: 0,
            renderMs: 0,
            header: { status: 'active', actions: ['explode'] },
            focusedSeq: null,
            sessionEvents: null,
          }),
        /header\.actions\.0:/,
      );
    });

    it('rejects a request without a usable id', () => {
      rejects(() => parseWebviewMessage({ type: 'request', method: 'loadDetail', params: { interactionId: 'i' } }), /id:/);
      rejects(() => parseWebviewMessage({ type: 'request', id: 1.5, method: 'loadDetail', params: { interactionId: 'i' } }), /id:/);
    });

    it('rejects unknown fields by name (strict)', () => {
      rejects(() => parseWebviewMessage({ type: 'ready', html: '<b>' }), /unknown field\(s\) "html"/);
      rejects(
        () => parseWebviewMessage({ type: 'request', id: 1, method: 'loadDetail', params: { interactionId: 'i', sql: 'DROP' } }),
        /params: unknown field\(s\) "sql"/,
      );
    });
  });

  describe('extension → webview', () => {
    const header = {
      id: 's',
      title: 't',
      type: 'test-fix',
      intention: '',
      successCriteria: [],
      constraints: [],
      status: 'active',
      phase: null,
      executionMode: 'manual',
      conversationId: null,
      costUsd: 0,
      tokens: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0 },
      interactionCount: 1,
      updatedAt: 1,
    };

    it('accepts a snapshot, pages, updates and both kinds of response', () => {
      parseHostMessage({
        type: 'snapshot',
        session: header,
        interactions: [row(1)],
        totalInteractions: 1,
        artifacts: [],
        focusInteractionSeq: null,
      });
      parseHostMessage({ type: 'interactionsLoaded', interactions: [row(2)], done: true });
      parseHostMessage({ type: 'interactionUpdated', interaction: row(1, { status: 'pending', exitCode: null }) });
      parseHostMessage({ type: 'response', id: 1, ok: true, result: { opened: true } });
      parseHostMessage({ type: 'response', id: 1, ok: false, error: 'no such artifact' });
    });

    it('names the field of a bad row deep inside a snapshot', () => {
      const bad = { ...row(2), status: 'exploded' };
      rejects(
        () =>
          parseHostMessage({
            type: 'snapshot',
            session: header,
            interactions: [row(1), bad],
            totalInteractions: 2,
            artifacts: [],
            focusInteractionSeq: null,
          }),
        /interactions\.1\.status:/,
      );
      rejects(
        () => parseHostMessage({ type: 'sessionUpdated', session: { ...header, tokens: { inputTokens: -1 } } }),
        /session\.tokens\.inputTokens:/,
      );
      rejects(() => parseHostMessage({ type: 'response', id: 1, ok: false }), /error:/);
    });

    it('carries the read-only access of the ledger: in the snapshot (optional) and when it changes', () => {
      const snapshot = {
        type: 'snapshot',
        session: header,
        interactions: [],
        totalInteractions: 0,
        artifacts: [],
        focusInteractionSeq: null,
      };
      const readOnlyOf = (value: unknown) => (parseHostMessage(value) as { readOnly?: unknown }).readOnly;
      assert.deepEqual(readOnlyOf({ ...snapshot, readOnly: { holder: 'pid 42 on devbox' } }), { holder: 'pid 42 on devbox' });
      assert.deepEqual(readOnlyOf({ ...snapshot, readOnly: { holder: null } }), { holder: null });
      assert.equal(readOnlyOf(snapshot), undefined);
      parseHostMessage({ type: 'accessChanged', readOnly: { holder: 'pid 42 on devbox' } });
      parseHostMessage({ type: 'accessChanged', readOnly: null });
      rejects(() => parseHostMessage({ ...snapshot, readOnly: { holder: 7 } }), /readOnly\.holder:/);
      rejects(() => parseHostMessage({ type: 'accessChanged' }), /readOnly:/);
    });

    it('validates a response result against its method', () => {
      assert.deepEqual(parseRequestResult('copy', { copiedChars: 3 }), { copiedChars: 3 });
      rejects(
        () => parseRequestResult('loadEvents', { events: [{ id: 'e' }], hasMore: false }),
        /^Invalid loadEvents result: events\.0\.seq:/,
      );
    });
  });

  it('view state: keeps the session id, defaults scroll and filters', () => {
    assert.deepEqual(TimelineViewStateSchema.parse({ sessionId: 's' }), { sessionId: 's', scrollTop: 0, kinds: [], statuses: [] });
    assert.equal(TimelineViewStateSchema.safeParse({ scrollTop: 5 }).success, false);
  });
});
