/**
 * What the P4 probes observe: the SRV records a mail domain publishes for
 * submission (RFC 6186, RFC 8314 §5.1) and the Mozilla autoconfig documents
 * served for it. Facts only: the P4 checks judge them against the plan.
 */
import type { GenericObservation } from '../model.js';
import type { HttpsExchangeOutcome, HttpsHop } from '../net/autoconfig-http.js';
import type { SrvRecord } from '../net/srv.js';

/** The two SRV services a mail client looks up for submission. */
export type SubmissionService = '_submission._tcp' | '_submissions._tcp';

/** Both services, in the order they are queried: RFC 6186 §3.1 (STARTTLS), RFC 8314 §5.1 (implicit TLS). */
export const SUBMISSION_SERVICES: readonly SubmissionService[] = ['_submission._tcp', '_submissions._tcp'];

/**
 * Outcome of one SRV query:
 * - `records`: the name has SRV records (a lone `.` target included: RFC 2782, "decidedly not available");
 * - `not-published`: NXDOMAIN or no SRV data (ENOTFOUND, ENODATA);
 * - `error`: the resolver did not answer usefully (timeout, SERVFAIL, REFUSED, ...): nothing is known.
 */
export type SrvOutcome = 'records' | 'not-published' | 'error';

/**
 * One SRV query for `SERVICE.DOMAIN`. Its target is the query name
 * (address `''`, port 0): a DNS query is not a connection, and the records'
 * targets are compared with the plan, never connected to.
 */
export interface SrvObservation extends GenericObservation {
  probe: 'srv-records';
  outcome: SrvOutcome;
  service: SubmissionService;
  /** The mail domain, `submission.domain`. */
  domain: string;
  /** The name queried, `_submission._tcp.example.net`. */
  name: string;
  /** The records in the resolver's order; empty unless `records`. */
  records: SrvRecord[];
  /** The servers asked, `host:port` (the plan's `dns.servers`, or the system's). */
  resolver: string[];
  /** node:dns code (ENOTFOUND, ENODATA, ETIMEOUT, ESERVFAIL, EREFUSED, ...) unless `records`. */
  errorCode?: string;
}

/** An `<outgoingServer>` of a config-v1.1.xml, as written (values are text; `port` is parsed). */
export interface OutgoingServerEntry {
  /** The `type` attribute: `smtp` for mail submission. */
  type: string | null;
  hostname: string | null;
  /** The `<port>` as a number, or null when missing or not a port number (`portText` keeps what was written). */
  port: number | null;
  portText: string | null;
  /** `STARTTLS`, `SSL` or `plain`, as written. */
  socketType: string | null;
  /** Every `<authentication>` in document order (`password-cleartext`, `OAuth2`, `none`, ...). */
  authentication: string[];
  username: string | null;
}

/** What a config-v1.1.xml document says about outgoing mail. */
export interface ClientConfigDocument {
  /** The `<emailProvider id>`. */
  providerId: string | null;
  /** The `<domain>` entries of the provider. */
  domains: string[];
  /** Every `<outgoingServer>`, of any type. */
  outgoingServers: OutgoingServerEntry[];
}

/**
 * One autoconfig URL asked (RFC 8615 well-known path or the autoconfig host),
 * redirects included, and what its final answer was.
 */
export interface AutoconfigFetch {
  /** The URL a client asks first, `https://autoconfig.example.net/mail/config-v1.1.xml[?emailaddress=...]`. */
  url: string;
  /** The `emailaddress` query parameter sent, or null. */
  emailAddress: string | null;
  outcome: HttpsExchangeOutcome;
  /** One line saying why the exchange ended as it did (the TLS error, the redirect refused, ...), or null. */
  reason: string | null;
  /** Status of the final response, or null when none came. */
  status: number | null;
  /** Every request made, the first one first. */
  hops: HttpsHop[];
  /** The final URL after redirects (equal to `url` when there were none). */
  finalUrl: string;
  /** Content-Type of the final response, or null. */
  contentType: string | null;
  /** Byte length of the body read, or null. */
  bytes: number | null;
  /** The parsed document, for a 2xx response that parsed. */
  document: ClientConfigDocument | null;
  /** Why a 2xx body is not a config-v1.1.xml document (the XML parser's reason), or null. */
  parseError: string | null;
}

/**
 * Outcome of an autoconfig probe of one address of one host:
 * - `published`: at least one URL answered 2xx with a body (judged by the check);
 * - `not-published`: no URL answered anything to judge (404/410, port closed or filtered);
 * - `failed`: a URL could not be fetched for a reason that is the server's (TLS, timeout, size, redirects, HTTP status);
 * - `error`: nothing was learned (a local error, an unreadable `tls.caFile`, a scope refusal).
 */
export type AutoconfigOutcome = 'published' | 'not-published' | 'failed' | 'error';

/** The autoconfig URLs of one host (`autoconfig.DOMAIN` or `DOMAIN`) fetched from one of its addresses. */
export interface AutoconfigObservation extends GenericObservation {
  probe: 'autoconfig';
  outcome: AutoconfigOutcome;
  /** The mail domain, `submission.domain`. */
  domain: string;
  /** Each URL of this host, without and with `?emailaddress=`. */
  fetches: AutoconfigFetch[];
  /** Why nothing could be fetched (for `error`), or null. */
  errorCode?: string;
  reason?: string | null;
}
