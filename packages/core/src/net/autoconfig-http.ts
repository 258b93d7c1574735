/**
 * A bounded HTTPS GET for autoconfig documents, over the scan's scope-guarded
 * Dialer: TCP through the Dialer to an address the caller chose, TLS over that
 * socket verified as a mail client would (the system roots plus the plan's CA
 * file, the URL's host name), then one HTTP/1.1 request. Redirects are followed
 * only where the caller's policy allows, up to a bound; bodies are capped and
 * every request has a deadline. Every socket is destroyed before the promise settles.
 */
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { checkServerIdentity, connect as tlsConnect, type PeerCertificate, type TLSSocket } from 'node:tls';
import type { Target, TcpOutcome } from '../model.js';
import type { Dialer } from './dialer.js';
import { abortError } from './tcp-observation.js';
import { sniName, verifyingSecureContext } from './tls.js';

/**
 * How an exchange ended:
 * - `response`: a final (not redirecting) HTTP response whose body was read within the cap;
 * - `connect-failed`: TCP did not open (closed, filtered, unreachable: nothing serves HTTPS there);
 * - `tls-failed`: the handshake failed, or the certificate is not trusted or not for the host name;
 * - `timeout`: no complete response within the deadline (a slow or trickling server);
 * - `too-large`: the body exceeds the cap;
 * - `bad-response`: the peer broke HTTP (a reset, a malformed response, a Location that is no URL);
 * - `redirect-refused`: a redirect the policy does not follow (another domain, plain http, a name out of scope);
 * - `redirect-loop`: a redirect back to a URL already asked;
 * - `too-many-redirects`: more redirects than the bound;
 * - `error`: nothing was learned about the server (a scope refusal, a local error).
 */
export type HttpsExchangeOutcome =
  | 'response'
  | 'connect-failed'
  | 'tls-failed'
  | 'timeout'
  | 'too-large'
  | 'bad-response'
  | 'redirect-refused'
  | 'redirect-loop'
  | 'too-many-redirects'
  | 'error';

/** The TLS session of one request, as evidence. */
export interface HttpsTlsEvidence {
  protocol: string | null;
  cipher: string | null;
  /** The chain verifies against the trust anchors. */
  authorized: boolean;
  /** OpenSSL's reason when it does not (`UNABLE_TO_VERIFY_LEAF_SIGNATURE`, `CERT_HAS_EXPIRED`, ...). */
  authorizationError: string | null;
  /** The certificate is for the URL's host (RFC 6125 §6 as node:tls checks it). */
  nameMatches: boolean;
  subject: string | null;
  issuer: string | null;
  validTo: string | null;
  fingerprint256: string | null;
}

/** One request: where it went and what came back. */
export interface HttpsHop {
  url: string;
  address: string;
  port: number;
  /** From the dial to the end of this request. */
  ms: number;
  connect: TcpOutcome;
  /** The dialer's code when TCP did not open (ECONNREFUSED, ETIMEDOUT, SCOPE, ...). */
  errorCode: string | null;
  tls: HttpsTlsEvidence | null;
  status: number | null;
  /** The Location of a redirect, as sent. */
  location: string | null;
  contentType: string | null;
  /** Body bytes read (up to the cap plus one chunk), or null when no body was read. */
  bytes: number | null;
}

/** The result of {@link httpsGet}. */
export interface HttpsExchange {
  url: string;
  /** The URL of the last request made. */
  finalUrl: string;
  outcome: HttpsExchangeOutcome;
  /** One line on why the exchange ended as it did, or null for a plain response. */
  reason: string | null;
  /** Status of the last response, or null when none came. */
  status: number | null;
  contentType: string | null;
  /** The body of a final response, or null. */
  body: Buffer | null;
  hops: HttpsHop[];
}

/** Where a redirect goes: the target to connect to, or why it is not followed. */
export type RedirectDecision = { follow: Target } | { refuse: string };

export interface HttpsGetOptions {
  /** The scan's scope-guarded Dialer. */
  dial: Dialer;
  /** PEM trust anchors: the system roots plus the plan's `tls.caFile` (loadTrustAnchors). */
  ca: readonly string[];
  connectTimeoutMs: number;
  /** Deadline of each request: TLS handshake, request, response and body. */
  timeoutMs: number;
  /** Body cap in bytes: a longer body ends the exchange as `too-large`. */
  maxBytes: number;
  /** Redirects followed at most. */
  maxRedirects: number;
  signal: AbortSignal;
  /** Whether and where to follow a redirect to `location`, seen from the target that sent it. */
  redirect(location: URL, from: Target): RedirectDecision;
  /** Request headers besides Host and Connection. */
  headers?: Readonly<Record<string, string>>;
}

/** RFC 9110 §15.4: the redirections that carry a Location to follow (300 and 304 do not). */
const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** Response headers are bounded too: a peer cannot make the parser buffer more than this. */
const MAX_HEADER_BYTES = 16 * 1024;

