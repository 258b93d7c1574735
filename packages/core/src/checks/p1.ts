/**
 * P1 — offer mail submission on port 587 (MAAWG practice 1; RFC 6409, with
 * STARTTLS per RFC 3207 and implicit TLS on 465 per RFC 8314).
 *
 * Judged per submission server, per address and per vantage that was scanned,
 * from the `submission` probe's dialog on `ports.submission` and the
 * `implicit-tls` probe's on `ports.submissions`. DESIGN "Precise rules": a
 * check whose step was never reached is `skip` ("not reached: <step>") and the
 * step that failed carries the failure; a server that misbehaves fails, and
 * `error` is kept for what says nothing about the server (a name that does not
 * resolve, a local error, a scope refusal).
 *
 * The reading of the submission dialog (which step was reached, what broke)
 * lives here and is shared with P2, which judges the same dialog.
 */
import type { CheckResult, Evidence, Status, VantageKind } from '../model.js';
import type { CertificateChainEvidence, CertificateEvidence } from '../net/certificate.js';
import type {
  HelloEvidence,
  ImplicitTlsObservation,
  ReplyEvidence,
  StepFailure,
  SubmissionObservation,
  SubmissionStep,
} from '../probes/submission-observation.js';
import type { CheckId } from './catalogue.js';
import { dnsObservation, result, skipped, type CheckInput, type PracticeCheck, type ResultTarget } from './check-input.js';
import { summarize, type MessageId, type MessageParams } from './messages.js';
import { worstStatus } from './status.js';
import { byAddress, canonicalHost, hostPort, isAddress, sameHost, targetFields } from './target-label.js';

const SUBMISSION_CHECKS = ['P1.port-open', 'P1.greeting', 'P1.starttls-offered', 'P1.tls-handshake', 'P1.certificate'] as const satisfies readonly CheckId[];

/** DESIGN "Days left": warn when fewer remain. */
export const CERTIFICATE_WARN_DAYS = 21;
/** DESIGN P1.certificate: RSA (and DSA) keys need at least this many bits. */
export const MIN_RSA_BITS = 2048;
/** DESIGN P1.certificate: EC keys need a curve of at least this many bits. */
export const MIN_EC_BITS = 256;
/** Digests whose collisions can be made: a signature over them proves nothing (RFC 6194 for SHA-1). */
const BROKEN_DIGESTS: ReadonlySet<string> = new Set(['md2', 'md5', 'sha1']);
/** RFC 8996 deprecates TLS 1.0 and 1.1 (and SSL 3.0 was already gone, RFC 7568). */
const OLD_TLS: ReadonlySet<string> = new Set(['SSLv3', 'TLSv1', 'TLSv1.1']);

// ---------------------------------------------------------------- which observations belong to a server

/** What the scan of one vantage holds for one address of a submission server (or for its name). */
export type ServerFinding<O> =
  | { kind: 'observed'; observation: O }
  /** The server's name did not resolve: the probe could not run. */
  | { kind: 'dns-error'; code: string; where: ResultTarget }
  /** Nothing was recorded (an interrupted scan, a shard file left out). */
  | { kind: 'missing'; where: ResultTarget };

