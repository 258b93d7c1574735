/**
 * P1/P2: the submission dialog with each address of each submission server on
 * `ports.submission` (RFC 6409), from both vantages:
 *
 *  1. connect (through the scan's scope-guarded Dialer);
 *  2. greeting: 220 (RFC 5321 §4.3.1);
 *  3. EHLO, HELO when EHLO is refused (RFC 5321 §4.1.4); capabilities before TLS,
 *     AUTH offered in clear among them (RFC 4954 §4);
 *  4. relay attempt without AUTH, in clear: MAIL FROM, RCPT TO an address in a
 *     reserved domain (RFC 2606), never DATA, then RSET;
 *  5. STARTTLS → 220 (RFC 3207 §4), only when offered;
 *  6. TLS handshake (protocol, cipher) and the certificate chain;
 *  7. EHLO again (RFC 3207 §4.2), capabilities after TLS;
 *  8. relay attempt without AUTH over TLS;
 *  9. AUTH PLAIN or LOGIN with the plan's credentials, only over TLS whose
 *     certificate is trusted (RFC 4954 §4); the password never leaves the session;
 * 10. QUIT.
 *
 * Every step's evidence is kept when a later one fails.
 */
import { isIP } from 'node:net';
import type { Plan, Target, VantageKind } from '../model.js';
import { abortError } from '../net/tcp-observation.js';
import { addressesOf } from '../net/resolve.js';
import { noCapabilities, parseEhloCapabilities, type SmtpReply } from '../net/smtp-reply.js';
import { SmtpSession, SmtpSessionError } from '../net/smtp-session.js';
import { loadTrustAnchors } from '../net/tls.js';
import { Port25Error } from '../errors.js';
import { taskKey, type Probe, type ProbeContext, type Task, type TaskInput } from './probe.js';
import {
  RELAY_PROBE_RECIPIENT,
  RELAY_PROBE_SENDER,
  type AuthEvidence,
  type AuthWithheld,
  type HelloEvidence,
  type ImplicitTlsObservation,
  type RelayAttemptEvidence,
  type ReplyEvidence,
  type StepFailure,
  type SubmissionObservation,
  type SubmissionOutcome,
  type SubmissionStep,
} from './submission-observation.js';

/**
 * One task per address of each `submission.servers` entry on `port`; the name
 * is kept in `target.host` (null for an address literal). A name that did not
 * resolve gives no task (its `dns` observation is the evidence). Submission
 * servers are not part of the sample: shard 0 only.
 */
export function* submissionServerTasks(probe: 'submission' | 'implicit-tls', port: number, input: TaskInput): Iterable<Task> {
  if (input.shard.index !== 0) return;
  const seen = new Set<string>();
  for (const server of input.plan.submission.servers) {
    const host = isIP(server) === 0 ? server : null;
    for (const { address, family } of addressesOf(server, input.names)) {
      const target: Target = { host, address, port, family };
      const key = taskKey(probe, target);
      if (seen.has(key)) continue;
      seen.add(key);
      yield { probe, target };
    }
  }
}

/** Both vantages: P1/P2 from outside, and from inside for the customers' view. */
export const SUBMISSION_VANTAGES: readonly VantageKind[] = ['outside', 'inside'];

/** Fields both SMTP probes start from: nothing observed yet. */
export function blankSmtpObservation(task: Task, ctx: ProbeContext, startedAt: Date) {
  return {
    type: 'observation' as const,
    target: task.target,
    vantage: ctx.vantage,
    startedAt: startedAt.toISOString(),
    ms: 0,
    serverName: task.target.host ?? task.target.address,
    connect: { outcome: 'error' as const, ms: 0, errorCode: null },
    greeting: null,
    hello: null,
    tls: null,
    certificate: null,
    quit: null,
    failure: null,
    bytesReceived: 0,
    transcript: { lines: [], omitted: 0 },
  };
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}

/** Runs a step that ends in a reply, and times it. */
export async function timed(step: () => Promise<SmtpReply>): Promise<ReplyEvidence> {
  const started = performance.now();
  const reply = await step();
  return { ...reply, ms: elapsed(started) };
}

/** A failure for a reply that ends the dialog. */
export function rejected(step: StepFailure['step'], phase: StepFailure['phase'], what: string, reply: SmtpReply): StepFailure {
  const text = reply.text === '' ? '' : ` ${JSON.stringify(reply.text.length > 200 ? `${reply.text.slice(0, 200)}…` : reply.text)}`;
  return { step, phase, kind: 'rejected', message: `${what} answered ${reply.code}${text}` };
}

