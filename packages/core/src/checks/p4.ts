/**
 * P4 — configure customers' mail clients for 587 and authentication (MAAWG
 * practice 4). Three mechanisms, each judged on its own:
 *
 * - `P4.srv-records`: RFC 6186 §3.1 `_submission._tcp.DOMAIN` and RFC 8314 §5.1
 *   `_submissions._tcp.DOMAIN`, one result per service and vantage;
 * - `P4.autoconfig`: Mozilla autoconfig at `autoconfig.DOMAIN` and
 *   `DOMAIN/.well-known/autoconfig`, one result per host, address and vantage;
 * - `P4.attested`: the auditor's attestation in the plan.
 *
 * Ports follow DESIGN "Remapped ports": `ports.submission` or
 * `ports.submissions` pass, `ports.smtp` fails, any other warns. A mechanism
 * that is not published is `skip`. The practice is the worst of its results,
 * so P4 passes when at least one mechanism passes and none fails, and an
 * attestation never hides a failed probe.
 */
import type { CheckResult, Plan, Status, VantageKind } from '../model.js';
import type {
  AutoconfigFetch,
  AutoconfigObservation,
  OutgoingServerEntry,
  SrvObservation,
  SubmissionService,
} from '../probes/client-config-observation.js';
import { result, skipped, dnsObservation, type CheckInput, type PracticeCheck, type ResultTarget } from './check-input.js';
import { summarize, type MessageId, type MessageParams } from './messages.js';
import { worstStatus } from './status.js';
import { sameHost, targetFields } from './target-label.js';

const SERVICES: readonly SubmissionService[] = ['_submission._tcp', '_submissions._tcp'];

/** One judged finding: a status and the message that says why. */
interface Verdict {
  status: Status;
  messageId: MessageId;
  params: MessageParams;
}

/** The first verdict of the worst status: what a result's summary says. */
function worstVerdict(verdicts: readonly Verdict[]): Verdict | undefined {
  const worst = worstStatus(verdicts.map((verdict) => verdict.status));
  return verdicts.find((verdict) => verdict.status === worst);
}

function verdictText(verdict: Verdict): string {
  return summarize(verdict.messageId, verdict.params).summary;
}

/** A result seen from one vantage: P4 checks run from any vantage, and a split-horizon answer shows which one saw it. */
function fromVantage(checked: CheckResult, vantage: VantageKind): CheckResult {
  return { ...checked, vantage };
}

/**
 * The last observation of a probe per target, from one vantage, in scan order.
 * A line without the list its probe always writes (a scan file edited by hand) is left out.
 */
function latestObservations<T extends SrvObservation | AutoconfigObservation>(
  input: CheckInput,
  probe: T['probe'],
  vantage: VantageKind,
): T[] {
  const byTarget = new Map<string, T>();
  for (const observation of input.observations) {
    if (observation.probe !== probe || observation.vantage !== vantage) continue;
    if (!Array.isArray(probe === 'srv-records' ? observation['records'] : observation['fetches'])) continue;
    const { host, address, port } = observation.target;
    byTarget.set(`${host ?? ''}|${address}|${port}`, observation as T);
  }
  return [...byTarget.values()];
}

/**
 * P4.srv-records, P4.autoconfig and P4.attested.
 *
 * @example
 * checkP4(input).filter((result) => result.id === 'P4.srv-records').map((result) => result.status) // ['pass', 'skip']
 */
export const checkP4: PracticeCheck = (input: CheckInput): CheckResult[] => {
  const domain = input.plan.submission.domain;
  if (domain === null) {
    const where = { target: 'submission.domain' };
    return [
      skipped('P4.srv-records', where, 'skip.plan-missing', { field: 'submission.domain' }),
      skipped('P4.autoconfig', where, 'skip.plan-missing', { field: 'submission.domain' }),
      attested(input, 'submission.domain'),
    ];
  }
  if (input.vantages.length === 0) {
    return [
      skipped('P4.srv-records', { target: domain }, 'skip.no-scan'),
      skipped('P4.autoconfig', { target: domain }, 'skip.no-scan'),
      attested(input, domain),
    ];
  }
  return [
    ...input.vantages.flatMap((vantage) => srvResults(input, domain, vantage)),
    ...input.vantages.flatMap((vantage) => autoconfigResults(input, domain, vantage)),
    attested(input, domain),
  ];
};

// ---------------------------------------------------------------- SRV records

function srvResults(input: CheckInput, domain: string, vantage: VantageKind): CheckResult[] {
  const observations = latestObservations<SrvObservation>(input, 'srv-records', vantage);
  return SERVICES.map((service) => {
    const name = `${service}.${domain}`;
    const observation = observations.find((candidate) => candidate.name !== undefined && sameHost(candidate.name, name));
    if (observation === undefined) {
      return fromVantage(skipped('P4.srv-records', { target: name }, 'skip.no-observation', { probe: 'srv-records', target: name }), vantage);
    }
    return fromVantage(judgeSrv(observation, input.plan), vantage);
  });
}

