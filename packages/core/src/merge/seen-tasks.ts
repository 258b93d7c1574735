/**
 * The set of tasks already seen while merging scan files, compact enough for
 * a sample of millions: an IPv4 target of a sampled host costs one small
 * integer in a Set, not a string, and nothing of its observation is kept.
 */
import type { Observation } from '../model.js';
import { taskKey } from '../probes/probe.js';
import { dottedQuadValue, parseAddress } from '../targets/index.js';

/** A V8 Set holds at most 2^24 entries: keys are spread over buckets so a census of a /8 still fits. */
const BUCKETS = 16;

/** Observation identities seen so far: (vantage, taskKey), as DESIGN.md's resume and merge use them. */
export class SeenTasks {
  /** Host-less IPv4 targets by `vantage|probe|port`: the address as an int32 in one of 16 buckets by its top bits. */
  private readonly ipv4 = new Map<string, Set<number>[]>();
  private readonly other: Set<string>[] = Array.from({ length: BUCKETS }, () => new Set<string>());
  private count = 0;
  private lastGroup: { vantage: string; probe: string; port: number; buckets: Set<number>[] } | null = null;

  /** Number of distinct tasks seen. */
  get size(): number {
    return this.count;
  }

  /**
   * Records the task of an observation.
   *
   * @returns true when the task is new, false when an observation of it was seen before.
   */
  add(observation: Observation): boolean {
    const { target } = observation;
    const value = target.host === null ? dottedQuadValue(target.address) : -1;
    const quad = value >= 0 ? value : null;
    const address = target.host === null && quad === null ? parseAddress(target.address) : null;
    const ipv4 = quad ?? (address?.family === 'IPv4' ? Number(address.value) : null);
    if (ipv4 !== null) {
      const buckets = this.ipv4Buckets(observation.vantage, observation.probe, target.port);
      // `| 0` keeps the key a small integer (a V8 Smi), not a boxed double.
      return this.record(buckets[ipv4 >>> 28]!, ipv4 | 0);
    }
    const key = `${observation.vantage}|${taskKey(observation.probe, { ...target, address: address?.text ?? target.address })}`;
    return this.record(this.other[fnv1a(key) % BUCKETS]!, key);
  }

  /** The buckets of one (vantage, probe, port); consecutive lines of a scan nearly always share them. */
  private ipv4Buckets(vantage: string, probe: string, port: number): Set<number>[] {
    const last = this.lastGroup;
    if (last !== null && last.vantage === vantage && last.probe === probe && last.port === port) return last.buckets;
    const key = `${vantage}|${probe}|${port}`;
    let buckets = this.ipv4.get(key);
    if (buckets === undefined) {
      buckets = Array.from({ length: BUCKETS }, () => new Set<number>());
      this.ipv4.set(key, buckets);
    }
    this.lastGroup = { vantage, probe, port, buckets };
    return buckets;
  }

  private record<T>(set: Set<T>, key: T): boolean {
    if (set.has(key)) return false;
    set.add(key);
    this.count += 1;
    return true;
  }
}

/** 32-bit FNV-1a: spreads string keys over the buckets. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