type HopEnd =
  | { kind: 'response'; body: Buffer }
  | { kind: 'redirect'; location: string }
  | { kind: 'failed'; outcome: Exclude<HttpsExchangeOutcome, 'response' | 'redirect-refused' | 'redirect-loop' | 'too-many-redirects'>; reason: string }
  | { kind: 'aborted' };

function ignoreError(): void {}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}

function certificateName(fields: Record<string, string | string[] | undefined> | undefined): string | null {
  if (fields === undefined) return null;
  const pick = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value.join(', ') : value);
  return pick(fields['CN']) ?? pick(fields['O']) ?? null;
}

function tlsEvidence(secure: TLSSocket, certificate: PeerCertificate, nameMatches: boolean): HttpsTlsEvidence {
  const authorizationError = secure.authorizationError as unknown as string | Error | null | undefined;
  const empty = Object.keys(certificate).length === 0;
  return {
    protocol: secure.getProtocol() ?? null,
    cipher: secure.getCipher()?.name ?? null,
    authorized: secure.authorized,
    authorizationError:
      authorizationError == null ? null : typeof authorizationError === 'string' ? authorizationError : authorizationError.message,
    nameMatches,
    subject: empty ? null : certificateName(certificate.subject as unknown as Record<string, string>),
    issuer: empty ? null : certificateName(certificate.issuer as unknown as Record<string, string>),
    validTo: empty ? null : certificate.valid_to,
    fingerprint256: empty ? null : certificate.fingerprint256,
  };
}

/** One request over a fresh connection; the hop is filled in as it goes. */
async function requestOnce(url: URL, target: Target, options: HttpsGetOptions, hop: HttpsHop): Promise<HopEnd> {
  const started = performance.now();
  const connection = await options.dial(target, { timeoutMs: options.connectTimeoutMs, signal: options.signal });
  hop.connect = connection.outcome;
  hop.ms = elapsed(started);
  if (connection.outcome !== 'open') {
    hop.errorCode = connection.errorCode;
    if (options.signal.aborted) return { kind: 'aborted' };
    const outcome = connection.outcome === 'error' ? 'error' : 'connect-failed';
    return { kind: 'failed', outcome, reason: `TCP ${connection.outcome} (${connection.errorCode}) at ${target.address}:${target.port}` };
  }
  const raw: Socket = connection.socket;
  raw.on('error', ignoreError);
  if (options.signal.aborted) {
    raw.destroy();
    return { kind: 'aborted' };
  }
  return new Promise<HopEnd>((resolve) => {
    let settled = false;
    let secure: TLSSocket | undefined;
    let request: ClientRequest | undefined;
    let response: IncomingMessage | undefined;
    const finish = (end: HopEnd): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
      response?.destroy();
      request?.destroy();
      secure?.destroy();
      raw.destroy();
      hop.ms = elapsed(started);
      resolve(end);
    };
    const onAbort = (): void => finish({ kind: 'aborted' });
    options.signal.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(
      () => finish({ kind: 'failed', outcome: 'timeout', reason: `no complete response within ${options.timeoutMs} ms` }),
      options.timeoutMs,
    );

    const servername = sniName(url.hostname);
    secure = tlsConnect({
      socket: raw,
      ...(servername === null ? {} : { servername }),
      // One context per anchor array: building it per request parsed every root each time (~60 ms of blocked loop).
      secureContext: verifyingSecureContext(options.ca),
      ALPNProtocols: ['http/1.1'],
      // Verified below, so that the reason is kept as evidence instead of a bare handshake error.
      rejectUnauthorized: false,
      checkServerIdentity: () => undefined,
    });
    secure.on('error', (error: Error) => {
      finish(
        hop.tls === null
          ? { kind: 'failed', outcome: 'tls-failed', reason: `TLS handshake failed: ${error.message}` }
          : { kind: 'failed', outcome: 'bad-response', reason: `the connection broke: ${error.message}` },
      );
    });
    secure.once('secureConnect', () => {
      if (settled || secure === undefined) return;
      const certificate = secure.getPeerCertificate();
      // RFC 9110 §4.3.4: an https URL's server must present a certificate valid for the URL's host.
      const identityError = Object.keys(certificate).length === 0 ? new Error('no certificate') : checkServerIdentity(url.hostname, certificate);
      hop.tls = tlsEvidence(secure, certificate, identityError === undefined);
      if (!secure.authorized) {
        finish({ kind: 'failed', outcome: 'tls-failed', reason: `certificate not trusted: ${hop.tls.authorizationError ?? 'unknown reason'}` });
        return;
      }
      if (identityError !== undefined) {
        finish({ kind: 'failed', outcome: 'tls-failed', reason: `certificate does not match ${url.hostname}: ${identityError.message}` });
        return;
      }
      const tlsSocket = secure;
      request = httpRequest({
        method: 'GET',
        path: `${url.pathname}${url.search}`,
        setHost: false,
        headers: { ...options.headers, Host: url.host, Connection: 'close' },
        createConnection: () => tlsSocket,
        maxHeaderSize: MAX_HEADER_BYTES,
      });
      request.on('error', (error: Error) => finish({ kind: 'failed', outcome: 'bad-response', reason: `the HTTP exchange failed: ${error.message}` }));
      request.on('response', (incoming: IncomingMessage) => {
        response = incoming;
        incoming.on('error', ignoreError);
        const status = incoming.statusCode ?? 0;
        hop.status = status;
        hop.contentType = incoming.headers['content-type'] ?? null;
        const location = incoming.headers.location;
        if (REDIRECT_STATUSES.has(status) && location !== undefined) {
          hop.location = location;
          finish({ kind: 'redirect', location });
          return;
        }
        const declared = Number(incoming.headers['content-length']);
        if (Number.isFinite(declared) && declared > options.maxBytes) {
          finish({ kind: 'failed', outcome: 'too-large', reason: `the body is ${declared} bytes (Content-Length), over the ${options.maxBytes}-byte cap` });
          return;
        }
        const chunks: Buffer[] = [];
        let bytes = 0;
        incoming.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          hop.bytes = bytes;
          if (bytes > options.maxBytes) {
            finish({ kind: 'failed', outcome: 'too-large', reason: `the body exceeds the ${options.maxBytes}-byte cap` });
            return;
          }
          chunks.push(chunk);
        });
        incoming.on('end', () => {
          hop.bytes = bytes;
          finish({ kind: 'response', body: Buffer.concat(chunks, bytes) });
        });
        incoming.on('aborted', () => finish({ kind: 'failed', outcome: 'bad-response', reason: 'the response was cut short' }));
      });
      request.end();
    });
  });
}

