import { strict as assert } from 'node:assert';
import type { EventRow } from '../../../src/protocol/timelineModel';
import { EventPager, type EventPage } from '../../../src/webview/pager';

function event(seq: number): EventRow {
  return { id: `e${seq}`, seq, interactionId: null, type: 'hook.PreToolUse', toolName: null, ts: seq, summary: '' };
}

/** A page source the test answers by hand: each `fetchPage` waits until the test settles it. */
function manualSource() {
  const asked: { after: number; settle(page: EventPage): void; fail(error: Error): void }[] = [];
  const fetchPage = (after: number) =>
    new Promise<EventPage>((resolve, reject) => {
      asked.push({ after, settle: resolve, fail: reject });
    });
  return { asked, fetchPage };
}

const seqs = (pager: EventPager) => pager.events.map((e) => e.seq);

describe('event pager', () => {
  it('loads page after page from the last event held, and says when there is more', async () => {
    const source = manualSource();
    const pager = new EventPager(source.fetchPage, (e) => assert.fail(e));
    const first = pager.loadMore();
    assert.equal(pager.loading, true);
    assert.equal(pager.loadMore(), undefined, 'one page at a time');
    source.asked[0]!.settle({ events: [event(1), event(2)], hasMore: true });
    await first;
    assert.deepEqual(seqs(pager), [1, 2]);
    assert.equal(pager.hasMore, true);
    assert.equal(pager.loading, false);
    const second = pager.loadMore();
    assert.equal(source.asked[1]!.after, 2);
    source.asked[1]!.settle({ events: [event(3)], hasMore: false });
    await second;
    assert.deepEqual(seqs(pager), [1, 2, 3]);
    assert.equal(pager.hasMore, false);
  });

  it('takes a live event only when it comes next: not while a page loads, not while more pages wait, not twice', async () => {
    const source = manualSource();
    const pager = new EventPager(source.fetchPage, (e) => assert.fail(e));
    const loading = pager.loadMore();
    assert.equal(pager.append(event(1)), false, 'the page being loaded brings it');
    source.asked[0]!.settle({ events: [event(1)], hasMore: true });
    await loading;
    assert.equal(pager.append(event(7)), false, 'events 2… come first, with the next page');
    const next = pager.loadMore();
    source.asked[1]!.settle({ events: [event(2)], hasMore: false });
    await next;
    assert.equal(pager.append(event(2)), false, 'already held');
    assert.equal(pager.append(event(3)), true);
    assert.deepEqual(seqs(pager), [1, 2, 3]);
  });

  it('keeps each event once when a live one arrived while the page was loading', async () => {
    const source = manualSource();
    const pager = new EventPager(source.fetchPage, (e) => assert.fail(e));
    await Promise.all([pager.loadMore(), Promise.resolve().then(() => source.asked[0]!.settle({ events: [event(1)], hasMore: false }))]);
    assert.equal(pager.append(event(2)), true);
    const more = pager.loadMore();
    source.asked[1]!.settle({ events: [event(2), event(3)], hasMore: false });
    await more;
    assert.deepEqual(seqs(pager), [1, 2, 3]);
  });

  it('reports a failed page and stays usable', async () => {
    const source = manualSource();
    const errors: string[] = [];
    const pager = new EventPager(source.fetchPage, (e) => errors.push(e.message));
    const failed = pager.loadMore();
    source.asked[0]!.fail(new Error('No interaction x in this session.'));
    await failed;
    assert.deepEqual(errors, ['No interaction x in this session.']);
    assert.equal(pager.loading, false);
    const retry = pager.loadMore();
    assert.equal(source.asked[1]!.after, 0);
    source.asked[1]!.settle({ events: [event(1)], hasMore: false });
    await retry;
    assert.deepEqual(seqs(pager), [1]);
  });
});
