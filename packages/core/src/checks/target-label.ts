/**
 * How a check result names what it judged (DESIGN.md, "Targets"):
 * `name:port (address)` for a name of the plan, `address:port` for a bare
 * address, IPv6 in brackets where a port follows (`[2001:db8::1]:25`).
 */
import type { CheckResult, Target } from '../model.js';
import { parseAddress } from '../targets/index.js';

/**
 * `host:port`, bracketing an IPv6 literal (RFC 3986 §3.2.2).
 *
 * @example
 * hostPort('2001:db8::1', 25) // '[2001:db8::1]:25'
 */
export function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * The label of a probed target: the plan's name with the address it resolved
 * to, or the bare address when the plan gave an address.
 *
 * @example
 * targetLabel({ host: 'mx.example.org', address: '2001:db8::25', port: 25, family: 'IPv6' })
 * // 'mx.example.org:25 (2001:db8::25)'
 */
export function targetLabel(target: Target): string {
  if (target.host === null || sameHost(target.host, target.address)) return hostPort(target.address, target.port);
  return `${hostPort(target.host, target.port)} (${target.address})`;
}

/** The target fields every per-address result carries next to its label. */
export function targetFields(target: Target): Pick<CheckResult, 'target' | 'address' | 'port' | 'family'> {
  return { target: targetLabel(target), address: target.address, port: target.port, family: target.family };
}

/**
 * Orders results by what they judged, so a report does not depend on which
 * probe finished first: IPv4 before IPv6, then by address value; results
 * without an address last.
 *
 * @example
 * [{ address: '2001:db8::1' }, { address: '198.51.100.9' }].sort(byAddress) // 198.51.100.9 first
 */
export function byAddress(a: { address?: string }, b: { address?: string }): number {
  const left = a.address === undefined ? null : parseAddress(a.address);
  const right = b.address === undefined ? null : parseAddress(b.address);
  if (left === null || right === null) return (left === null ? 1 : 0) - (right === null ? 1 : 0);
  if (left.family !== right.family) return left.family === 'IPv4' ? -1 : 1;
  return left.value < right.value ? -1 : left.value > right.value ? 1 : 0;
}

/**
 * A host name or address in one spelling: names lower case without a trailing
 * dot (RFC 4343: DNS names compare case-insensitively), addresses canonical
 * (RFC 5952 for IPv6; an IPv4-mapped IPv6 address as its IPv4 address).
 */
export function canonicalHost(host: string): string {
  const bare = unbracket(host);
  return parseAddress(bare)?.text ?? bare.toLowerCase().replace(/\.$/, '');
}

/** True when two host spellings name the same host or address. */
export function sameHost(a: string, b: string): boolean {
  return canonicalHost(a) === canonicalHost(b);
}

/** True when the host is an IP address literal rather than a name. */
export function isAddress(host: string): boolean {
  return parseAddress(unbracket(host)) !== null;
}

function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}
