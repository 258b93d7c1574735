/**
 * A scan on several cores (issue 7). Measured on 2 cores (docs/performance.md):
 * a closed-port probe spends most of its time in the kernel's socket(),
 * connect() and close() and in the event loop around them, so one thread does
 * less than nmap's connect scan; two threads making those calls side by side
 * make up the difference.
 *
 * The sample is already shardable by position, so threads split it the way
 * machines do: part p of shard K of N is shard K + N·p of N·W (the parts are
 * disjoint and together exactly shard K of N; the tasks outside the sample,
 * which belong to shard 0, fall in part 0). The main thread probes part 0
 * itself, one worker thread each other part (runScan). A worker plans, probes
 * and serializes its own part; the main thread alone writes the file, so the
 * scan stays one file, its lines in order of completion (to within a report
 * interval), its counts and progress kept in one place.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ProbeId } from '../model.js';
import type { Shard } from '../targets/index.js';
import type { PoolReport, PoolStop, ProbeWorkerSetup } from './pool-messages.js';

/** One part of the scan's shard, probed by one worker thread. */
export interface PoolPart {
  /** Which part: the worker probes shard K + N·part of N·split. */
  part: number;
  /** Probes in flight at once in this part. */
  concurrency: number;
  /** Probe starts per second in this part; 0 = no limit. */
  rate: number;
}

export interface ProbePoolOptions {
  /** Into how many parts the scan's shard is split; the parts not listed are probed elsewhere (the main thread). */
  split: number;
  /** The parts to probe, one worker thread each. */
  parts: readonly PoolPart[];
  /** Interrupts the scan: running probes are cut and not reported. */
  signal: AbortSignal;
  /** What every worker needs besides its part; `shard` is the scan's shard (K of N). */
  setup: Omit<ProbeWorkerSetup, 'concurrency' | 'rate' | 'shard' | 'probes'> & { shard: Shard };
  /** The probes that have tasks in a part of the scan (the worker loads only those). */
  probesOf: (shard: Shard) => ProbeId[];
}

/**
 * Part `part` of shard K of N split `split` ways: shard K + N·part of N·split.
 * The parts 0..split-1 are disjoint and together exactly shard K of N (the
 * sample's shards take positions i with i mod N = K).
 *
 * @example splitShard({ index: 1, count: 3 }, 2, 1) // { index: 4, count: 6 }
 */
export function splitShard(shard: Shard, split: number, part: number): Shard {
  return { index: shard.index + shard.count * part, count: shard.count * split };
}

/** `total` shared out over `parts` as integers that add up to it (the first ones get the remainder). */
export function shareOut(total: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0));
}

/** Finished observations of one worker report: `count` complete NDJSON lines. */
export interface ObservationBatch {
  lines: string;
  count: number;
  outcomes: Record<string, number>;
}

/**
 * Young-generation size of a worker's heap. V8 lets each thread grow 32+ MB of
 * young space under a scan's allocation rate; a probe's garbage dies within
 * milliseconds, so a small one only costs more (cheap) scavenges. Measured:
 * 8 MB instead of the default takes ~15 MB off each worker for ~4% more GC time.
 */
const WORKER_YOUNG_GENERATION_MB = 8;

/**
 * Old-generation ceiling of a worker's heap. Without one, V8 lets promoted
 * garbage reach ~40 MB per thread before it compacts, while a census worker
 * keeps ~10 MB alive (its code included). The ceiling grows with the worker's
 * share of the concurrency, 128 KB per probe in flight, far above what a TCP
 * probe (~6 KB) or an SMTP dialog keeps alive, so a worker never runs out.
 */
function oldGenerationCeilingMb(concurrency: number): number {
  return Math.max(64, Math.ceil(concurrency / 8));
}

/**
 * Where tsx's module-loader API is, as a file URL, for a thread started from
 * the TypeScript sources. Read from tsx's exports map, since `import.meta.resolve`
 * is missing when tsx loads this file as CommonJS (as under mocha).
 */
function tsxLoaderApi(from: string): string {
  const manifestPath = createRequire(from).resolve('tsx/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
  return pathToFileURL(join(dirname(manifestPath), manifest.exports['./esm/api']!.import.default)).href;
}

/**
 * The worker thread's entry. From the TypeScript sources (tests, bench) the
 * thread needs the same loader as this one: on Node 20, tsx's hooks do not
 * reach worker threads by themselves, so the thread registers them first.
 */
function startWorker(setup: ProbeWorkerSetup): Worker {
  const resourceLimits = {
    maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB,
    maxOldGenerationSizeMb: oldGenerationCeilingMb(setup.concurrency),
  };
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./probe-worker.js', here), { workerData: setup, resourceLimits });
  const entry = new URL('./probe-worker.ts', here).href;
  const boot = `import(${JSON.stringify(tsxLoaderApi(here))}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { eval: true, workerData: setup, resourceLimits });
}

/**
 * Probes each of `options.parts` on a worker thread of its own and hands
 * every batch of finished observations to `onBatch` on this thread, as they
 * arrive.
 *
 * On abort every worker stops at once: running probes are cut and not
 * reported, what finished before still reaches `onBatch`. On the first error
 * (a probe's, a worker's, or `onBatch`'s) the other workers are stopped the
 * same way and it rejects with that error once all have stopped. The threads
 * are always terminated before it settles.
 *
 * @example
 * ```ts
 * // The main thread probes part 0 itself; one worker probes part 1.
 * await runInWorkers({ split: 2, parts: [{ part: 1, concurrency: 128, rate: 0 }], signal, setup, probesOf }, (batch) => writer.writeLines(batch.lines));
 * ```
 */
export async function runInWorkers(options: ProbePoolOptions, onBatch: (batch: ObservationBatch) => void): Promise<void> {
  const { signal, setup } = options;
  let failure: { error: unknown } | null = null;

  const workers: Worker[] = [];
  const finished: Promise<void>[] = [];
  const stop = (): void => {
    for (const worker of workers) worker.postMessage({ type: 'stop' } satisfies PoolStop);
  };
  const fail = (error: unknown): void => {
    if (failure !== null) return;
    failure = { error };
    stop();
  };

  for (const { part, concurrency, rate } of options.parts) {
    const shard = splitShard(setup.shard, options.split, part);
    const worker = startWorker({ ...setup, shard, probes: options.probesOf(shard), concurrency: Math.max(1, concurrency), rate });
    workers.push(worker);
    finished.push(
      new Promise<void>((resolve) => {
        let ended = false;
        worker.on('message', (report: PoolReport) => {
          if (report.type === 'observations') {
            try {
              onBatch(report);
            } catch (error) {
              fail(error);
            }
          } else {
            if (report.type === 'failed') {
              const error = new Error(report.message);
              if (report.stack !== undefined) error.stack = report.stack;
              fail(error);
            }
            ended = true;
            resolve();
          }
        });
        worker.on('error', (error) => {
          fail(error);
          ended = true;
          resolve();
        });
        worker.on('exit', (code) => {
          if (!ended) fail(new Error(`a probe worker exited (code ${code}) before it finished`));
          resolve();
        });
      }),
    );
  }

  const onAbort = (): void => stop();
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  try {
    await Promise.all(finished);
  } finally {
    signal.removeEventListener('abort', onAbort);
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
  if (failure !== null) throw (failure as { error: unknown }).error;
}
