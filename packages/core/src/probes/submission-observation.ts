/**
 * What the submission (587, STARTTLS) and implicit-TLS (465) probes observe.
 * Facts only: checks (P1, P2) judge them. Each step's evidence is kept when a
 * later step fails; a step never reached is null, and `failure` names the step
 * where the dialog broke.
 */
import type { GenericObservation, TcpOutcome } from '../model.js';
import type { CertificateChainEvidence } from '../net/certificate.js';
import type { SmtpErrorKind, SmtpPhase, TranscriptEvidence } from '../net/smtp-session.js';
import type { EhloCapabilities, SmtpReply } from '../net/smtp-reply.js';
import type { TlsEvidence } from '../net/tls.js';

/** The steps of the submission dialog, in order (issue 3 §2). */
export type SubmissionStep =
  | 'connect'
  | 'greeting'
  | 'ehlo'
  | 'relay-before-tls'
  | 'starttls'
  | 'tls'
  | 'ehlo-after-tls'
  | 'relay-after-tls'
  | 'auth'
  | 'quit';

/** The steps of the implicit-TLS dialog (RFC 8314 §3.3: TLS first, then SMTP). */
export type ImplicitTlsStep = 'connect' | 'tls' | 'greeting' | 'ehlo' | 'quit';

/**
 * Outcome of a submission probe: how far the dialog got.
 * - `closed` | `filtered` | `unreachable`: the TCP connect did not open (`connect` says why);
 * - `error`: nothing was learned about the server (a local error, a scope refusal, an unreadable `tls.caFile`);
 * - `connected`: TCP opened, but no 220 greeting (silence, garbage, a cap, 421/554);
 * - `greeted`: 220, but neither EHLO nor HELO was answered 250;
 * - `hello`: EHLO/HELO answered; TLS was not established (not offered, refused, failed: see `failure`);
 * - `tls`: TLS established; a later step broke (see `failure`);
 * - `completed`: TLS established and every step ran, to QUIT.
 */
export type SubmissionOutcome = 'closed' | 'filtered' | 'unreachable' | 'error' | 'connected' | 'greeted' | 'hello' | 'tls' | 'completed';

/**
 * Outcome of an implicit-TLS probe: `closed` | `filtered` | `unreachable` |
 * `error` as for submission; `connected`: TCP opened, TLS handshake failed;
 * `tls`: handshake done, no 220 greeting; `greeted`: 220 over TLS, EHLO not
 * answered 250; `completed`: greeting and EHLO over TLS, to QUIT.
 */
export type ImplicitTlsOutcome = 'closed' | 'filtered' | 'unreachable' | 'error' | 'connected' | 'tls' | 'greeted' | 'completed';

/** The TCP connect, as the Dialer reported it. */
export interface ConnectEvidence {
  outcome: TcpOutcome;
  ms: number;
  /** OS or guard code when it did not open (ECONNREFUSED, ETIMEDOUT, SCOPE, …). */
  errorCode: string | null;
}

/** A reply and how long it took (from the command sent, or for a greeting from the connection opening). */
export interface ReplyEvidence extends SmtpReply {
  ms: number;
}

/** Where and why the dialog broke. */
export interface StepFailure {
  step: SubmissionStep | ImplicitTlsStep;
  /** The session phase (`greeting`, `ehlo`, `mail`, `rcpt`, `rset`, `starttls`, `tls`, `auth`, `quit`, `connect`). */
  phase: SmtpPhase;
  /**
   * The session's error kind, or `rejected`: the server answered, with a code
   * that ends the dialog (a greeting other than 220, EHLO and HELO not 250,
   * STARTTLS not 220).
   */
  kind: SmtpErrorKind | 'rejected';
  /** One line; the server's text is quoted, secrets are redacted. */
  message: string;
}

/** The EHLO exchange, with the RFC 5321 §4.1.4 HELO fallback when EHLO was refused. */
export interface HelloEvidence {
  /** The command that got 250: EHLO, or HELO after a refused EHLO; null when neither did. */
  verb: 'EHLO' | 'HELO' | null;
  ehlo: ReplyEvidence;
  /** HELO's reply when EHLO was refused with 5xx; null when HELO was not tried. */
  helo: ReplyEvidence | null;
  /** From the EHLO reply; empty after HELO (HELO offers no extensions) or when neither was answered. */
  capabilities: EhloCapabilities;
}