/** A failure from a session error. */
export function broke(step: StepFailure['step'], error: SmtpSessionError): StepFailure {
  return { step, phase: error.phase, kind: error.kind, message: error.message };
}

/**
 * EHLO, and HELO when EHLO is refused with 5xx (RFC 5321 §4.1.4: a server that
 * does not know EHLO answers 500/502). `verb` null when neither got 250.
 * The evidence is written into `into` before each exchange, so a session that
 * breaks during HELO still keeps the EHLO reply.
 */
export async function hello(session: SmtpSession, domain: string, into: (evidence: HelloEvidence) => void): Promise<HelloEvidence> {
  const ehlo = await timed(() => session.ehlo(domain));
  const evidence: HelloEvidence = { verb: null, ehlo, helo: null, capabilities: noCapabilities() };
  into(evidence);
  if (ehlo.code === 250) {
    evidence.verb = 'EHLO';
    evidence.capabilities = parseEhloCapabilities(ehlo);
    return evidence;
  }
  if (ehlo.code >= 500) {
    evidence.helo = await timed(() => session.helo(domain));
    if (evidence.helo.code === 250) {
      evidence.verb = 'HELO';
      evidence.capabilities = noCapabilities(evidence.helo.lines[0]?.split(' ')[0] ?? '');
    }
  }
  return evidence;
}

/** MAIL FROM, RCPT TO (only after a 2xx to MAIL), RSET; the evidence object is filled as replies arrive. */
async function relayAttempt(session: SmtpSession, attempt: RelayAttemptEvidence): Promise<void> {
  attempt.mailFrom = await timed(() => session.mailFrom(attempt.sender));
  if (attempt.mailFrom.code >= 200 && attempt.mailFrom.code < 300) {
    attempt.rcptTo = await timed(() => session.rcptTo(attempt.recipient));
    if (attempt.rcptTo.code >= 200 && attempt.rcptTo.code < 300) attempt.accepted = true;
    else attempt.refusedAt = 'rcpt';
  } else {
    attempt.refusedAt = 'mail';
  }
  // RFC 5321 §4.1.1.5: RSET ends the transaction; the audit never goes on to DATA.
  attempt.rset = await timed(() => session.rset());
}

function newRelayAttempt(): RelayAttemptEvidence {
  return { sender: RELAY_PROBE_SENDER, recipient: RELAY_PROBE_RECIPIENT, mailFrom: null, rcptTo: null, rset: null, accepted: false, refusedAt: null };
}

/** The plan's credentials from the environment, or why they cannot be used. */
type CredentialDecision = { user: string; password: string } | Extract<AuthEvidence, { attempted: false }>;

function withheld(why: AuthWithheld, reason: string, user: string | null, variable?: string): Extract<AuthEvidence, { attempted: false }> {
  return { attempted: false, withheld: why, reason, user, ...(variable === undefined ? {} : { variable }) };
}

function userFromEnv(plan: Plan, env: Readonly<Record<string, string | undefined>>): string | null {
  const user = plan.credentials === null ? undefined : env[plan.credentials.userEnv];
  return user === undefined || user === '' ? null : user;
}

/** Credentials for a TLS channel; `trusted` is the certificate verdict (chain valid, name matched). */
function credentialsFor(plan: Plan, env: Readonly<Record<string, string | undefined>>, trusted: boolean): CredentialDecision {
  if (plan.credentials === null) return withheld('no-credentials', 'no credentials in the plan', null);
  const { userEnv, passwordEnv } = plan.credentials;
  const user = userFromEnv(plan, env);
  // DESIGN: the dialog goes on over a channel whose certificate failed, but credentials are never sent over it.
  if (!trusted) return withheld('untrusted-certificate', 'certificate not trusted; credentials withheld', user);
  if (user === null) return withheld('variable-unset', `${userEnv} is not set`, null, userEnv);
  const password = env[passwordEnv];
  if (password === undefined || password === '') return withheld('variable-unset', `${passwordEnv} is not set`, user, passwordEnv);
  return { user, password };
}

/** The AUTH step when TLS was never established: RFC 4954 §4, no credentials in clear. */
function withheldWithoutTls(ctx: ProbeContext): AuthEvidence {
  if (ctx.plan.credentials === null) return withheld('no-credentials', 'no credentials in the plan', null);
  return withheld('no-tls', 'no TLS; credentials withheld', userFromEnv(ctx.plan, ctx.env ?? process.env));
}

