/**
 * P2 — require authentication for submission (MAAWG practice 2; RFC 4954,
 * RFC 6409 §4.3). Judged on the same submission dialog as P1, per submission
 * server, address and scanned vantage:
 *
 * - `P2.auth-advertised`: AUTH with at least one mechanism in the EHLO reply after STARTTLS (RFC 4954 §3);
 * - `P2.no-cleartext-auth`: no AUTH PLAIN or LOGIN before STARTTLS (RFC 4954 §4);
 * - `P2.relay-refused`: MAIL FROM + RCPT TO an external address without AUTH is
 *   refused with 5xx, before and after STARTTLS (RFC 6409 §4.3, RFC 4954 §6: 530 5.7.0);
 *   a 4xx only defers it (RFC 5321 §4.2.1: a client retries), which warns;
 * - `P2.auth-works`: AUTH with the plan's credentials over trusted TLS answers 235 (RFC 4954 §6).
 */
import type { CheckResult, Evidence } from '../model.js';
import type { RelayAttemptEvidence, StepFailure, SubmissionObservation, SubmissionStep } from '../probes/submission-observation.js';
import type { CheckId } from './catalogue.js';
import type { CheckInput, PracticeCheck } from './check-input.js';
import {
  brokeAt,
  brokenStep,
  helloEvidence,
  judged,
  notReached,
  perSubmissionServer,
  probeErrors,
  replyEvidence,
  unreachedStep,
  worstVerdict,
  type Verdict,
} from './p1.js';
import { targetFields } from './target-label.js';

const CHECKS = ['P2.auth-advertised', 'P2.no-cleartext-auth', 'P2.relay-refused', 'P2.auth-works'] as const satisfies readonly CheckId[];

/** RFC 4954 §4: the plaintext password mechanisms that must not be offered before TLS. */
const PLAINTEXT_MECHANISMS: ReadonlySet<string> = new Set(['PLAIN', 'LOGIN']);

/** AUTH offered after STARTTLS: the EHLO reply over TLS is what clients authenticate by (RFC 3207 §4.2). */
function authAdvertisedVerdict(observation: SubmissionObservation): Verdict {
  const blocked = unreachedStep(observation, 'ehlo-after-tls');
  if (blocked !== null) return notReached(blocked);
  const broken = brokeAt(observation, 'ehlo-after-tls');
  if (broken !== null) return brokenStep(broken);
  const hello = observation.helloAfterTls;
  if (hello === null) return notReached('ehlo-after-tls');
  if (hello.verb === null) return { status: 'fail', messageId: 'smtp.ehlo-refused', params: { code: (hello.helo ?? hello.ehlo).code } };
  if (hello.verb === 'HELO') return { status: 'fail', messageId: 'smtp.helo-only', params: { code: hello.ehlo.code } };
  const { authAdvertised, auth } = hello.capabilities;
  if (!authAdvertised) return { status: 'fail', messageId: 'p2.auth-not-advertised', params: {} };
  if (auth.length === 0) return { status: 'fail', messageId: 'p2.auth-no-mechanism', params: {} };
  return { status: 'pass', messageId: 'p2.auth-advertised', params: { mechanisms: auth.join(' ') } };
}

/** No plaintext password mechanism in the EHLO reply before TLS (RFC 4954 §4). */
function noCleartextAuthVerdict(observation: SubmissionObservation): Verdict {
  const blocked = unreachedStep(observation, 'relay-before-tls');
  if (blocked !== null) return notReached(blocked);
  const capabilities = observation.hello!.capabilities;
  const plaintext = capabilities.auth.filter((mechanism) => PLAINTEXT_MECHANISMS.has(mechanism));
  if (plaintext.length > 0) return { status: 'fail', messageId: 'p2.auth-in-clear', params: { mechanisms: plaintext.join(' ') } };
  if (capabilities.auth.length > 0) return { status: 'pass', messageId: 'p2.no-cleartext-auth-other', params: { mechanisms: capabilities.auth.join(' ') } };
  return { status: 'pass', messageId: 'p2.no-cleartext-auth', params: {} };
}

