import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import type { Target } from '../model.js';
import type { Connection, DialOptions, Dialer } from './dialer.js';
import { NOT_AN_ADDRESS } from './tcp.js';

/** errorCode of a dial the scope guard refused: the plan does not name the address. */
export const SCOPE_REFUSED = 'SCOPE';

/** What the guard asks: does the plan name this address (ranges, hosts, servers, canaries, relays)? */
export interface AddressScope {
  allows(address: string): boolean;
}

/** The IPv4 address an IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, `::ffff:c000:201`) reaches, else null. */
function mappedIPv4(address: string): string | null {
  const parsed = ipaddr.IPv6.parse(address);
  return parsed.isIPv4MappedAddress() ? parsed.toIPv4Address().toString() : null;
}

/**
 * Wraps a Dialer so that it refuses, without opening any socket, every address
 * the scope does not allow (outcome `error`, errorCode `SCOPE`) and every host
 * that is not an IP literal (errorCode `NOT_AN_ADDRESS`: a dialer takes
 * resolved addresses only, so no lookup can lead it elsewhere). DESIGN: scope
 * is a promise, the scanner never connects to an address the plan does not name.
 *
 * @example
 * ```ts
 * const dial = guardDialer(tcpDialer(), createScope(plan, names));
 * ```
 */
export function guardDialer(dial: Dialer, scope: AddressScope): Dialer {
  return function guardedDial(target: Target, options: DialOptions): Promise<Connection> {
    const address = target.address;
    const family = isIP(address);
    if (family === 0) return Promise.resolve({ outcome: 'error', ms: 0, errorCode: NOT_AN_ADDRESS });
    // An IPv4-mapped IPv6 address reaches the IPv4 host on a dual-stack socket: both forms must be in scope.
    const mapped = family === 6 ? mappedIPv4(address) : null;
    if (!scope.allows(address) || (mapped !== null && !scope.allows(mapped))) {
      return Promise.resolve({ outcome: 'error', ms: 0, errorCode: SCOPE_REFUSED });
    }
    return dial(target, options);
  };
}
