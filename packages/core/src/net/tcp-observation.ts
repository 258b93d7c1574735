import type { Socket } from 'node:net';
import type { TcpObservation } from '../model.js';
import type { ProbeContext, Task } from '../probes/probe.js';
import { GREETING_LIMITS, readBanner, type BannerLimits } from './banner.js';

/** A probe's work was cut short by the scan's signal: nothing was observed, the task stays to do. */
export function abortError(): DOMException {
  return new DOMException('The scan was interrupted', 'AbortError');
}

/** True for the rejection of a probe whose scan was interrupted. */
export function isAbortError(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}

/** What an open port said: its greeting and, for the canary probes, its EHLO reply. */
export type PortReply = Pick<TcpObservation, 'banner' | 'ehlo'>;

/**
 * Reads what an open port says within `limits` (one deadline for everything
 * it reads); never throws for what the peer does. The caller destroys the socket.
 */
export type OpenPortReader = (socket: Socket, limits: BannerLimits) => Promise<PortReply>;

/** The default reader: the greeting alone; nothing is sent. */
export const readGreeting: OpenPortReader = async (socket, limits) => ({ banner: await readBanner(socket, limits) });

/**
 * The TCP probes' one step: connect within `probe.connectTimeoutMs`; when it
 * opens, let `read` read it (bounded: {@link GREETING_LIMITS}, and never longer
 * than `probe.dialogTimeoutMs`), then destroy the socket. The default reader
 * reads the greeting and sends nothing.
 * Rejects with an AbortError when the scan's signal fired before the
 * observation was complete, so an interrupted probe is redone on resume
 * instead of being recorded as what it was not.
 */
export async function observeTcp(
  probe: TcpObservation['probe'],
  task: Task,
  ctx: ProbeContext,
  read: OpenPortReader = readGreeting,
): Promise<TcpObservation> {
  const startedAt = ctx.now().toISOString();
  const connection = await ctx.dial(task.target, { timeoutMs: ctx.plan.probe.connectTimeoutMs, signal: ctx.signal });
  const observation: TcpObservation = {
    type: 'observation',
    probe,
    target: task.target,
    vantage: ctx.vantage,
    startedAt,
    ms: connection.ms,
    outcome: connection.outcome,
  };
  if (connection.outcome === 'open') {
    try {
      const reply = await read(connection.socket, {
        ...GREETING_LIMITS,
        timeoutMs: Math.min(GREETING_LIMITS.timeoutMs, ctx.plan.probe.dialogTimeoutMs),
        signal: ctx.signal,
      });
      Object.assign(observation, reply);
    } finally {
      connection.socket.destroy();
    }
  } else {
    observation.errorCode = connection.errorCode;
  }
  if (ctx.signal.aborted) throw abortError();
  if (task.expect !== undefined) observation.expect = task.expect;
  return observation;
}
