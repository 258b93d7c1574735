/**
 * The one SMTP client of port25-audit: an adapter over smtp-channel 0.2.4 that
 * runs over a socket from the scan's Dialer and closes each of the library's
 * traps (TOOLCHAIN.md, "smtp-channel 0.2.4"):
 *
 * 1. an 'error' listener is always attached to the channel and to every socket;
 * 2./3. no smtp-channel timeout is used: one wall-clock deadline per session
 *    destroys the sockets, so nothing re-sends QUIT and nothing stays open;
 * 4. a session connects once, through the Dialer; it is never reconnected;
 * 5. byte and line caps are enforced before smtp-channel's line buffer sees a chunk;
 * 6. a bare `220`/`250` ends a reply (RFC 5321 §4.2);
 * 7. the TLS socket is the one this adapter created, never the private `_socket`;
 * 8. SNI is sent for host names only, never for an address (RFC 6066 §3).
 *
 * It never sends DATA or BDAT: the audit stops every mail transaction at RCPT.
 */
import type { Socket } from 'node:net';
import * as tls from 'node:tls';
import { SMTPChannel, type SocketCreationConfig } from 'smtp-channel';
import { Port25Error } from '../errors.js';
import type { Target } from '../model.js';
import { describePeerChain, type CertificateChainEvidence } from './certificate.js';
import type { Connection, Dialer } from './dialer.js';
import { isLastReplyLine, parseReply, quoteForMessage, type SmtpReply } from './smtp-reply.js';
import { describeTlsSocket, probeTlsOptions, type TlsClientSettings, type TlsEvidence } from './tls.js';

/** The step of the dialog an error happened in. */
export type SmtpPhase = 'connect' | 'tls' | 'greeting' | 'ehlo' | 'starttls' | 'mail' | 'rcpt' | 'rset' | 'auth' | 'quit';

/**
 * What went wrong: `refused`/`unreachable`/`timeout`/`local`/`aborted` at connect
 * come from the Dialer's outcome; in the dialog, `timeout` is the session
 * deadline, `closed` the peer closing or resetting, `protocol` a reply that is
 * not SMTP, `cap-exceeded` a byte, line or reply-line cap, `tls` a failed handshake.
 */
export type SmtpErrorKind = 'refused' | 'unreachable' | 'timeout' | 'closed' | 'protocol' | 'cap-exceeded' | 'tls' | 'aborted' | 'local';

/** A failed connect as the Dialer reported it. */
export type FailedConnection = Exclude<Connection, { outcome: 'open' }>;

/** Why a session step failed: the phase, the kind and a one-line message (secrets redacted). */
export class SmtpSessionError extends Error {
  readonly phase: SmtpPhase;
  readonly kind: SmtpErrorKind;
  /** The Dialer's outcome when the connect failed, else null. */
  readonly connection: FailedConnection | null;

  constructor(phase: SmtpPhase, kind: SmtpErrorKind, message: string, options: { cause?: unknown; connection?: FailedConnection } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SmtpSessionError';
    this.phase = phase;
    this.kind = kind;
    this.connection = options.connection ?? null;
  }
}

/** Bounds of one session; a hostile peer costs no more than these. */
export interface SmtpSessionLimits {
  /** Passed to the Dialer. */
  connectTimeoutMs: number;
  /** One wall-clock deadline for the whole dialog, from the moment the connection opened. */
  dialogTimeoutMs: number;
  /** Bytes the server may send in the whole session. */
  maxBytes: number;
  /** Characters in one line (RFC 5321 §4.5.3.1.5 allows 512 octets per reply line). */
  maxLineLength: number;
  /** Lines in one reply. */
  maxReplyLines: number;
  /** Transcript entries kept; later ones are counted, not kept. */
  maxTranscriptLines: number;
  /** Characters kept of one transcript entry. */
  maxTranscriptLineLength: number;
}

