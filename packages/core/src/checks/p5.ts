/**
 * P5 — block port 25 from every host except authorized relays (MAAWG practice 5).
 * Judged from inside: the external MX canaries must not be reachable on port
 * 25, each address and family on its own (an IPv6 leak fails by itself), and
 * the authorized relays must still answer.
 */
import type { Canary, CheckResult, TcpObservation } from '../model.js';
import { formatAddress, parseRange } from '../targets/index.js';
import {
  canaryFindings,
  canaryVerdict,
  distinctCanaries,
  GREETING_PASSED_THROUGH,
  hasGreeting,
  triageCanary,
  type CanaryFinding,
} from './canary.js';
import { result, skipped, tcpEvidence, tcpObservations, type CheckInput, type PracticeCheck } from './check-input.js';
import { byAddress, hostPort, sameHost, targetFields } from './target-label.js';

const BLOCKED = 'P5.outbound-25-blocked';
const RELAY = 'P5.relay-reachable';

/**
 * P5.outbound-25-blocked and P5.relay-reachable.
 *
 * @example
 * checkP5({ plan, observations, inbound, vantages: ['inside'] })
 */
export const checkP5: PracticeCheck = (input: CheckInput): CheckResult[] => [
  ...outboundBlocked(input),
  ...relaysReachable(input),
];

function outboundBlocked(input: CheckInput): CheckResult[] {
  const canaries = distinctCanaries(input.plan.external.mx);
  if (canaries.length === 0) {
    return [skipped(BLOCKED, { target: 'external.mx' }, 'skip.plan-missing', { field: 'external.mx' })];
  }
  if (!input.vantages.includes('inside')) {
    return canaries.map((canary) =>
      skipped(BLOCKED, { target: hostPort(canary.host, canary.port), port: canary.port }, 'skip.no-vantage-scan', {
        vantage: 'inside',
      }),
    );
  }
  return canaries.flatMap((canary) =>
    canaryFindings(input, 'outbound-smtp', canary).map((finding) => judgeOutbound(finding, canary)),
  );
}

function judgeOutbound(finding: CanaryFinding, canary: Canary): CheckResult {
  const triaged = triageCanary(BLOCKED, 'outbound-smtp', finding, canary);
  if (!('observation' in triaged)) return triaged;
  const { observation, where, port, evidence } = triaged;
  if (observation.outcome !== 'open') {
    return result(BLOCKED, 'pass', where, 'p5.blocked', { port, outcome: observation.outcome }, evidence);
  }
  if (canary.expect === null) {
    const note = 'the port opened; whether the canary or an interceptor answered cannot be judged: no expect for an address';
    return result(BLOCKED, 'fail', where, 'p5.leak-unjudged', { port }, { ...evidence, note });
  }
  if (!hasGreeting(observation.banner)) {
    const note = 'something accepted the connection but sent no greeting: neither the canary nor a relay was confirmed';
    return result(BLOCKED, 'warn', where, 'p5.open-no-greeting', { port }, { ...evidence, note });
  }
  const verdict = canaryVerdict(observation, canary.expect);
  if (verdict.own) {
    return result(BLOCKED, 'fail', where, 'p5.leak', { port }, evidence);
  }
  // A greeting that is not the canary's, or the canary's passed through to a server that answers EHLO itself: the network redirects port 25 to a server of its own.
  const note = verdict.greeting
    ? GREETING_PASSED_THROUGH
    : "transparent redirection: 'expected' is the canary's greeting text, 'greeting' is what answered instead";
  return result(BLOCKED, 'warn', where, 'p5.redirected', { port }, { ...evidence, note });
}

function relaysReachable(input: CheckInput): CheckResult[] {
  const relays = input.plan.authorizedRelays;
  const port = input.plan.ports.smtp;
  const label = { target: relays.join(', ') || 'authorizedRelays', port };
  if (relays.length === 0) return [skipped(RELAY, label, 'skip.plan-missing', { field: 'authorizedRelays' })];
  if (!input.vantages.includes('inside')) return [skipped(RELAY, label, 'skip.no-vantage-scan', { vantage: 'inside' })];
  const observations = tcpObservations(input, 'relay-smtp', 'inside').sort((a, b) => byAddress(a.target, b.target));
  const results = observations.map(judgeRelay);
  // A relay named as one address must have been probed; a relay range is judged by what was probed in it.
  for (const relay of relays) {
    const range = parseRange(relay);
    if (range === null || range.first !== range.last) continue;
    const address = formatAddress(range.family, range.first);
    if (observations.some((observation) => sameHost(observation.target.address, address))) continue;
    const target = hostPort(address, port);
    const where = { target, address, port, family: range.family };
    results.push(skipped(RELAY, where, 'skip.no-observation', { probe: 'relay-smtp', target }));
  }
  if (results.length === 0) {
    results.push(skipped(RELAY, label, 'skip.no-observation', { probe: 'relay-smtp', target: label.target }));
  }
  return results;
}

function judgeRelay(observation: TcpObservation): CheckResult {
  const where = targetFields(observation.target);
  const port = observation.target.port;
  if (observation.route === 'none') return skipped(RELAY, where, 'skip.no-route', { family: observation.target.family });
  const evidence = tcpEvidence(observation);
  if (observation.outcome === 'error') {
    return result(RELAY, 'error', where, 'error.probe', { code: observation.errorCode ?? 'unknown' }, evidence);
  }
  if (observation.outcome !== 'open') {
    return result(RELAY, 'warn', where, 'p5.relay-unreachable', { port, outcome: observation.outcome }, evidence);
  }
  // RFC 5321 §4.2: 220 is the ready greeting; anything else is not a usable relay.
  if (observation.banner?.code === 220) return result(RELAY, 'pass', where, 'p5.relay-answers', { port }, evidence);
  return result(RELAY, 'warn', where, 'p5.relay-no-220', { port }, evidence);
}