/**
 * One relay attempt: an accepted RCPT is an open relay (fail); a 5xx at MAIL
 * or RCPT refuses (pass; DESIGN: a refusal at MAIL FROM counts); a 4xx only
 * defers (warn: RFC 5321 §4.2.1 says the client may try again, and a greylisting
 * relay accepts the retry); any other code is neither (fail).
 */
function relayAttemptVerdict(attempt: RelayAttemptEvidence | null, broken: StepFailure | null, when: 'before' | 'after'): Verdict {
  if (broken !== null) return brokenStep(broken);
  if (attempt === null) return notReached(when === 'before' ? 'relay-before-tls' : 'relay-after-tls');
  if (attempt.accepted) {
    const code = attempt.rcptTo?.code ?? 0;
    return { status: 'fail', messageId: when === 'before' ? 'p2.relay-accepted-before-tls' : 'p2.relay-accepted-after-tls', params: { code } };
  }
  const refusal = refusalOf(attempt);
  if (refusal === null) return notReached(when === 'before' ? 'relay-before-tls' : 'relay-after-tls');
  const params = { code: refusal.code, command: refusal.command };
  if (refusal.code >= 500 && refusal.code < 600) return { status: 'pass', messageId: 'p2.relay-refused', params };
  if (refusal.code >= 400 && refusal.code < 500) return { status: 'warn', messageId: 'p2.relay-deferred', params };
  return { status: 'fail', messageId: 'p2.relay-unexpected', params };
}

function refusalOf(attempt: RelayAttemptEvidence): { code: number; command: 'MAIL FROM' | 'RCPT TO'; enhancedCode: string | null } | null {
  if (attempt.refusedAt === 'mail' && attempt.mailFrom !== null) return { code: attempt.mailFrom.code, command: 'MAIL FROM', enhancedCode: attempt.mailFrom.enhancedCode };
  if (attempt.refusedAt === 'rcpt' && attempt.rcptTo !== null) return { code: attempt.rcptTo.code, command: 'RCPT TO', enhancedCode: attempt.rcptTo.enhancedCode };
  return null;
}

function attemptEvidence(attempt: RelayAttemptEvidence | null): Evidence | null {
  if (attempt === null) return null;
  return {
    mailFrom: replyEvidence(attempt.mailFrom),
    rcptTo: replyEvidence(attempt.rcptTo),
    rset: replyEvidence(attempt.rset),
    accepted: attempt.accepted,
    refusedAt: attempt.refusedAt,
  };
}

function relayRefused(observation: SubmissionObservation): { verdict: Verdict; evidence: Evidence } {
  const blocked = unreachedStep(observation, 'relay-before-tls');
  if (blocked !== null) return { verdict: notReached(blocked), evidence: {} };
  const before = relayAttemptVerdict(observation.relayBeforeTls, brokeAt(observation, 'relay-before-tls'), 'before');
  const afterBlocked: SubmissionStep | null = unreachedStep(observation, 'relay-after-tls');
  const after = afterBlocked === null ? relayAttemptVerdict(observation.relayAfterTls, brokeAt(observation, 'relay-after-tls'), 'after') : null;
  const attempt = observation.relayBeforeTls ?? observation.relayAfterTls;
  const evidence: Evidence = {
    sender: attempt?.sender ?? null,
    recipient: attempt?.recipient ?? null,
    beforeTls: attemptEvidence(observation.relayBeforeTls),
    afterTls: attemptEvidence(observation.relayAfterTls),
  };
  const refusals = [observation.relayBeforeTls, after === null ? null : observation.relayAfterTls].flatMap((tried) => {
    const refusal = tried === null ? null : refusalOf(tried);
    return refusal === null ? [] : [refusal];
  });
  if (refusals.some((refusal) => refusal.code >= 500 && !(refusal.code === 530 && refusal.enhancedCode === '5.7.0'))) {
    evidence.note = 'refused, though RFC 4954 §6 defines 530 5.7.0 "Authentication required" as the reply for this case';
  }
  // DESIGN: a refusal in clear when TLS was never reached passes, and says the TLS attempt was not made.
  if (after === null && before.status === 'pass') {
    evidence.note = `the attempt over TLS was not made (not reached: ${afterBlocked})`;
    return { verdict: { status: 'pass', messageId: 'p2.relay-refused-clear-only', params: { ...before.params, step: afterBlocked ?? 'relay-after-tls' } }, evidence };
  }
  return { verdict: worstVerdict(after === null ? [before] : [before, after], before), evidence };
}