/** The outcome word: the furthest step the dialog reached. */
function submissionOutcome(observation: SubmissionObservation): SubmissionOutcome {
  const connect = observation.connect.outcome;
  if (connect !== 'open') return connect;
  if (observation.greeting?.code !== 220) return 'connected';
  if (observation.hello?.verb == null) return 'greeted';
  if (observation.tls === null) return 'hello';
  // A server closing on QUIT before its 221 does not make the dialog incomplete.
  return observation.failure === null || observation.failure.step === 'quit' ? 'completed' : 'tls';
}

/** Opens the session or records why not: an unreadable CA file, or the connect's outcome. */
export async function openSession(
  task: Task,
  ctx: ProbeContext,
  observation: Pick<SubmissionObservation, 'connect' | 'failure' | 'serverName'>,
): Promise<SmtpSession | null> {
  let ca: string[];
  try {
    ca = await loadTrustAnchors(ctx.plan.tls.caFile);
  } catch (error) {
    if (!(error instanceof Port25Error)) throw error;
    observation.connect = { outcome: 'error', ms: 0, errorCode: 'CA_FILE' };
    observation.failure = { step: 'tls', phase: 'tls', kind: 'local', message: error.message };
    return null;
  }
  try {
    const session = await SmtpSession.open({
      target: task.target,
      dial: ctx.dial,
      tls: { ca, serverName: observation.serverName },
      limits: { connectTimeoutMs: ctx.plan.probe.connectTimeoutMs, dialogTimeoutMs: ctx.plan.probe.dialogTimeoutMs },
      signal: ctx.signal,
      now: ctx.now,
    });
    observation.connect = { outcome: 'open', ms: session.connectMs, errorCode: null };
    return session;
  } catch (error) {
    if (error instanceof SmtpSessionError && error.kind === 'aborted') throw abortError();
    if (!(error instanceof SmtpSessionError) || error.connection === null) throw error;
    observation.connect = { outcome: error.connection.outcome, ms: error.connection.ms, errorCode: error.connection.errorCode };
    observation.failure = broke('connect', error);
    return null;
  }
}

/** QUIT at the end of a dialog that stopped early: politeness only, its failure is not evidence. */
export async function quitQuietly(session: SmtpSession, observation: { quit: ReplyEvidence | null }): Promise<void> {
  try {
    observation.quit = await timed(() => session.quit());
  } catch (error) {
    if (!(error instanceof SmtpSessionError)) throw error;
  }
}

/** Closes the session and copies its transcript and byte count into the observation. */
export function settle(session: SmtpSession | null, observation: Pick<SubmissionObservation | ImplicitTlsObservation, 'transcript' | 'bytesReceived'>): void {
  if (session === null) return;
  session.close();
  observation.transcript = session.transcript.toEvidence();
  observation.bytesReceived = session.bytesReceived;
}

/** How far the dialog goes: the scan always goes on to STARTTLS; the ad-hoc `probe smtp` may stop before it. */
export interface SubmissionDialogOptions {
  /** Send STARTTLS when it is offered, and go on over TLS. Default true. */
  starttls?: boolean;
}

async function submissionDialog(session: SmtpSession, ctx: ProbeContext, observation: SubmissionObservation, options: SubmissionDialogOptions): Promise<void> {
  let step: SubmissionStep = 'greeting';
  const ehloName = ctx.plan.probe.ehloName;
  try {
    observation.greeting = await timed(() => session.greeting());
    if (observation.greeting.code !== 220) {
      observation.failure = rejected('greeting', 'greeting', 'the greeting', observation.greeting);
      // RFC 5321 §3.1: after a 554 greeting the client should send QUIT.
      return await quitQuietly(session, observation);
    }

    step = 'ehlo';
    const before = await hello(session, ehloName, (evidence) => (observation.hello = evidence));
    if (before.verb === null) {
      observation.failure = rejected('ehlo', 'ehlo', before.helo === null ? 'EHLO' : 'EHLO and HELO', before.helo ?? before.ehlo);
      return await quitQuietly(session, observation);
    }

    step = 'relay-before-tls';
    observation.relayBeforeTls = newRelayAttempt();
    await relayAttempt(session, observation.relayBeforeTls);

    step = 'starttls';
    if (options.starttls === false) {
      session.transcript.note('STARTTLS not attempted: the dialog was asked to stay in clear');
      observation.auth = withheldWithoutTls(ctx);
      step = 'quit';
      return await quitQuietly(session, observation);
    }
    if (!before.capabilities.starttls) {
      observation.auth = withheldWithoutTls(ctx);
      step = 'quit';
      return await quitQuietly(session, observation);
    }
    observation.starttls = await timed(() => session.startTls());
    if (observation.starttls.code !== 220) {
      observation.failure = rejected('starttls', 'starttls', 'STARTTLS', observation.starttls);
      observation.auth = withheldWithoutTls(ctx);
      return await quitQuietly(session, observation);
    }

    step = 'tls';
    const upgrade = await session.upgradeToTls();
    observation.tls = { ...upgrade.tls, plaintextDiscarded: upgrade.plaintextDiscarded };
    observation.certificate = upgrade.certificate;

    step = 'ehlo-after-tls';
    const after = await hello(session, ehloName, (evidence) => (observation.helloAfterTls = evidence));
    if (after.verb === null) {
      observation.failure = rejected('ehlo-after-tls', 'ehlo', after.helo === null ? 'EHLO after STARTTLS' : 'EHLO and HELO after STARTTLS', after.helo ?? after.ehlo);
      return await quitQuietly(session, observation);
    }

    // DESIGN: the dialog goes on over a TLS channel whose certificate failed, to gather P2 evidence.
    step = 'relay-after-tls';
    observation.relayAfterTls = newRelayAttempt();
    await relayAttempt(session, observation.relayAfterTls);

    step = 'auth';
    await authenticate(session, ctx, observation);

    step = 'quit';
    observation.quit = await timed(() => session.quit());
  } catch (error) {
    if (!(error instanceof SmtpSessionError)) throw error;
    observation.failure = broke(step, error);
  }
}

