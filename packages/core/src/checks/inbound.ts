/**
 * The P6 view of the outside scan of the dynamic ranges, folded one
 * observation at a time so that a sample of millions of hosts aggregates in
 * bounded memory: counts by outcome plus the lowest open hosts by address, capped.
 */
import type { Family, Observation, TcpObservation, TcpOutcome } from '../model.js';
import { byAddress } from './target-label.js';

/** An open host as P6 lists it. */
export interface OpenHost {
  address: string;
  port: number;
  family: Family;
  /** The banner it sent (bounded to {@link GREETING_LIMIT} characters), or null when none came. */
  greeting: string | null;
}

/** Counts and open hosts of every `inbound-smtp` observation seen from outside. */
export interface InboundAggregate {
  counts: Record<TcpOutcome, number>;
  /** Observations folded in (sampled hosts probed). */
  total: number;
  /** Hosts that accepted the connection, all of them, even past the cap. */
  openTotal: number;
  /**
   * The `cap` open hosts with the lowest addresses, in address order: the same list whatever
   * order the probes finished in, so threaded, sharded and resumed scans report alike.
   */
  openHosts: readonly OpenHost[];
  cap: number;
}

/** How many open hosts the evidence lists by default; `openTotal` keeps the full count. */
export const OPEN_HOSTS_CAP = 100;
/** Longest greeting kept per open host, so the capped list stays small whatever a host sent. */
export const GREETING_LIMIT = 512;

/**
 * An aggregate with nothing in it.
 *
 * @example
 * const inbound = emptyInbound(); // cap 100
 */
export function emptyInbound(cap: number = OPEN_HOSTS_CAP): InboundAggregate {
  if (!Number.isSafeInteger(cap) || cap < 0) throw new RangeError(`open host cap must be an integer >= 0, got ${cap}`);
  return { counts: { open: 0, closed: 0, filtered: 0, unreachable: 0, error: 0 }, total: 0, openTotal: 0, openHosts: [], cap };
}

/** True for the observations P6 aggregates: `inbound-smtp` from the outside vantage. */
export function isInboundObservation(observation: Observation): observation is TcpObservation {
  return observation.probe === 'inbound-smtp';
}

/**
 * Folds one observation into the aggregate and returns the new aggregate (the
 * input is not changed). Observations other than outside `inbound-smtp` are
 * ignored: seen from inside, a dynamic host's port 25 says nothing about the border.
 *
 * @example
 * let inbound = emptyInbound();
 * for await (const observation of observations) inbound = addInbound(inbound, observation);
 */
export function addInbound(aggregate: InboundAggregate, observation: Observation): InboundAggregate {
  if (!isInboundObservation(observation) || observation.vantage !== 'outside') return aggregate;
  const outcome = observation.outcome;
  if (!Object.hasOwn(aggregate.counts, outcome)) return aggregate;
  const counts = { ...aggregate.counts, [outcome]: aggregate.counts[outcome] + 1 };
  if (outcome !== 'open') return { ...aggregate, counts, total: aggregate.total + 1 };
  const openHosts = keepLowest(aggregate.openHosts, openHostOf(observation), aggregate.cap);
  return { ...aggregate, counts, total: aggregate.total + 1, openTotal: aggregate.openTotal + 1, openHosts };
}

/** Inserts `host` in address order and keeps the first `cap`. */
function keepLowest(hosts: readonly OpenHost[], host: OpenHost, cap: number): readonly OpenHost[] {
  const full = hosts.length >= cap;
  if (cap === 0 || (full && byAddress(host, hosts[hosts.length - 1]!) >= 0)) return hosts;
  let at = hosts.length;
  while (at > 0 && byAddress(host, hosts[at - 1]!) < 0) at -= 1;
  const kept = [...hosts.slice(0, at), host, ...hosts.slice(at)];
  return full ? kept.slice(0, cap) : kept;
}

function openHostOf(observation: TcpObservation): OpenHost {
  const text = observation.banner?.text ?? null;
  return {
    address: observation.target.address,
    port: observation.target.port,
    family: observation.target.family,
    greeting: text === null ? null : text.slice(0, GREETING_LIMIT),
  };
}
