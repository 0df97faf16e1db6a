/*
 * Window math of the virtualised interaction list: rows have a default height until measured
 * (expanded rows are taller); only the rows intersecting the viewport, plus some overscan, are
 * in the DOM.
 */

/** `offsets[i]` is the top of row i; `offsets[count]` the total height. */
export function buildOffsets(count: number, heightOf: (index: number) => number): Float64Array {
  const offsets = new Float64Array(count + 1);
  for (let i = 0; i < count; i++) {
    offsets[i + 1] = offsets[i]! + heightOf(i);
  }
  return offsets;
}

/** The row containing vertical position `y` (clamped to the list). */
export function rowAt(offsets: Float64Array, y: number): number {
  const count = offsets.length - 1;
  if (count <= 0) {
    return 0;
  }
  let lo = 0;
  let hi = count - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (offsets[mid]! <= y) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  return lo;
}

export interface RowWindow {
  /** First row to render. */
  readonly start: number;
  /** One past the last row to render. */
  readonly end: number;
  /** Rows actually intersecting the viewport. */
  readonly visible: number;
}

/** The rows to render for a viewport at `scrollTop` of `viewportHeight`, with `overscan` rows either side. */
export function visibleWindow(offsets: Float64Array, scrollTop: number, viewportHeight: number, overscan: number): RowWindow {
  const count = offsets.length - 1;
  if (count <= 0 || viewportHeight <= 0) {
    return { start: 0, end: 0, visible: 0 };
  }
  const top = Math.max(0, Math.min(scrollTop, offsets[count]!));
  const first = rowAt(offsets, top);
  let last = rowAt(offsets, top + viewportHeight - 0.5);
  last = Math.max(first, last);
  return {
    start: Math.max(0, first - overscan),
    end: Math.min(count, last + 1 + overscan),
    visible: last - first + 1,
  };
}

/**
 * The scroll position that brings row `index` fully into a viewport currently at `scrollTop`,
 * or `scrollTop` itself when it is already visible.
 */
export function scrollToReveal(offsets: Float64Array, index: number, scrollTop: number, viewportHeight: number): number {
  const top = offsets[index] ?? 0;
  const bottom = offsets[index + 1] ?? top;
  if (top < scrollTop) {
    return top;
  }
  if (bottom > scrollTop + viewportHeight) {
    return Math.max(0, bottom - viewportHeight);
  }
  return scrollTop;
}
