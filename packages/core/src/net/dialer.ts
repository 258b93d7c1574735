import type { Socket } from 'node:net';
import type { Target, TcpOutcome } from '../model.js';

/** The result of one TCP connect attempt; on `open` the caller owns (and must destroy) the socket. */
export type Connection =
  | { outcome: 'open'; socket: Socket; ms: number }
  | { outcome: Exclude<TcpOutcome, 'open'>; ms: number; errorCode: string };

export interface DialOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * Opens one TCP connection. Every connection of a scan goes through a Dialer,
 * and the scan's Dialer is scope-guarded: it refuses addresses the plan does not name.
 */
export type Dialer = (target: Target, options: DialOptions) => Promise<Connection>;
