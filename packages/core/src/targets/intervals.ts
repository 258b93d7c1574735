/**
 * Sets of addresses of one family as sorted, disjoint, non-adjacent inclusive
 * intervals: ranges are merged and subtracted as arithmetic, never enumerated.
 */

/** Inclusive interval of integer addresses. */
export interface AddressInterval {
  first: bigint;
  last: bigint;
}

/** Sorts and merges overlapping or adjacent intervals. */
export function mergeIntervals(intervals: Iterable<AddressInterval>): AddressInterval[] {
  const sorted = [...intervals].sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  const merged: AddressInterval[] = [];
  for (const next of sorted) {
    const previous = merged[merged.length - 1];
    if (previous !== undefined && next.first <= previous.last + 1n) {
      if (next.last > previous.last) previous.last = next.last;
    } else {
      merged.push({ first: next.first, last: next.last });
    }
  }
  return merged;
}

/** `from` minus `remove`; both must be merged (sorted, disjoint). */
export function subtractIntervals(from: readonly AddressInterval[], remove: readonly AddressInterval[]): AddressInterval[] {
  const result: AddressInterval[] = [];
  let r = 0;
  for (const interval of from) {
    let first = interval.first;
    const last = interval.last;
    while (r < remove.length && remove[r]!.last < first) r += 1;
    let k = r;
    while (first <= last && k < remove.length && remove[k]!.first <= last) {
      const cut = remove[k]!;
      if (cut.first > first) result.push({ first, last: cut.first - 1n });
      if (cut.last >= last) {
        first = last + 1n;
        break;
      }
      first = cut.last + 1n;
      k += 1;
    }
    if (first <= last) result.push({ first, last });
  }
  return result;
}

/** True when `value` lies in one of the merged `intervals` (binary search). */
export function intervalsContain(intervals: readonly AddressInterval[], value: bigint): boolean {
  return findInterval(intervals, value) >= 0;
}

/** Index of the merged interval holding `value`, or -1. */
export function findInterval(intervals: readonly AddressInterval[], value: bigint): number {
  let low = 0;
  let high = intervals.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const interval = intervals[middle]!;
    if (value < interval.first) high = middle - 1;
    else if (value > interval.last) low = middle + 1;
    else return middle;
  }
  return -1;
}

/** Number of addresses in merged intervals. */
export function intervalsSize(intervals: readonly AddressInterval[]): bigint {
  let size = 0n;
  for (const interval of intervals) size += interval.last - interval.first + 1n;
  return size;
}
