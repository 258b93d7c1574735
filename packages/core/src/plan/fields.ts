/**
 * Judges single plan values (host names, addresses, resolvers) and turns them
 * into their canonical text. Each judge returns null when the value is good, or
 * a reason phrased to follow the quoted value: `"x" <reason>`.
 */
import { inspectRange, parseAddress } from '../targets/addresses.js';

/** Largest plan value quoted in full in an error line; longer ones are cut. */
const SHOWN_VALUE_LIMIT = 80;

/** A value as it appears in an error line: JSON (control bytes escaped, one line), cut when long. */
export function showValue(value: unknown): string {
  let text: string;
  try {
    // JSON would write Infinity and NaN (YAML .inf, .nan) as null, which is not what the user wrote.
    text = value === undefined || (typeof value === 'number' && !Number.isFinite(value)) ? String(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    // A cycle or a structure too deep for JSON.stringify; String() would recurse into it too.
    text = Array.isArray(value) ? `a list of ${value.length} item${value.length === 1 ? '' : 's'}` : typeof value === 'object' && value !== null ? 'a mapping' : String(value);
  }
  return text.length > SHOWN_VALUE_LIMIT ? `${text.slice(0, SHOWN_VALUE_LIMIT - 1)}…` : text;
}

/** C0 controls but tab, line feed and carriage return, and DEL: no plan text needs them, a terminal obeys some. */
const CONTROL_CHARACTER = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
/** A UTF-16 surrogate not in a pair: it has no UTF-8 form. */
const LONE_SURROGATE = /\p{Cs}/u;

function codePoint(character: string): string {
  return `U+${character.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Free text of a plan (names, greetings, attestations, file names) must be
 * Unicode that UTF-8 can carry: a lone surrogate (from a JSON `\ud800` escape)
 * would be written as U+FFFD, so two different plans would share one digest.
 * Control characters (`\u0000`, ANSI escapes) have no place in a plan either.
 */
export function freeTextProblem(text: string): string | null {
  const surrogate = LONE_SURROGATE.exec(text);
  if (surrogate !== null) return `is not valid Unicode text (a lone surrogate ${codePoint(surrogate[0])}); remove it`;
  const control = CONTROL_CHARACTER.exec(text);
  if (control !== null) return `contains a control character (${codePoint(control[0])}); remove it`;
  return null;
}

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

/**
 * RFC 1123 §2.1 host name: dot-separated labels of letters, digits and inner
 * hyphens, 1–63 characters each, 253 in all (RFC 1035 §2.3.4); a trailing dot is
 * allowed. RFC 3696 §2: the last label is not all-numeric, so `203.0.113.256` is
 * neither an address nor a name.
 */
export function isHostName(text: string): boolean {
  const name = text.endsWith('.') ? text.slice(0, -1) : text;
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.split('.');
  return labels.every((label) => LABEL.test(label)) && !/^\d+$/.test(labels[labels.length - 1]!);
}

/** Canonical host name: lower case (RFC 4343: DNS names are case-insensitive), no trailing dot. */
export function canonicalHostName(text: string): string {
  return (text.endsWith('.') ? text.slice(0, -1) : text).toLowerCase();
}

/** Hint for `host:port` written where only a host belongs. */
function portHint(text: string): string {
  const match = /^\[?([^\]]*)\]?:(\d{1,5})$/.exec(text);
  if (match && (isHostName(match[1]!) || parseAddress(match[1]!) !== null)) {
    return ' (write the host alone: ports come from "ports", or a canary\'s {host, port})';
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return ' (write the host alone, not a URL)';
  return '';
}

export function hostNameProblem(text: string): string | null {
  return isHostName(text) ? null : `is not a host name (RFC 1123)${portHint(text)}`;
}

export function hostOrAddressProblem(text: string): string | null {
  if (parseAddress(text) !== null || isHostName(text)) return null;
  return `is not a host name or an IP address${portHint(text)}`;
}

/** Canonical text of a host name or an address. */
export function canonicalHost(text: string): string {
  return parseAddress(text)?.text ?? canonicalHostName(text);
}

export function addressProblem(text: string): string | null {
  if (parseAddress(text) !== null) return null;
  const verdict = inspectRange(text, { allowAddress: true });
  return 'range' in verdict ? 'is a range, not an address (list ranges under scope.dynamic)' : 'is not an IP address';
}

export function cidrProblem(text: string): string | null {
  const verdict = inspectRange(text, { allowAddress: false });
  return 'reason' in verdict ? verdict.reason : null;
}

export function addressOrRangeProblem(text: string): string | null {
  const verdict = inspectRange(text, { allowAddress: true });
  return 'reason' in verdict ? verdict.reason : null;
}

/** Canonical text of an address (`2001:DB8::01` → `2001:db8::1`) or range. */
export function canonicalAddressOrRange(text: string): string {
  const verdict = inspectRange(text, { allowAddress: true });
  if ('reason' in verdict) return text;
  return text.includes('/') ? verdict.range.text : parseAddress(text)!.text;
}

/** A resolver as `address`, `address:port` or `[v6]:port`; null when the text is none of these. */
export function parseResolver(text: string): { address: string; port: number | null } | null {
  const plain = parseAddress(text);
  if (plain !== null) return { address: plain.text, port: null };
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/.exec(text);
  if (!match) return null;
  const bracketed = match[1];
  const address = parseAddress(bracketed ?? match[2]!);
  // Brackets are for IPv6 only (RFC 3986 §3.2.2); an IPv4 address is written bare.
  if (address === null || (bracketed !== undefined && !bracketed.includes(':'))) return null;
  const port = match[3] === undefined ? null : Number(match[3]);
  if (port !== null && (port < 1 || port > 65535)) return null;
  return { address: address.text, port };
}

export function resolverProblem(text: string): string | null {
  return parseResolver(text) === null
    ? 'is not a resolver address (an IP address with an optional port: "192.0.2.53", "192.0.2.53:5353", "[2001:db8::53]:53")'
    : null;
}

/** Canonical resolver text; the port is kept only when given. */
export function canonicalResolver(text: string): string {
  const resolver = parseResolver(text);
  if (resolver === null) return text;
  if (resolver.port === null) return resolver.address;
  return resolver.address.includes(':') ? `[${resolver.address}]:${resolver.port}` : `${resolver.address}:${resolver.port}`;
}