/** Defaults: generous for any honest server (an EHLO reply is ~20 lines of < 100 octets), tight for a hostile one. */
export const DEFAULT_SMTP_SESSION_LIMITS: Readonly<SmtpSessionLimits> = {
  connectTimeoutMs: 3000,
  dialogTimeoutMs: 15_000,
  maxBytes: 256 * 1024,
  maxLineLength: 4096,
  maxReplyLines: 128,
  maxTranscriptLines: 256,
  maxTranscriptLineLength: 512,
};

/** A bounded transcript as evidence: `C: ` commands, `S: ` replies, `* ` notes. */
export interface TranscriptEvidence {
  lines: string[];
  /** Entries that did not fit the cap. */
  omitted: number;
}

const REDACTED = '[redacted]';
/** Characters kept of a line's start: one more than an error quotes, so the quote shows it is cut. */
const LINE_HEAD = 81;

/** The commands and replies of a session, bounded, with every registered secret replaced by `[redacted]`. */
export class SmtpTranscript {
  private readonly entries: string[] = [];
  private omitted = 0;
  private readonly secrets: string[] = [];

  constructor(
    private readonly maxLines: number,
    private readonly maxLineLength: number,
  ) {}

  client(line: string): void {
    this.add(`C: ${line}`);
  }

  server(line: string): void {
    this.add(`S: ${line}`);
  }

  note(text: string): void {
    this.add(`* ${text}`);
  }

  /** Registers a secret: it is replaced in every entry, past and future, and in {@link scrub}. */
  addSecret(secret: string): void {
    if (secret === '' || this.secrets.includes(secret)) return;
    this.secrets.push(secret);
    // Longest first, so that a secret containing another is replaced whole.
    this.secrets.sort((a, b) => b.length - a.length);
    for (let i = 0; i < this.entries.length; i++) this.entries[i] = this.scrub(this.entries[i]!);
  }

  /** `text` with every registered secret replaced. */
  scrub(text: string): string {
    let scrubbed = text;
    for (const secret of this.secrets) scrubbed = scrubbed.split(secret).join(REDACTED);
    return scrubbed;
  }

  /**
   * `reply` with every registered secret replaced in each line, and `text`
   * rebuilt from them: a server that echoes AUTH back must not get the
   * password into the reply kept as evidence, any more than into the transcript.
   */
  scrubReply(reply: SmtpReply): SmtpReply {
    if (this.secrets.length === 0) return reply;
    const lines = reply.lines.map((line) => this.scrub(line));
    return { ...reply, lines, text: lines.join('\n') };
  }

  toEvidence(): TranscriptEvidence {
    return { lines: [...this.entries], omitted: this.omitted };
  }

  private add(entry: string): void {
    if (this.entries.length >= this.maxLines) {
      this.omitted++;
      return;
    }
    const scrubbed = this.scrub(entry);
    const kept = scrubbed.length > this.maxLineLength ? `${scrubbed.slice(0, this.maxLineLength)}… [${scrubbed.length - this.maxLineLength} more characters]` : scrubbed;
    this.entries.push(kept);
  }
}

/** What the session needs from its channel; implemented by {@link SmtpSession}. */
interface ChannelHooks {
  createSocket(config: SocketCreationConfig, onConnect: () => void): Socket;
  /** The part of `chunk` within the caps (all of it, normally), and what was exceeded, if anything. */
  admit(chunk: string): { within: string; exceeded: string | null };
  /** Called after the part within the caps was read. */
  capExceeded(what: string): void;
}

/**
 * smtp-channel bent to the adapter: sockets come from the session (the Dialer's
 * socket, or a TLS socket the session made), every chunk passes the session's
 * caps before the unbounded line buffer, and bare codes end a reply.
 */
class DialedChannel extends SMTPChannel {
  constructor(private readonly hooks: ChannelHooks) {
    // timeout 0: smtp-channel's idle timeout would re-send QUIT forever (trap 3).
    super({ timeout: 0 });
  }

  protected override _createSocket(config: SocketCreationConfig, onConnect: () => void): Socket {
    return this.hooks.createSocket(config, onConnect);
  }

