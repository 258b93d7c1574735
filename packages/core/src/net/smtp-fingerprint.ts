/**
 * An SMTP server's fingerprint for the outbound canary probes (P3, P5): its
 * greeting and its answer to EHLO. A transparent proxy or a redirection to
 * the ISP's relay may pass the canary's banner through, but the EHLO reply
 * comes from whoever really speaks SMTP on the connection (RFC 5321
 * §4.1.1.1: its first line names the server's own domain), so both are
 * compared with the canary's `expect`.
 *
 * Bounded like the banner reader (bytes, lines, one deadline for both
 * replies); sends EHLO only after a complete 220 greeting, then QUIT; never
 * MAIL, RCPT or DATA. The caller owns and destroys the socket.
 */
import type { Socket } from 'node:net';
import type { Banner } from '../model.js';
import { readBanner, type BannerLimits } from './banner.js';

/** What the peer said: its greeting and, after a 220, its EHLO reply. */
export interface SmtpFingerprint {
  banner: Banner;
  /** The EHLO reply, bounded as the banner; null when EHLO was not sent (no complete 220 greeting). */
  ehlo: Banner | null;
  /** The domain the EHLO reply's first line names (RFC 5321 §4.1.1.1), or null when there is no 250 reply. */
  ehloDomain: string | null;
}

/** An EHLO argument must be a domain or an address literal (RFC 5321 §4.1.1.1): no spaces, no line breaks. */
const EHLO_NAME = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.?|\[[0-9A-Fa-f:.]+\]|\[IPv6:[0-9A-Fa-f:.]+\])$/;

/**
 * True when `name` may follow EHLO: a domain (`audit.example.net`) or an
 * address literal (`[192.0.2.1]`, `[IPv6:2001:db8::1]`).
 *
 * @example
 * isEhloName('audit.example.net') // true
 * isEhloName('a b') // false
 */
export function isEhloName(name: string): boolean {
  return name.length > 0 && name.length <= 255 && EHLO_NAME.test(name);
}

/** The domain a 250 EHLO reply names: the first word of its first line. */
export function ehloDomainOf(ehlo: Banner | null): string | null {
  if (ehlo === null || ehlo.code !== 250) return null;
  const first = ehlo.text.split(/\r?\n/, 1)[0] ?? '';
  const domain = first.slice(4).trim().split(/\s+/, 1)[0] ?? '';
  return domain === '' ? null : domain;
}

/**
 * Reads the greeting; after a complete 220 sends `EHLO ehloName` and reads the
 * reply; then sends QUIT without waiting for it. `limits.timeoutMs` bounds both
 * reads together. Never throws for what the peer does; throws a RangeError for
 * an `ehloName` that is not a domain or address literal.
 *
 * @example
 * ```ts
 * const connection = await ctx.dial(task.target, { timeoutMs: 3000, signal });
 * if (connection.outcome === 'open') {
 *   try {
 *     const { banner, ehlo, ehloDomain } = await readSmtpFingerprint(connection.socket, 'audit.example.net', { ...GREETING_LIMITS, signal });
 *   } finally {
 *     connection.socket.destroy();
 *   }
 * }
 * ```
 */
export async function readSmtpFingerprint(socket: Socket, ehloName: string, limits: BannerLimits): Promise<SmtpFingerprint> {
  if (!isEhloName(ehloName)) throw new RangeError(`not an EHLO name: ${JSON.stringify(ehloName)}`);
  const started = performance.now();
  const banner = await readBanner(socket, limits);
  const remaining = limits.timeoutMs - (performance.now() - started);
  // RFC 5321 §3.1: only a 220 invites commands; a 554 greeting wants QUIT alone, and a cut reply may be a tarpit.
  if (banner.code !== 220 || banner.truncated || remaining <= 0 || !socket.writable || limits.signal?.aborted) {
    return { banner, ehlo: null, ehloDomain: null };
  }
  socket.write(`EHLO ${ehloName}\r\n`);
  const ehlo = await readBanner(socket, { ...limits, timeoutMs: remaining });
  if (socket.writable) socket.write('QUIT\r\n');
  return { banner, ehlo, ehloDomain: ehloDomainOf(ehlo) };
}

/**
 * Whether a fingerprint is the canary's own: its greeting contains `expect`
 * and, when EHLO was answered 250, so does the EHLO reply (case-insensitive,
 * like host names, RFC 4343). `ehlo` is null when there was no 250 reply to
 * judge.
 *
 * @example
 * canaryFingerprint(fingerprint, 'mx.canary.example') // { greeting: true, ehlo: false, own: false }: the banner was passed through
 */
export function canaryFingerprint(fingerprint: SmtpFingerprint, expect: string): { greeting: boolean; ehlo: boolean | null; own: boolean } {
  const needle = expect.toLowerCase();
  const greeting = fingerprint.banner.text.toLowerCase().includes(needle);
  const ehlo = fingerprint.ehlo === null || fingerprint.ehlo.code !== 250 ? null : fingerprint.ehlo.text.toLowerCase().includes(needle);
  return { greeting, ehlo, own: greeting && ehlo !== false };
}
