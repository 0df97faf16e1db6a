import { strict as assert } from 'node:assert';
import { SESSION_STATUSES } from '../../../src/core/model/sessionStatus';
import { sessionActionsFor } from '../../../src/protocol/sessionActions';

describe('session actions of the timeline header', () => {
  it('offers the actions that apply to each status, in button order', () => {
    const offered = Object.fromEntries(SESSION_STATUSES.map((s) => [s, sessionActionsFor(s)]));
    assert.deepEqual(offered, {
      active: ['nextStep', 'pause', 'complete', 'cancel'],
      planned: ['start', 'cancel'],
      paused: ['resume', 'complete', 'cancel'],
      interrupted: ['resume', 'complete', 'cancel'],
      complete: ['followUp'],
      failed: ['followUp'],
      cancelled: ['followUp'],
    });
  });
});