  protected override _onReceive(chunk: string): void {
    const { within, exceeded } = this.hooks.admit(chunk);
    // What arrived within the caps is still read, so that the transcript shows it.
    if (within !== '') super._onReceive(within);
    if (exceeded !== null) this.hooks.capExceeded(exceeded);
  }

  override isLastReply(line: string): boolean {
    return isLastReplyLine(line);
  }

  /** Forgets the partial line the buffer holds. */
  discardBufferedLine(): void {
    this._receiveBuffer.drain();
  }
}

/** How to open a session. */
export interface SmtpSessionOptions {
  target: Target;
  /** The scan's scope-guarded Dialer: the only way this session reaches the network. */
  dial: Dialer;
  /** Trust anchors and the server name (SNI, certificate name check). */
  tls: TlsClientSettings;
  limits?: Partial<SmtpSessionLimits>;
  signal?: AbortSignal;
  /** Clock for certificate validity; defaults to the system clock. */
  now?: () => Date;
}

/** The result of a TLS upgrade (STARTTLS or implicit TLS). */
export interface TlsUpgrade {
  tls: TlsEvidence;
  /** Null when the server presented no certificate. */
  certificate: CertificateChainEvidence | null;
  /** Characters the server sent in clear after its STARTTLS reply, thrown away unread (RFC 3207 §6). */
  plaintextDiscarded: number;
}

const CLOSED_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_DESTROYED', 'ERR_STREAM_WRITE_AFTER_END', 'ERR_SOCKET_CLOSED']);

/** Verbs the adapter refuses to send: the audit never transfers a message (DESIGN: never DATA). */
const FORBIDDEN_VERBS = new Set(['DATA', 'BDAT']);

function connectErrorKind(connection: FailedConnection): SmtpErrorKind {
  switch (connection.outcome) {
    case 'closed':
      return 'refused';
    case 'filtered':
      return 'timeout';
    case 'unreachable':
      return 'unreachable';
    default:
      return connection.errorCode === 'ABORTED' ? 'aborted' : 'local';
  }
}

function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/**
 * One SMTP session with one server: connect, greeting, commands, STARTTLS or
 * implicit TLS, AUTH, QUIT. Single use: after an error or `close()` every
 * further step throws. The caller must call `close()` (or `quit()`), in a
 * `finally`; the deadline destroys the sockets even when it does not.
 *
 * Replies come back as data whatever their code; only what breaks the dialog
 * throws a {@link SmtpSessionError}: the connect failing, the deadline, the
 * peer closing, a reply that is not SMTP, a cap, a failed TLS handshake.
 *
 * @example
 * ```ts
 * const session = await SmtpSession.open({ target, dial, tls: { ca, serverName: 'mail.example.net' } });
 * try {
 *   const greeting = await session.greeting();
 *   const ehlo = await session.ehlo('audit.example.net');
 *   if ((await session.startTls()).code === 220) await session.upgradeToTls();
 *   await session.quit();
 * } finally {
 *   session.close();
 * }
 * ```
 */
export class SmtpSession {
  readonly target: Target;
  readonly transcript: SmtpTranscript;
  /** Time the Dialer took to open the connection. */
  readonly connectMs: number;

  private readonly limits: SmtpSessionLimits;
  private readonly options: SmtpSessionOptions;
  private readonly channel: DialedChannel;
  private readonly sockets: Socket[] = [];
  /** The connected socket smtp-channel is handed: the Dialer's, or the TLS socket for implicit TLS. */
  private handover: Socket;
  private tlsSocket: tls.TLSSocket | null = null;
  private tlsEstablished = false;
  /** smtp-channel has taken the socket over (the greeting was asked for). */
  private channelConnected = false;
  private phase: SmtpPhase = 'connect';
  private failure: SmtpSessionError | null = null;
  /** Set by close(): no further step. */
  private closed = false;
  private rejectBroken: (error: SmtpSessionError) => void = () => {};
  /** Rejects once, when the session breaks; every pending step races it. */
  private readonly broken: Promise<never>;
  private deadline: NodeJS.Timeout | undefined;
  private busy = false;
  private peerClosed = false;
  private bytes = 0;
  /** Length of the line being received (what smtp-channel's buffer holds). */
  private partialLine = 0;
  /** Its first characters, to quote when it grows past the cap. */
  private lineHead = '';
  private collecting = false;
  private replyLines: string[] = [];
  /** Characters of lines that arrived outside any reply since the last step began. */
  private unsolicited = 0;

