/**
 * Does the vantage have a route to an address? Asked of the kernel without
 * sending a packet, so that a family the vantage lacks (most often IPv6) is
 * reported as untested instead of as a port that was "unreachable".
 */
import { createSocket, type Socket } from 'node:dgram';
import type { Target, TcpObservation } from '../model.js';
import type { ProbeContext, Task } from '../probes/probe.js';
import { abortError, observeTcp, type OpenPortReader } from './tcp-observation.js';

/** The kernel's answer for one destination. */
export type RouteAnswer = { routed: true } | { routed: false; errorCode: string };

/**
 * Looks up whether the vantage can route to a target's address and port.
 * Injected through {@link ProbeContext.route}, so tests can swap it.
 */
export type RouteLookup = (target: Pick<Target, 'address' | 'port' | 'family'>) => Promise<RouteAnswer>;

/**
 * The kernel's route lookup: `connect()` of a UDP socket chooses a route and a
 * source address but sends nothing (UDP has no handshake, RFC 768); it fails
 * with ENETUNREACH when no route leads to the address (EHOSTUNREACH, EACCES or
 * EINVAL for `unreachable`, `prohibit` and `blackhole` routes), and the socket
 * cannot even bind (EAFNOSUPPORT, EADDRNOTAVAIL) when the family is disabled.
 *
 * @example
 * ```ts
 * await kernelRouteLookup({ address: '2001:db8::25', port: 25, family: 'IPv6' });
 * // { routed: false, errorCode: 'ENETUNREACH' } on a vantage without IPv6
 * ```
 */
export const kernelRouteLookup: RouteLookup = (target) =>
  new Promise<RouteAnswer>((resolve) => {
    let socket: Socket;
    try {
      socket = createSocket({ type: target.family === 'IPv6' ? 'udp6' : 'udp4' });
    } catch (error) {
      resolve({ routed: false, errorCode: (error as NodeJS.ErrnoException).code ?? 'EAFNOSUPPORT' });
      return;
    }
    let settled = false;
    const settle = (answer: RouteAnswer): void => {
      if (settled) return;
      settled = true;
      try {
        socket.close();
      } catch {
        // never bound: nothing to close
      }
      resolve(answer);
    };
    const fail = (error: NodeJS.ErrnoException): void => settle({ routed: false, errorCode: error.code ?? 'EIO' });
    // A failed implicit bind is emitted, not passed to the connect callback.
    socket.on('error', fail);
    try {
      socket.connect(target.port, target.address, (error?: Error) => {
        if (error) fail(error as NodeJS.ErrnoException);
        else settle({ routed: true });
      });
    } catch (error) {
      fail(error as NodeJS.ErrnoException);
    }
  });

/**
 * Dial errors a vantage without a route to the address produces: ENETUNREACH
 * (no route, or an IPv6 `unreachable` route), EADDRNOTAVAIL (no source address
 * of the family: IPv6 disabled), EAFNOSUPPORT (no IPv6 in the kernel). A remote
 * router's ICMP mostly arrives as EHOSTUNREACH or EACCES, which need no lookup.
 */
const NO_ROUTE_SUSPECTS: ReadonlySet<string> = new Set(['ENETUNREACH', 'EADDRNOTAVAIL', 'EAFNOSUPPORT']);

/**
 * {@link observeTcp}, aware of the vantage's routes: when the dial fails in a
 * way a missing route can explain ({@link NO_ROUTE_SUSPECTS}), the route lookup
 * ({@link ProbeContext.route}, the kernel's by default) tells a network that
 * answered "unreachable" (a route exists: the ICMP came from the path, a
 * finding) from a vantage that has no route at all (nothing left the host: the
 * probe could not run). The latter is recorded as outcome `error` with
 * `route: 'none'`, so no check ever counts it as blocked. Other outcomes are
 * not looked up, so a large sample pays for the lookup only on those errors.
 * `read` reads an open port, as for {@link observeTcp}.
 *
 * @example
 * ```ts
 * const observation = await observeRoutedTcp('outbound-smtp', task, ctx);
 * if (observation.route === 'none') console.log(`no ${task.target.family} route from this vantage`);
 * ```
 */
export async function observeRoutedTcp(
  probe: TcpObservation['probe'],
  task: Task,
  ctx: ProbeContext,
  read?: OpenPortReader,
): Promise<TcpObservation> {
  const observation = await observeTcp(probe, task, ctx, read);
  if (observation.outcome === 'open' || !NO_ROUTE_SUSPECTS.has(observation.errorCode ?? '')) return observation;
  const answer = await (ctx.route ?? kernelRouteLookup)(task.target);
  if (ctx.signal.aborted) throw abortError();
  if (answer.routed) return observation;
  return { ...observation, outcome: 'error', route: 'none' };
}
