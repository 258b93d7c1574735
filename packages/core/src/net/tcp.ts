import { isIP, Socket } from 'node:net';
import { getSystemErrorName } from 'node:util';
import type { Target, TcpOutcome } from '../model.js';
import { unwatchAbort, watchAbort, type Abortable } from './abort-watch.js';
import type { Connection, DialOptions, Dialer } from './dialer.js';

/**
 * OS error codes that mean the network (an ICMP error, a router's or the
 * local host's filter) said the target cannot be reached.
 * ICMP host/net unreachable and admin-prohibited (RFC 792, RFC 1812 §5.2.7.1)
 * surface as EHOSTUNREACH/ENETUNREACH; ICMPv6 administratively prohibited
 * (RFC 4443 §3.1 code 1) as EACCES; a local netfilter DROP in OUTPUT as EPERM.
 */
const UNREACHABLE_CODES: ReadonlySet<string> = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENONET', 'EACCES', 'EPERM']);

/** errorCode of a dial the caller aborted (the scan was interrupted). */
export const ABORTED = 'ABORTED';
/** errorCode of a dial refused because the host is not an IP literal (dialers take resolved addresses only). */
export const NOT_AN_ADDRESS = 'NOT_AN_ADDRESS';

/**
 * Maps an OS error code of a failed connect to a TCP outcome: RST is closed,
 * a timeout filtered, ICMP or local filtering unreachable, anything else a
 * local error that says nothing about the target.
 */
export function outcomeOfErrorCode(code: string): Exclude<TcpOutcome, 'open'> {
  // A reset during the handshake (ECONNRESET) is an RST too: DESIGN, "RST = closed".
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET') return 'closed';
  if (code === 'ETIMEDOUT') return 'filtered';
  return UNREACHABLE_CODES.has(code) ? 'unreachable' : 'error';
}

/** Swallows errors of a socket nobody listens to yet, so a peer's reset can never crash the process. */
function ignoreError(): void {}

/**
 * One connect attempt. The socket's listeners are shared module-level
 * functions that find their attempt through the socket, and the signal is
 * watched through one shared listener (abort-watch), so a probe allocates no
 * closure besides its promise (issue 7 wants ~20k probes/s on 2 cores).
 */
class Attempt implements Abortable {
  settled = false;
  timer: NodeJS.Timeout | undefined = undefined;
  readonly started = performance.now();

  constructor(
    readonly socket: Socket,
    readonly resolve: (connection: Connection) => void,
    readonly signal: AbortSignal | undefined,
  ) {}

  onAbort(): void {
    this.fail(ABORTED);
  }

  elapsed(): number {
    return Math.round((performance.now() - this.started) * 10) / 10;
  }

  open(): void {
    if (this.settled) return;
    this.finish();
    this.socket.on('error', ignoreError);
    this.resolve({ outcome: 'open', socket: this.socket, ms: this.elapsed() });
  }

  fail(errorCode: string): void {
    if (this.settled) return;
    this.finish();
    this.socket.on('error', ignoreError);
    this.socket.destroy();
    this.resolve({ outcome: outcomeOfErrorCode(errorCode), ms: this.elapsed(), errorCode });
  }

  private finish(): void {
    this.settled = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.socket.removeListener('connect', onConnect);
    this.socket.removeListener('error', onError);
    if (this.signal !== undefined) unwatchAbort(this.signal, this);
    (this.socket as AttemptSocket)[ATTEMPT] = undefined;
  }
}

/** Where a socket keeps its attempt while connecting (a property, not a WeakMap: weak tables cost every GC). */
const ATTEMPT = Symbol('port25-audit connect attempt');
type AttemptSocket = Socket & { [ATTEMPT]?: Attempt | undefined };

function onConnect(this: AttemptSocket): void {
  this[ATTEMPT]?.open();
}

function onError(this: AttemptSocket, error: NodeJS.ErrnoException): void {
  this[ATTEMPT]?.fail(error.code ?? 'EIO');
}

function onTimeout(attempt: Attempt): void {
  // No SYN-ACK, no RST and no ICMP within the deadline: a silent drop.
  attempt.fail('ETIMEDOUT');
}

/** A port a TCP connect can name: an integer 1-65535 (the kernel would silently truncate a larger one). */
function validPort(port: number): boolean {
  return Number.isInteger(port) && port > 0 && port <= 65535;
}

