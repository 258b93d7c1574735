import type { TcpObservation } from '../model.js';
import { observeRoutedTcp } from '../net/route.js';
import { sampleTargets } from '../targets/index.js';
import type { Probe, ProbeContext, Task, TaskInput } from './probe.js';

/**
 * P6 from outside: does a sampled host of the dynamic ranges accept a
 * connection on `ports.smtp`? One task per address of this shard's part of the
 * seeded sample (`scope.dynamic` and `scope.hosts`, minus `scope.exclude` and
 * the authorized relays, as sampleTargets draws it). When a host opens, its
 * greeting is read (bounded) and the connection dropped without a command.
 * An address the vantage has no route to (an IPv6 range seen from an
 * IPv4-only vantage) is an `error` with `route: 'none'`: it says nothing about
 * the border, so it never counts as a blocked host.
 */
export const inboundSmtpProbe: Probe = {
  id: 'inbound-smtp',
  vantages: ['outside'],
  *tasks({ plan, vantage, shard }: TaskInput): Iterable<Task> {
    if (vantage !== 'outside') return;
    const port = plan.ports.smtp;
    for (const { address, family } of sampleTargets(plan, shard)) {
      yield { probe: 'inbound-smtp', target: { host: null, address, port, family } };
    }
  },
  run(task: Task, ctx: ProbeContext): Promise<TcpObservation> {
    return observeRoutedTcp('inbound-smtp', task, ctx);
  },
};
