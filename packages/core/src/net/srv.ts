/**
 * SRV lookups (RFC 2782) through node:dns, asking the plan's own resolvers
 * when it names them. The records are returned to be compared with the plan:
 * nothing here resolves or connects to their targets.
 */
import { Resolver } from 'node:dns/promises';
import { abortError } from './tcp-observation.js';

/** One SRV record as published (RFC 2782): `name` is the target host, `.` for "service not available". */
export interface SrvRecord {
  priority: number;
  weight: number;
  port: number;
  name: string;
}

/**
 * What an SRV query found: records, nothing published (NXDOMAIN or no SRV
 * data), or an error that says nothing about the name (timeout, SERVFAIL, ...).
 */
export type SrvAnswer =
  | { outcome: 'records'; records: SrvRecord[] }
  | { outcome: 'not-published'; errorCode: 'ENOTFOUND' | 'ENODATA' }
  | { outcome: 'error'; errorCode: string };

/** Looks up the SRV records of one name; rejects with a node:dns style error carrying `code`. */
export type SrvQuery = (name: string, signal: AbortSignal) => Promise<SrvRecord[]>;

/** An SRV resolver: the query, and the servers it asks (for evidence and error messages). */
export interface SrvResolver {
  query: SrvQuery;
  /** `host:port` of each server asked, in order. */
  servers: string[];
}

/** node:dns codes that mean the name has no SRV records: NXDOMAIN (RFC 1035 §4.1.1 RCODE 3) and an empty NOERROR answer. */
const NOT_PUBLISHED = new Set(['ENOTFOUND', 'ENODATA']);

/**
 * A node:dns Resolver asking `servers` (`host[:port]`, IPv6 with a port in
 * brackets) or, when there are none, the system's resolvers
 * (/etc/resolv.conf). Each query tries twice, `timeoutMs` each; a truncated
 * UDP answer is retried over TCP by c-ares (RFC 7766 §5).
 *
 * @example
 * const { query, servers } = srvResolver(['127.0.0.1:5353'], 2000);
 * const records = await query('_submission._tcp.example.net', AbortSignal.timeout(10_000));
 */
export function srvResolver(servers: readonly string[], timeoutMs: number): SrvResolver {
  const resolver = new Resolver({ timeout: timeoutMs, tries: 2 });
  if (servers.length > 0) resolver.setServers([...servers]);
  const asked = resolver.getServers();
  return {
    servers: asked,
    query: async (name, signal) => {
      if (signal.aborted) throw abortError();
      // One Resolver per query, so cancelling it on abort cannot cut another probe's query.
      const own = new Resolver({ timeout: timeoutMs, tries: 2 });
      own.setServers(asked);
      const cancel = (): void => own.cancel();
      signal.addEventListener('abort', cancel, { once: true });
      try {
        const records = await own.resolveSrv(name);
        return records.map(({ priority, weight, port, name: target }) => ({ priority, weight, port, name: target }));
      } catch (error) {
        if (signal.aborted) throw abortError();
        throw error;
      } finally {
        signal.removeEventListener('abort', cancel);
      }
    },
  };
}

/**
 * Asks for the SRV records of `name` and sorts the answer into records, not
 * published, or error. An abort of `signal` rejects with an AbortError.
 *
 * @example
 * const answer = await lookupSrv('_submissions._tcp.example.net', srvResolver([], 2000), signal);
 * if (answer.outcome === 'records') console.log(answer.records);
 */
export async function lookupSrv(name: string, resolver: SrvResolver, signal: AbortSignal): Promise<SrvAnswer> {
  try {
    return { outcome: 'records', records: await resolver.query(name, signal) };
  } catch (error) {
    if (error instanceof Error && error.name === 'AbortError') throw error;
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (typeof code === 'string' && NOT_PUBLISHED.has(code)) return { outcome: 'not-published', errorCode: code as 'ENOTFOUND' | 'ENODATA' };
    return { outcome: 'error', errorCode: typeof code === 'string' ? code : 'EDNS' };
  }
}