/** RFC 2782: a lone record with target "." says the service is decidedly not available at this domain. */
function isUnavailable(observation: SrvObservation): boolean {
  return observation.records.length === 1 && ['', '.'].includes(observation.records[0]!.name);
}

/** The port rule of DESIGN "Remapped ports": smtp fails, submission and submissions pass, anything else warns. */
function portStatus(port: number, plan: Plan): 'pass' | 'warn' | 'fail' {
  if (port === plan.ports.smtp) return 'fail';
  if (port === plan.ports.submission || port === plan.ports.submissions) return 'pass';
  return 'warn';
}

function isSubmissionServer(host: string, plan: Plan): boolean {
  return plan.submission.servers.some((server) => sameHost(server, host));
}

function judgeSrv(observation: SrvObservation, plan: Plan): CheckResult {
  const { name } = observation;
  const where: ResultTarget = { target: name };
  const resolver = observation.resolver.join(', ') || 'the system resolver';
  const base = { name, resolver: observation.resolver, ms: observation.ms, startedAt: observation.startedAt };
  if (observation.outcome === 'error') {
    const code = observation.errorCode ?? 'EDNS';
    return result('P4.srv-records', 'error', where, 'p4.srv-dns-error', { name, code, resolver }, { ...base, errorCode: code });
  }
  if (observation.outcome === 'not-published') {
    const code = observation.errorCode ?? 'ENODATA';
    const params = { name, code };
    return result('P4.srv-records', 'skip', where, 'p4.srv-not-published', params, {
      ...base,
      errorCode: code,
      reason: summarize('p4.srv-not-published', params).summary,
    });
  }
  if (isUnavailable(observation)) {
    return result('P4.srv-records', 'skip', where, 'p4.srv-unavailable', { name }, {
      ...base,
      records: observation.records,
      reason: summarize('p4.srv-unavailable', { name }).summary,
    });
  }
  const judged = observation.records.map((record) => {
    const verdict = judgeSrvRecord(observation, record.name, record.port, plan);
    return { record, verdict };
  });
  const verdict = worstVerdict(judged.map((entry) => entry.verdict))!;
  const records = judged.map(({ record, verdict: own }) => ({
    priority: record.priority,
    weight: record.weight,
    port: record.port,
    target: record.name,
    status: own.status,
    verdict: verdictText(own),
    ...serviceNote(observation.service, record.port, plan),
  }));
  return result('P4.srv-records', verdict.status, where, verdict.messageId, verdict.params, { ...base, records });
}

function judgeSrvRecord(observation: SrvObservation, target: string, port: number, plan: Plan): Verdict {
  const params = { name: observation.name, host: target.replace(/\.$/, ''), port };
  const byPort = portStatus(port, plan);
  if (byPort === 'fail') return { status: 'fail', messageId: 'p4.srv-smtp-port', params };
  if (byPort === 'warn') return { status: 'warn', messageId: 'p4.srv-other-port', params };
  if (!isSubmissionServer(target, plan)) return { status: 'warn', messageId: 'p4.srv-unknown-target', params };
  return { status: 'pass', messageId: 'p4.srv-ok', params };
}

/** A note when a service names the other mechanism's port: a client would speak the wrong TLS mode there. */
function serviceNote(service: SubmissionService, port: number, plan: Plan): { note?: string } {
  if (service === '_submission._tcp' && port === plan.ports.submissions && port !== plan.ports.submission) {
    return { note: `RFC 6186 §3.1: _submission clients use STARTTLS; port ${port} is the implicit-TLS port` };
  }
  if (service === '_submissions._tcp' && port === plan.ports.submission && port !== plan.ports.submissions) {
    return { note: `RFC 8314 §5.1: _submissions clients start TLS at once; port ${port} is the STARTTLS port` };
  }
  return {};
}

// ---------------------------------------------------------------- autoconfig

/** The autoconfig hosts of a domain, in the order clients ask them. */
function autoconfigHosts(domain: string): string[] {
  return [`autoconfig.${domain}`, domain];
}

