/**
 * How many addresses P6 samples from: the universe of the dynamic ranges plus
 * the explicit hosts outside it, so that a sample as large as the scope is
 * recognized as a census.
 */
import type { Plan } from '../model.js';
import { buildUniverse, parseAddress, parseRange, rangeContains } from '../targets/index.js';

/**
 * Number of distinct addresses in P6 scope: `scope.dynamic` and `scope.hosts`,
 * minus `scope.exclude` and `authorizedRelays` (DESIGN.md: excluded addresses
 * and relays are never part of the sample). Never enumerates a range.
 *
 * @example
 * scopeAddressCount(planWith({ dynamic: ['203.0.113.0/30'], hosts: ['192.0.2.7'] })) // 5n
 */
export function scopeAddressCount(plan: Plan): bigint {
  const universe = buildUniverse(plan);
  const removed = [...plan.scope.exclude, ...plan.authorizedRelays].flatMap((entry) => parseRange(entry) ?? []);
  const extraHosts = new Set<string>();
  for (const host of plan.scope.hosts) {
    const address = parseAddress(host);
    if (address === null || universe.contains(address.text)) continue;
    if (removed.some((range) => rangeContains(range, address))) continue;
    extraHosts.add(address.text);
  }
  return universe.size + BigInt(extraHosts.size);
}
