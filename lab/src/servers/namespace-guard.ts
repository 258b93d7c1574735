/**
 * The check every lab process makes before it opens a socket: it must run in
 * the lab namespace it was started for, and see no interface but that
 * namespace's own (an interface of the host would betray the host's namespace).
 */
import { execFileSync } from 'node:child_process';

/** Environment variable naming the namespace a lab process must run in. */
export const LAB_NAMESPACE_ENV = 'P25LAB_NAMESPACE';
/** Environment variable listing the interfaces it may see, comma-separated. */
export const LAB_INTERFACES_ENV = 'P25LAB_INTERFACES';

/**
 * Throws unless this process runs in `expected` (by `ip netns identify` of its
 * own pid) and sees only the `allowed` interfaces.
 *
 * @example assertInLabNamespace('p25lab-cust', ['lo', 'uplink'])
 */
export function assertInLabNamespace(
  expected: string | undefined = process.env[LAB_NAMESPACE_ENV],
  allowed: readonly string[] = (process.env[LAB_INTERFACES_ENV] ?? '').split(',').filter(Boolean),
): void {
  if (!expected) throw new Error(`${LAB_NAMESPACE_ENV} is not set: refusing to open sockets outside a lab namespace`);
  const identified = execFileSync('ip', ['netns', 'identify', String(process.pid)], { encoding: 'utf8' }).trim();
  if (identified !== expected) {
    throw new Error(`running in namespace "${identified || 'of the host'}", expected "${expected}": refusing to open sockets`);
  }
  const links = execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map((line) => (line.split(': ')[1] ?? '').split('@')[0]!);
  const foreign = links.filter((link) => !allowed.includes(link));
  if (foreign.length > 0) throw new Error(`interfaces ${foreign.join(', ')} are visible in ${expected}: this is not the lab's namespace; refusing to open sockets`);
}
