/**
 * P1.implicit-tls: submission over implicit TLS on `ports.submissions`
 * (RFC 8314 §3.3: TLS from the first byte, then the SMTP dialog), for each
 * address of each submission server, from both vantages:
 *
 * 1. connect; 2. TLS handshake and the certificate chain; 3. greeting over TLS;
 * 4. EHLO (HELO fallback), capabilities; 5. QUIT.
 *
 * No relay attempt and no AUTH here: P2 is judged on the submission port.
 */
import { abortError } from '../net/tcp-observation.js';
import { SmtpSessionError, type SmtpSession } from '../net/smtp-session.js';
import type { Probe, ProbeContext, Task, TaskInput } from './probe.js';
import type { ImplicitTlsObservation, ImplicitTlsOutcome, ImplicitTlsStep } from './submission-observation.js';
import {
  SUBMISSION_VANTAGES,
  blankSmtpObservation,
  broke,
  hello,
  openSession,
  quitQuietly,
  rejected,
  settle,
  submissionServerTasks,
  timed,
} from './submission.js';

/** The outcome word: the furthest step the dialog reached. */
function implicitTlsOutcome(observation: ImplicitTlsObservation): ImplicitTlsOutcome {
  const connect = observation.connect.outcome;
  if (connect !== 'open') return connect;
  if (observation.tls === null) return 'connected';
  if (observation.greeting?.code !== 220) return 'tls';
  if (observation.hello?.verb == null) return 'greeted';
  return 'completed';
}

async function implicitTlsDialog(session: SmtpSession, ctx: ProbeContext, observation: ImplicitTlsObservation): Promise<void> {
  let step: ImplicitTlsStep = 'tls';
  try {
    const upgrade = await session.upgradeToTls();
    observation.tls = { ...upgrade.tls, plaintextDiscarded: upgrade.plaintextDiscarded };
    observation.certificate = upgrade.certificate;

    step = 'greeting';
    observation.greeting = await timed(() => session.greeting());
    if (observation.greeting.code !== 220) {
      observation.failure = rejected('greeting', 'greeting', 'the greeting', observation.greeting);
      return await quitQuietly(session, observation);
    }

    step = 'ehlo';
    const greeted = await hello(session, ctx.plan.probe.ehloName, (evidence) => (observation.hello = evidence));
    if (greeted.verb === null) {
      observation.failure = rejected('ehlo', 'ehlo', greeted.helo === null ? 'EHLO' : 'EHLO and HELO', greeted.helo ?? greeted.ehlo);
      return await quitQuietly(session, observation);
    }

    step = 'quit';
    observation.quit = await timed(() => session.quit());
  } catch (error) {
    if (!(error instanceof SmtpSessionError)) throw error;
    observation.failure = broke(step, error);
  }
}

/** The implicit-TLS probe (id `implicit-tls`) on `ports.submissions`. */
export const implicitTlsProbe: Probe = {
  id: 'implicit-tls',
  vantages: SUBMISSION_VANTAGES,
  tasks(input: TaskInput): Iterable<Task> {
    return submissionServerTasks('implicit-tls', input.plan.ports.submissions, input);
  },
  async run(task: Task, ctx: ProbeContext): Promise<ImplicitTlsObservation> {
    const started = performance.now();
    const observation: ImplicitTlsObservation = { ...blankSmtpObservation(task, ctx, ctx.now()), probe: 'implicit-tls', outcome: 'error' };
    const session = await openSession(task, ctx, observation);
    try {
      if (session !== null) await implicitTlsDialog(session, ctx, observation);
    } finally {
      settle(session, observation);
    }
    if (ctx.signal.aborted) throw abortError();
    observation.outcome = implicitTlsOutcome(observation);
    observation.ms = Math.round((performance.now() - started) * 10) / 10;
    return observation;
  },
};
