import { lookup as dnsLookup, Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { DnsObservation, Family, Plan, VantageKind } from '../model.js';
import type { NameTable } from '../probes/probe.js';

/** The addresses a name resolved to, in the resolver's order, without duplicates. */
export type ResolvedAddresses = { address: string; family: Family }[];

/**
 * Resolves one name to its addresses; rejects with an error carrying the
 * resolver's `code` (ENOTFOUND, ETIMEOUT, ESERVFAIL, ...) when it cannot.
 */
export type NameLookup = (name: string) => Promise<ResolvedAddresses>;

export interface ResolveOptions {
  /** The vantage the names are resolved from: it picks the names and is written into each observation. */
  vantage: VantageKind;
  /** Resolver servers `host[:port]` (IPv6 with a port in brackets); default the plan's `dns.servers`. */
  servers?: string[];
  /** Injected resolution (tests, or another resolver); default node:dns as described in {@link resolveNames}. */
  lookup?: NameLookup;
  now?: () => Date;
}

export interface ResolvedNames {
  names: NameTable;
  /** One `dns` observation per name looked up, in the order the names appear in the plan. */
  observations: DnsObservation[];
}

function familyOf(address: string): Family {
  return isIP(address) === 6 ? 'IPv6' : 'IPv4';
}

/**
 * The host names (not literal addresses) the probes of a vantage connect to:
 * submission servers from both vantages (P1/P2), the external canaries from
 * inside (P3, P5), and from both vantages the autoconfig hosts of
 * `submission.domain`, `autoconfig.DOMAIN` and `DOMAIN` (P4), so that the scope
 * allows them. The P4 SRV records are queried by their probe, never resolved here.
 */
export function namesToResolve(plan: Plan, vantage: VantageKind): string[] {
  const hosts = [...plan.submission.servers];
  if (vantage === 'inside') {
    for (const canary of plan.external.mx) hosts.push(canary.host);
    for (const canary of plan.external.submission) hosts.push(canary.host);
  }
  const domain = plan.submission.domain;
  if (domain !== null) hosts.push(`autoconfig.${domain}`, domain);
  return [...new Set(hosts.filter((host) => isIP(host) === 0))];
}

/**
 * The addresses to connect to for a host of the plan: the literal itself, the
 * addresses its name resolved to, or none when the lookup failed (its `dns`
 * observation carries the error) or the name was never looked up.
 */
export function addressesOf(host: string, names: NameTable): ResolvedAddresses {
  const family = isIP(host);
  if (family !== 0) return [{ address: host, family: family === 6 ? 'IPv6' : 'IPv4' }];
  const entry = names.get(host);
  return entry !== undefined && 'addresses' in entry ? entry.addresses : [];
}

function uniqueAddresses(addresses: Iterable<string>): ResolvedAddresses {
  return [...new Set(addresses)].map((address) => ({ address, family: familyOf(address) }));
}

/** Resolution through the system resolver (getaddrinfo: /etc/hosts, then DNS), all families. */
async function systemLookup(name: string): Promise<ResolvedAddresses> {
  const found = await dnsLookup(name, { all: true, verbatim: true });
  return uniqueAddresses(found.map((entry) => entry.address));
}

/**
 * Resolution through the plan's own DNS servers: A and AAAA queried together.
 * A name with records of one family only is resolved; the error of a name with
 * none is the more telling of the two (ENOTFOUND over ENODATA).
 */
function serverLookup(servers: string[], timeoutMs: number): NameLookup {
  const resolver = new Resolver({ timeout: timeoutMs, tries: 2 });
  resolver.setServers(servers);
  return async (name) => {
    const [v4, v6] = await Promise.allSettled([resolver.resolve4(name), resolver.resolve6(name)]);
    const addresses = [...(v4.status === 'fulfilled' ? v4.value : []), ...(v6.status === 'fulfilled' ? v6.value : [])];
    if (addresses.length > 0) return uniqueAddresses(addresses);
    const errors = [v4, v6].flatMap((result) => (result.status === 'rejected' ? [result.reason as NodeJS.ErrnoException] : []));
    const telling = errors.find((error) => error.code !== 'ENODATA') ?? errors[0];
    throw telling ?? Object.assign(new Error(`${name} has no A or AAAA record`), { code: 'ENODATA' });
  };
}

/**
 * Resolves every host name of the plan that the probes of a vantage need, once
 * each, in parallel. Literal addresses need no lookup. With `dns.servers` in the
 * plan (or `options.servers`) a node:dns Resolver asks those servers for A and
 * AAAA; otherwise the system resolver (dns.lookup, all families) answers.
 * A failed lookup is not thrown: its observation has outcome `error` with the
 * resolver's code (ENOTFOUND, ETIMEOUT, ...), and the name table says so.
 *
 * DNS observations are not connections: their target is the name, with address
 * `''` and port 0.
 *
 * @example
 * ```ts
 * const { names, observations } = await resolveNames(plan, { vantage: 'inside' });
 * ```
 */
export async function resolveNames(plan: Plan, options: ResolveOptions): Promise<ResolvedNames> {
  const servers = options.servers ?? plan.dns.servers;
  const now = options.now ?? (() => new Date());
  const lookup =
    options.lookup ?? (servers.length > 0 ? serverLookup(servers, Math.min(plan.probe.connectTimeoutMs, 5000)) : systemLookup);
  const hosts = namesToResolve(plan, options.vantage);
  const observations = await Promise.all(
    hosts.map(async (name): Promise<DnsObservation> => {
      const startedAt = now();
      const started = performance.now();
      const base = {
        type: 'observation' as const,
        probe: 'dns' as const,
        target: { host: name, address: '', port: 0, family: 'IPv4' as const },
        vantage: options.vantage,
        startedAt: startedAt.toISOString(),
        name,
      };
      try {
        const addresses = await lookup(name);
        const ms = Math.round(performance.now() - started);
        if (addresses.length === 0) return { ...base, ms, outcome: 'error', addresses: [], errorCode: 'ENODATA' };
        return { ...base, ms, outcome: 'resolved', addresses };
      } catch (error) {
        const ms = Math.round(performance.now() - started);
        const code = (error as NodeJS.ErrnoException | undefined)?.code;
        return { ...base, ms, outcome: 'error', addresses: [], errorCode: typeof code === 'string' ? code : 'EDNS' };
      }
    }),
  );
  return { names: nameTableOf(observations), observations };
}

/** The name table that a set of `dns` observations (fresh, or read back from a scan file) describes. */
export function nameTableOf(observations: Iterable<DnsObservation>): NameTable {
  const names = new Map<string, { addresses: ResolvedAddresses } | { errorCode: string }>();
  for (const observation of observations) {
    names.set(
      observation.name,
      observation.outcome === 'resolved' ? { addresses: observation.addresses } : { errorCode: observation.errorCode ?? 'EDNS' },
    );
  }
  return names;
}
