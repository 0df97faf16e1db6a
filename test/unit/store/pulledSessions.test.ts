import * as assert from 'node:assert/strict';
import { PulledSessionError } from '../../../src/core/sync/ownership';
import type { SessionStore } from '../../../src/core/store/SessionStore';
import { newEventId, openStore, temporaryDirectory } from './storeTestSupport';

// The store skips the per-write ownership lookup while no session is a pulled copy (SessionStore.pulledSessions);
// a raw write — how the replicator brings pulled rows in (src/core/sync/replicator.ts) — must make it look again.
describe('Writes to sessions pulled from the team ledger', function () {
  this.timeout(30_000);
  let store: SessionStore;
  afterEach(async () => store?.close());

  it('are refused as soon as a raw write made a session a pulled copy, though the ledger had none before', async () => {
    store = await openStore(temporaryDirectory());
    const mine = await store.sessions.create({ type: 't', title: 'Mine', intention: 'write freely' });
    const theirs = await store.sessions.create({ type: 't', title: 'Theirs', intention: 'soon pulled' });
    await store.events.append({ id: newEventId(), sessionId: theirs.id, type: 'tool', payload: { n: 1 } }); // no pulled session yet
    await store.transaction(() =>
      store.sql.run("UPDATE sessions SET sync_origin = 'pulled', owner_person = 'bob', owner_machine = 'desk' WHERE id = ?", [theirs.id]),
    );
    await assert.rejects(
      store.events.append({ id: newEventId(), sessionId: theirs.id, type: 'tool', payload: { n: 2 } }),
      (error: Error) => error instanceof PulledSessionError && /belongs to bob on desk/.test(error.message),
    );
    await store.events.append({ id: newEventId(), sessionId: mine.id, type: 'tool', payload: { n: 3 } });
    assert.equal(store.sessions.require(theirs.id).eventCount, 1);
    assert.equal(store.sessions.require(mine.id).eventCount, 1);
  });
});
