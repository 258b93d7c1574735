/**
 * What every practice file receives, and the few builders they share so that
 * every result names its check, vantage, target and message the same way.
 */
import type {
  CheckResult,
  DnsObservation,
  Evidence,
  Observation,
  Plan,
  ProbeId,
  Status,
  TcpObservation,
  VantageKind,
} from '../model.js';
import { checkDefinition, type CheckId } from './catalogue.js';
import type { InboundAggregate } from './inbound.js';
import { summarize, type MessageId, type MessageParams } from './messages.js';
import { sameHost } from './target-label.js';

/** The facts a practice is judged on. */
export interface CheckInput {
  plan: Plan;
  /** Every observation except `inbound-smtp`, which arrives folded into `inbound`. */
  observations: readonly Observation[];
  inbound: InboundAggregate;
  /** The vantage kinds that were scanned (a scan file of that kind was given). */
  vantages: readonly VantageKind[];
  /**
   * Addresses in P6 scope (dynamic ranges and hosts, minus exclusions and relays), so P6 can tell a
   * census from a sample; computed from the plan when left out, null when unknown.
   */
  universe?: bigint | number | null;
}

/** A practice file: pure, observations and plan in, results out. */
export type PracticeCheck = (input: CheckInput) => CheckResult[];

/** Where a result points: a label, and for per-address results the address fields. */
export type ResultTarget = Pick<CheckResult, 'target' | 'address' | 'port' | 'family'>;

/**
 * A result of check `id` with its summary taken from the message table.
 *
 * @example
 * result('P3.outbound-587', 'pass', targetFields(observation.target), 'p3.reached', { port: 587 }, evidence)
 */
export function result(
  id: CheckId,
  status: Status,
  where: ResultTarget,
  messageId: MessageId,
  params: MessageParams,
  evidence: Evidence,
): CheckResult {
  const { address, port, family, target } = where;
  return {
    id,
    target,
    vantage: checkDefinition(id).vantage,
    status,
    ...summarize(messageId, params),
    evidence,
    ...(address === undefined ? {} : { address }),
    ...(port === undefined ? {} : { port }),
    ...(family === undefined ? {} : { family }),
  };
}

/** A `skip` result: the check was not tested, for the reason the message gives. */
export function skipped(id: CheckId, where: ResultTarget, messageId: MessageId, params: MessageParams = {}): CheckResult {
  return result(id, 'skip', where, messageId, params, { reason: summarize(messageId, params).summary });
}

/** True for the TCP observations of one probe from one vantage. */
function isTcpObservation(observation: Observation, probe: ProbeId, vantage: VantageKind): observation is TcpObservation {
  return observation.probe === probe && observation.vantage === vantage;
}

/** The TCP observations of one probe seen from one vantage, in scan order. */
export function tcpObservations(input: CheckInput, probe: TcpObservation['probe'], vantage: VantageKind): TcpObservation[] {
  return input.observations.filter((observation) => isTcpObservation(observation, probe, vantage));
}

/** The resolution of a plan name as recorded from a vantage, the last one when the name was resolved more than once. */
export function dnsObservation(input: CheckInput, name: string, vantage: VantageKind): DnsObservation | null {
  let found: DnsObservation | null = null;
  for (const observation of input.observations) {
    if (observation.probe !== 'dns' || observation.vantage !== vantage) continue;
    const dns = observation as DnsObservation;
    if (typeof dns.name === 'string' && sameHost(dns.name, name)) found = dns;
  }
  return found;
}

/** Evidence every TCP-level result shows: what the connection did and what the peer said first. */
export function tcpEvidence(observation: TcpObservation): Evidence {
  const banner = observation.banner ?? null;
  return {
    outcome: observation.outcome,
    ms: observation.ms,
    startedAt: observation.startedAt,
    ...(observation.errorCode === undefined ? {} : { errorCode: observation.errorCode }),
    greeting: banner?.text ?? null,
    ...(banner === null ? {} : { greetingCode: banner.code, greetingTruncated: banner.truncated }),
  };
}

