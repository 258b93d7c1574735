/**
 * The P6 sample: `scope.hosts` first (always probed), then a seeded sample
 * without replacement of the universe, split into shards by position.
 */
import { Port25Error } from '../errors.js';
import type { Plan } from '../model.js';
import { formatIPv4, formatIPv6, parseAddress, type AddressRange } from './addresses.js';
import { intervalsContain, intervalsSize, subtractIntervals } from './intervals.js';
import { createPermutation } from './permutation.js';
import { buildUniverse, familyIntervals, FAMILIES, plannedRanges, type SampledTarget, type Universe } from './universe.js';

/** One of N parts of a sample; `index` is 0-based, like Kubernetes' JOB_COMPLETION_INDEX. */
export interface Shard {
  index: number;
  count: number;
}

const WHOLE: Shard = { index: 0, count: 1 };

/**
 * Parses `--shard K/N` (0 ≤ K < N, K 0-based).
 *
 * @throws Port25Error USAGE on anything else.
 * @example parseShard('2/8') // { index: 2, count: 8 }
 */
export function parseShard(text: string): Shard {
  const match = /^\s*(\d{1,15})\s*\/\s*(\d{1,15})\s*$/.exec(text);
  const index = match ? Number(match[1]) : NaN;
  const count = match ? Number(match[2]) : NaN;
  if (!match || count < 1 || index >= count) {
    throw new Port25Error('USAGE', `--shard ${JSON.stringify(text)} is not a shard K/N with 0 ≤ K < N`, [
      'K is 0-based, like a Kubernetes JOB_COMPLETION_INDEX: the 4 shards of a sample are 0/4, 1/4, 2/4 and 3/4',
    ]);
  }
  return { index, count };
}

function checkShard(shard: Shard): void {
  if (!Number.isSafeInteger(shard.index) || !Number.isSafeInteger(shard.count) || shard.count < 1 || shard.index < 0 || shard.index >= shard.count) {
    throw new Port25Error('USAGE', `shard ${shard.index}/${shard.count} is not a shard K/N with 0 ≤ K < N`);
  }
}

/** What a plan draws: its explicit hosts, the universe, and how many universe addresses to take. */
interface Draw {
  hosts: SampledTarget[];
  universe: Universe;
  /** Universe indices of hosts, skipped by the range sample so no address comes twice. */
  hostIndices: bigint[];
  rangeCount: bigint;
}

function prepareDraw(plan: Plan): Draw {
  const universe = buildUniverse(plan);
  const removed = [...plannedRanges(plan.scope.exclude, 'scope.exclude'), ...plannedRanges(plan.authorizedRelays, 'authorizedRelays')];
  const removedByFamily = { IPv4: familyIntervals(removed, 'IPv4'), IPv6: familyIntervals(removed, 'IPv6') };
  const seen = new Set<string>();
  const hosts: SampledTarget[] = [];
  const hostIndices: bigint[] = [];
  plan.scope.hosts.forEach((text, position) => {
    const address = parseAddress(text);
    if (address === null) {
      throw new Port25Error('PLAN_INVALID', `scope.hosts[${position}]: "${text}" is not an address`, [
        'pass the plan through normalizePlan() (or loadPlan()) before building targets',
      ]);
    }
    // Excluded addresses and authorized relays are never part of the P6 sample, even when listed.
    if (seen.has(address.text) || intervalsContain(removedByFamily[address.family], address.value)) return;
    seen.add(address.text);
    hosts.push({ address: address.text, family: address.family });
    const index = universe.indexOf(address.text);
    if (index !== null) hostIndices.push(index);
  });
  const available = universe.size - BigInt(hostIndices.length);
  const wanted = BigInt(plan.sample.size);
  return { hosts, universe, hostIndices, rangeCount: wanted < available ? wanted : available };
}

/**
 * Number of targets the whole sample (all shards together) holds: the explicit
 * hosts plus `min(sample.size, M)` addresses of the universe, where M does not
 * count hosts that also lie in a range (they are probed once, as hosts).
 */
export function sampleSize(plan: Plan): bigint {
  const draw = prepareDraw(plan);
  return BigInt(draw.hosts.length) + draw.rangeCount;
}

/** Addresses of `sources` left after removing `removed`, both per family, never enumerated. */
function remainingSize(sources: readonly AddressRange[], removed: readonly AddressRange[]): bigint {
  let size = 0n;
  for (const family of FAMILIES) size += intervalsSize(subtractIntervals(familyIntervals(sources, family), familyIntervals(removed, family)));
  return size;
}

/**
 * Why the P6 sample of a plan is empty, as one sentence naming the plan fields,
 * or null when it holds at least one address. Callers use it to say what to
 * change instead of reporting "no observation": a plan whose `scope.exclude` (or
 * `authorizedRelays`) covers its whole `scope.dynamic` is a contradiction the
 * author should see.
 *
 * @example emptySampleReason(plan) // 'scope.exclude removes every address of scope.dynamic (256 addresses), so the P6 sample is empty'
 */