/** What every dial checks first (`family` is isIP of the address); a Connection when it must not reach the network. */
function refusal(target: Target, family: number, options: DialOptions): Connection | null {
  // A name would trigger a DNS lookup here, outside the plan's recorded resolution.
  if (family === 0) return { outcome: 'error', ms: 0, errorCode: NOT_AN_ADDRESS };
  if (options.signal?.aborted) return { outcome: 'error', ms: 0, errorCode: ABORTED };
  if (!validPort(target.port)) return { outcome: 'error', ms: 0, errorCode: 'ERR_SOCKET_BAD_PORT' };
  return null;
}

function dialWithSocket(target: Target, options: DialOptions): Promise<Connection> {
  const family = isIP(target.address);
  const refused = refusal(target, family, options);
  if (refused !== null) return Promise.resolve(refused);
  const signal = options.signal;
  return new Promise<Connection>((resolve) => {
    const socket: AttemptSocket = new Socket();
    const attempt = new Attempt(socket, resolve, signal);
    socket[ATTEMPT] = attempt;
    socket.on('connect', onConnect);
    socket.on('error', onError);
    if (signal !== undefined) watchAbort(signal, attempt);
    attempt.timer = setTimeout(onTimeout, options.timeoutMs, attempt);
    try {
      // An IP literal with its family: node:net connects without any lookup.
      socket.connect({ host: target.address, port: target.port, family });
    } catch (error) {
      attempt.fail((error as NodeJS.ErrnoException).code ?? 'EINVAL');
    }
  });
}

/*
 * The connect step on Node's TCP handle itself, the object a net.Socket wraps.
 * Measured on 2 cores (docs/performance.md): a refused connect through
 * net.Socket costs ~60 µs of CPU, through the bare handle ~30 µs, because no
 * stream, no event emitter and no Error with a stack trace is built for a
 * port that answers with a reset; a sampled range is nearly all such ports.
 * An open connection becomes a net.Socket around the same handle, as
 * net.Server does for an accepted one, so everything after the connect
 * (banner, SMTP, TLS) works on an ordinary socket.
 *
 * The handle comes from `process.binding('tcp_wrap')`, which Node keeps for
 * compatibility (DEP0111, documentation-only). When it is missing or does not
 * look as expected, the dialer uses net.Socket alone: same outcomes, slower.
 */

/** The parts of Node's tcp_wrap binding the dialer uses. */
interface TcpBinding {
  TCP: new (type: number) => TcpHandle;
  TCPConnectWrap: new () => ConnectRequest;
  constants: { SOCKET: number };
}

interface TcpHandle {
  connect(request: ConnectRequest, address: string, port: number): number;
  connect6(request: ConnectRequest, address: string, port: number): number;
  close(callback?: () => void): void;
}

interface ConnectRequest {
  oncomplete: (status: number, handle: TcpHandle, request: ConnectRequest, readable: boolean, writable: boolean) => void;
  address: string;
  port: number;
  /** Ours: the attempt this request belongs to, until it completes (a property, not a WeakMap: weak tables cost every GC). */
  attempt: HandleAttempt | null;
}

function loadTcpBinding(): TcpBinding | null {
  try {
    const binding = (process as unknown as { binding(name: string): Partial<TcpBinding> }).binding('tcp_wrap');
    const ok =
      typeof binding.TCP === 'function' &&
      typeof binding.TCPConnectWrap === 'function' &&
      typeof binding.constants?.SOCKET === 'number' &&
      typeof binding.TCP.prototype.connect === 'function' &&
      typeof binding.TCP.prototype.connect6 === 'function';
    return ok ? (binding as TcpBinding) : null;
  } catch {
    return null;
  }
}

let tcpBinding: TcpBinding | null | undefined;

/** One connect attempt on a bare handle; see {@link Attempt} for why its callbacks are shared functions. */
class HandleAttempt implements Abortable {
  settled = false;
  timer: NodeJS.Timeout | undefined = undefined;
  readonly started = performance.now();

  constructor(
    readonly handle: TcpHandle,
    readonly resolve: (connection: Connection) => void,
    readonly signal: AbortSignal | undefined,
  ) {}

  onAbort(): void {
    this.fail(ABORTED);
  }

