/**
 * External canaries (plan `external.mx`, `external.submission`) seen from
 * inside: which observations belong to a canary, what is missing, and whether
 * the greeting and the EHLO reply are the canary's own.
 */
import type { Banner, Canary, CheckResult, DnsObservation, Evidence, TcpObservation } from '../model.js';
import { canaryFingerprint, ehloDomainOf } from '../net/smtp-fingerprint.js';
import { dnsObservation, result, skipped, tcpEvidence, tcpObservations, type CheckInput, type ResultTarget } from './check-input.js';
import type { CheckId } from './catalogue.js';
import { byAddress, hostPort, isAddress, sameHost, targetFields } from './target-label.js';

/** What the inside scan holds for one canary address (or for its name, when it did not resolve). */
export type CanaryFinding =
  | { kind: 'observed'; observation: TcpObservation }
  /** The canary's name did not resolve: the probe could not run. */
  | { kind: 'dns-error'; dns: DnsObservation; where: ResultTarget }
  /** Nothing was recorded for this address or name (an interrupted scan, a family the vantage lacks). */
  | { kind: 'missing'; where: ResultTarget };

/**
 * Everything the inside scan recorded for a canary through one probe, one
 * finding per address so that IPv4 and IPv6 are judged apart, IPv4 first.
 */
export function canaryFindings(input: CheckInput, probe: TcpObservation['probe'], canary: Canary): CanaryFinding[] {
  const observations = tcpObservations(input, probe, 'inside').filter(
    (observation) =>
      observation.target.port === canary.port &&
      sameHost(observation.target.host ?? observation.target.address, canary.host),
  );
  const findings: CanaryFinding[] = observations.map((observation) => ({ kind: 'observed', observation }));
  const nameOnly: ResultTarget = { target: hostPort(canary.host, canary.port), port: canary.port };
  const dns = isAddress(canary.host) ? null : dnsObservation(input, canary.host, 'inside');
  if (dns !== null && dns.outcome === 'error') {
    findings.push({ kind: 'dns-error', dns, where: nameOnly });
  } else if (dns !== null) {
    for (const { address, family } of dns.addresses) {
      if (observations.some((observation) => sameHost(observation.target.address, address))) continue;
      findings.push({ kind: 'missing', where: targetFields({ host: canary.host, address, port: canary.port, family }) });
    }
  }
  if (findings.length === 0) findings.push({ kind: 'missing', where: nameOnly });
  return findings.sort((a, b) => byAddress(findingAddress(a), findingAddress(b)));
}

function findingAddress(finding: CanaryFinding): { address?: string } {
  return finding.kind === 'observed' ? finding.observation.target : finding.where;
}

/**
 * True when the peer sent anything at all after connect. The TCP probes
 * always record a banner, empty when nothing came before the deadline (a
 * tarpit, a firewall that accepts and drops): that is no greeting.
 */
export function hasGreeting(banner: Banner | null | undefined): banner is Banner {
  return banner !== null && banner !== undefined && banner.text !== '';
}

/** Whether the canary answered: its greeting, its EHLO reply (null: nothing to judge), and both together. */
export interface CanaryVerdict {
  greeting: boolean;
  ehlo: boolean | null;
  own: boolean;
}

/**
 * Whether the canary itself answered: its greeting contains `expect` and, when
 * EHLO was answered 250, so does the EHLO reply, whose first line names the
 * server's own domain (RFC 5321 §4.1.1.1). A proxy that passes the canary's
 * greeting through but answers EHLO itself is not the canary. An EHLO that
 * was not sent, not answered or refused leaves the greeting alone to judge,
 * as does a scan file recorded before the probes read EHLO.
 *
 * @example
 * canaryVerdict(observation, 'mx.canary.example') // { greeting: true, ehlo: false, own: false }: the greeting was passed through
 */
