import { isIP, Socket } from 'node:net';
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
  if (code === 'ECONNREFUSED') return 'closed';
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
    attempts.delete(this.socket);
  }
}

const attempts = new WeakMap<Socket, Attempt>();

function onConnect(this: Socket): void {
  attempts.get(this)?.open();
}

function onError(this: Socket, error: NodeJS.ErrnoException): void {
  attempts.get(this)?.fail(error.code ?? 'EIO');
}

function onTimeout(attempt: Attempt): void {
  // No SYN-ACK, no RST and no ICMP within the deadline: a silent drop.
  attempt.fail('ETIMEDOUT');
}

function dialTcp(target: Target, options: DialOptions): Promise<Connection> {
  const family = isIP(target.address);
  if (family === 0) {
    // A name would trigger a DNS lookup here, outside the plan's recorded resolution.
    return Promise.resolve({ outcome: 'error', ms: 0, errorCode: NOT_AN_ADDRESS });
  }
  const signal = options.signal;
  if (signal?.aborted) return Promise.resolve({ outcome: 'error', ms: 0, errorCode: ABORTED });
  return new Promise<Connection>((resolve) => {
    const socket = new Socket();
    const attempt = new Attempt(socket, resolve, signal);
    attempts.set(socket, attempt);
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

/**
 * A Dialer over node:net. Outcomes: `open` (the caller owns and must destroy the
 * socket), `closed` (RST, ECONNREFUSED), `filtered` (no answer within
 * `timeoutMs`, errorCode ETIMEDOUT), `unreachable` (EHOSTUNREACH, ENETUNREACH,
 * EACCES, EPERM: ICMP or a local filter) and `error` with the OS code (EMFILE,
 * EADDRNOTAVAIL, ...), `ABORTED` when the signal fired, `NOT_AN_ADDRESS` for a
 * host name. `ms` is the time to the outcome. Every socket that is not handed
 * over open is destroyed.
 *
 * @example
 * ```ts
 * const dial = tcpDialer();
 * const c = await dial({ host: null, address: '127.0.0.1', port: 25, family: 'IPv4' }, { timeoutMs: 3000 });
 * if (c.outcome === 'open') c.socket.destroy();
 * ```
 */
export function tcpDialer(): Dialer {
  return dialTcp;
}
