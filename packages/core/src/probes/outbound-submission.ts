import type { TcpObservation } from '../model.js';
import { observeRoutedTcp } from '../net/route.js';
import { canaryReader, canaryTasks } from './outbound-smtp.js';
import type { Probe, ProbeContext, Task, TaskInput } from './probe.js';

/**
 * P3 from inside: can a customer reach an external submission canary
 * (`external.submission`, RFC 6409 port 587 unless remapped) on each of its
 * addresses, and are the greeting and the EHLO reply the canary's own (not
 * intercepted)? Sends EHLO and QUIT only ({@link canaryReader}). Shard 0 only,
 * like every task outside the sample. An address the vantage has no route to
 * is recorded with `route: 'none'`.
 */
export const outboundSubmissionProbe: Probe = {
  id: 'outbound-submission',
  vantages: ['inside'],
  tasks(input: TaskInput): Iterable<Task> {
    return canaryTasks('outbound-submission', input.plan.external.submission, input);
  },
  run(task: Task, ctx: ProbeContext): Promise<TcpObservation> {
    return observeRoutedTcp('outbound-submission', task, ctx, canaryReader(ctx.plan.probe.ehloName));
  },
};