export function emptySampleReason(plan: Plan): string | null {
  if (sampleSize(plan) > 0n) return null;
  const named = [...plannedRanges(plan.scope.dynamic, 'scope.dynamic'), ...plannedRanges(plan.scope.hosts, 'scope.hosts')];
  if (named.length === 0) return 'scope.dynamic and scope.hosts are empty, so the P6 sample is empty';
  const exclude = plannedRanges(plan.scope.exclude, 'scope.exclude');
  const relays = plannedRanges(plan.authorizedRelays, 'authorizedRelays');
  const removers =
    remainingSize(named, exclude) === 0n
      ? 'scope.exclude removes'
      : remainingSize(named, relays) === 0n
        ? 'authorizedRelays remove'
        : 'scope.exclude and authorizedRelays together remove';
  const sources = [plan.scope.dynamic.length > 0 ? 'scope.dynamic' : null, plan.scope.hosts.length > 0 ? 'scope.hosts' : null]
    .filter((field) => field !== null)
    .join(' and ');
  const count = remainingSize(named, []);
  return `${removers} every address of ${sources} (${count} address${count === 1n ? '' : 'es'}), so the P6 sample is empty`;
}

/** Maps universe indices to addresses with plain numbers while the universe is small enough. */
function numberLocator(universe: Universe): (index: number) => SampledTarget {
  const offsets: number[] = [];
  const starts: bigint[] = [];
  const families: SampledTarget['family'][] = [];
  let offset = 0;
  for (const family of FAMILIES) {
    for (const interval of universe.families[family].intervals) {
      offsets.push(offset);
      starts.push(interval.first);
      families.push(family);
      offset += Number(interval.last - interval.first + 1n);
    }
  }
  const ipv4Starts = starts.map((start) => Number(start));
  return (index) => {
    let low = 0;
    let high = offsets.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >>> 1;
      if (offsets[middle]! <= index) low = middle;
      else high = middle - 1;
    }
    const family = families[low]!;
    const delta = index - offsets[low]!;
    if (family === 'IPv4') return { address: formatIPv4(ipv4Starts[low]! + delta), family };
    return { address: formatIPv6(starts[low]! + BigInt(delta)), family };
  };
}

/**
 * The targets of one shard of a plan's sample, streamed in sample order.
 *
 * The sample is one sequence: the explicit `scope.hosts` (deduplicated, minus
 * `scope.exclude` and `authorizedRelays`) first, then the first
 * `min(sample.size, M)` positions of a seeded permutation of the universe
 * (a census when `sample.size` ≥ M). Shard K of N takes the positions i with
 * i mod N = K, so shards are disjoint and together are the whole sample.
 * Memory stays constant whatever the size of the ranges or of the sample.
 *
 * @example [...sampleTargets(plan, parseShard('0/4'))].length // about a quarter of sampleSize(plan)
 */
export function* sampleTargets(plan: Plan, shard: Shard = WHOLE): Generator<SampledTarget, void, undefined> {
  checkShard(shard);
  const { hosts, universe, hostIndices, rangeCount } = prepareDraw(plan);
  for (let position = shard.index; position < hosts.length; position += shard.count) yield hosts[position]!;
  if (rangeCount === 0n) return;
  const permutation = createPermutation(universe.size, plan.sample.seed);
  const hostCount = hosts.length;

  if (permutation.arithmetic === 'number') {
    const locate = numberLocator(universe);
    const count = Number(rangeCount);
    const skip = new Set(hostIndices.map(Number));
    // First range position q whose sample position hostCount + q falls in this shard.
    const firstInShard = (((shard.index - hostCount) % shard.count) + shard.count) % shard.count;
    if (skip.size === 0) {
      for (let q = firstInShard; q < count; q += shard.count) yield locate(permutation.atNumber(q));
      return;
    }
    for (let q = 0, step = 0; q < count; step += 1) {
      const index = permutation.atNumber(step);
      if (skip.has(index)) continue;
      if ((hostCount + q) % shard.count === shard.index) yield locate(index);
      q += 1;
    }
    return;
  }

  const count = BigInt(shard.count);
  const index = BigInt(shard.index);
  const skip = new Set(hostIndices);
  const offset = BigInt(hostCount);
  if (skip.size === 0) {
    for (let q = (((index - offset) % count) + count) % count; q < rangeCount; q += count) yield universe.addressAt(permutation.at(q));
    return;
  }
  for (let q = 0n, step = 0n; q < rangeCount; step += 1n) {
    const drawn = permutation.at(step);
    if (skip.has(drawn)) continue;
    if ((offset + q) % count === index) yield universe.addressAt(drawn);
    q += 1n;
  }
}
