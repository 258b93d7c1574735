/**
 * IP addresses and CIDR ranges as integers: the plan's text in, canonical text
 * and BigInt intervals out. Strict on purpose: a plan is a promise about which
 * addresses may be probed, so an ambiguous spelling is refused, not guessed.
 */
import { isIPv6 } from 'node:net';
import type { Family } from '../model.js';

/** One address as an integer of its family. */
export interface ParsedAddress {
  family: Family;
  value: bigint;
  /** Canonical text: dotted quad, or RFC 5952 for IPv6. */
  text: string;
}

/** A CIDR block: every address from `first` to `last`, network and broadcast included. */
export interface AddressRange {
  family: Family;
  first: bigint;
  last: bigint;
  prefixLength: number;
  /** Canonical `network/prefix` text. */
  text: string;
}

/** Why a text is not an address or range; phrased to follow the quoted value. */
export type RangeVerdict = { range: AddressRange } | { reason: string };

export const FAMILY_BITS: Readonly<Record<Family, number>> = { IPv4: 32, IPv6: 128 };

const IPV4_MAPPED_PREFIX = 0xffffn << 32n;
const IPV4_MAPPED_MASK = ~0xffffffffn & ((1n << 128n) - 1n);

/** RFC 3986 §3.2.2 dotted-decimal: four parts 0–255, no leading zeros (which some stacks read as octal). */
const DOTTED_QUAD = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** Formats an IPv4 address held in the low 32 bits of a number. */
export function formatIPv4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

/** Formats an IPv6 address in the RFC 5952 §4 canonical form (lower case, longest zero run as `::`). */
export function formatIPv6(value: bigint): string {
  const groups: number[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(Number((value >> shift) & 0xffffn));
  // RFC 5952 §4.2.2–4.2.3: compress the longest run of two or more zero groups, the first one on a tie.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i += 1;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j += 1;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (part: number[]): string => part.map((group) => group.toString(16)).join(':');
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLength))}`;
}

/** Formats an integer address of a family as canonical text. */
export function formatAddress(family: Family, value: bigint): string {
  return family === 'IPv4' ? formatIPv4(Number(value)) : formatIPv6(value);
}

function ipv4Value(text: string): bigint {
  let value = 0;
  for (const part of text.split('.')) value = value * 256 + Number(part);
  return BigInt(value);
}

/** 16-bit groups of one side of `::`; a dotted quad may end the address (RFC 4291 §2.2, form 3). */
function ipv6Groups(part: string, mayEndInIPv4: boolean): number[] | null {
  if (part === '') return [];
  const pieces = part.split(':');
  const groups: number[] = [];
  for (let i = 0; i < pieces.length; i += 1) {
    const piece = pieces[i]!;
    if (mayEndInIPv4 && i === pieces.length - 1 && DOTTED_QUAD.test(piece)) {
      const v4 = Number(ipv4Value(piece));
      groups.push(v4 >>> 16, v4 & 0xffff);
    } else if (/^[0-9a-f]{1,4}$/i.test(piece)) {
      groups.push(parseInt(piece, 16));
    } else {
      return null;
    }
  }
  return groups;
}

function ipv6Value(text: string): bigint | null {
  // Zone ids (fe80::1%eth0) name an interface of this machine, not a host of the plan.
  if (text.includes('%') || !isIPv6(text)) return null;
  const gap = text.indexOf('::');
  let groups: number[] | null;
  if (gap < 0) {
    groups = ipv6Groups(text, true);
    if (groups?.length !== 8) return null;
  } else {
    const left = ipv6Groups(text.slice(0, gap), false);
    const right = ipv6Groups(text.slice(gap + 2), true);
    if (left === null || right === null || left.length + right.length > 7) return null;
    groups = [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
  }
  let value = 0n;
  for (const group of groups) value = (value << 16n) | BigInt(group);
  return value;
}

/**
 * Parses an IPv4 or IPv6 address. An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`,
 * RFC 4291 §2.5.5.2) is returned as the IPv4 address it stands for.
 *
 * @returns the address, or null when the text is not one address.
 * @example parseAddress('2001:DB8::0001') // { family: 'IPv6', value: 0x20010db8...1n, text: '2001:db8::1' }
 */
/**
 * The value of a canonical dotted quad (four decimal parts 0-255, no leading zeros, what scan
 * files hold), or -1 for any other text, which then takes {@link parseAddress}. Hand-rolled:
 * it runs once per line when a million-host scan file is merged or resumed.
 */