/** AUTH with the plan's credentials, only over TLS whose certificate is trusted (DESIGN "Certificates and credentials"). */
function authWorksVerdict(observation: SubmissionObservation, hasCredentials: boolean): Verdict {
  if (!hasCredentials) return { status: 'skip', messageId: 'p2.auth-no-credentials', params: {} };
  const blocked = unreachedStep(observation, 'auth');
  if (blocked !== null) return notReached(blocked);
  const auth = observation.auth;
  if (auth === null) return notReached('auth');
  if (!auth.attempted) {
    switch (auth.withheld) {
      case 'no-credentials':
        return { status: 'skip', messageId: 'p2.auth-no-credentials', params: {} };
      case 'variable-unset':
        return { status: 'skip', messageId: 'p2.auth-variable-unset', params: { variable: auth.variable ?? 'unknown' } };
      case 'untrusted-certificate':
        return { status: 'skip', messageId: 'p2.auth-untrusted', params: {} };
      case 'no-tls':
        return notReached('tls');
      case 'not-advertised':
        return { status: 'skip', messageId: 'p2.auth-not-offered', params: {} };
      case 'no-usable-mechanism': {
        const offered = observation.helloAfterTls?.capabilities.auth ?? [];
        return { status: 'skip', messageId: 'p2.auth-no-usable-mechanism', params: { mechanisms: offered.join(' ') || 'none' } };
      }
      default:
        return notReached('auth');
    }
  }
  const broken = brokeAt(observation, 'auth');
  if (broken !== null || auth.reply === null) return broken === null ? notReached('auth') : brokenStep(broken);
  if (auth.succeeded) return { status: 'pass', messageId: 'p2.auth-works', params: { mechanism: auth.mechanism } };
  return { status: 'fail', messageId: 'p2.auth-failed', params: { mechanism: auth.mechanism, code: auth.reply.code } };
}

function authEvidence(observation: SubmissionObservation): Evidence {
  const auth = observation.auth;
  if (auth === null) return { auth: null };
  // The user name may appear in evidence; the password never reached the observation.
  if (!auth.attempted) return { attempted: false, withheld: auth.withheld ?? null, user: auth.user, detail: auth.reason };
  return { attempted: true, mechanism: auth.mechanism, user: auth.user, reply: replyEvidence(auth.reply) };
}

/** P2's four checks on one submission observation. */
export function judgeSubmissionP2(observation: SubmissionObservation, hasCredentials: boolean): CheckResult[] {
  if (observation.connect.outcome === 'error') return probeErrors(CHECKS, observation);
  const where = targetFields(observation.target);
  const relay = relayRefused(observation);
  return [
    judged('P2.auth-advertised', where, authAdvertisedVerdict(observation), { helloAfterTls: helloEvidence(observation.helloAfterTls), mechanisms: observation.helloAfterTls?.capabilities.auth ?? [] }, observation),
    judged('P2.no-cleartext-auth', where, noCleartextAuthVerdict(observation), { mechanismsBeforeTls: observation.hello?.capabilities.auth ?? [], starttlsOffered: observation.hello?.capabilities.starttls ?? false }, observation),
    judged('P2.relay-refused', where, relay.verdict, relay.evidence, observation),
    judged('P2.auth-works', where, authWorksVerdict(observation, hasCredentials), authEvidence(observation), observation),
  ];
}

/**
 * P2: per submission server, address and scanned vantage, P2.auth-advertised,
 * P2.no-cleartext-auth, P2.relay-refused and P2.auth-works on `ports.submission`.
 *
 * @example
 * checkP2({ plan, observations, inbound, vantages: ['outside'] }).map((result) => result.status)
 * // ['pass', 'pass', 'pass', 'skip'] for a compliant server and a plan without credentials
 */
export const checkP2: PracticeCheck = (input: CheckInput): CheckResult[] => {
  const hasCredentials = input.plan.credentials !== null;
  return perSubmissionServer<SubmissionObservation>(input, CHECKS, 'submission', input.plan.ports.submission, (observation) =>
    judgeSubmissionP2(observation, hasCredentials),
  );
};
