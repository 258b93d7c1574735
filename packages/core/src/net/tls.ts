/**
 * TLS client settings for probing: see old TLS instead of refusing it, keep the
 * verification result instead of aborting on it, and trust the system roots
 * plus the plan's CA file.
 */
import { readFile } from 'node:fs/promises';
import { isIP, type Socket } from 'node:net';
import * as tls from 'node:tls';
import { Port25Error } from '../errors.js';

/**
 * OpenSSL's default suites at security level 0: old protocol versions, SHA-1
 * and small keys are negotiated so that they can be seen and reported (DESIGN:
 * TLS 1.0/1.1 is a warning, not a failure to connect).
 */
export const PROBE_CIPHERS = `${tls.DEFAULT_CIPHERS}:@SECLEVEL=0`;

/** What the handshake settled, as evidence. */
export interface TlsEvidence {
  /** `TLSv1.3`, `TLSv1.2`, `TLSv1.1`, `TLSv1`. */
  protocol: string | null;
  /** OpenSSL cipher name, `TLS_AES_256_GCM_SHA384`, `ECDHE-RSA-AES128-SHA`. */
  cipher: string | null;
  /** IANA cipher suite name. */
  cipherStandardName: string | null;
  /** The SNI name sent (RFC 6066 §3: host names only, never an address), or null. */
  serverName: string | null;
  /** Handshake duration. */
  ms: number;
}

/** How a probe connects TLS: the trust anchors and the name the server should present. */
export interface TlsClientSettings {
  /** PEM trust anchors: {@link loadTrustAnchors}. */
  ca: readonly string[];
  /** The server name from the plan (SNI and name check), or null for a bare address. */
  serverName: string | null;
}

/** The system roots alone, made once: the array every session without a CA file shares. */
const SYSTEM_ANCHORS: readonly string[] = Object.freeze([...tls.rootCertificates]);

/** The anchors last built for each CA file path, with the text they were built from. */
const anchorsByCaFile = new Map<string, { text: string; anchors: readonly string[] }>();

/**
 * The trust anchors for chain verification: Node's bundled Mozilla roots
 * (`tls.rootCertificates`) plus the certificates in `caFile`, the plan's
 * `tls.caFile` (DESIGN: the file adds to the system roots).
 *
 * The same (frozen) array is returned for as long as the file's text does not
 * change, so that {@link probeSecureContext} and {@link verifyingSecureContext}
 * parse the ~150 roots once per scan, not once per TLS session.
 *
 * @throws Port25Error IO naming `tls.caFile` when the file cannot be read or holds no certificate.
 * @example
 * const ca = await loadTrustAnchors(plan.tls.caFile);
 */
export async function loadTrustAnchors(caFile: string | null): Promise<string[]> {
  // Frozen and shared: a caller that tried to add to it would throw instead of changing every other session's trust.
  if (caFile === null) return SYSTEM_ANCHORS as string[];
  let text: string;
  try {
    text = await readFile(caFile, 'utf8');
  } catch (error) {
    throw new Port25Error('IO', `tls.caFile: cannot read ${caFile}: ${(error as Error).message}`, [
      'fix the path in the plan (tls.caFile) or remove the field to use the system roots only',
    ]);
  }
  const cached = anchorsByCaFile.get(caFile);
  if (cached !== undefined && cached.text === text) return cached.anchors as string[];
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) {
    throw new Port25Error('IO', `tls.caFile: ${caFile} holds no PEM certificate`, [
      'the file must contain one or more "-----BEGIN CERTIFICATE-----" blocks',
    ]);
  }
  const anchors = Object.freeze([...tls.rootCertificates, ...blocks]);
  anchorsByCaFile.set(caFile, { text, anchors });
  return anchors as string[];
}

/** One context per anchor array: building one parses every root (~60 ms of blocked event loop). */
const probeContexts = new WeakMap<readonly string[], tls.SecureContext>();
const verifyingContexts = new WeakMap<readonly string[], tls.SecureContext>();

/**
 * The secure context of probe sessions for these anchors, built once per
 * array: old protocol versions and suites allowed (see {@link PROBE_CIPHERS}).
 * Pass the array {@link loadTrustAnchors} returned, so that every session of a
 * scan shares one context.
 */
export function probeSecureContext(ca: readonly string[]): tls.SecureContext {
  let context = probeContexts.get(ca);
  if (context === undefined) {
    context = tls.createSecureContext({ ca: [...ca], minVersion: 'TLSv1', ciphers: PROBE_CIPHERS });
    probeContexts.set(ca, context);
  }
  return context;
}

/**
 * The secure context of a client that verifies as a mail client would
 * (Node's default versions and suites), built once per anchor array: the
 * autoconfig HTTPS client's.
 */
export function verifyingSecureContext(ca: readonly string[]): tls.SecureContext {
  let context = verifyingContexts.get(ca);
  if (context === undefined) {
    context = tls.createSecureContext({ ca: [...ca] });
    verifyingContexts.set(ca, context);
  }
  return context;
}

/** The SNI name for a server name: host names only; an address as servername is refused by RFC 6066 §3 (and Node warns, DEP0123). */
export function sniName(serverName: string | null): string | null {
  if (serverName === null) return null;
  const bare = serverName.endsWith('.') ? serverName.slice(0, -1) : serverName;
  return isIP(bare) === 0 && bare !== '' ? bare : null;
}

/**
 * Options for `tls.connect` over an already connected socket. Verification
 * still runs (`authorized`, `authorizationError` report the chain), but never
 * aborts the handshake, and the host name is checked by the caller
 * (certificate.ts), so `authorized` speaks of the chain alone.
 */
export function probeTlsOptions(socket: Socket, settings: TlsClientSettings): tls.ConnectionOptions {
  const servername = sniName(settings.serverName);
  return {
    socket,
    ...(servername === null ? {} : { servername }),
    // The context carries the anchors, versions and suites; the fields below it apply per connection.
    secureContext: probeSecureContext(settings.ca),
    rejectUnauthorized: false,
    checkServerIdentity: () => undefined,
  };
}

/** Evidence of an established TLS socket. */
export function describeTlsSocket(socket: tls.TLSSocket, settings: TlsClientSettings, ms: number): TlsEvidence {
  const cipher = socket.getCipher() as tls.CipherNameAndProtocol | undefined;
  return {
    protocol: socket.getProtocol() ?? null,
    cipher: cipher?.name ?? null,
    cipherStandardName: cipher?.standardName ?? null,
    serverName: sniName(settings.serverName),
    ms,
  };
}
