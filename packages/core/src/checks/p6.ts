/**
 * P6 — block inbound port-25 traffic to the network (MAAWG practice 6).
 * Judged from outside over the sample of the dynamic ranges: one aggregate
 * result with the counts, the open hosts and a 95% upper bound on the open
 * fraction; plus the authorized relays inside those ranges, which are expected open.
 */
import type { CheckResult, Family, Plan, TcpObservation } from '../model.js';
import { formatAddress, parseRange, rangeContains, sampleSize, type AddressRange } from '../targets/index.js';
import { result, skipped, tcpEvidence, tcpObservations, type CheckInput, type PracticeCheck } from './check-input.js';
import { inboundBound } from './confidence.js';
import { scopeAddressCount } from './scope-size.js';
import { byAddress, hostPort, sameHost, targetFields } from './target-label.js';

const BLOCKED = 'P6.inbound-25-blocked';
const EXCEPTIONS = 'P6.authorized-exceptions';
/** Ranges named in a P6 target label before the rest is counted. */
const LABEL_RANGES = 3;

/**
 * P6.inbound-25-blocked and P6.authorized-exceptions.
 *
 * @example
 * checkP6({ plan, observations, inbound, vantages: ['outside'], universe: 256n })
 */
export const checkP6: PracticeCheck = (input: CheckInput): CheckResult[] => [
  inboundBlocked(input),
  ...authorizedExceptions(input),
];

function inboundBlocked(input: CheckInput): CheckResult {
  const { scope, ports } = input.plan;
  const port = ports.smtp;
  const ranges = [...scope.dynamic, ...scope.hosts];
  const shown = ranges.slice(0, LABEL_RANGES).join(', ');
  const family = scopeFamily(ranges);
  const where = {
    target: ranges.length > LABEL_RANGES ? `${shown} (+${ranges.length - LABEL_RANGES} more)` : shown,
    port,
    ...(family === null ? {} : { family }),
  };
  if (ranges.length === 0) return skipped(BLOCKED, { target: 'scope.dynamic', port }, 'skip.plan-missing', { field: 'scope.dynamic' });
  if (!input.vantages.includes('outside')) return skipped(BLOCKED, where, 'skip.no-vantage-scan', { vantage: 'outside' });
  const { counts, total, openTotal, openHosts } = input.inbound;
  if (total === 0) return skipped(BLOCKED, where, 'skip.no-observation', { probe: 'inbound-smtp', target: where.target });

  // Hosts whose probe errored say nothing about the border: the bound is over the others.
  const tested = total - counts.error;
  const universe = input.universe === undefined ? scopeAddressCount(input.plan) : input.universe;
  const bound = inboundBound({ open: counts.open, tested, universe });
  const evidence = {
    counts: { ...counts },
    sampleSize: total,
    plannedSampleSize: jsonCount(sampleSize(input.plan)),
    tested,
    openHosts: openHosts.map((host) => ({ ...host })),
    openTotal,
    openHostsTruncated: openTotal > openHosts.length,
    upperBound95: bound.upperBound95,
    census: bound.census,
    boundNote: bound.note,
    universe: universe === null ? null : jsonCount(universe),
    ...sparseIPv6Note(input.plan),
  };
  if (openTotal > 0) return result(BLOCKED, 'fail', where, 'p6.open', { open: openTotal, sampled: total, port }, evidence);
  if (tested === 0) return result(BLOCKED, 'error', where, 'p6.all-error', { sampled: total }, evidence);
  if (bound.census) return result(BLOCKED, 'pass', where, 'p6.none-open-census', { sampled: total, port }, evidence);
  const upperBoundPercent = Number(((bound.upperBound95 ?? 1) * 100).toPrecision(3));
  return result(BLOCKED, 'pass', where, 'p6.none-open', { sampled: total, port, upperBoundPercent }, evidence);
}

