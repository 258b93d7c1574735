import { isIP } from 'node:net';
import type { Canary, TcpObservation } from '../model.js';
import { addressesOf } from '../net/resolve.js';
import { observeRoutedTcp } from '../net/route.js';
import { readSmtpFingerprint } from '../net/smtp-fingerprint.js';
import type { OpenPortReader } from '../net/tcp-observation.js';
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
 * The canary probes' reader: the greeting and, after a complete 220, the reply
 * to `EHLO ehloName`, both within the one deadline it is given; then QUIT.
 * A proxy may pass the canary's greeting through, but the EHLO reply names
 * whoever really speaks SMTP (RFC 5321 §4.1.1.1). Never MAIL, RCPT or DATA.
 *
 * @example
 * ```ts
 * await observeRoutedTcp('outbound-smtp', task, ctx, canaryReader(ctx.plan.probe.ehloName));
 * ```
 */
export function canaryReader(ehloName: string): OpenPortReader {
  return async (socket, limits) => {
    const { banner, ehlo } = await readSmtpFingerprint(socket, ehloName, limits);
    return { banner, ehlo };
  };
}

/**
 * P5 from inside: can a customer reach an external MX canary (`external.mx`) on
 * its port (25 unless the plan remaps it)? When the connection opens, the
 * greeting and the EHLO reply are read ({@link canaryReader}) so a check can
 * tell the canary (`expect`) from a transparent redirection to the ISP's relay,
 * even one that passes the canary's greeting through. An address the vantage
 * has no route to (IPv6 on an IPv4-only line) is recorded with `route: 'none'`:
 * untested, never "blocked".
 */
export const outboundSmtpProbe: Probe = {
  id: 'outbound-smtp',
  vantages: ['inside'],
  tasks(input: TaskInput): Iterable<Task> {
    return canaryTasks('outbound-smtp', input.plan.external.mx, input);
  },
  run(task: Task, ctx: ProbeContext): Promise<TcpObservation> {
    return observeRoutedTcp('outbound-smtp', task, ctx, canaryReader(ctx.plan.probe.ehloName));
  },
};
