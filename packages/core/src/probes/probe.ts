import type { Family, Observation, Plan, ProbeId, Target, VantageKind } from '../model.js';
import type { Dialer } from '../net/index.js';
import type { RouteLookup } from '../net/route.js';

/** Addresses each name of the plan resolved to (or why not), gathered before tasks are planned. */
export type NameTable = ReadonlyMap<string, { addresses: { address: string; family: Family }[] } | { errorCode: string }>;

/** What a probe needs to turn the plan into tasks. */
export interface TaskInput {
  plan: Plan;
  vantage: VantageKind;
  names: NameTable;
  shard: { index: number; count: number };
}

/** One unit of work: at most one connection to one target. */
export interface Task {
  probe: ProbeId;
  target: Target;
  /** Canary's expected greeting text (outbound probes), or null when it cannot be judged. */
  expect?: string | null;
}

/** Injected I/O, so tests can swap any of it. */
export interface ProbeContext {
  plan: Plan;
  vantage: VantageKind;
  /** The scope-guarded dialer: refuses any address the plan does not name. */
  dial: Dialer;
  now: () => Date;
  signal: AbortSignal;
  /** Whether the vantage has a route to an address (asked without sending); the kernel's when omitted. */
  route?: RouteLookup;
  /** Environment the plan's credential variables are read from; `process.env` when omitted. */
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * A probe turns the plan into tasks and a task into one observation.
 * Probes do I/O and return facts; they never judge (checks do).
 */
export interface Probe {
  id: ProbeId;
  /** Vantages this probe runs from. */
  vantages: readonly VantageKind[];
  tasks(input: TaskInput): Iterable<Task>;
  run(task: Task, ctx: ProbeContext): Promise<Observation>;
}

/** Identity of a task in a scan file, used by --resume to skip finished work. */
export function taskKey(probe: ProbeId, target: Pick<Target, 'host' | 'address' | 'port'>): string {
  return `${probe}|${target.host ?? ''}|${target.address}|${target.port}`;
}