export function canaryVerdict(observation: TcpObservation, expect: string): CanaryVerdict {
  const banner = observation.banner ?? { text: '', code: null, truncated: true, ms: 0 };
  const ehlo = observation.ehlo ?? null;
  return canaryFingerprint({ banner, ehlo, ehloDomain: ehloDomainOf(ehlo) }, expect);
}

/** The note of a verdict whose greeting is the canary's but whose EHLO reply is not. */
export const GREETING_PASSED_THROUGH =
  "the canary's greeting was passed through, but another server answered EHLO ('ehloDomain' names it): a transparent proxy holds the connection";

/**
 * The EHLO reply as evidence beside the greeting: `ehlo` (its text), `ehloCode`,
 * `ehloTruncated`, `ehloDomain`, and `ehloNote` when it gave nothing to judge
 * (not sent, no reply before the deadline, not a 250). Empty for an
 * observation without an EHLO step (a port that did not open, an older scan file).
 *
 * @example
 * ehloEvidence(observation) // { ehlo: '250-mx.canary.example Hello', ehloCode: 250, ehloTruncated: false, ehloDomain: 'mx.canary.example' }
 */
export function ehloEvidence(observation: TcpObservation): Evidence {
  const ehlo = observation.ehlo;
  if (ehlo === undefined) return {};
  // RFC 5321 §3.1: only a 220 greeting invites EHLO.
  if (ehlo === null) return { ehlo: null, ehloNote: 'EHLO not sent: the greeting was not a complete 220; judged on the greeting alone' };
  const fields = { ehlo: ehlo.text, ehloCode: ehlo.code, ehloTruncated: ehlo.truncated, ehloDomain: ehloDomainOf(ehlo) };
  if (ehlo.text === '') return { ...fields, ehloNote: `no reply to EHLO within ${ehlo.ms} ms (the deadline passed or the peer closed); judged on the greeting alone` };
  if (ehlo.code !== 250) return { ...fields, ehloNote: `EHLO was answered ${ehlo.code ?? 'without a reply code'}, not 250; judged on the greeting alone` };
  return fields;
}

/** Canaries with the same host and port listed twice in a plan are judged once. */
export function distinctCanaries(canaries: readonly Canary[]): Canary[] {
  const distinct: Canary[] = [];
  for (const canary of canaries) {
    if (!distinct.some((seen) => seen.port === canary.port && sameHost(seen.host, canary.host))) distinct.push(canary);
  }
  return distinct;
}

/** A canary address that answered the TCP connect, or refused it, with what a verdict starts from. */
export interface ObservedCanary {
  observation: TcpObservation & { outcome: 'open' | 'closed' | 'filtered' | 'unreachable' };
  where: ResultTarget;
  port: number;
  evidence: Evidence;
}

/**
 * What P3 and P5 judge alike before their own verdict: nothing recorded or no route for the
 * family is not tested; a name that did not resolve or a local probe error is `error`.
 * Anything else comes back as an {@link ObservedCanary} for the practice to judge.
 */
export function triageCanary(id: CheckId, probe: TcpObservation['probe'], finding: CanaryFinding, canary: Canary): CheckResult | ObservedCanary {
  if (finding.kind === 'missing') {
    return skipped(id, finding.where, 'skip.no-observation', { probe, target: finding.where.target });
  }
  if (finding.kind === 'dns-error') {
    const code = finding.dns.errorCode ?? 'no address';
    return result(id, 'error', finding.where, 'error.dns', { name: canary.host, code }, { name: canary.host, errorCode: code });
  }
  const observation = finding.observation;
  const where = targetFields(observation.target);
  // No route from this vantage: nothing left the host, so the family is untested rather than blocked.
  if (observation.route === 'none') return skipped(id, where, 'skip.no-route', { family: observation.target.family });
  const evidence = { ...tcpEvidence(observation), ...ehloEvidence(observation), expected: canary.expect };
  if (observation.outcome === 'error') {
    return result(id, 'error', where, 'error.probe', { code: observation.errorCode ?? 'unknown' }, evidence);
  }
  return { observation: observation as ObservedCanary['observation'], where, port: observation.target.port, evidence };
}
