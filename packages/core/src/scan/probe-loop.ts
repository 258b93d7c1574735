/**
 * The probing loop every thread of a scan runs, the main thread and each probe
 * worker alike: the tasks not yet done, under the scheduler, one observation each.
 */
import type { Observation, ProbeId } from '../model.js';
import { isAbortError } from '../net/tcp-observation.js';
import type { Probe, ProbeContext, Task, TaskInput } from '../probes/probe.js';
import type { DoneTasks } from './done-tasks.js';
import { runTasks } from './scheduler.js';

/** The tasks of `probes` that `done` (a resumed file) does not hold yet, lazily. */
export function* pendingTasks(probes: readonly Probe[], input: TaskInput, done: DoneTasks): Generator<Task> {
  for (const probe of probes) {
    for (const task of probe.tasks(input)) {
      if (done.empty || !done.has(task.probe, task.target)) yield task;
    }
  }
}

/**
 * Runs tasks on this thread under the scheduler, recording each observation; an interrupted
 * probe records nothing. The scheduler stops pulling tasks once `ctx.signal` aborts.
 */
export function probeHere(
  tasks: Iterable<Task>,
  options: { probes: readonly Probe[]; ctx: ProbeContext; concurrency: number; rate: number; record: (observation: Observation) => void },
): Promise<void> {
  const { ctx, record } = options;
  const byId = new Map<ProbeId, Probe>(options.probes.map((probe) => [probe.id, probe]));
  return runTasks(tasks, { concurrency: Math.max(1, options.concurrency), rate: options.rate, signal: ctx.signal }, async (task) => {
    let observation: Observation;
    try {
      observation = await byId.get(task.probe)!.run(task, ctx);
    } catch (error) {
      // Interrupted mid-probe: nothing observed, the task stays for the resume.
      if (ctx.signal.aborted && isAbortError(error)) return;
      throw error;
    }
    record(observation);
  });
}