/** AUTH with the plan's credentials when every condition holds; the evidence says which one did not. */
async function authenticate(session: SmtpSession, ctx: ProbeContext, observation: SubmissionObservation): Promise<void> {
  const decision = credentialsFor(ctx.plan, ctx.env ?? process.env, observation.certificate?.trusted === true);
  if ('withheld' in decision) {
    observation.auth = decision;
    return;
  }
  const capabilities = observation.helloAfterTls?.capabilities ?? noCapabilities();
  if (!capabilities.authAdvertised) {
    observation.auth = withheld('not-advertised', 'AUTH not advertised after STARTTLS', decision.user);
    return;
  }
  const mechanism = capabilities.auth.includes('PLAIN') ? 'PLAIN' : capabilities.auth.includes('LOGIN') ? 'LOGIN' : null;
  if (mechanism === null) {
    const offered = capabilities.auth.length === 0 ? 'no mechanism' : capabilities.auth.join(' ');
    observation.auth = withheld('no-usable-mechanism', `neither PLAIN nor LOGIN offered (${offered})`, decision.user);
    return;
  }
  const attempt: AuthEvidence = { attempted: true, mechanism, user: decision.user, reply: null, succeeded: false };
  observation.auth = attempt;
  attempt.reply = await timed(() => session.auth(mechanism, decision.user, decision.password));
  attempt.succeeded = attempt.reply.code === 235;
}

/**
 * The submission probe (id `submission`): one dialog per submission server
 * address on `ports.submission`, following the steps above.
 */
export const submissionProbe: Probe = {
  id: 'submission',
  vantages: SUBMISSION_VANTAGES,
  tasks(input: TaskInput): Iterable<Task> {
    return submissionServerTasks('submission', input.plan.ports.submission, input);
  },
  run(task: Task, ctx: ProbeContext): Promise<SubmissionObservation> {
    return observeSubmission(task, ctx);
  },
};

/**
 * One submission dialog with one address, as the `submission` probe runs it;
 * `options.starttls: false` stops before STARTTLS (the ad-hoc `probe smtp`
 * without `--starttls`). Rejects with an AbortError when `ctx.signal` fired.
 *
 * @example
 * const observation = await observeSubmission({ probe: 'submission', target }, ctx, { starttls: false });
 */
export async function observeSubmission(task: Task, ctx: ProbeContext, options: SubmissionDialogOptions = {}): Promise<SubmissionObservation> {
  const started = performance.now();
  const observation: SubmissionObservation = {
    ...blankSmtpObservation(task, ctx, ctx.now()),
    probe: 'submission',
    outcome: 'error',
    relayBeforeTls: null,
    starttls: null,
    helloAfterTls: null,
    relayAfterTls: null,
    auth: null,
  };
  const session = await openSession(task, ctx, observation);
  try {
    if (session !== null) await submissionDialog(session, ctx, observation, options);
  } finally {
    settle(session, observation);
  }
  if (ctx.signal.aborted) throw abortError();
  observation.outcome = submissionOutcome(observation);
  observation.ms = elapsed(started);
  return observation;
}
