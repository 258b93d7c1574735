/**
 * External canaries (plan `external.mx`, `external.submission`) seen from
 * inside: which observations belong to a canary, what is missing, and whether
 * a greeting is the canary's own.
 */
import type { Banner, Canary, DnsObservation, TcpObservation } from '../model.js';
import { dnsObservation, tcpObservations, type CheckInput, type ResultTarget } from './check-input.js';
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
 * True when the banner is the canary's own: it contains the canary's `expect`
 * text, compared case-insensitively because the text is usually a host name (RFC 4343).
 */
export function isCanaryGreeting(banner: Banner | null | undefined, expect: string): boolean {
  if (banner === null || banner === undefined) return false;
  return banner.text.toLowerCase().includes(expect.toLowerCase());
}

/** Canaries with the same host and port listed twice in a plan are judged once. */
export function distinctCanaries(canaries: readonly Canary[]): Canary[] {
  const distinct: Canary[] = [];
  for (const canary of canaries) {
    if (!distinct.some((seen) => seen.port === canary.port && sameHost(seen.host, canary.host))) distinct.push(canary);
  }
  return distinct;
}
