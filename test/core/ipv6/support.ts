/**
 * Plans, observations and probe contexts for the IPv6 tests: hand-built, so a
 * test names exactly the addresses, outcomes and routes it judges.
 */
import {
  addInbound,
  emptyInbound,
  normalizePlan,
  type CheckInput,
  type Connection,
  type DnsObservation,
  type Family,
  type Observation,
  type Plan,
  type ProbeContext,
  type TcpObservation,
  type TcpOutcome,
  type VantageKind,
} from '@port25-audit/core';

export const STARTED = '2025-03-01T10:00:00.000Z';

/** A normalized plan from a partial document (`version: 1` is added). */
export function plan(document: Record<string, unknown>): Plan {
  return normalizePlan({ version: 1, ...document }, 'ipv6-test.yaml');
}

export function familyOf(address: string): Family {
  return address.includes(':') ? 'IPv6' : 'IPv4';
}

/** A TCP observation as a probe writes it. */
export function tcp(
  probe: TcpObservation['probe'],
  vantage: VantageKind,
  target: { host?: string | null; address: string; port: number },
  outcome: TcpOutcome,
  extra: Partial<TcpObservation> = {},
): TcpObservation {
  return {
    type: 'observation',
    probe,
    target: { host: target.host ?? null, address: target.address, port: target.port, family: familyOf(target.address) },
    vantage,
    startedAt: STARTED,
    ms: 2,
    outcome,
    ...extra,
  };
}

/** What a probe records for an address the vantage has no route to. */
export function unrouted(probe: TcpObservation['probe'], vantage: VantageKind, target: { host?: string | null; address: string; port: number }): TcpObservation {
  return tcp(probe, vantage, target, 'error', { errorCode: 'ENETUNREACH', route: 'none' });
}

export function dns(name: string, vantage: VantageKind, addresses: string[]): DnsObservation {
  return {
    type: 'observation',
    probe: 'dns',
    target: { host: name, address: '', port: 0, family: 'IPv4' },
    vantage,
    startedAt: STARTED,
    ms: 1,
    outcome: 'resolved',
    name,
    addresses: addresses.map((address) => ({ address, family: familyOf(address) })),
  };
}

/** The input of a practice check: `inbound-smtp` observations are folded into the P6 aggregate, as the report does. */
export function checkInput(forPlan: Plan, observations: Observation[], vantages: VantageKind[]): CheckInput {
  let inbound = emptyInbound();
  for (const observation of observations) inbound = addInbound(inbound, observation);
  return { plan: forPlan, observations: observations.filter((observation) => observation.probe !== 'inbound-smtp'), inbound, vantages };
}

/** A probe context whose dialer answers from a script and whose route lookup is a stand-in that records its questions. */
export function scriptedContext(
  forPlan: Plan,
  vantage: VantageKind,
  dialed: Exclude<Connection, { outcome: 'open' }>,
  routed: boolean | null,
): { ctx: ProbeContext; asked: string[]; dials: string[]; abort: AbortController } {
  const asked: string[] = [];
  const dials: string[] = [];
  const abort = new AbortController();
  const ctx: ProbeContext = {
    plan: forPlan,
    vantage,
    signal: abort.signal,
    now: () => new Date(STARTED),
    dial: async (target) => {
      dials.push(`${target.address}:${target.port}`);
      return dialed;
    },
    ...(routed === null
      ? {}
      : {
          route: async (target) => {
            asked.push(`${target.family} ${target.address}:${target.port}`);
            return routed ? { routed: true } : { routed: false, errorCode: 'ENETUNREACH' };
          },
        }),
  };
  return { ctx, asked, dials, abort };
}
