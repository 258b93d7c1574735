/**
 * The universe of a plan: every address the P6 sample is drawn from.
 * DESIGN "Ranges": every address of a range counts, network and broadcast included.
 */
import { Port25Error } from '../errors.js';
import type { Family, Plan } from '../model.js';
import { formatAddress, parseAddress, parseRange, type AddressRange } from './addresses.js';
import { findInterval, intervalsSize, mergeIntervals, subtractIntervals, type AddressInterval } from './intervals.js';

/** An address chosen for probing. */
export interface SampledTarget {
  address: string;
  family: Family;
}

/** The addresses of one family in a universe. */
export interface UniverseFamily {
  family: Family;
  /** Number of addresses. */
  size: bigint;
  /** Sorted, disjoint, non-adjacent inclusive intervals. */
  intervals: readonly AddressInterval[];
}

/**
 * `scope.dynamic` minus `scope.exclude` and `authorizedRelays`, per family.
 * Indices `0 .. size-1` run through the IPv4 intervals first, then the IPv6 ones.
 */
export interface Universe {
  size: bigint;
  families: Readonly<Record<Family, UniverseFamily>>;
  /** The address at an index in `[0, size)`. */
  addressAt(index: bigint): SampledTarget;
  /** The index of an address, or null when the universe does not hold it. */
  indexOf(address: string): bigint | null;
  contains(address: string): boolean;
}

export const FAMILIES: readonly Family[] = ['IPv4', 'IPv6'];

/** Parses range texts of a normalized plan; a text that does not parse means the plan skipped normalization. */
export function plannedRanges(texts: readonly string[], field: string): AddressRange[] {
  return texts.map((text, index) => {
    const range = parseRange(text);
    if (range === null) {
      throw new Port25Error('PLAN_INVALID', `${field}[${index}]: "${text}" is not an address or a CIDR range`, [
        'pass the plan through normalizePlan() (or loadPlan()) before building targets',
      ]);
    }
    return range;
  });
}

/** Merged intervals of the ranges of one family. */
export function familyIntervals(ranges: readonly AddressRange[], family: Family): AddressInterval[] {
  return mergeIntervals(ranges.filter((range) => range.family === family));
}

/**
 * Builds the sampling universe of a plan: `scope.dynamic` minus `scope.exclude`
 * minus `authorizedRelays`, as merged intervals (never enumerated).
 *
 * @example buildUniverse(plan).size // 256n + 2n ** 72n for 203.0.113.0/24 and 2001:db8:100::/56
 */
export function buildUniverse(plan: Plan): Universe {
  const dynamic = plannedRanges(plan.scope.dynamic, 'scope.dynamic');
  const removed = [...plannedRanges(plan.scope.exclude, 'scope.exclude'), ...plannedRanges(plan.authorizedRelays, 'authorizedRelays')];
  const build = (family: Family): UniverseFamily => {
    const intervals = subtractIntervals(familyIntervals(dynamic, family), familyIntervals(removed, family));
    return { family, size: intervalsSize(intervals), intervals };
  };
  const families = { IPv4: build('IPv4'), IPv6: build('IPv6') };
  const size = families.IPv4.size + families.IPv6.size;
  // offsets[i]: universe index of the first address of the i-th interval (IPv4 first, then IPv6).
  const table: { family: Family; first: bigint; offset: bigint }[] = [];
  let offset = 0n;
  for (const family of FAMILIES) {
    for (const interval of families[family].intervals) {
      table.push({ family, first: interval.first, offset });
      offset += interval.last - interval.first + 1n;
    }
  }
  const familyOffset: Record<Family, bigint> = { IPv4: 0n, IPv6: families.IPv4.size };

  const indexOf = (address: string): bigint | null => {
    const parsed = parseAddress(address);
    if (parsed === null) return null;
    const intervals = families[parsed.family].intervals;
    const position = findInterval(intervals, parsed.value);
    if (position < 0) return null;
    let index = familyOffset[parsed.family];
    for (let i = 0; i < position; i += 1) index += intervals[i]!.last - intervals[i]!.first + 1n;
    return index + parsed.value - intervals[position]!.first;
  };

  return {
    size,
    families,
    addressAt(index: bigint): SampledTarget {
      if (index < 0n || index >= size) throw new RangeError(`universe index ${index} is outside [0, ${size})`);
      let low = 0;
      let high = table.length - 1;
      while (low < high) {
        const middle = (low + high + 1) >>> 1;
        if (table[middle]!.offset <= index) low = middle;
        else high = middle - 1;
      }
      const entry = table[low]!;
      return { address: formatAddress(entry.family, entry.first + (index - entry.offset)), family: entry.family };
    },
    indexOf,
    contains: (address) => indexOf(address) !== null,
  };
}