  private readonly onSocketError = (): void => {
    // Every error also surfaces as a rejected step or a 'close'; this listener only keeps the process alive (trap 1).
  };

  private readonly onSocketClose = (): void => {
    this.peerClosed = true;
    // A complete reply in hand is still delivered (a 421 followed by the close, RFC 5321 §3.8).
    const replyComplete = !this.collecting && this.replyLines.length > 0;
    if (this.busy && !replyComplete) this.fail(this.phase === 'tls' ? 'tls' : 'closed', 'the server closed the connection');
  };

  private readonly onAbort = (): void => {
    this.fail('aborted', 'the scan was interrupted');
  };

  private readonly onReplyLine = (line: string): void => {
    if (this.failure !== null) return;
    if (!this.collecting) {
      this.unsolicited += line.length + 2;
      this.transcript.note(`ignored, outside any reply: ${line}`);
      return;
    }
    this.transcript.server(line);
    this.replyLines.push(line);
    if (this.replyLines.length > this.limits.maxReplyLines) {
      this.fail('cap-exceeded', `a reply of more than ${this.limits.maxReplyLines} lines`);
      return;
    }
    if (isLastReplyLine(line)) this.collecting = false;
  };

  private constructor(options: SmtpSessionOptions, socket: Socket, connectMs: number) {
    this.options = options;
    this.target = options.target;
    this.limits = { ...DEFAULT_SMTP_SESSION_LIMITS, ...options.limits };
    this.transcript = new SmtpTranscript(this.limits.maxTranscriptLines, this.limits.maxTranscriptLineLength);
    this.connectMs = connectMs;
    this.broken = new Promise<never>((_, reject) => {
      this.rejectBroken = reject;
    });
    // Nobody may be waiting when the session breaks (idle between steps).
    this.broken.catch(() => undefined);
    this.handover = socket;
    this.adopt(socket);
    this.channel = new DialedChannel({
      createSocket: (config, onConnect) => this.createSocket(config, onConnect),
      admit: (chunk) => this.admit(chunk),
      capExceeded: (what) => this.fail('cap-exceeded', what),
    });
    this.channel.on('error', this.onSocketError);
    this.channel.on('reply', this.onReplyLine);
    this.deadline = setTimeout(() => {
      this.fail('timeout', `the dialog took longer than its ${this.limits.dialogTimeoutMs} ms deadline`);
    }, this.limits.dialogTimeoutMs);
    options.signal?.addEventListener('abort', this.onAbort);
  }

