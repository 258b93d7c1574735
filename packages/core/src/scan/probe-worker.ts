/**
 * A probe worker: one thread of a parallel scan (see probe-pool.ts). It plans
 * its own part of the scan's tasks (a finer shard of the scan's shard),
 * skips those a resumed file holds, and runs the rest with runTasks, through
 * its own dialer under the plan's scope guard. Finished observations go to
 * the main thread as serialized scan-file lines, a few batches per second.
 */
import { setMaxListeners } from 'node:events';
import { parentPort, workerData } from 'node:worker_threads';
import type { Observation, ProbeId } from '../model.js';
import { guardDialer } from '../net/guard.js';
import { tcpDialer } from '../net/tcp.js';
import type { NameTable, Probe, ProbeContext, TaskInput } from '../probes/probe.js';
import { createScope } from '../targets/index.js';
import { DoneTasks } from './done-tasks.js';
import type { PoolReport, PoolStop, ProbeWorkerSetup } from './pool-messages.js';
import { pendingTasks, probeHere } from './probe-loop.js';

/**
 * How long finished observations wait at most before they are reported.
 * Fewer, larger reports cost the main thread (which probes its own part and
 * writes the file) less; a kill -9 loses at most this much work, which a
 * resume redoes.
 */
const REPORT_INTERVAL_MS = 20;
/** Lines held back at most before a report goes out at once. */
const REPORT_BYTES = 256 * 1024;

const port = parentPort;
if (port === null) throw new Error('probe-worker runs as a worker thread of a parallel scan (probe-pool.ts)');
const setup = workerData as ProbeWorkerSetup;

const interrupt = new AbortController();
// Every in-flight probe may watch this signal.
setMaxListeners(0, interrupt.signal);
const names: NameTable = new Map(setup.names);
// DESIGN "Scope is a promise": every worker guards its own dialer with the plan's scope.
const ctx: ProbeContext = {
  plan: setup.plan,
  vantage: setup.vantage,
  dial: guardDialer(tcpDialer(), createScope(setup.plan, names)),
  now: () => new Date(),
  signal: interrupt.signal,
};
/**
 * The probes of this worker's part. A part with only sampled hosts (every
 * worker's under runScan: the plan's single targets fall in part 0, the main
 * thread's) loads only their probe: the SMTP, TLS and certificate code of the
 * others weighs ~10 MB in every thread that loads it.
 */
async function loadProbes(ids: readonly ProbeId[]): Promise<Probe[]> {
  if (ids.length === 1 && ids[0] === 'inbound-smtp') return [(await import('../probes/inbound-smtp.js')).inboundSmtpProbe];
  const { probesFor } = await import('../probes/registry.js');
  return probesFor(setup.vantage).filter((probe) => ids.includes(probe.id));
}

const probes = await loadProbes(setup.probes);
const done = DoneTasks.fromShared(setup.done);

let lines = '';
let count = 0;
let outcomes: Record<string, number> = {};
let timer: NodeJS.Timeout | undefined;

function send(report: PoolReport): void {
  port!.postMessage(report);
}

function report(): void {
  if (timer !== undefined) clearTimeout(timer);
  timer = undefined;
  if (count === 0) return;
  send({ type: 'observations', lines, count, outcomes });
  lines = '';
  count = 0;
  outcomes = {};
}

function record(observation: Observation): void {
  lines += `${JSON.stringify(observation)}\n`;
  count++;
  outcomes[observation.outcome] = (outcomes[observation.outcome] ?? 0) + 1;
  if (lines.length >= REPORT_BYTES) report();
  else timer ??= setTimeout(report, REPORT_INTERVAL_MS);
}


function probeAll(): Promise<void> {
  const input: TaskInput = { plan: setup.plan, vantage: setup.vantage, names, shard: setup.shard };
  return probeHere(pendingTasks(probes, input, done), { probes, ctx, concurrency: setup.concurrency, rate: setup.rate, record });
}

port.on('message', (message: PoolStop) => {
  if (message.type === 'stop') interrupt.abort();
});

try {
  await probeAll();
  report();
  send({ type: 'finished' });
} catch (error) {
  report();
  const failure = error instanceof Error ? error : new Error(String(error));
  send({ type: 'failed', message: failure.message, stack: failure.stack });
}
