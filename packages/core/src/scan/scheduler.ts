import pLimit from 'p-limit';
import { unwatchAbort, watchAbort } from '../net/abort-watch.js';

export interface ScheduleOptions {
  /** Workers running at once (at least 1). */
  concurrency: number;
  /** Workers started per second, i.e. new connections/s; 0 = no limit. */
  rate: number;
  /** Stops pulling tasks; running workers finish (or abort on the same signal). */
  signal?: AbortSignal | undefined;
}

/**
 * Token bucket as a virtual schedule (GCRA): each start reserves the next slot
 * `1/rate` s after the previous one, with a burst of up to `burst` starts when
 * the schedule has fallen behind. Reservation is synchronous, so concurrent
 * callers never race for a token.
 */
export class StartRate {
  private readonly intervalMs: number;
  private readonly toleranceMs: number;
  /** When the next start is due on the ideal schedule (performance.now() ms). */
  private due = 0;

  constructor(rate: number, burst = Math.max(1, Math.ceil(rate / 50))) {
    this.intervalMs = 1000 / rate;
    // Timers fire at ms granularity: at high rates a small burst keeps the average without sub-ms sleeps.
    this.toleranceMs = (burst - 1) * this.intervalMs;
  }

  /** Milliseconds to wait before this start; reserves its slot. */
  reserve(): number {
    const now = performance.now();
    if (this.due < now) this.due = now;
    const wait = this.due - this.toleranceMs - now;
    this.due += this.intervalMs;
    return wait > 0 ? wait : 0;
  }
}

/** What every queued start checks first: once stopped (abort or error), queued tasks never start. */
interface RunState {
  stopped: boolean;
  readonly signal: AbortSignal | undefined;
  readonly rate: StartRate | null;
}

/** Waits `ms`; resolves false at once if the signal fires first. One shared abort listener per signal (see abort-watch). */
function delay(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise<boolean>((resolve) => {
    const waiter = {
      timer: setTimeout(() => {
        if (signal !== undefined) unwatchAbort(signal, waiter);
        resolve(true);
      }, ms),
      onAbort(): void {
        clearTimeout(waiter.timer);
        resolve(false);
      },
    };
    if (signal !== undefined) watchAbort(signal, waiter);
  });
}

async function runOne<T>(task: T, state: RunState, worker: (task: T) => Promise<void>): Promise<void> {
  if (state.stopped || state.signal?.aborted) return;
  if (state.rate !== null) {
    const wait = state.rate.reserve();
    // Aborted while waiting for its slot: it never starts.
    if (wait >= 1 && (!(await delay(wait, state.signal)) || state.stopped)) return;
  }
  await worker(task);
}

/**
 * Runs `worker` over `tasks` with at most `concurrency` running at once (p-limit)
 * and at most `rate` starts per second. The iterable is pulled lazily: no more
 * than `concurrency` tasks wait beside the running ones, so a million-task
 * sample never materializes. On abort it stops pulling and starting; running
 * workers finish (they see the same signal). Resolves when every started
 * worker has settled; rejects with the first error of a worker or of the
 * iterable, after the others settled, and pulls no more after an error.
 *
 * @example
 * ```ts
 * await runTasks(tasks, { concurrency: 256, rate: 1000, signal }, async (task) => {
 *   write(await probe.run(task, ctx));
 * });
 * ```
 */
export async function runTasks<T>(
  tasks: Iterable<T>,
  options: ScheduleOptions,
  worker: (task: T) => Promise<void>,
): Promise<void> {
  const concurrency = Math.max(1, Math.floor(options.concurrency));
  const signal = options.signal;
  const limit = pLimit(concurrency);
  const state: RunState = { stopped: false, signal, rate: options.rate > 0 ? new StartRate(options.rate) : null };
  let failure: { error: unknown } | null = null;
  /** Tasks handed to p-limit and not yet settled (running or queued); counted here, not read from p-limit, so no wake-up is ever missed. */
  let inFlight = 0;
  let wake: (() => void) | null = null;

  const notify = (): void => {
    if (wake !== null) {
      const resume = wake;
      wake = null;
      resume();
    }
  };
  const onSettled = (): void => {
    inFlight--;
    notify();
  };
  const onFailed = (error: unknown): void => {
    failure ??= { error };
    state.stopped = true;
    onSettled();
  };
  const onAbort = (): void => notify();
  signal?.addEventListener('abort', onAbort, { once: true });

  try {
    const iterator = tasks[Symbol.iterator]();
    try {
      while (!state.stopped && !signal?.aborted) {
        if (inFlight >= 2 * concurrency) {
          // Back-pressure: at most `concurrency` queued beside the running ones.
          await new Promise<void>((resolve) => (wake = resolve));
          continue;
        }
        const next = iterator.next();
        if (next.done === true) break;
        inFlight++;
        limit(runOne<T>, next.value, state, worker).then(onSettled, onFailed);
      }
    } catch (error) {
      failure ??= { error };
      state.stopped = true;
    } finally {
      iterator.return?.();
    }
    while (inFlight > 0) await new Promise<void>((resolve) => (wake = resolve));
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  if (failure !== null) throw failure.error;
}