  /**
   * Connects through the Dialer. Throws a {@link SmtpSessionError} in phase
   * `connect` carrying the Dialer's outcome when the connection does not open.
   */
  static async open(options: SmtpSessionOptions): Promise<SmtpSession> {
    const limits = { ...DEFAULT_SMTP_SESSION_LIMITS, ...options.limits };
    if (options.signal?.aborted) throw new SmtpSessionError('connect', 'aborted', 'the scan was interrupted');
    const connection = await options.dial(options.target, {
      timeoutMs: limits.connectTimeoutMs,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    if (connection.outcome !== 'open') {
      const kind = connectErrorKind(connection);
      throw new SmtpSessionError('connect', kind, `connect ${connection.outcome} (${connection.errorCode})`, { connection });
    }
    const session = new SmtpSession(options, connection.socket, connection.ms);
    if (options.signal?.aborted) session.onAbort();
    return session;
  }

  /** Bytes the server sent so far. */
  get bytesReceived(): number {
    return this.bytes;
  }

  /** True once a TLS handshake completed. */
  get secure(): boolean {
    return this.tlsEstablished;
  }

  /** The error that broke the session, or null. */
  get error(): SmtpSessionError | null {
    return this.failure;
  }

  /** Reads the server's greeting (RFC 5321 §3.1, §4.3.1: 220, or 554 / 421). */
  async greeting(): Promise<SmtpReply> {
    return this.exchange('greeting', null, () => {
      this.channelConnected = true;
      return this.channel.connect();
    });
  }

  /** EHLO (RFC 5321 §4.1.1.1). */
  ehlo(domain: string): Promise<SmtpReply> {
    return this.command('ehlo', `EHLO ${domain}`);
  }

  /** HELO, the fallback when EHLO is refused (RFC 5321 §4.1.4). */
  helo(domain: string): Promise<SmtpReply> {
    return this.command('ehlo', `HELO ${domain}`);
  }

  /** MAIL FROM (RFC 5321 §4.1.1.2). */
  mailFrom(address: string): Promise<SmtpReply> {
    return this.command('mail', `MAIL FROM:<${address}>`);
  }

  /** RCPT TO (RFC 5321 §4.1.1.3). */
  rcptTo(address: string): Promise<SmtpReply> {
    return this.command('rcpt', `RCPT TO:<${address}>`);
  }

  /** RSET: abort the mail transaction (RFC 5321 §4.1.1.5). */
  rset(): Promise<SmtpReply> {
    return this.command('rset', 'RSET');
  }

  /** Sends STARTTLS (RFC 3207 §4); on 220 call {@link upgradeToTls}. */
  startTls(): Promise<SmtpReply> {
    return this.command('starttls', 'STARTTLS');
  }

  /**
   * Runs the TLS handshake: after a 220 to STARTTLS, or, before the greeting,
   * as implicit TLS (RFC 8314 §3.3). Anything the server sent in clear after
   * its STARTTLS reply is discarded (RFC 3207 §6). The caller must send EHLO
   * again: what the server said before TLS no longer counts (RFC 3207 §4.2).
   */
  async upgradeToTls(): Promise<TlsUpgrade> {
    this.enter('tls');
    const started = performance.now();
    let plaintextDiscarded = 0;
    this.busy = true;
    try {
      if (!this.channelConnected) {
        this.handover = await Promise.race([this.handshake(this.handover), this.broken]);
      } else {
        plaintextDiscarded = this.unsolicited + this.partialLine;
        this.channel.discardBufferedLine();
        this.partialLine = 0;
        this.lineHead = '';
        await Promise.race([this.channel.negotiateTLS(), this.broken]);
      }
    } catch (error) {
      throw this.failWith(error);
    } finally {
      this.busy = false;
    }
    const socket = this.tlsSocket;
    if (socket === null) throw this.fail('local', 'no TLS socket after the handshake');
    this.tlsEstablished = true;
    const ms = Math.round((performance.now() - started) * 10) / 10;
    const evidence = describeTlsSocket(socket, this.options.tls, ms);
    if (plaintextDiscarded > 0) this.transcript.note(`discarded ${plaintextDiscarded} characters sent in clear after the STARTTLS reply (RFC 3207 §6)`);
    this.transcript.note(`TLS established: ${evidence.protocol ?? '?'} ${evidence.cipher ?? '?'}`);
    const nameChecked = this.options.tls.serverName ?? this.target.address;
    const now = this.options.now?.() ?? new Date();
    return { tls: evidence, certificate: describePeerChain(socket, nameChecked, now), plaintextDiscarded };
  }

  /**
   * AUTH PLAIN (RFC 4616, with the initial response of RFC 4954 §4) or AUTH
   * LOGIN. The password, the user and every base64 form of them are redacted in
   * the transcript and in every reply from here on. Returns the final reply: 235 on success (RFC 4954 §6).
   * The caller decides whether the channel deserves credentials.
   */
  async auth(mechanism: 'PLAIN' | 'LOGIN', user: string, password: string): Promise<SmtpReply> {
    const plain = base64(`\0${user}\0${password}`);
    for (const secret of [password, base64(password), base64(user), plain]) this.transcript.addSecret(secret);
    if (mechanism === 'PLAIN') return this.exchange('auth', `AUTH PLAIN ${REDACTED}`, () => this.channel.write(`AUTH PLAIN ${plain}\r\n`));
    const start = await this.exchange('auth', 'AUTH LOGIN', () => this.channel.write('AUTH LOGIN\r\n'));
    if (start.code !== 334) return start;
    const afterUser = await this.exchange('auth', REDACTED, () => this.channel.write(`${base64(user)}\r\n`));
    if (afterUser.code !== 334) return afterUser;
    return this.exchange('auth', REDACTED, () => this.channel.write(`${base64(password)}\r\n`));
  }

  /** QUIT (RFC 5321 §4.1.1.10), then the session is closed whatever happens. */
  async quit(): Promise<SmtpReply> {
    try {
      return await this.command('quit', 'QUIT');
    } finally {
      this.close();
    }
  }

  /** Destroys every socket of the session; idempotent, safe at any point. */
  close(): void {
    if (!this.closed && this.failure === null) this.rejectBroken(new SmtpSessionError(this.phase, 'local', 'the session was closed by the client'));
    this.closed = true;
    this.release();
  }

  // ------------------------------------------------------------ internals

  private async command(phase: SmtpPhase, line: string): Promise<SmtpReply> {
    if (/[\r\n]/.test(line)) throw new Port25Error('RUNTIME', `SMTP command with a line break refused: ${JSON.stringify(line)}`);
    const verb = line.split(' ', 1)[0]!.toUpperCase();
    if (FORBIDDEN_VERBS.has(verb)) throw new Port25Error('RUNTIME', `${verb} refused: the audit never transfers a message`);
    return this.exchange(phase, line, () => this.channel.write(`${line}\r\n`));
  }

  /** Sends (or, for the greeting, connects) and collects one complete reply. */
  private async exchange(phase: SmtpPhase, shown: string | null, send: () => Promise<unknown>): Promise<SmtpReply> {
    this.enter(phase);
    if (shown !== null) this.transcript.client(shown);
    this.collecting = true;
    this.replyLines = [];
    this.unsolicited = 0;
    this.busy = true;
    try {
      await Promise.race([send(), this.broken]);
    } catch (error) {
      throw this.failWith(error);
    } finally {
      this.busy = false;
    }
    const reply = parseReply(this.replyLines);
    if (typeof reply === 'string') throw this.fail('protocol', reply);
    // Every reply, not only AUTH's: a server may echo a secret in any later reply too.
    return this.transcript.scrubReply(reply);
  }

  /** Starts a step; throws when the session can no longer take one. */
  private enter(phase: SmtpPhase): void {
    this.phase = phase;
    if (this.failure !== null) throw new SmtpSessionError(phase, this.failure.kind, this.failure.message, { cause: this.failure });
    if (this.closed) throw new SmtpSessionError(phase, 'local', 'the session was closed by the client');
    if (this.peerClosed) throw this.fail('closed', 'the server had closed the connection');
  }

  /** Breaks the session (once): records why, wakes the pending step, destroys the sockets. */
  private fail(kind: SmtpErrorKind, message: string, cause?: unknown): SmtpSessionError {
    if (this.failure === null) {
      const text = this.transcript.scrub(message);
      this.failure = new SmtpSessionError(this.phase, kind, text, cause === undefined ? {} : { cause });
      this.transcript.note(`${this.phase} failed (${kind}): ${text}`);
      this.rejectBroken(this.failure);
      this.release();
    }
    return this.failure;
  }

  /** Maps what smtp-channel or a socket threw to the session's error. */
  private failWith(error: unknown): SmtpSessionError {
    if (error instanceof SmtpSessionError) return this.fail(error.kind, error.message, error);
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    const message = error instanceof Error ? error.message : String(error);
    if (this.phase === 'tls') return this.fail('tls', message, error);
    if (/socket has closed/i.test(message) || (code !== undefined && (CLOSED_CODES.has(code) || code.startsWith('E')))) {
      return this.fail('closed', message, error);
    }
    return this.fail('protocol', message, error);
  }

  private release(): void {
    if (this.deadline !== undefined) clearTimeout(this.deadline);
    this.deadline = undefined;
    this.options.signal?.removeEventListener('abort', this.onAbort);
    // Topmost first: destroying the socket under a TLS socket mid-handshake crashes Node.
    for (const socket of [...this.sockets].reverse()) socket.destroy();
  }

  /** Keeps the process safe from a socket's errors and learns of its close. */
  private adopt(socket: Socket): void {
    socket.on('error', this.onSocketError);
    socket.once('close', this.onSocketClose);
    this.sockets.push(socket);
    if (this.failure !== null) socket.destroy();
  }

  /** smtp-channel's socket factory: hands over the connected socket, or wraps it in TLS. */
  private createSocket(config: SocketCreationConfig, onConnect: () => void): Socket {
    if (config.secure !== true) {
      // smtp-channel assigns the returned socket before it expects the connect callback.
      process.nextTick(onConnect);
      return this.handover;
    }
    const plain = config.socket ?? this.handover;
    // negotiateTLS removed every listener of the plain socket, ours included.
    plain.on('error', this.onSocketError);
    plain.once('close', this.onSocketClose);
    return this.startTlsClient(plain, onConnect);
  }

  private startTlsClient(plain: Socket, onSecure: () => void): tls.TLSSocket {
    const socket = tls.connect(probeTlsOptions(plain, this.options.tls), onSecure);
    this.tlsSocket = socket;
    this.adopt(socket);
    return socket;
  }

  /** Implicit TLS: the handshake on the Dialer's socket, before smtp-channel sees it. */
  private handshake(plain: Socket): Promise<tls.TLSSocket> {
    return new Promise<tls.TLSSocket>((resolve, reject) => {
      const socket = this.startTlsClient(plain, () => {
        socket.removeListener('error', reject);
        resolve(socket);
      });
      socket.once('error', reject);
    });
  }

  /**
   * Every chunk passes here before smtp-channel's line buffer, whose memory
   * and time grow with the longest line (trap 5): the byte cap of the session
   * and the line cap. Returns the part of the chunk within both.
   */
  private admit(chunk: string): { within: string; exceeded: string | null } {
    if (this.failure !== null) return { within: '', exceeded: null };
    let within = chunk;
    let exceeded: string | null = null;
    const bytes = Buffer.byteLength(chunk, 'utf8');
    if (this.bytes + bytes > this.limits.maxBytes) {
      within = Buffer.from(chunk, 'utf8')
        .subarray(0, Math.max(0, this.limits.maxBytes - this.bytes))
        .toString('utf8');
      exceeded = `the server sent more than ${this.limits.maxBytes} bytes`;
    }
    this.bytes += bytes;
    let start = 0;
    for (;;) {
      const lf = within.indexOf('\n', start);
      const end = lf === -1 ? within.length : lf;
      if (this.lineHead.length < LINE_HEAD) this.lineHead += within.slice(start, Math.min(end, start + LINE_HEAD - this.lineHead.length));
      if (this.partialLine + (end - start) > this.limits.maxLineLength) {
        // Up to the line that is too long: its start stays out of the buffer.
        return { within: within.slice(0, start), exceeded: `a line longer than ${this.limits.maxLineLength} characters, starting ${quoteForMessage(this.lineHead)}` };
      }
      this.partialLine += end - start;
      if (lf === -1) return { within, exceeded };
      this.partialLine = 0;
      this.lineHead = '';
      start = lf + 1;
    }
  }
}
