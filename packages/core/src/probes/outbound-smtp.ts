import { isIP } from 'node:net';
import type { Canary, TcpObservation } from '../model.js';
import { addressesOf } from '../net/resolve.js';
import { observeRoutedTcp } from '../net/route.js';
import type { NameTable, Probe, ProbeContext, Task, TaskInput } from './probe.js';

/**
 * One task per address of each canary: a name with several addresses (IPv4
 * and IPv6) is tried on each, since an IPv6 leak is a finding of its own.
 * A name that did not resolve gives no task (its `dns` observation is the
 * evidence). Canaries are not part of the sample: shard 0 only.
 */
export function* canaryTasks(probe: 'outbound-smtp' | 'outbound-submission', canaries: readonly Canary[], input: TaskInput): Iterable<Task> {
  if (input.vantage !== 'inside' || input.shard.index !== 0) return;
  for (const canary of canaries) yield* canaryAddresses(probe, canary, input.names);
}

function* canaryAddresses(probe: 'outbound-smtp' | 'outbound-submission', canary: Canary, names: NameTable): Iterable<Task> {
  const host = isIP(canary.host) === 0 ? canary.host : null;
  for (const { address, family } of addressesOf(canary.host, names)) {
    yield { probe, target: { host, address, port: canary.port, family }, expect: canary.expect };
  }
}

/**
 * P5 from inside: can a customer reach an external MX canary (`external.mx`) on
 * its port (25 unless the plan remaps it)? When the connection opens, the
 * greeting is read so a check can tell the canary (`expect`) from a transparent
 * redirection to the ISP's relay. Nothing is sent. An address the vantage has
 * no route to (IPv6 on an IPv4-only line) is recorded with `route: 'none'`:
 * untested, never "blocked".
 */
export const outboundSmtpProbe: Probe = {
  id: 'outbound-smtp',
  vantages: ['inside'],
  tasks(input: TaskInput): Iterable<Task> {
    return canaryTasks('outbound-smtp', input.plan.external.mx, input);
  },
  run(task: Task, ctx: ProbeContext): Promise<TcpObservation> {
    return observeRoutedTcp('outbound-smtp', task, ctx);
  },
};
