/**
 * The scope of a plan as a predicate: DESIGN "Scope is a promise" — the scanner
 * never connects to an address the plan does not name. The scan's dialer wraps
 * this predicate; it is pure and does no I/O.
 */
import type { Family, Plan } from '../model.js';
import type { NameTable } from '../probes/probe.js';
import { parseAddress, parseRange, type AddressRange } from './addresses.js';
import { intervalsContain, mergeIntervals, subtractIntervals, type AddressInterval } from './intervals.js';
import { familyIntervals, plannedRanges } from './universe.js';

/** The plan's promise as a predicate, with a sentence for evidence and for the dialer's refusal message. */
export interface Scope {
  /** True when the plan names the address (IPv4-mapped IPv6 is judged as the IPv4 address). */
  allows(address: string): boolean;
  /** One sentence: where the plan names the address, or why it is refused. */
  describe(address: string): string;
}

/** A place in the plan that names addresses. */
interface ScopeSource {
  /** Field of the plan, or `name <host>` for a resolved name. */
  label: string;
  range: AddressRange;
}

/** The one-address range of an address literal; null for host names and ranges. */
function addressRange(text: string): AddressRange | null {
  return text.includes('/') ? null : parseRange(text);
}

function literalSources(field: string, hosts: readonly string[]): ScopeSource[] {
  // Host names are resolved by the scan and enter the scope through the name table.
  return hosts.flatMap((host) => {
    const range = addressRange(host);
    return range === null ? [] : [{ label: field, range }];
  });
}

/**
 * Builds the scope of a plan: `scope.dynamic` and `scope.hosts` minus
 * `scope.exclude`, plus `authorizedRelays`, the literal addresses among
 * `submission.servers` and the external canaries, and every address in `names`
 * (the resolved names of the plan: servers, canaries, autoconfig hosts).
 *
 * `scope.exclude` removes addresses from the dynamic ranges and the hosts only:
 * a relay, server or canary the plan names explicitly stays reachable.
 *
 * @example createScope(plan, names).allows('203.0.113.7') // true for 203.0.113.0/24 in scope.dynamic
 */
export function createScope(plan: Plan, names: NameTable): Scope {
  const exclude = plannedRanges(plan.scope.exclude, 'scope.exclude');
  const dynamic = plannedRanges(plan.scope.dynamic, 'scope.dynamic');
  const hosts = plannedRanges(plan.scope.hosts, 'scope.hosts');
  const named: ScopeSource[] = [
    ...plannedRanges(plan.authorizedRelays, 'authorizedRelays').map((range) => ({ label: 'authorizedRelays', range })),
    ...literalSources('submission.servers', plan.submission.servers),
    ...literalSources('external.mx', plan.external.mx.map((canary) => canary.host)),
    ...literalSources('external.submission', plan.external.submission.map((canary) => canary.host)),
  ];
  for (const [name, entry] of names) {
    if (!('addresses' in entry)) continue;
    for (const { address } of entry.addresses) {
      const range = addressRange(address);
      if (range !== null) named.push({ label: `name ${name}`, range });
    }
  }
  const allowed = {} as Record<Family, AddressInterval[]>;
  for (const family of ['IPv4', 'IPv6'] as const) {
    const sampled = subtractIntervals(familyIntervals([...dynamic, ...hosts], family), familyIntervals(exclude, family));
    allowed[family] = mergeIntervals([...sampled, ...named.filter((source) => source.range.family === family).map((source) => source.range)]);
  }

  const allows = (address: string): boolean => {
    const parsed = parseAddress(address);
    return parsed !== null && intervalsContain(allowed[parsed.family], parsed.value);
  };

  const describe = (address: string): string => {
    const parsed = parseAddress(address);
    if (parsed === null) return `${JSON.stringify(address)} is not an IP address`;
    const within = (range: AddressRange): boolean =>
      range.family === parsed.family && parsed.value >= range.first && parsed.value <= range.last;
    const shown = parsed.text === address ? address : `${address} (${parsed.text})`;
    const explicit = named.find((source) => within(source.range));
    if (explicit !== undefined) {
      return explicit.label.startsWith('name ')
        ? `${shown} is an address of ${explicit.label.slice('name '.length)}, which the plan names`
        : `${shown} is named by ${explicit.label}${explicit.range.first === explicit.range.last ? '' : ` (${explicit.range.text})`}`;
    }
    const excluded = exclude.find(within);
    const dynamicRange = dynamic.find(within);
    const host = hosts.find(within);
    if (excluded !== undefined && (dynamicRange !== undefined || host !== undefined)) {
      return `${shown} is refused: scope.exclude removes it (${excluded.text})`;
    }
    if (dynamicRange !== undefined) return `${shown} is in scope.dynamic (${dynamicRange.text})`;
    if (host !== undefined) return `${shown} is listed in scope.hosts`;
    return `${shown} is refused: the plan does not name it`;
  };

  return { allows, describe };
}
