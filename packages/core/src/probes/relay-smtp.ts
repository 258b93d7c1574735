import { isIP } from 'node:net';
import type { Family, Plan, TcpObservation } from '../model.js';
import { observeRoutedTcp } from '../net/route.js';
import type { Probe, ProbeContext, Task, TaskInput } from './probe.js';

/**
 * The authorized relays that are single hosts: a bare address, or a /32 or
 * /128. A relay RANGE (`192.0.2.0/28`) is not probed host by host: it only
 * exempts its addresses from the inbound sample (P6), because an ISP's relay
 * pool says nothing about which of its addresses run a relay right now.
 */
export function singleRelayAddresses(plan: Plan): { address: string; family: Family }[] {
  const relays = new Map<string, Family>();
  for (const relay of plan.authorizedRelays) {
    const slash = relay.indexOf('/');
    const address = slash === -1 ? relay : relay.slice(0, slash);
    const family = isIP(address);
    if (family === 0) continue;
    const bits = slash === -1 ? null : relay.slice(slash + 1);
    if (bits !== null && bits !== (family === 4 ? '32' : '128')) continue;
    relays.set(address, family === 6 ? 'IPv6' : 'IPv4');
  }
  return [...relays].map(([address, family]) => ({ address, family }));
}

/**
 * P5 from inside (`P5.relay-reachable`: the ISP's own relay answers on 25) and
 * P6 from outside (`P6.authorized-exceptions`: a relay may receive on 25):
 * connect to each single-host authorized relay on `ports.smtp` and read its
 * greeting. These tasks are not part of the sample, so they go into shard 0
 * only: N shards never repeat them. A relay address the vantage has no route
 * to is recorded with `route: 'none'`.
 */
export const relaySmtpProbe: Probe = {
  id: 'relay-smtp',
  vantages: ['inside', 'outside'],
  *tasks({ plan, shard }: TaskInput): Iterable<Task> {
    if (shard.index !== 0) return;
    const port = plan.ports.smtp;
    for (const { address, family } of singleRelayAddresses(plan)) {
      yield { probe: 'relay-smtp', target: { host: null, address, port, family } };
    }
  },
  run(task: Task, ctx: ProbeContext): Promise<TcpObservation> {
    return observeRoutedTcp('relay-smtp', task, ctx);
  },
};