function autoconfigResults(input: CheckInput, domain: string, vantage: VantageKind): CheckResult[] {
  const observations = latestObservations<AutoconfigObservation>(input, 'autoconfig', vantage);
  return autoconfigHosts(domain).flatMap((host) => {
    const own = observations.filter((observation) => observation.target.host !== null && sameHost(observation.target.host, host));
    if (own.length > 0) return own.map((observation) => fromVantage(judgeAutoconfig(observation, input.plan), vantage));
    const dns = dnsObservation(input, host, vantage);
    if (dns !== null && dns.outcome === 'error') {
      const code = dns.errorCode ?? 'EDNS';
      const where = { target: host };
      // NXDOMAIN or no address: that host publishes nothing; any other failure says nothing about it.
      const verdict: CheckResult =
        code === 'ENOTFOUND' || code === 'ENODATA'
          ? result('P4.autoconfig', 'skip', where, 'p4.autoconfig-no-host', { name: host, code }, {
              name: host,
              errorCode: code,
              reason: summarize('p4.autoconfig-no-host', { name: host, code }).summary,
            })
          : result('P4.autoconfig', 'error', where, 'error.dns', { name: host, code }, { name: host, errorCode: code });
      return [fromVantage(verdict, vantage)];
    }
    return [fromVantage(skipped('P4.autoconfig', { target: host }, 'skip.no-observation', { probe: 'autoconfig', target: host }), vantage)];
  });
}

function judgeAutoconfig(observation: AutoconfigObservation, plan: Plan): CheckResult {
  const where = targetFields(observation.target);
  if (observation.outcome === 'error' && observation.fetches.length === 0) {
    const code = observation.errorCode ?? 'unknown';
    return result('P4.autoconfig', 'error', where, 'error.probe', { code }, { reason: observation.reason ?? null, errorCode: code });
  }
  const fetches = observation.fetches.map((fetched) => {
    const judged = judgeFetch(fetched, observation.domain, plan);
    return { fetched, ...judged };
  });
  const verdict = worstVerdict(fetches.map((entry) => entry.verdict))!;
  const evidence = {
    domain: observation.domain,
    ms: observation.ms,
    startedAt: observation.startedAt,
    fetches: fetches.map(({ fetched, verdict: own, servers }) => ({
      url: fetched.url,
      finalUrl: fetched.finalUrl,
      outcome: fetched.outcome,
      status: fetched.status,
      reason: fetched.reason,
      bytes: fetched.bytes,
      parseError: fetched.parseError,
      verdict: verdictText(own),
      verdictStatus: own.status,
      ...(fetched.document === null ? {} : { providerId: fetched.document.providerId, domains: fetched.document.domains }),
      servers,
      hops: fetched.hops,
    })),
  };
  const evidenceWithReason = verdict.status === 'skip' ? { ...evidence, reason: verdictText(verdict) } : evidence;
  return result('P4.autoconfig', verdict.status, where, verdict.messageId, verdict.params, evidenceWithReason);
}

function unpublishedReason(fetched: AutoconfigFetch): string {
  if (fetched.outcome === 'connect-failed') {
    const hop = fetched.hops.at(-1);
    return `TCP ${hop?.connect ?? 'closed'}${hop?.errorCode ? ` (${hop.errorCode})` : ''}`;
  }
  return `HTTP ${fetched.status}`;
}

/** True for an answer whose Content-Type (RFC 9110 §8.3) says it is an HTML page. */
function isHtmlPage(fetched: AutoconfigFetch): boolean {
  return (fetched.contentType ?? '').split(';')[0]!.trim().toLowerCase() === 'text/html';
}

/** One URL's verdict, and each outgoing server's. */
function judgeFetch(
  fetched: AutoconfigFetch,
  domain: string,
  plan: Plan,
): { verdict: Verdict; servers: (OutgoingServerEntry & { status: Status; findings: string[] })[] } {
  const url = fetched.url;
  const only = (verdict: Verdict) => ({ verdict, servers: [] });
  switch (fetched.outcome) {
    case 'connect-failed':
      return only({ status: 'skip', messageId: 'p4.autoconfig-not-published', params: { url, reason: unpublishedReason(fetched) } });
    case 'error':
      return only({ status: 'error', messageId: 'error.probe', params: { code: fetched.hops.at(-1)?.errorCode ?? 'unknown' } });
    case 'redirect-refused':
      return only({ status: 'warn', messageId: 'p4.autoconfig-redirect-refused', params: { url, reason: fetched.reason ?? 'redirect refused' } });
    case 'tls-failed':
    case 'timeout':
    case 'too-large':
    case 'bad-response':
    case 'redirect-loop':
    case 'too-many-redirects':
      return only({ status: 'fail', messageId: 'p4.autoconfig-fetch-failed', params: { url, reason: fetched.reason ?? fetched.outcome } });
    case 'response':
      break;
  }
  const status = fetched.status ?? 0;
  if (status === 404 || status === 410) {
    return only({ status: 'skip', messageId: 'p4.autoconfig-not-published', params: { url, reason: unpublishedReason(fetched) } });
  }
  if (status < 200 || status >= 300) return only({ status: 'warn', messageId: 'p4.autoconfig-http-status', params: { url, status } });
  if (fetched.document === null && isHtmlPage(fetched)) {
    // A web site that answers every path with its HTML page publishes no autoconfig there; clients ignore it.
    return only({ status: 'skip', messageId: 'p4.autoconfig-not-published', params: { url, reason: `HTTP ${status}, an HTML page` } });
  }
  if (fetched.document === null) {
    return only({ status: 'fail', messageId: 'p4.autoconfig-malformed', params: { url, reason: fetched.parseError ?? 'no document' } });
  }
  // Mozilla config-v1.1: outgoingServer type="smtp" is what a client submits through.
  const smtp = fetched.document.outgoingServers.filter((server) => server.type?.toLowerCase() === 'smtp');
  if (smtp.length === 0) return only({ status: 'fail', messageId: 'p4.autoconfig-no-outgoing', params: { url } });
  const judged = smtp.map((server) => ({ server, findings: judgeOutgoingServer(server, url, domain, plan) }));
  const servers = judged.map(({ server, findings }) => ({
    ...server,
    status: worstVerdict(findings)!.status,
    findings: findings.map(verdictText),
  }));
  return { verdict: worstVerdict(judged.flatMap(({ findings }) => findings))!, servers };
}