export function dottedQuadValue(text: string): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let parts = 0;
  for (let i = 0; i <= text.length; i++) {
    const code = i < text.length ? text.charCodeAt(i) : 0x2e;
    if (code === 0x2e) {
      if (digits === 0 || part > 255 || ++parts > 4) return -1;
      value = value * 256 + part;
      part = 0;
      digits = 0;
    } else if (code >= 0x30 && code <= 0x39) {
      // A leading zero is not canonical.
      if (digits > 0 && part === 0) return -1;
      part = part * 10 + (code - 0x30);
      if (++digits > 3) return -1;
    } else {
      return -1;
    }
  }
  return parts === 4 ? value : -1;
}

export function parseAddress(text: string): ParsedAddress | null {
  if (DOTTED_QUAD.test(text)) return { family: 'IPv4', value: ipv4Value(text), text };
  const value = ipv6Value(text);
  if (value === null) return null;
  if ((value & IPV4_MAPPED_MASK) === IPV4_MAPPED_PREFIX) {
    const v4 = value & 0xffffffffn;
    return { family: 'IPv4', value: v4, text: formatIPv4(Number(v4)) };
  }
  return { family: 'IPv6', value, text: formatIPv6(value) };
}

/**
 * The family of an address as the dialer would judge it (IPv4-mapped IPv6 counts as IPv4).
 *
 * @returns `IPv4`, `IPv6`, or null when the text is not an address.
 */
export function addressFamily(address: string): Family | null {
  return parseAddress(address)?.family ?? null;
}

function rangeOf(family: Family, network: bigint, prefixLength: number): AddressRange {
  const hostBits = BigInt(FAMILY_BITS[family] - prefixLength);
  const last = network | ((1n << hostBits) - 1n);
  return { family, first: network, last, prefixLength, text: `${formatAddress(family, network)}/${prefixLength}` };
}

/**
 * Judges a text as a CIDR range, or also as a single address when `allowAddress` is set.
 *
 * A range with host bits set (`203.0.113.5/24`) is refused, with the network it
 * would mean: the author may have meant the single host or the whole block, and a
 * plan must not widen the scan behind the author's back.
 */
export function inspectRange(text: string, options: { allowAddress: boolean }): RangeVerdict {
  const slash = text.indexOf('/');
  if (slash < 0) {
    const address = parseAddress(text);
    if (address === null) return { reason: options.allowAddress ? 'is not an address or a CIDR range' : 'is not a CIDR range' };
    if (!options.allowAddress) {
      const bits = FAMILY_BITS[address.family];
      return { reason: `is an address, not a CIDR range (write "${address.text}/${bits}", or list it under scope.hosts)` };
    }
    return { range: rangeOf(address.family, address.value, FAMILY_BITS[address.family]) };
  }
  const notRange = { reason: options.allowAddress ? 'is not an address or a CIDR range' : 'is not a CIDR range' };
  const prefixText = text.slice(slash + 1);
  const addressText = text.slice(0, slash);
  if (!/^(?:0|[1-9]\d{0,2})$/.test(prefixText)) return notRange;
  let prefixLength = Number(prefixText);
  let family: Family;
  let value: bigint;
  if (DOTTED_QUAD.test(addressText)) {
    family = 'IPv4';
    value = ipv4Value(addressText);
  } else {
    const v6 = ipv6Value(addressText);
    if (v6 === null) return notRange;
    family = 'IPv6';
    value = v6;
  }
  if (prefixLength > FAMILY_BITS[family]) return notRange;
  // RFC 4291 §2.5.5.2: a block inside ::ffff:0:0/96 is a block of IPv4 addresses.
  if (family === 'IPv6' && prefixLength >= 96 && (value & IPV4_MAPPED_MASK) === IPV4_MAPPED_PREFIX) {
    family = 'IPv4';
    value &= 0xffffffffn;
    prefixLength -= 96;
  }
  const hostMask = (1n << BigInt(FAMILY_BITS[family] - prefixLength)) - 1n;
  if ((value & hostMask) !== 0n) {
    const network = rangeOf(family, value & ~hostMask, prefixLength);
    return { reason: `has host bits set (the network is "${network.text}")` };
  }
  return { range: rangeOf(family, value, prefixLength) };
}

/**
 * Parses a CIDR range, or a single address as a /32 or /128 range.
 *
 * @returns the range, or null when the text is neither (or has host bits set).
 * @example parseRange('203.0.113.0/24') // { family: 'IPv4', first: 3405803776n, last: 3405804031n, prefixLength: 24, ... }
 */
export function parseRange(text: string): AddressRange | null {
  const verdict = inspectRange(text, { allowAddress: true });
  return 'range' in verdict ? verdict.range : null;
}

/** True when `address` (text or parsed) lies inside `range`; IPv4-mapped IPv6 is judged as IPv4. */
export function rangeContains(range: AddressRange, address: string | ParsedAddress): boolean {
  const parsed = typeof address === 'string' ? parseAddress(address) : address;
  return parsed !== null && parsed.family === range.family && parsed.value >= range.first && parsed.value <= range.last;
}