/**
 * A relay attempt without AUTH: MAIL FROM a reserved sender, RCPT TO an
 * address in a reserved domain (RFC 2606), then RSET. Never DATA.
 */
export interface RelayAttemptEvidence {
  sender: string;
  recipient: string;
  /** Null only when the dialog broke before the reply. */
  mailFrom: ReplyEvidence | null;
  /** Null when MAIL FROM was not accepted (RCPT was not sent) or the dialog broke. */
  rcptTo: ReplyEvidence | null;
  /** Null when the dialog broke before RSET's reply. */
  rset: ReplyEvidence | null;
  /** RCPT TO was answered 2xx: the server accepted the external recipient without AUTH. */
  accepted: boolean;
  /** The command whose reply was 4xx/5xx, null when none was (accepted, or the dialog broke). */
  refusedAt: 'mail' | 'rcpt' | null;
}

/**
 * Why no credentials were sent, as a word: the plan names none, a variable is
 * unset, the certificate is not trusted, TLS was never established (RFC 4954
 * §4), AUTH is not offered after STARTTLS, or no mechanism the probe speaks is.
 */
export type AuthWithheld = 'no-credentials' | 'variable-unset' | 'untrusted-certificate' | 'no-tls' | 'not-advertised' | 'no-usable-mechanism';

/** The AUTH step: tried with the plan's credentials, or why not. */
export type AuthEvidence =
  | {
      attempted: false;
      withheld: AuthWithheld;
      /**
       * Why no credentials were sent, in words: `no credentials in the plan`,
       * `P25_PASSWORD is not set` (the variable's name), `certificate not
       * trusted; credentials withheld`, `no TLS; credentials withheld`, `AUTH not
       * advertised after STARTTLS`, `neither PLAIN nor LOGIN offered (…)`.
       */
      reason: string;
      /** The user name when it was known. */
      user: string | null;
      /** The unset variable's name (`variable-unset`). */
      variable?: string;
    }
  | {
      attempted: true;
      mechanism: 'PLAIN' | 'LOGIN';
      user: string;
      /** The final reply: 235 on success (RFC 4954 §6). Null when the dialog broke. */
      reply: ReplyEvidence | null;
      succeeded: boolean;
    };

/** The TLS step: the handshake and the certificate chain. */
export interface TlsStepEvidence extends TlsEvidence {
  /** Characters sent in clear after the STARTTLS reply and discarded (RFC 3207 §6); 0 for implicit TLS. */
  plaintextDiscarded: number;
}

/**
 * Shared by both probes. Extends the model's open record (ObservationBase plus
 * an index signature) so that it is an `Observation` of the scan file as it is.
 */
interface SmtpProbeObservation extends GenericObservation {
  /** The name the certificate must match: the plan's server name, or the address for an address. */
  serverName: string;
  connect: ConnectEvidence;
  greeting: ReplyEvidence | null;
  hello: HelloEvidence | null;
  tls: TlsStepEvidence | null;
  /** Null when TLS was not established, or the server presented no certificate. */
  certificate: CertificateChainEvidence | null;
  quit: ReplyEvidence | null;
  failure: StepFailure | null;
  /** Bytes the server sent. */
  bytesReceived: number;
  transcript: TranscriptEvidence;
}

/** One submission server address on `ports.submission` (P1, P2). */
export interface SubmissionObservation extends SmtpProbeObservation {
  probe: 'submission';
  outcome: SubmissionOutcome;
  relayBeforeTls: RelayAttemptEvidence | null;
  /** The reply to STARTTLS; null when STARTTLS was not offered or not reached. */
  starttls: ReplyEvidence | null;
  /** EHLO again after TLS (RFC 3207 §4.2). */
  helloAfterTls: HelloEvidence | null;
  relayAfterTls: RelayAttemptEvidence | null;
  /** Null when the dialog broke before the AUTH decision. */
  auth: AuthEvidence | null;
}

/** One submission server address on `ports.submissions` (P1.implicit-tls, RFC 8314). */
export interface ImplicitTlsObservation extends SmtpProbeObservation {
  probe: 'implicit-tls';
  outcome: ImplicitTlsOutcome;
  failure: StepFailure | null;
}

/** The sender of relay attempts: a reserved domain (RFC 2606 §3). */
export const RELAY_PROBE_SENDER = 'p25-audit-probe@example.com';
/** The external recipient of relay attempts: under `.invalid` (RFC 2606 §2), which no ISP can be responsible for. */
export const RELAY_PROBE_RECIPIENT = 'relay-test@example.net.invalid';