/** `client-IP-address` relays by address: no SMTP AUTH at all (RFC 4954), so it counts as none. */
const NO_AUTHENTICATION: ReadonlySet<string> = new Set(['none', 'client-ip-address']);

/** The findings on one `<outgoingServer type="smtp">`; a clean server gives one `pass`. */
function judgeOutgoingServer(server: OutgoingServerEntry, url: string, domain: string, plan: Plan): Verdict[] {
  // Thunderbird substitutes %EMAILDOMAIN% with the domain of the address being configured.
  const host = (server.hostname ?? '(no hostname)').replace(/%EMAILDOMAIN%/gi, domain);
  const socketType = server.socketType ?? '(none)';
  if (server.port === null) {
    return [{ status: 'fail', messageId: 'p4.autoconfig-no-port', params: { url, host, port: server.portText ?? 'missing' } }];
  }
  const port = server.port;
  const params = { url, host, port, socketType };
  const mechanisms = server.authentication.map((mechanism) => mechanism.toLowerCase());
  const plain = server.socketType?.toLowerCase() === 'plain';
  const findings: Verdict[] = [];
  if (portStatus(port, plan) === 'fail') findings.push({ status: 'fail', messageId: 'p4.autoconfig-smtp-port', params });
  if (!mechanisms.some((mechanism) => !NO_AUTHENTICATION.has(mechanism))) findings.push({ status: 'fail', messageId: 'p4.autoconfig-no-auth', params });
  // RFC 8314 §3: a password must not cross the network unencrypted.
  if (plain && mechanisms.includes('password-cleartext')) findings.push({ status: 'fail', messageId: 'p4.autoconfig-cleartext-password', params });
  if (portStatus(port, plan) === 'warn') findings.push({ status: 'warn', messageId: 'p4.autoconfig-other-port', params });
  if (plain && !mechanisms.includes('password-cleartext')) findings.push({ status: 'warn', messageId: 'p4.autoconfig-no-tls', params });
  const expected = tlsModeFor(port, plan);
  if (!plain && expected !== null && server.socketType?.toUpperCase() !== expected) {
    findings.push({ status: 'warn', messageId: 'p4.autoconfig-socket-mismatch', params: { ...params, expected } });
  }
  if (!isSubmissionServer(host, plan)) findings.push({ status: 'warn', messageId: 'p4.autoconfig-unknown-host', params });
  return findings.length > 0 ? findings : [{ status: 'pass', messageId: 'p4.autoconfig-ok', params }];
}

/** RFC 6409 + RFC 3207: STARTTLS on the submission port; RFC 8314 §3.3: implicit TLS (`SSL`) on submissions. */
function tlsModeFor(port: number, plan: Plan): 'STARTTLS' | 'SSL' | null {
  if (port === plan.ports.submission) return 'STARTTLS';
  if (port === plan.ports.submissions) return 'SSL';
  return null;
}

// ---------------------------------------------------------------- attestation

// DESIGN.md P4.attested: what cannot be probed (customer guides, CPE provisioning) passes on an auditor's word, shown as evidence.
function attested(input: CheckInput, target: string): CheckResult {
  const attestation = input.plan.attestations.P4;
  if (attestation === null) return skipped('P4.attested', { target }, 'skip.plan-missing', { field: 'attestations.P4' });
  const { text, url, date, who } = attestation;
  return result('P4.attested', 'pass', { target }, 'p4.attested', { who: who ?? 'the auditor' }, { text, url, date, who });
}
