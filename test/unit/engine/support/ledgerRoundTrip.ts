import type { SessionStore } from '../../../../src/core/store/SessionStore';
import { openTestStore } from '../../claudeCode/testStore';
import { ManualClock } from '../../store/storeTestSupport';

/** An outcome as a person records it: most of the work done, a follow-up needed, the next session suggested. */
export const SAMPLE_OUTCOME = {
  summary: 'Parser done; quoting left.',
  rating: 4,
  completionPercent: 80,
  needsFollowUp: true,
  followUpNotes: 'Quoted newlines.',
  nextSessionSuggestion: 'Handle quoted newlines in the CSV parser',
};

/**
 * The two ledgers of an export / import round trip: the source, and the target whose clock is a
 * year later (what the import keeps cannot pass for something the target wrote itself).
 */
export interface RoundTripStores {
  source: SessionStore;
  target: SessionStore;
}

/** For a describe block: fresh round-trip stores for each test (set in `beforeEach`), closed after it. */
export function roundTripStoresPerTest(): RoundTripStores {
  const stores: Partial<RoundTripStores> = {};
  beforeEach(async () => {
    stores.source = await openTestStore(new ManualClock());
    stores.target = await openTestStore(new ManualClock(Date.UTC(2027, 0, 1)));
  });
  afterEach(async () => {
    await stores.source?.close();
    await stores.target?.close();
  });
  return stores as RoundTripStores;
}
