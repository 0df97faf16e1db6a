import type { EventRow } from '../protocol/timelineModel';

/** One page of events, oldest first; `hasMore` when the extension has more after the last. */
export interface EventPage {
  readonly events: readonly EventRow[];
  readonly hasMore: boolean;
}

/**
 * A list of events loaded a page at a time (oldest first) that also takes live events: the
 * one paging algorithm of the timeline, for a step's events and for the session's own.
 */
export class EventPager {
  private readonly list: EventRow[] = [];
  private more = false;
  private busy = false;

  /**
   * @param fetchPage asks the extension for the page of events with `seq > after`
   * @param onError told when a page could not be loaded (the pager stays usable: load again)
   */
  constructor(
    private readonly fetchPage: (after: number) => Promise<EventPage>,
    private readonly onError: (error: Error) => void,
  ) {}

  get events(): readonly EventRow[] {
    return this.list;
  }

  /** Whether the extension has events after the last one held ("Load more"). */
  get hasMore(): boolean {
    return this.more;
  }

  /** Whether a page is being loaded. */
  get loading(): boolean {
    return this.busy;
  }

  /**
   * Loads the page after the last event held. Resolves (never rejects) once it is settled;
   * undefined when a page is already loading.
   */
  loadMore(): Promise<void> | undefined {
    if (this.busy) return undefined;
    this.busy = true;
    return this.fetchPage(this.lastSeq())
      .then(
        (page) => {
          // A live event may have arrived meanwhile: keep each event once.
          const last = this.lastSeq();
          this.list.push(...page.events.filter((e) => e.seq > last));
          this.more = page.hasMore;
        },
        (error: unknown) => this.onError(error instanceof Error ? error : new Error(String(error))),
      )
      .finally(() => {
        this.busy = false;
      });
  }

  /**
   * A live event. Kept when it comes right after what is held (nothing loading, nothing left to
   * load, newer than the last); otherwise the next page brings it. True when it was kept.
   */
  append(event: EventRow): boolean {
    if (this.busy || this.more || event.seq <= this.lastSeq()) return false;
    this.list.push(event);
    return true;
  }

  private lastSeq(): number {
    return this.list[this.list.length - 1]?.seq ?? 0;
  }
}