function blankHop(url: URL, target: Target): HttpsHop {
  return {
    url: url.href,
    address: target.address,
    port: target.port,
    ms: 0,
    connect: 'error',
    errorCode: null,
    tls: null,
    status: null,
    location: null,
    contentType: null,
    bytes: null,
  };
}

/**
 * GETs `url` from `target` (an address the caller resolved from the plan's
 * names) and follows redirects where `options.redirect` allows, at most
 * `options.maxRedirects` times and never back to a URL already asked. The
 * certificate must verify against `options.ca` and match the URL's host, or
 * no request is sent (`tls-failed`, with the reason). Rejects only with an
 * AbortError when `options.signal` fires; every other ending is an outcome.
 *
 * @example
 * ```ts
 * const exchange = await httpsGet(new URL('https://autoconfig.example.net/mail/config-v1.1.xml'),
 *   { host: 'autoconfig.example.net', address: '192.0.2.80', port: 443, family: 'IPv4' },
 *   { dial, ca, connectTimeoutMs: 3000, timeoutMs: 15000, maxBytes: 1 << 20, maxRedirects: 5, signal,
 *     redirect: () => ({ refuse: 'redirects are not followed' }) });
 * if (exchange.outcome === 'response') console.log(exchange.status, exchange.body?.length);
 * ```
 */
export async function httpsGet(url: URL, target: Target, options: HttpsGetOptions): Promise<HttpsExchange> {
  const hops: HttpsHop[] = [];
  const asked = new Set<string>();
  let current = url;
  let from = target;
  const end = (outcome: HttpsExchangeOutcome, reason: string | null, body: Buffer | null = null): HttpsExchange => {
    const last = hops.at(-1);
    return {
      url: url.href,
      finalUrl: current.href,
      outcome,
      reason,
      status: last?.status ?? null,
      contentType: last?.contentType ?? null,
      body,
      hops,
    };
  };
  for (;;) {
    if (options.signal.aborted) throw abortError();
    asked.add(current.href);
    const hop = blankHop(current, from);
    hops.push(hop);
    const ended = await requestOnce(current, from, options, hop);
    switch (ended.kind) {
      case 'aborted':
        throw abortError();
      case 'failed':
        return end(ended.outcome, ended.reason);
      case 'response':
        return end('response', null, ended.body);
      case 'redirect':
        break;
    }
    let next: URL;
    try {
      next = new URL(ended.location, current);
    } catch {
      return end('bad-response', `the Location ${JSON.stringify(ended.location)} is not a URL`);
    }
    next.hash = '';
    if (asked.has(next.href)) return end('redirect-loop', `${current.href} redirects to ${next.href}, which was already asked`);
    if (hops.length > options.maxRedirects) return end('too-many-redirects', `more than ${options.maxRedirects} redirects`);
    const decision = options.redirect(next, from);
    if ('refuse' in decision) return end('redirect-refused', `the redirect to ${next.href} is not followed: ${decision.refuse}`);
    current = next;
    from = decision.follow;
  }
}
