import { setMaxListeners } from 'node:events';
import { availableParallelism } from 'node:os';
import { closeSync, existsSync, ftruncateSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { Port25Error } from '../errors.js';
import type { DnsObservation, Observation, Plan, ProbeId, ScanHeader, VantageInfo, VantageKind } from '../model.js';
import type { Dialer } from '../net/dialer.js';
import { guardDialer } from '../net/guard.js';
import { nameTableOf, resolveNames, type ResolvedNames } from '../net/resolve.js';
import { tcpDialer } from '../net/tcp.js';
import type { NameTable, Probe, ProbeContext, TaskInput } from '../probes/probe.js';
import { probesFor } from '../probes/registry.js';
import { createScope } from '../targets/index.js';
import { TOOL } from '../version.js';
import { DoneTasks, DoneTasksBuilder } from './done-tasks.js';
import { countOutcomes, ScanFileWriter, scanFileLines } from './file.js';
import { runInWorkers, shareOut, splitShard } from './probe-pool.js';
import { pendingTasks, probeHere } from './probe-loop.js';

/** Progress of a running scan, for a progress bar. */
export interface ScanProgress {
  /** Tasks finished, those kept from a resumed file included. */
  done: number;
  /** Tasks of this vantage and shard. */
  total: number;
  /** Observations with outcome `open` so far. */
  open: number;
  /** Probes finished per second by this run. */
  rate: number;
}

export interface RunScanOptions {
  /** The normalized plan. */
  plan: Plan;
  /** Its digest (`sha256:...`), written into the header and compared on resume. */
  digest: string;
  vantage: VantageInfo;
  shard: { index: number; count: number };
  /** The scan file: created (or overwritten), or continued in place with `resume`. */
  out: string;
  /** Continue `out` (DESIGN "Resume") instead of starting it. */
  resume?: boolean;
  /** Interrupts the scan: what finished stays in the file, no end line is written. */
  signal?: AbortSignal;
  /** The dialer under the scope guard (tests); default node:net. It is always wrapped in the plan's scope guard. */
  dialer?: Dialer;
  /** Name resolution (tests); default {@link resolveNames} with the plan's resolver settings. */
  resolve?: (plan: Plan, vantage: VantageKind) => Promise<ResolvedNames>;
  now?: () => Date;
  /** Called at most every 200 ms while probing, and once at the end. */
  onProgress?: (progress: ScanProgress) => void;
  /** Told when a resumed file's torn last line is dropped. */
  onWarning?: (message: string) => void;
  /**
   * Threads that probe, this one included. Default: one per core (at most 4)
   * when at least 4,096 tasks are to be probed with the default dialer and
   * clock, else 1 (this thread alone). More than 1 needs the default `dialer`
   * and `now`: functions cannot be handed to other threads.
   */
  workers?: number;
}

export interface ScanSummary {
  file: string;
  /** The signal fired: the file has every finished probe and no end line; resume it. */
  interrupted: boolean;
  /** Resume of a file that had already ended: it was left alone. */
  alreadyEnded: boolean;
  resumed: boolean;
  /** Observations in the whole file by outcome, as in the end line. */
  counts: Record<string, number>;
  /** Observations this run wrote. */
  written: number;
  /** Observations a resumed file already had (kept verbatim). */
  kept: number;
  /** Threads that probed (1: this thread alone; 0 when a resumed file had already ended). */
  workers: number;
}

/** How often onProgress is called at most. */
const PROGRESS_INTERVAL_MS = 200;
/** Below this many tasks, starting threads costs more than it saves (a thread starts in ~50 ms). */
const PARALLEL_FROM_TASKS = 4096;
/** Threads a scan uses at most unless told otherwise: beyond that, the main thread that writes the file is the limit. */
const DEFAULT_MAX_WORKERS = 4;

/** What a scan file to resume already holds. */
interface ResumeState {
  header: ScanHeader;
  done: DoneTasks;
  counts: Record<string, number>;
  observations: number;
  dns: DnsObservation[];
  ended: boolean;
  /** Offset just after the last valid line: anything after it is a torn tail. */
  validEnd: number;
}

async function readResumeState(path: string, onWarning: ((message: string) => void) | undefined): Promise<ResumeState> {
  const builder = new DoneTasksBuilder();
  const state: Partial<ResumeState> & Omit<ResumeState, 'header' | 'done'> = {
    counts: {},
    observations: 0,
    dns: [],
    ended: false,
    validEnd: 0,
  };
  for await (const { line, endOffset } of scanFileLines(path, onWarning ? { onWarning } : {})) {
    state.validEnd = endOffset;
    if (line.type === 'scan') state.header = line;
    else if (line.type === 'end') state.ended = true;
    else {
      builder.add(line.probe, line.target);
      countOutcomes(state.counts, line.outcome);
      state.observations++;
      if (line.probe === 'dns') state.dns.push(line as DnsObservation);
    }
  }
  return { ...state, done: builder.build() } as ResumeState;
}

/** Cuts a torn tail after the last valid line, and ends a complete last line that lacks its newline. */
function cutTornTail(path: string, validEnd: number): void {
  const fd = openSync(path, 'r+');
  try {
    if (fstatSync(fd).size > validEnd) ftruncateSync(fd, validEnd);
    const last = Buffer.alloc(1);
    if (validEnd > 0 && readSync(fd, last, 0, 1, validEnd - 1) === 1 && last[0] !== 0x0a) writeSync(fd, '\n', validEnd);
  } finally {
    closeSync(fd);
  }
}

/** What a plan must name for a vantage to have anything to probe (DESIGN "Minimal plans"). */
function nothingToProbe(vantage: VantageKind): Port25Error {
  return vantage === 'outside'
    ? new Port25Error('NOTHING_TO_PROBE', 'The plan names nothing to probe from outside.', [
        'add the customers\' ranges to scope.dynamic (or addresses to scope.hosts) to test inbound port 25 (P6),',
        'or the ISP\'s mail submission servers to submission.servers (P1, P2)',
      ])
    : new Port25Error('NOTHING_TO_PROBE', 'The plan names nothing to probe from inside.', [
        'add external MX canaries to external.mx (P5: outbound port 25 must be blocked),',
        'external submission canaries to external.submission (P3: outbound 587 must work),',
        'or the ISP\'s relays to authorizedRelays (P5: they must answer)',
      ]);
}

function hasTask(probes: readonly Probe[], input: TaskInput): boolean {
  for (const probe of probes) {
    for (const _ of probe.tasks(input)) return true;
  }
  return false;
}


/** True when at least `wanted` tasks are pending; pulls no more than that. */
function atLeastTasks(probes: readonly Probe[], input: TaskInput, done: DoneTasks, wanted: number): boolean {
  let seen = 0;
  for (const _ of pendingTasks(probes, input, done)) {
    if (++seen >= wanted) return true;
  }
  return false;
}

/** How many threads probe: the caller's choice, else one per core (up to 4) for a large scan with the default I/O. */
function chooseWorkers(options: RunScanOptions, pending: () => boolean): number {
  const injected = options.dialer !== undefined || options.now !== undefined;
  if (options.workers !== undefined) {
    const workers = options.workers;
    if (!Number.isSafeInteger(workers) || workers < 1) {
      throw new Port25Error('USAGE', `workers: ${workers} is not a positive integer`, ['give 1 to probe in the main thread only, or leave it out to choose by the number of cores']);
    }
    if (workers > 1 && injected) {
      throw new Port25Error('USAGE', `workers: ${workers} needs the default dialer and clock`, ['a dialer or clock given to runScan cannot be handed to other threads; give workers: 1']);
    }
    return Math.min(workers, options.plan.probe.concurrency);
  }
  if (injected) return 1;
  const cores = availableParallelism();
  if (cores < 2 || options.plan.probe.concurrency < 2 || !pending()) return 1;
  return Math.min(cores, DEFAULT_MAX_WORKERS, options.plan.probe.concurrency);
}

function countTasks(probes: readonly Probe[], input: TaskInput, done: DoneTasks): { total: number; done: number } {
  let total = 0;
  let finished = 0;
  for (const probe of probes) {
    for (const task of probe.tasks(input)) {
      total++;
      if (!done.empty && done.has(task.probe, task.target)) finished++;
    }
  }
  return { total, done: finished };
}

/**
 * Runs one scan from one vantage into a scan file (DESIGN "Observations, scans
 * and reports", "Resume"):
 * 1. resolve the plan's names (their `dns` observations go into shard 0's file);
 * 2. plan the tasks of every probe of this vantage, skipping those a resumed
 *    file already has;
 * 3. probe under the plan's concurrency and rate, through the scope-guarded
 *    dialer, writing each observation as it completes;
 * 4. write the end line with the counts by outcome.
 *
 * A large scan (4,096 tasks or more) probes on one thread per core, up to 4
 * (`workers` overrides): this thread and worker threads each take a part of
 * this shard (a finer shard), with its own scope guard and its share of the
 * concurrency and rate; this thread alone writes the file, in order of
 * completion. Everything below holds the same either way.
 *
 * Interrupted (signal): everything finished is in the file, there is no end
 * line, `interrupted` is true, and `resume` continues it. Resume appends in
 * place: the header and every complete line are kept verbatim, a torn last
 * line is cut, the plan digest must match the header's (Port25Error
 * DIGEST_MISMATCH), and a file that already ended is left alone
 * (`alreadyEnded`). A plan with nothing to probe from the vantage is refused
 * with Port25Error NOTHING_TO_PROBE saying what to add.
 *
 * @example
 * ```ts
 * const { plan, digest } = await loadPlan('plan.yaml');
 * const summary = await runScan({ plan, digest, vantage: { kind: 'outside', label: 'lab', host: 'lab' },
 *   shard: { index: 0, count: 1 }, out: 'scan.ndjson', signal });
 * ```
 */
export async function runScan(options: RunScanOptions): Promise<ScanSummary> {
  // One signal for the scan's own use: every in-flight dial listens to it, so it may have thousands of listeners.
  const scanAbort = new AbortController();
  setMaxListeners(0, scanAbort.signal);
  const signal = scanAbort.signal;
  const stopScan = (): void => scanAbort.abort();
  if (options.signal?.aborted) scanAbort.abort();
  else options.signal?.addEventListener('abort', stopScan, { once: true });
  try {
    return await scan(options, signal);
  } finally {
    options.signal?.removeEventListener('abort', stopScan);
  }
}

async function scan(options: RunScanOptions, signal: AbortSignal): Promise<ScanSummary> {
  const { plan, digest, out } = options;
  const now = options.now ?? (() => new Date());
  const kind = options.vantage.kind;
  const shard = options.shard;

  let resumeState: ResumeState | null = null;
  if (options.resume) {
    if (!existsSync(out)) {
      throw new Port25Error('USAGE', `${out} does not exist: there is no scan to resume`, [`start a new scan with --out ${out}`]);
    }
    resumeState = await readResumeState(out, options.onWarning);
    const header = resumeState.header;
    if (header.planDigest !== digest) {
      throw new Port25Error('DIGEST_MISMATCH', `${out}: the scan was made with another plan (${header.planDigest}, the plan given is ${digest})`, [
        `resume ${out} with the plan it was started with, or start a new scan file`,
      ]);
    }
    if (header.vantage.kind !== kind || header.shard.index !== shard.index || header.shard.count !== shard.count) {
      throw new Port25Error(
        'USAGE',
        `${out}: the scan is from the ${header.vantage.kind} vantage, shard ${header.shard.index}/${header.shard.count}; it cannot be resumed as ${kind}, shard ${shard.index}/${shard.count}`,
        [`resume with --vantage ${header.vantage.kind}${header.shard.count > 1 ? ` --shard ${header.shard.index}/${header.shard.count}` : ''}`],
      );
    }
    if (resumeState.ended) {
      return {
        file: out,
        interrupted: false,
        alreadyEnded: true,
        resumed: false,
        counts: resumeState.counts,
        written: 0,
        kept: resumeState.observations,
        workers: 0,
      };
    }
  }

  const resolved = await (options.resolve ?? ((p, v) => resolveNames(p, { vantage: v, now })))(plan, kind);
  // A resumed scan keeps the addresses it started with: names it already resolved are not looked up anew.
  const recorded = new Set(resumeState?.dns.map((observation) => observation.name) ?? []);
  const freshDns = resolved.observations.filter((observation) => !recorded.has(observation.name));
  const names: NameTable =
    resumeState === null || resumeState.dns.length === 0 ? resolved.names : nameTableOf([...freshDns, ...resumeState.dns]);

  const probes = probesFor(kind);
  const input: TaskInput = { plan, vantage: kind, names, shard };
  const lookedUp = resolved.observations.length > 0 || (resumeState?.dns.length ?? 0) > 0;
  if (!lookedUp && !hasTask(probes, { ...input, shard: { index: 0, count: 1 } })) throw nothingToProbe(kind);

  const done = resumeState?.done ?? DoneTasks.NONE;
  const workers = chooseWorkers(options, () => atLeastTasks(probes, input, done, PARALLEL_FROM_TASKS));
  const counts: Record<string, number> = { ...resumeState?.counts };
  let writer: ScanFileWriter;
  if (resumeState !== null) {
    cutTornTail(out, resumeState.validEnd);
    writer = ScanFileWriter.append(out);
  } else {
    const header: ScanHeader = {
      type: 'scan',
      schemaVersion: 1,
      tool: TOOL,
      plan,
      planDigest: digest,
      vantage: options.vantage,
      shard: { index: shard.index, count: shard.count },
      startedAt: now().toISOString(),
    };
    writer = ScanFileWriter.create(out, header);
  }

  let written = 0;
  try {
    // DNS is resolved by every shard (for its scope) but recorded once, in shard 0, like every task outside the sample.
    if (shard.index === 0) {
      for (const observation of freshDns) {
        writer.write(observation);
        countOutcomes(counts, observation.outcome);
        written++;
      }
    }

    const progress = options.onProgress;
    const planned = progress ? countTasks(probes, input, done) : { total: 0, done: 0 };
    let finished = planned.done;
    let probed = 0;
    const started = performance.now();
    let reported = 0;
    const report = (): void => {
      const seconds = (performance.now() - started) / 1000;
      progress?.({ done: finished, total: planned.total, open: counts['open'] ?? 0, rate: seconds > 0 ? probed / seconds : 0 });
    };

    const tick = (): void => {
      if (progress && performance.now() - reported >= PROGRESS_INTERVAL_MS) {
        reported = performance.now();
        report();
      }
    };

    const record = (observation: Observation): void => {
      writer.write(observation);
      countOutcomes(counts, observation.outcome);
      written++;
      probed++;
      finished++;
      tick();
    };
    const { concurrency, rate } = plan.probe;
    if (workers > 1) {
      // This thread probes part 0 of the shard (with the plan's named targets, if any), a worker thread each other part.
      const shares = shareOut(concurrency, workers);
      const partRate = rate > 0 ? rate / workers : 0;
      // Stops both sides: the scan's interrupt, or the first failure on either side.
      const stop = new AbortController();
      setMaxListeners(0, stop.signal);
      const onInterrupt = (): void => stop.abort();
      if (signal.aborted) stop.abort();
      else signal.addEventListener('abort', onInterrupt, { once: true });
      let failure: { error: unknown } | null = null;
      const settle = (work: Promise<void>): Promise<void> =>
        work.catch((error: unknown) => {
          failure ??= { error };
          stop.abort();
        });
      const setup = { plan, vantage: kind, names: [...names], shard, done: done.share() };
      const probesOf = (part: TaskInput['shard']): ProbeId[] =>
        probes.filter((probe) => hasTask([probe], { ...input, shard: part })).map((probe) => probe.id);
      const parts = shares.slice(1).map((share, i) => ({ part: i + 1, concurrency: share, rate: partRate }));
      try {
        await Promise.all([
          settle(
            runInWorkers({ split: workers, parts, signal: stop.signal, setup, probesOf }, (batch) => {
              writer.writeLines(batch.lines);
              for (const outcome in batch.outcomes) counts[outcome] = (counts[outcome] ?? 0) + batch.outcomes[outcome]!;
              written += batch.count;
              probed += batch.count;
              finished += batch.count;
              tick();
            }),
          ),
          settle(
            probeHere(pendingTasks(probes, { ...input, shard: splitShard(shard, workers, 0) }, done), {
              probes,
              ctx: { plan, vantage: kind, dial: guardDialer(tcpDialer(), createScope(plan, names)), now, signal: stop.signal },
              concurrency: shares[0]!,
              rate: partRate,
              record,
            }),
          ),
        ]);
      } finally {
        signal.removeEventListener('abort', onInterrupt);
      }
      if (failure !== null) throw (failure as { error: unknown }).error;
    } else {
      const dial = guardDialer(options.dialer ?? tcpDialer(), createScope(plan, names));
      const ctx: ProbeContext = { plan, vantage: kind, dial, now, signal };
      await probeHere(pendingTasks(probes, input, done), { probes, ctx, concurrency, rate, record });
    }
    if (progress) report();

    const interrupted = signal.aborted;
    if (!interrupted) writer.end({ type: 'end', finishedAt: now().toISOString(), counts });
    writer.close();
    return {
      file: out,
      interrupted,
      alreadyEnded: false,
      resumed: resumeState !== null,
      counts,
      written,
      kept: resumeState?.observations ?? 0,
      workers,
    };
  } catch (error) {
    try {
      writer.close();
    } catch {
      // the first error is the one to report
    }
    if (error instanceof Port25Error) throw error;
    throw new Port25Error('RUNTIME', `scan into ${out} failed: ${error instanceof Error ? error.message : String(error)}`, [
      `${out} keeps every finished probe; continue it with --resume ${out}`,
    ], { cause: error });
  }
}