/** The submission servers of the plan, each once. */
function distinctServers(servers: readonly string[]): string[] {
  const seen = new Set<string>();
  return servers.filter((server) => {
    const key = canonicalHost(server);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Everything one vantage recorded for a submission server through one probe,
 * one finding per address (the last observation of an address when a resumed
 * scan holds two), IPv4 first; a name that did not resolve gives one
 * `dns-error`, an address the name resolved to but nobody probed a `missing`.
 */
export function serverFindings<O extends SubmissionObservation | ImplicitTlsObservation>(
  input: CheckInput,
  probe: O['probe'],
  server: string,
  port: number,
  vantage: VantageKind,
): ServerFinding<O>[] {
  const byAddressKey = new Map<string, O>();
  for (const observation of input.observations) {
    if (observation.probe !== probe || observation.vantage !== vantage || observation.target.port !== port) continue;
    if (!sameHost(observation.target.host ?? observation.target.address, server)) continue;
    // A line without the connect record its probe always writes (a scan file edited by hand) is left out.
    if (typeof (observation as Partial<O>).connect !== 'object') continue;
    byAddressKey.set(canonicalHost(observation.target.address), observation as O);
  }
  const findings: ServerFinding<O>[] = [...byAddressKey.values()].map((observation) => ({ kind: 'observed', observation }));
  const nameOnly: ResultTarget = { target: hostPort(server, port), port };
  const dns = isAddress(server) ? null : dnsObservation(input, server, vantage);
  if (dns !== null && dns.outcome === 'error' && findings.length === 0) {
    findings.push({ kind: 'dns-error', code: dns.errorCode ?? 'EDNS', where: nameOnly });
  } else if (dns !== null) {
    for (const { address, family } of dns.addresses) {
      if (byAddressKey.has(canonicalHost(address))) continue;
      findings.push({ kind: 'missing', where: targetFields({ host: server, address, port, family }) });
    }
  }
  if (findings.length === 0) findings.push({ kind: 'missing', where: nameOnly });
  return findings.sort((a, b) => byAddress(findingAddress(a), findingAddress(b)));
}

function findingAddress<O extends SubmissionObservation | ImplicitTlsObservation>(finding: ServerFinding<O>): { address?: string } {
  return finding.kind === 'observed' ? finding.observation.target : finding.where;
}

/**
 * The results of some checks for every submission server, address and
 * scanned vantage: `judge` decides an observed address; a missing plan field,
 * a missing scan, a missing observation and a name that did not resolve are
 * decided here, the same way for every check.
 */
export function perSubmissionServer<O extends SubmissionObservation | ImplicitTlsObservation>(
  input: CheckInput,
  ids: readonly CheckId[],
  probe: O['probe'],
  port: number,
  judge: (observation: O) => CheckResult[],
): CheckResult[] {
  const servers = distinctServers(input.plan.submission.servers);
  if (servers.length === 0) {
    return ids.map((id) => skipped(id, { target: 'submission.servers' }, 'skip.plan-missing', { field: 'submission.servers' }));
  }
  if (input.vantages.length === 0) {
    return servers.flatMap((server) => ids.map((id) => skipped(id, { target: hostPort(server, port), port }, 'skip.no-scan')));
  }
  return input.vantages.flatMap((vantage) =>
    servers.flatMap((server) =>
      serverFindings<O>(input, probe, server, port, vantage).flatMap((finding): CheckResult[] => {
        let results: CheckResult[];
        if (finding.kind === 'observed') results = judge(finding.observation);
        else if (finding.kind === 'missing') {
          results = ids.map((id) => skipped(id, finding.where, 'skip.no-observation', { probe, target: finding.where.target }));
        } else {
          const params = { name: server, code: finding.code };
          results = ids.map((id) => result(id, 'error', finding.where, 'error.dns', params, { name: server, errorCode: finding.code }));
        }
        // One result per vantage: the catalogue's `any` becomes the vantage that saw it.
        return results.map((checked) => ({ ...checked, vantage }));
      }),
    ),
  );
}

// ---------------------------------------------------------------- how far the dialog got

/** The steps of the submission dialog in order (probes/submission.ts). */
const SUBMISSION_STEPS: readonly SubmissionStep[] = [
  'connect',
  'greeting',
  'ehlo',
  'relay-before-tls',
  'starttls',
  'tls',
  'ehlo-after-tls',
  'relay-after-tls',
  'auth',
  'quit',
];

function completed(observation: SubmissionObservation, step: SubmissionStep): boolean {
  const brokeHere = observation.failure?.step === step;
  switch (step) {
    case 'connect':
      return observation.connect.outcome === 'open';
    case 'greeting':
      return observation.greeting?.code === 220;
    case 'ehlo':
      return observation.hello?.verb != null;
    case 'relay-before-tls':
      return observation.relayBeforeTls !== null && !brokeHere;
    case 'starttls':
      return observation.starttls?.code === 220;
    case 'tls':
      return observation.tls !== null;
    case 'ehlo-after-tls':
      return observation.helloAfterTls?.verb != null;
    case 'relay-after-tls':
      return observation.relayAfterTls !== null && !brokeHere;
    case 'auth':
      return observation.auth !== null && !brokeHere;
    case 'quit':
      return true;
  }
}

/**
 * The first step before `step` that did not complete, or null when the dialog
 * reached `step`. STARTTLS not offered (or not sent) leaves `starttls` incomplete.
 *
 * @example
 * unreachedStep(noStarttlsObservation, 'tls') // 'starttls'
 */
export function unreachedStep(observation: SubmissionObservation, step: SubmissionStep): SubmissionStep | null {
  for (const earlier of SUBMISSION_STEPS) {
    if (earlier === step) return null;
    if (!completed(observation, earlier)) return earlier;
  }
  return null;
}

/** A judged finding: its status and the message that says why. */
export interface Verdict {
  status: Status;
  messageId: MessageId;
  params: MessageParams;
}

/** The first verdict of the worst status, or a pass when there is none. */
export function worstVerdict(verdicts: readonly Verdict[], pass: Verdict): Verdict {
  const worst = worstStatus(verdicts.map((verdict) => verdict.status));
  return verdicts.find((verdict) => verdict.status === worst) ?? pass;
}

/** The verdict for a session that broke at a step: the server's doing (fail), or ours (error: a local failure). */
export function brokenStep(failure: StepFailure): Verdict {
  if (failure.kind === 'local' || failure.kind === 'aborted') {
    return { status: 'error', messageId: 'error.probe', params: { code: failure.kind } };
  }
  return { status: 'fail', messageId: 'smtp.step-failed', params: { step: failure.step, kind: failure.kind } };
}

/** The failure when the session broke (not a refusing reply) at `step`. */
export function brokeAt(observation: { failure: StepFailure | null }, step: StepFailure['step']): StepFailure | null {
  const failure = observation.failure;
  return failure !== null && failure.step === step && failure.kind !== 'rejected' ? failure : null;
}

/**
 * A result from a verdict with evidence; `skip` results also say why in
 * `evidence.reason`, and failures carry the failure and the transcript.
 */
export function judged(id: CheckId, where: ResultTarget, verdict: Verdict, evidence: Evidence, observation: SubmissionObservation | ImplicitTlsObservation): CheckResult {
  const full: Evidence = { ...evidence };
  if (verdict.status === 'skip') full.reason = summarize(verdict.messageId, verdict.params).summary;
  if (verdict.status === 'fail' || verdict.status === 'error') Object.assign(full, dialogEvidence(observation));
  return result(id, verdict.status, where, verdict.messageId, verdict.params, full);
}

/** A check whose step was never reached. */
export function notReached(step: string): Verdict {
  return { status: 'skip', messageId: 'skip.not-reached', params: { step } };
}

/** Where the dialog broke and what was said: the evidence a failing result carries. */
export function dialogEvidence(observation: SubmissionObservation | ImplicitTlsObservation): Evidence {
  const { lines, omitted } = observation.transcript;
  return {
    ...(observation.failure === null ? {} : { failure: observation.failure }),
    ...(lines.length === 0 ? {} : { transcript: lines }),
    ...(omitted > 0 ? { transcriptOmitted: omitted } : {}),
  };
}

/** Every check of a list as `error`: the probe could not run for this address (scope refusal, unreadable CA file). */
export function probeErrors(ids: readonly CheckId[], observation: SubmissionObservation | ImplicitTlsObservation): CheckResult[] {
  const code = observation.connect.errorCode ?? observation.failure?.kind ?? 'unknown';
  const where = targetFields(observation.target);
  return ids.map((id) =>
    result(id, 'error', where, 'error.probe', { code }, { errorCode: code, ...(observation.failure === null ? {} : { failure: observation.failure }) }),
  );
}

/** A reply as evidence: code, enhanced code and text. */
export function replyEvidence(reply: ReplyEvidence | null | undefined): Evidence | null {
  if (reply === null || reply === undefined) return null;
  return { code: reply.code, enhancedCode: reply.enhancedCode, text: reply.text, ...(reply.bare ? { bare: true } : {}) };
}

/** The EHLO exchange as evidence. */
export function helloEvidence(hello: HelloEvidence | null): Evidence | null {
  if (hello === null) return null;
  return {
    verb: hello.verb,
    ehlo: replyEvidence(hello.ehlo),
    ...(hello.helo === null ? {} : { helo: replyEvidence(hello.helo) }),
    domain: hello.capabilities.domain,
    extensions: hello.capabilities.extensions,
  };
}

// ---------------------------------------------------------------- P1 on ports.submission

/** The greeting and EHLO: 220, then 250 to EHLO (RFC 5321 §4.3.1, §4.1.1.1). */
function greetingVerdict(observation: SubmissionObservation | ImplicitTlsObservation): Verdict {
  const broken = brokeAt(observation, 'greeting');
  if (broken !== null) return brokenStep(broken);
  const greeting = observation.greeting;
  if (greeting === null) return notReached(observation.failure?.step ?? 'greeting');
  if (greeting.code !== 220) return { status: 'fail', messageId: 'p1.greeting-refused', params: { code: greeting.code } };
  const brokenHello = brokeAt(observation, 'ehlo');
  if (brokenHello !== null) return brokenStep(brokenHello);
  const hello = observation.hello;
  if (hello === null) return notReached('ehlo');
  if (hello.verb === null) return { status: 'fail', messageId: 'smtp.ehlo-refused', params: { code: (hello.helo ?? hello.ehlo).code } };
  // RFC 5321 §4.1.4: HELO is the fallback of old servers; without EHLO no extension, hence no STARTTLS or AUTH.
  if (hello.verb === 'HELO') return { status: 'fail', messageId: 'smtp.helo-only', params: { code: hello.ehlo.code } };
  const bare = greeting.bare || hello.ehlo.bare;
  return { status: 'pass', messageId: bare ? 'p1.greeting-ok-bare' : 'p1.greeting-ok', params: {} };
}

function greetingEvidence(observation: SubmissionObservation | ImplicitTlsObservation): Evidence {
  const bare = observation.greeting?.bare === true || observation.hello?.ehlo.bare === true;
  return {
    greeting: replyEvidence(observation.greeting),
    hello: helloEvidence(observation.hello),
    ...(bare ? { note: 'bare reply codes without text were accepted (RFC 5321 §4.2)' } : {}),
    transcript: observation.transcript.lines,
    ...(observation.transcript.omitted > 0 ? { transcriptOmitted: observation.transcript.omitted } : {}),
  };
}

/** STARTTLS, 220, handshake (RFC 3207 §4); a protocol older than TLS 1.2 warns. */
function tlsVerdict(observation: SubmissionObservation): Verdict {
  const blocked = unreachedStep(observation, 'starttls');
  if (blocked !== null) return notReached(blocked);
  // DESIGN: no STARTTLS → P1.starttls-offered fails, the handshake is not reached.
  if (observation.hello?.capabilities.starttls !== true) return notReached('starttls');
  const brokenStarttls = brokeAt(observation, 'starttls');
  if (brokenStarttls !== null) return brokenStep(brokenStarttls);
  const starttls = observation.starttls;
  if (starttls === null) return notReached('starttls');
  if (starttls.code !== 220) return { status: 'fail', messageId: 'p1.starttls-refused', params: { code: starttls.code } };
  const tls = observation.tls;
  if (tls === null) {
    const broken = brokeAt(observation, 'tls');
    if (broken === null) return notReached('tls');
    return broken.kind === 'local' || broken.kind === 'aborted' ? brokenStep(broken) : { status: 'fail', messageId: 'p1.tls-failed', params: {} };
  }
  return protocolVerdict(tls.protocol, tls.cipher);
}

function protocolVerdict(protocol: string | null, cipher: string | null): Verdict {
  const params = { protocol: protocol ?? 'unknown', cipher: cipher ?? 'unknown' };
  if (protocol !== null && OLD_TLS.has(protocol)) return { status: 'warn', messageId: 'p1.tls-old', params };
  return { status: 'pass', messageId: 'p1.tls-ok', params };
}

function tlsEvidence(observation: SubmissionObservation | ImplicitTlsObservation): Evidence {
  const tls = observation.tls;
  return {
    ...(observation.probe === 'submission' ? { starttls: replyEvidence(observation.starttls) } : {}),
    tls:
      tls === null
        ? null
        : { protocol: tls.protocol, cipher: tls.cipher, cipherStandardName: tls.cipherStandardName, serverName: tls.serverName, ms: tls.ms, plaintextDiscarded: tls.plaintextDiscarded },
  };
}

/** A key as people write it: `RSA 2048`, `EC 256 (prime256v1)`. */
function keyText(certificate: CertificateEvidence): string {
  const { type, bits, curve } = certificate.key;
  const name = type === 'rsa' || type === 'rsa-pss' ? 'RSA' : type === 'ec' ? 'EC' : type.toUpperCase();
  return `${name} ${bits ?? '?'}${curve === null ? '' : ` (${curve})`}`;
}

function weakKey(certificate: CertificateEvidence): boolean {
  const { type, bits } = certificate.key;
  if (bits === null) return false;
  if (type === 'rsa' || type === 'rsa-pss' || type === 'dsa') return bits < MIN_RSA_BITS;
  if (type === 'ec') return bits < MIN_EC_BITS;
  return false;
}

/** The certificates whose signature matters: all but a self-signed trust anchor at the end (its signature is not relied on). */
function signedByIssuer(chain: readonly CertificateEvidence[]): CertificateEvidence[] {
  const last = chain.at(-1);
  return chain.length > 1 && last !== undefined && last.selfSigned && last.ca ? chain.slice(0, -1) : [...chain];
}

/**
 * Every finding about a certificate chain (DESIGN P1.certificate, "Days left"):
 * validity dates, name, key size, signature digest, chain verification, then
 * fewer than 21 days left. Empty when there is nothing to say.
 *
 * @example
 * certificateVerdicts(observation.certificate).map((verdict) => verdict.status) // ['fail'] for a self-signed certificate
 */
export function certificateVerdicts(certificate: CertificateChainEvidence): Verdict[] {
  const verdicts: Verdict[] = [];
  const leaf = certificate.chain[0];
  if (leaf === undefined) return [{ status: 'fail', messageId: 'p1.certificate-missing', params: {} }];
  const date = (iso: string) => iso.slice(0, 10);
  if (leaf.expired) verdicts.push({ status: 'fail', messageId: 'p1.certificate-expired', params: { date: date(leaf.notAfter) } });
  if (leaf.notYetValid) verdicts.push({ status: 'fail', messageId: 'p1.certificate-not-yet-valid', params: { date: date(leaf.notBefore) } });
  // RFC 6125 §6: the name the client asked for must be among the certificate's names.
  if (!certificate.nameMatches) verdicts.push({ status: 'fail', messageId: 'p1.certificate-wrong-name', params: { name: certificate.nameChecked } });
  if (weakKey(leaf)) verdicts.push({ status: 'fail', messageId: 'p1.certificate-weak-key', params: { key: keyText(leaf) } });
  for (const certificate_ of signedByIssuer(certificate.chain)) {
    const hash = certificate_.signatureAlgorithm.hash;
    if (hash !== null && BROKEN_DIGESTS.has(hash)) {
      verdicts.push({ status: 'fail', messageId: 'p1.certificate-weak-signature', params: { subject: certificate_.subject, algorithm: certificate_.signatureAlgorithm.name } });
    }
  }
  const datesExplain = (leaf.expired && certificate.chainError === 'CERT_HAS_EXPIRED') || (leaf.notYetValid && certificate.chainError === 'CERT_NOT_YET_VALID');
  if (!certificate.chainValid && !datesExplain) {
    verdicts.push(
      leaf.selfSigned
        ? { status: 'fail', messageId: 'p1.certificate-self-signed', params: {} }
        : { status: 'fail', messageId: 'p1.certificate-untrusted', params: { error: certificate.chainError ?? 'UNKNOWN' } },
    );
  }
  const current = signedByIssuer(certificate.chain).filter((entry) => !entry.expired && !entry.notYetValid);
  const soonest = current.reduce<CertificateEvidence | null>((first, entry) => (first === null || entry.daysLeft < first.daysLeft ? entry : first), null);
  if (soonest !== null && soonest.daysLeft < CERTIFICATE_WARN_DAYS) {
    verdicts.push({ status: 'warn', messageId: 'p1.certificate-expiring', params: { days: soonest.daysLeft, date: date(soonest.notAfter) } });
  }
  return verdicts;
}

/** The certificate as evidence: the leaf's fields (DESIGN: subject, issuer, SANs, notAfter, key, fingerprint) and the chain. */
export function certificateEvidence(certificate: CertificateChainEvidence | null, verdicts: readonly Verdict[] = []): Evidence {
  if (certificate === null) return { certificate: null };
  const leaf = certificate.chain[0];
  return {
    ...(leaf === undefined
      ? {}
      : {
          subject: leaf.subject,
          issuer: leaf.issuer,
          subjectAltNames: leaf.subjectAltNames,
          notBefore: leaf.notBefore,
          notAfter: leaf.notAfter,
          daysLeft: leaf.daysLeft,
          key: keyText(leaf),
          signatureAlgorithm: leaf.signatureAlgorithm.name,
          selfSigned: leaf.selfSigned,
          fingerprintSha256: leaf.fingerprintSha256,
        }),
    nameChecked: certificate.nameChecked,
    nameMatches: certificate.nameMatches,
    chainValid: certificate.chainValid,
    chainError: certificate.chainError,
    chain: certificate.chain.map((entry) => ({ subject: entry.subject, issuer: entry.issuer, notAfter: entry.notAfter, key: keyText(entry), signatureAlgorithm: entry.signatureAlgorithm.name })),
    ...(verdicts.length === 0 ? {} : { findings: verdicts.map((verdict) => summarize(verdict.messageId, verdict.params).summary) }),
  };
}

function certificateVerdict(observation: SubmissionObservation): { verdict: Verdict; verdicts: Verdict[] } {
  const blocked = unreachedStep(observation, 'ehlo-after-tls');
  if (blocked !== null) return { verdict: notReached(blocked), verdicts: [] };
  if (observation.certificate === null) {
    const missing: Verdict = { status: 'fail', messageId: 'p1.certificate-missing', params: {} };
    return { verdict: missing, verdicts: [missing] };
  }
  const verdicts = certificateVerdicts(observation.certificate);
  const leaf = observation.certificate.chain[0]!;
  const pass: Verdict = { status: 'pass', messageId: 'p1.certificate-ok', params: { name: observation.certificate.nameChecked, days: leaf.daysLeft } };
  return { verdict: worstVerdict(verdicts, pass), verdicts };
}

/** P1's five checks on one submission observation. */
export function judgeSubmissionP1(observation: SubmissionObservation): CheckResult[] {
  if (observation.connect.outcome === 'error') return probeErrors(SUBMISSION_CHECKS, observation);
  const where = targetFields(observation.target);
  const port = observation.target.port;
  const connect = observation.connect;
  const connectEvidence: Evidence = { outcome: connect.outcome, ms: connect.ms, startedAt: observation.startedAt, ...(connect.errorCode === null ? {} : { errorCode: connect.errorCode }) };

  const portOpen: Verdict =
    connect.outcome === 'open'
      ? { status: 'pass', messageId: 'p1.port-open', params: { port } }
      : { status: 'fail', messageId: 'p1.port-not-open', params: { port, outcome: connect.outcome } };

  const blockedGreeting = unreachedStep(observation, 'greeting');
  const greeting = blockedGreeting === null ? greetingVerdict(observation) : notReached(blockedGreeting);

  const blockedCapabilities = unreachedStep(observation, 'relay-before-tls');
  const hello = observation.hello;
  const starttlsOffered: Verdict =
    blockedCapabilities !== null
      ? notReached(blockedCapabilities)
      : hello?.capabilities.starttls === true
        ? { status: 'pass', messageId: 'p1.starttls-offered', params: {} }
        : { status: 'fail', messageId: 'p1.starttls-missing', params: {} };

  const certificate = certificateVerdict(observation);
  return [
    judged('P1.port-open', where, portOpen, connectEvidence, observation),
    judged('P1.greeting', where, greeting, greetingEvidence(observation), observation),
    judged('P1.starttls-offered', where, starttlsOffered, { extensions: hello?.capabilities.extensions ?? [], keywords: hello?.capabilities.keywords ?? [] }, observation),
    judged('P1.tls-handshake', where, tlsVerdict(observation), tlsEvidence(observation), observation),
    judged('P1.certificate', where, certificate.verdict, certificate.verdict.messageId === 'skip.not-reached' ? {} : certificateEvidence(observation.certificate, certificate.verdicts), observation),
  ];
}

// ---------------------------------------------------------------- P1.implicit-tls on ports.submissions

/**
 * P1.implicit-tls on one observation (DESIGN "Ports 587 and 465"): skip when
 * the port does not open, fail when it opens but TLS, its certificate, the
 * greeting or EHLO fails, warn for a protocol older than TLS 1.2 or fewer than
 * 21 days left, pass otherwise.
 */
export function judgeImplicitTls(observation: ImplicitTlsObservation): CheckResult[] {
  const id = 'P1.implicit-tls';
  if (observation.connect.outcome === 'error') return probeErrors([id], observation);
  const where = targetFields(observation.target);
  const port = observation.target.port;
  const base: Evidence = { outcome: observation.outcome, connect: observation.connect, startedAt: observation.startedAt, ms: observation.ms };
  const outcome = observation.connect.outcome;
  if (outcome !== 'open') {
    return [judged(id, where, { status: 'skip', messageId: 'p1.implicit-not-offered', params: { port, outcome } }, base, observation)];
  }
  const verdicts: Verdict[] = [];
  let certificateFindings: Verdict[] = [];
  if (observation.tls === null) {
    const broken = brokeAt(observation, 'tls');
    verdicts.push(broken !== null && (broken.kind === 'local' || broken.kind === 'aborted') ? brokenStep(broken) : { status: 'fail', messageId: 'p1.tls-failed', params: {} });
  } else {
    const greeting = greetingVerdict(observation);
    if (greeting.status !== 'pass') verdicts.push(greeting);
    certificateFindings = observation.certificate === null ? [{ status: 'fail', messageId: 'p1.certificate-missing', params: {} }] : certificateVerdicts(observation.certificate);
    verdicts.push(...certificateFindings);
    const protocol = protocolVerdict(observation.tls.protocol, observation.tls.cipher);
    if (protocol.status !== 'pass') verdicts.push(protocol);
  }
  const pass: Verdict = { status: 'pass', messageId: 'p1.implicit-ok', params: { protocol: observation.tls?.protocol ?? 'unknown' } };
  const verdict = worstVerdict(verdicts, pass);
  const evidence: Evidence = {
    ...base,
    ...tlsEvidence(observation),
    ...certificateEvidence(observation.certificate, certificateFindings),
    greeting: replyEvidence(observation.greeting),
    hello: helloEvidence(observation.hello),
  };
  return [judged(id, where, verdict, evidence, observation)];
}

/**
 * P1: per submission server, address and scanned vantage, P1.port-open,
 * P1.greeting, P1.starttls-offered, P1.tls-handshake and P1.certificate on
 * `ports.submission`, and P1.implicit-tls on `ports.submissions`.
 *
 * @example
 * checkP1({ plan, observations, inbound, vantages: ['outside'] }).map((result) => `${result.id} ${result.status}`)
 * // ['P1.port-open pass', 'P1.greeting pass', 'P1.starttls-offered pass', 'P1.tls-handshake pass', 'P1.certificate pass', 'P1.implicit-tls skip']
 */
export const checkP1: PracticeCheck = (input: CheckInput): CheckResult[] => {
  const { submission, submissions } = input.plan.ports;
  return [
    ...perSubmissionServer<SubmissionObservation>(input, SUBMISSION_CHECKS, 'submission', submission, judgeSubmissionP1),
    ...perSubmissionServer<ImplicitTlsObservation>(input, ['P1.implicit-tls'], 'implicit-tls', submissions, judgeImplicitTls),
  ];
};