  open(readable: boolean, writable: boolean): void {
    if (this.settled) return;
    this.finish();
    // The handle is connected: a net.Socket around it is an ordinary connected socket (as net.Server makes them).
    const socket = new Socket({ handle: this.handle, readable, writable } as ConstructorParameters<typeof Socket>[0]);
    socket.on('error', ignoreError);
    this.resolve({ outcome: 'open', socket, ms: elapsedSince(this.started) });
  }

  fail(errorCode: string): void {
    if (this.settled) return;
    this.finish();
    this.handle.close();
    this.resolve({ outcome: outcomeOfErrorCode(errorCode), ms: elapsedSince(this.started), errorCode });
  }

  private finish(): void {
    this.settled = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.signal !== undefined) unwatchAbort(this.signal, this);
  }
}

function elapsedSince(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}

function onHandleConnect(status: number, _handle: TcpHandle, request: ConnectRequest, readable: boolean, writable: boolean): void {
  const attempt = request.attempt;
  if (attempt === null) return;
  request.attempt = null;
  // A cancelled connect (the handle closed on timeout or abort) reports here too; the attempt has settled by then.
  if (status === 0) attempt.open(readable, writable);
  else attempt.fail(getSystemErrorName(status));
}

function onHandleTimeout(attempt: HandleAttempt): void {
  // No SYN-ACK, no RST and no ICMP within the deadline: a silent drop.
  attempt.fail('ETIMEDOUT');
}

function dialWithHandle(binding: TcpBinding, target: Target, options: DialOptions): Promise<Connection> {
  const family = isIP(target.address);
  const refused = refusal(target, family, options);
  if (refused !== null) return Promise.resolve(refused);
  const signal = options.signal;
  return new Promise<Connection>((resolve) => {
    const handle = new binding.TCP(binding.constants.SOCKET);
    const request = new binding.TCPConnectWrap();
    const attempt = new HandleAttempt(handle, resolve, signal);
    request.oncomplete = onHandleConnect;
    request.address = target.address;
    request.port = target.port;
    request.attempt = attempt;
    if (signal !== undefined) watchAbort(signal, attempt);
    attempt.timer = setTimeout(onHandleTimeout, options.timeoutMs, attempt);
    const status = family === 6 ? handle.connect6(request, target.address, target.port) : handle.connect(request, target.address, target.port);
    // A connect that fails at once (EMFILE, EADDRNOTAVAIL, ...) never calls back.
    if (status !== 0) {
      request.attempt = null;
      attempt.fail(getSystemErrorName(status));
    }
  });
}

export interface TcpDialerOptions {
  /**
   * How the connect step is made: `handle` on Node's TCP handle (fast; the
   * default when this Node offers it), `socket` through net.Socket only.
   * The outcomes are the same.
   */
  connectWith?: 'handle' | 'socket';
}

/** True when this Node offers the TCP handle the fast connect path uses. */
export function tcpHandleAvailable(): boolean {
  tcpBinding ??= loadTcpBinding();
  return tcpBinding !== null;
}

/**
 * A Dialer over node:net. Outcomes: `open` (the caller owns and must destroy the
 * socket), `closed` (RST, ECONNREFUSED), `filtered` (no answer within
 * `timeoutMs`, errorCode ETIMEDOUT), `unreachable` (EHOSTUNREACH, ENETUNREACH,
 * EACCES, EPERM: ICMP or a local filter) and `error` with the OS code (EMFILE,
 * EADDRNOTAVAIL, ERR_SOCKET_BAD_PORT, ...), `ABORTED` when the signal fired,
 * `NOT_AN_ADDRESS` for a host name. `ms` is the time to the outcome. Every
 * socket that is not handed over open is closed.
 *
 * @example
 * ```ts
 * const dial = tcpDialer();
 * const c = await dial({ host: null, address: '127.0.0.1', port: 25, family: 'IPv4' }, { timeoutMs: 3000 });
 * if (c.outcome === 'open') c.socket.destroy();
 * ```
 */
export function tcpDialer(options: TcpDialerOptions = {}): Dialer {
  if (options.connectWith !== 'socket' && tcpHandleAvailable()) {
    const binding = tcpBinding!;
    return (target, dialOptions) => dialWithHandle(binding, target, dialOptions);
  }
  return dialWithSocket;
}