function authorizedExceptions(input: CheckInput): CheckResult[] {
  const { authorizedRelays, scope, ports } = input.plan;
  const port = ports.smtp;
  const label = { target: authorizedRelays.join(', ') || 'authorizedRelays', port };
  if (authorizedRelays.length === 0) return [skipped(EXCEPTIONS, label, 'skip.plan-missing', { field: 'authorizedRelays' })];
  const dynamic = parsedRanges(scope.dynamic).map(({ range }) => range);
  const relaysInDynamic = parsedRanges(authorizedRelays).filter(({ range: relay }) =>
    dynamic.some((range) => rangesOverlap(relay, range)),
  );
  if (relaysInDynamic.length === 0) return [skipped(EXCEPTIONS, label, 'skip.no-relay-in-dynamic')];
  const inLabel = { target: relaysInDynamic.map(({ entry }) => entry).join(', '), port };
  if (!input.vantages.includes('outside')) return [skipped(EXCEPTIONS, inLabel, 'skip.no-vantage-scan', { vantage: 'outside' })];

  const observations = tcpObservations(input, 'relay-smtp', 'outside')
    .filter(
      (observation) =>
        dynamic.some((range) => rangeContains(range, observation.target.address)) &&
        relaysInDynamic.some(({ range }) => rangeContains(range, observation.target.address)),
    )
    .sort((a, b) => byAddress(a.target, b.target));
  const results = observations.map(judgeException);
  // A relay named as one address must have been probed; a relay range is judged by what was probed in it.
  for (const { range } of relaysInDynamic) {
    if (range.first !== range.last) continue;
    const address = formatAddress(range.family, range.first);
    if (observations.some((observation) => sameHost(observation.target.address, address))) continue;
    const target = hostPort(address, port);
    const where = { target, address, port, family: range.family };
    results.push(skipped(EXCEPTIONS, where, 'skip.no-observation', { probe: 'relay-smtp', target }));
  }
  if (results.length === 0) {
    results.push(skipped(EXCEPTIONS, inLabel, 'skip.no-observation', { probe: 'relay-smtp', target: inLabel.target }));
  }
  return results;
}

function judgeException(observation: TcpObservation): CheckResult {
  const where = targetFields(observation.target);
  const port = observation.target.port;
  if (observation.route === 'none') return skipped(EXCEPTIONS, where, 'skip.no-route', { family: observation.target.family });
  const evidence = tcpEvidence(observation);
  if (observation.outcome === 'open') return result(EXCEPTIONS, 'pass', where, 'p6.relay-open', { port }, evidence);
  if (observation.outcome === 'error') {
    return result(EXCEPTIONS, 'error', where, 'error.probe', { code: observation.errorCode ?? 'unknown' }, evidence);
  }
  return result(EXCEPTIONS, 'warn', where, 'p6.relay-not-open', { port, outcome: observation.outcome }, evidence);
}

/** The one family of every scope entry, or null when the scope mixes IPv4 and IPv6. */
function scopeFamily(entries: readonly string[]): Family | null {
  const families = new Set(parsedRanges(entries).map(({ range }) => range.family));
  return families.size === 1 ? [...families][0]! : null;
}

/**
 * An IPv6 range larger than the sample is drawn from at random, but its hosts
 * are sparse (a customer's /64 holds 2^64 addresses and a few hosts, RFC 7707 §3):
 * the bound is on addresses, and only a hit list in `scope.hosts` finds hosts.
 */
function sparseIPv6Note(plan: Plan): { ipv6Note?: string } {
  const sampled = BigInt(plan.sample.size);
  const sparse = parsedRanges(plan.scope.dynamic).filter(({ range }) => range.family === 'IPv6' && range.last - range.first + 1n > sampled);
  if (sparse.length === 0) return {};
  const hitList = parsedRanges(plan.scope.hosts).filter(({ range }) => range.family === 'IPv6').length;
  const ranges = sparse.map(({ entry }) => entry).join(', ');
  return {
    ipv6Note:
      hitList > 0
        ? `${ranges} sampled at random: the bound counts addresses, not hosts; the ${hitList} IPv6 address(es) of scope.hosts were probed as a hit list`
        : `${ranges} sampled at random: IPv6 hosts are too sparse for a random sample to find them; list known customer IPv6 addresses in scope.hosts as a hit list`,
  };
}

/** Plan entries with their ranges; an entry that does not parse was refused by the plan validator already. */
function parsedRanges(entries: readonly string[]): { entry: string; range: AddressRange }[] {
  return entries.flatMap((entry) => {
    const range = parseRange(entry);
    return range === null ? [] : [{ entry, range }];
  });
}

/** CIDR ranges either nest or are disjoint: they overlap when one holds the other's first address. */
function rangesOverlap(a: AddressRange, b: AddressRange): boolean {
  return a.family === b.family && a.first <= b.last && b.first <= a.last;
}

/** A count as JSON: a number while exact, else its decimal string (an IPv6 range has more than 2^53 addresses). */
function jsonCount(count: bigint | number): number | string {
  const big = BigInt(count);
  return big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big.toString();
}
