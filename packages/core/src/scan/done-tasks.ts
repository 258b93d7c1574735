/**
 * The tasks a resumed scan file already holds, compact enough for a sample of
 * millions and shareable with probe workers without a copy: a sampled host
 * (no name, IPv4) costs 4 bytes in a sorted Uint32Array on a
 * SharedArrayBuffer, not a string in a Set (~70 bytes and a copy per thread).
 * Every other task (named targets, IPv6) is few and kept by its taskKey.
 */
import type { ProbeId, Target } from '../model.js';
import { taskKey } from '../probes/probe.js';
import { dottedQuadValue } from '../targets/index.js';

/** The structured-clone form of {@link DoneTasks}: the arrays' memory is shared, not copied. */
export interface SharedDoneTasks {
  /** Sorted IPv4 addresses as integers, by `probe|port`. */
  ipv4: [string, Uint32Array][];
  /** taskKey of every other task. */
  keys: string[];
}

function groupKey(probe: ProbeId | string, port: number): string {
  return `${probe}|${port}`;
}

/** True when the sorted array holds `value`. */
function sortedHas(values: Uint32Array, value: number): boolean {
  let low = 0;
  let high = values.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const at = values[middle]!;
    if (at === value) return true;
    if (at < value) low = middle + 1;
    else high = middle - 1;
  }
  return false;
}

/** Collects the tasks of a scan file's observation lines, then {@link DoneTasksBuilder.build}s the set. */
export class DoneTasksBuilder {
  private readonly ipv4 = new Map<string, number[]>();
  private readonly keys = new Set<string>();

  /** Records the task of one observation line. */
  add(probe: ProbeId | string, target: Pick<Target, 'host' | 'address' | 'port'>): void {
    const value = target.host === null ? dottedQuadValue(target.address) : -1;
    if (value < 0) {
      this.keys.add(taskKey(probe as ProbeId, target));
      return;
    }
    const key = groupKey(probe, target.port);
    let group = this.ipv4.get(key);
    if (group === undefined) {
      group = [];
      this.ipv4.set(key, group);
    }
    group.push(value);
  }

  /** The set, with its address arrays on shared memory. */
  build(): DoneTasks {
    const ipv4 = new Map<string, Uint32Array>();
    for (const [key, values] of this.ipv4) {
      const shared = new Uint32Array(new SharedArrayBuffer(values.length * Uint32Array.BYTES_PER_ELEMENT));
      shared.set(values);
      shared.sort();
      ipv4.set(key, shared);
    }
    return new DoneTasks(ipv4, this.keys);
  }
}

/**
 * Which tasks are done. Built once from a scan file ({@link DoneTasksBuilder}),
 * then only asked; a probe worker gets it through {@link DoneTasks.share} and
 * {@link DoneTasks.fromShared}.
 *
 * @example
 * ```ts
 * const builder = new DoneTasksBuilder();
 * builder.add('inbound-smtp', { host: null, address: '192.0.2.7', port: 25 });
 * builder.build().has('inbound-smtp', { host: null, address: '192.0.2.7', port: 25 }); // true
 * ```
 */
export class DoneTasks {
  /** No task done: a new scan. */
  static readonly NONE = new DoneTasks(new Map(), new Set());

  constructor(
    private readonly ipv4: ReadonlyMap<string, Uint32Array>,
    private readonly keys: ReadonlySet<string>,
  ) {}

  /** Rebuilds the set a {@link DoneTasks.share} call made, in another thread. */
  static fromShared(shared: SharedDoneTasks): DoneTasks {
    return new DoneTasks(new Map(shared.ipv4), new Set(shared.keys));
  }

  /** No task is done. */
  get empty(): boolean {
    return this.ipv4.size === 0 && this.keys.size === 0;
  }

  /** True when the scan file already holds an observation of this task. */
  has(probe: ProbeId, target: Pick<Target, 'host' | 'address' | 'port'>): boolean {
    if (target.host === null && this.ipv4.size > 0) {
      const value = dottedQuadValue(target.address);
      if (value >= 0) {
        const group = this.ipv4.get(groupKey(probe, target.port));
        return group !== undefined && sortedHas(group, value);
      }
    }
    return this.keys.size > 0 && this.keys.has(taskKey(probe, target));
  }

  /** The form to hand to a worker thread (workerData): the address arrays are shared, not copied. */
  share(): SharedDoneTasks {
    return { ipv4: [...this.ipv4], keys: [...this.keys] };
  }
}
