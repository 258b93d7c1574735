/**
 * What the scan's main thread and its probe workers say to each other. Each
 * worker plans and probes its own part of the tasks; the main thread alone
 * writes the scan file. A worker sends finished observations already
 * serialized as scan-file lines, so the main thread neither parses nor
 * re-serializes them: it writes the text as it comes.
 */
import type { Family, Plan, ProbeId, VantageKind } from '../model.js';
import type { SharedDoneTasks } from './done-tasks.js';

/** What a probe worker is started with (workerData). */
export interface ProbeWorkerSetup {
  plan: Plan;
  vantage: VantageKind;
  /** The plan's resolved names, as NameTable entries: the worker plans the same tasks and builds the same scope guard. */
  names: [string, { addresses: { address: string; family: Family }[] } | { errorCode: string }][];
  /** The worker's part: shard K of N split W ways is shard K + N·w of N·W for worker w (see probe-pool.ts). */
  shard: { index: number; count: number };
  /** The probes that have tasks in this part, in scheduling order: the worker loads only their code. */
  probes: ProbeId[];
  /** Tasks the scan file already holds (resume). */
  done: SharedDoneTasks;
  /** Probes this worker runs at once. */
  concurrency: number;
  /** Probes this worker starts per second; 0 = no limit. */
  rate: number;
}

/** Main thread → worker: stop at once; running probes are cut and not reported (they stay to do on resume). */
export interface PoolStop {
  type: 'stop';
}

/** Worker → main thread. */
export type PoolReport =
  /** Observations finished since the last report: `lines` holds `count` complete NDJSON lines, `outcomes` their count by outcome. */
  | { type: 'observations'; lines: string; count: number; outcomes: Record<string, number> }
  /** The worker's tasks failed (a probe or the planning threw something other than an interruption). */
  | { type: 'failed'; message: string; stack: string | undefined }
  /** Every task of the worker is done (or it was stopped), and every observation reported. */
  | { type: 'finished' };
