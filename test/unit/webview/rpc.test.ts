import { strict as assert } from 'node:assert';
import type { WebviewMessage } from '../../../src/protocol/timelineMessages';
import { RequestClient } from '../../../src/webview/rpc';

describe('webview request client', () => {
  it('gives each request an id and resolves it with the validated result of the matching response', async () => {
    const sent: WebviewMessage[] = [];
    const client = new RequestClient((m) => sent.push(m));
    const first = client.request('copy', { interactionId: 'a', what: 'command' });
    const second = client.request('openArtifact', { artifactId: 'b' });
    assert.deepEqual(
      sent.map((m) => m.type === 'request' && [m.id, m.method]),
      [
        [1, 'copy'],
        [2, 'openArtifact'],
      ],
    );
    client.settle({ type: 'response', id: 2, ok: true, result: { opened: true } });
    client.settle({ type: 'response', id: 1, ok: true, result: { copiedChars: 4 } });
    assert.deepEqual(await second, { opened: true });
    assert.deepEqual(await first, { copiedChars: 4 });
    assert.equal(client.pendingCount, 0);
  });

  it('rejects with the error of a failed response, and on a result of the wrong shape', async () => {
    const client = new RequestClient(() => undefined);
    const failed = client.request('loadDetail', { interactionId: 'x' });
    client.settle({ type: 'response', id: 1, ok: false, error: 'No interaction x in this session.' });
    await assert.rejects(failed, /No interaction x/);
    const malformed = client.request('copy', { interactionId: 'x', what: 'output' });
    client.settle({ type: 'response', id: 2, ok: true, result: { copiedChars: 'lots' } });
    await assert.rejects(malformed, /copy result: copiedChars/);
  });

  it('ignores responses to unknown ids', () => {
    const client = new RequestClient(() => undefined);
    client.settle({ type: 'response', id: 99, ok: true, result: {} });
    assert.equal(client.pendingCount, 0);
  });
});
