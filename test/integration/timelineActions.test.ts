import { strict as assert } from 'node:assert';
import { useExtensionTimeline, within } from './helpers';

describe('timeline session actions', () => {
  const ext = useExtensionTimeline();

  it('Pause from the timeline pauses the session, and the header then offers Resume and Cancel', async () => {
    const session = await ext.api.store.sessions.create({ type: 'test-fix', title: 'Paused from the timeline', intention: 'x' });
    assert.equal(session.status, 'active');
    const panel = ext.panels.show(session.id);
    const first = await within(
      'the first render',
      panel.test.whenRendered((r) => r.header !== null),
    );
    assert.deepEqual(first.header, { status: 'active', actions: ['nextStep', 'pause', 'complete', 'cancel'] });

    const result = await panel.test.request('runSessionAction', { action: 'pause' });
    assert.deepEqual(result, { status: 'paused' });
    assert.equal(ext.api.store.sessions.get(session.id)?.status, 'paused', 'the store has the session paused');

    const after = await within(
      'the header to show paused',
      panel.test.whenRendered((r) => r.header?.status === 'paused'),
    );
    assert.deepEqual(after.header, { status: 'paused', actions: ['resume', 'complete', 'cancel'] });
    assert.deepEqual(ext.warnings, [], 'no ext.warnings from the panel or the webview');
    panel.dispose();
  });

  it('refuses an action that does not apply to the status, and changes nothing', async () => {
    const session = await ext.api.store.sessions.create({ type: 'test-fix', title: 'Resume while active', intention: 'x' });
    const panel = ext.panels.show(session.id);
    await within(
      'the first render',
      panel.test.whenRendered((r) => r.header !== null),
    );
    await assert.rejects(panel.test.request('runSessionAction', { action: 'resume' }), /is active; resume does not apply/);
    assert.equal(ext.api.store.sessions.get(session.id)?.status, 'active');
    panel.dispose();
  });
});
