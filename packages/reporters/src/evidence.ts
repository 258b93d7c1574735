/**
 * Reading a check's evidence for display. Evidence is open JSON; two shapes get
 * their own rendering: SMTP transcripts (lines in order) and the P6 aggregate
 * (`counts`, `sampleSize`, `openHosts`, `upperBound95`, DESIGN "P6 evidence").
 */
import type { Evidence } from '@port25-audit/core';
import { visibleControls } from './peer-text.js';

const DIRECTION_KEYS = ['dir', 'direction', 'from', 'side', 'who'] as const;
const LINE_KEYS = ['text', 'line', 'data', 'reply', 'command'] as const;

/** True for evidence keys that hold an SMTP dialogue (`transcript`, `tlsTranscript`, …). */
export function isTranscriptKey(key: string): boolean {
  return /transcript$/i.test(key);
}

function stringField(record: Record<string, unknown>, keys: readonly string[]): string | null {
  for (const key of keys) {
    const value = record[key];
    if (typeof value === 'string') return value;
    if (typeof value === 'number') return String(value);
  }
  return null;
}

// One transcript entry is one line: a line break inside it must not pass for a line of its own ("C: …").
function oneLine(entry: string): string {
  return visibleControls(entry).replace(/\n/g, '\\x0A');
}

/**
 * The lines of a transcript, each prefixed with its direction when the
 * entries carry one (`C: EHLO …`, `S: 250 …`), or null when the value is not
 * a list of lines. Control characters are made visible.
 */
export function transcriptLines(value: unknown): string[] | null {
  if (typeof value === 'string') return value.split(/\r?\n/).map(visibleControls);
  if (!Array.isArray(value)) return null;
  const lines: string[] = [];
  for (const entry of value) {
    if (typeof entry === 'string') {
      lines.push(oneLine(entry));
      continue;
    }
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return null;
    const record = entry as Record<string, unknown>;
    const line = stringField(record, LINE_KEYS);
    if (line === null) return null;
    const direction = stringField(record, DIRECTION_KEYS);
    lines.push(oneLine(direction === null ? line : `${direction}: ${line}`));
  }
  return lines;
}

/** An open host of the P6 evidence. */
export interface InboundOpenHost {
  address: string;
  port: number | null;
  greeting: string | null;
}

/** The P6 aggregate, read leniently from evidence. */
export interface InboundEvidence {
  counts: Array<[string, number]>;
  sampleSize: number;
  open: number;
  openHosts: InboundOpenHost[];
  upperBound95: number | null;
  census: boolean;
  port: number;
}

function finite(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/**
 * The P6 aggregate of an evidence object, or null when the evidence is not
 * one (no `counts` object or no `upperBound95` key).
 */
export function inboundEvidence(evidence: Evidence, fallbackPort: number | undefined): InboundEvidence | null {
  const counts = evidence['counts'];
  if (counts === null || typeof counts !== 'object' || Array.isArray(counts) || !('upperBound95' in evidence)) return null;
  const countPairs = Object.entries(counts as Record<string, unknown>)
    .map(([outcome, n]) => [outcome, finite(n)] as const)
    .filter((pair): pair is readonly [string, number] => pair[1] !== null)
    .map(([outcome, n]): [string, number] => [outcome, n]);
  const summed = countPairs.reduce((sum, [, n]) => sum + n, 0);
  const rawHosts = Array.isArray(evidence['openHosts']) ? (evidence['openHosts'] as unknown[]) : [];
  const openHosts: InboundOpenHost[] = rawHosts.flatMap((host) => {
    if (host === null || typeof host !== 'object') return [];
    const record = host as Record<string, unknown>;
    return [
      {
        address: typeof record['address'] === 'string' ? record['address'] : '',
        port: finite(record['port']),
        greeting: typeof record['greeting'] === 'string' ? record['greeting'] : null,
      },
    ];
  });
  const open = finite(evidence['openTotal']) ?? finite((counts as Record<string, unknown>)['open']) ?? openHosts.length;
  return {
    counts: countPairs,
    sampleSize: finite(evidence['sampleSize']) ?? finite(evidence['total']) ?? summed,
    open,
    openHosts,
    upperBound95: finite(evidence['upperBound95']),
    census: evidence['census'] === true,
    port: finite(evidence['port']) ?? openHosts.find((host) => host.port !== null)?.port ?? fallbackPort ?? 25,
  };
}

/**
 * An upper bound as a percentage that is still a true upper bound: rounded
 * up, one decimal from 1% on, two significant digits below (0.0117 → "1.2",
 * 0.000117 → "0.012").
 */
export function upperBoundPercent(fraction: number, decimal: string): string {
  const percent = fraction * 100;
  let text: string;
  if (percent >= 1) {
    text = (Math.ceil(percent * 10 - 1e-9) / 10).toFixed(1);
  } else if (percent <= 0) {
    text = '0';
  } else {
    const digits = Math.max(1, 1 - Math.floor(Math.log10(percent)));
    const scale = 10 ** digits;
    text = (Math.ceil(percent * scale - 1e-9) / scale).toFixed(digits);
  }
  return text.replace('.', decimal);
}

function scalarText(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return visibleControls(value);
  return String(value);
}

function isScalar(value: unknown): boolean {
  return value === null || typeof value !== 'object';
}

/**
 * Items of one evidence list written at most in plain text (JUnit); a peer
 * decides how long some lists are (a certificate may carry 10,000 names).
 */
export const MAX_TEXT_LIST_ITEMS = 100;

/** The first items of a list, and a line saying how many were left out (the JSON report has them all). */
function listHead(value: readonly unknown[]): { shown: readonly unknown[]; more: string | null } {
  if (value.length <= MAX_TEXT_LIST_ITEMS) return { shown: value, more: null };
  const left = value.length - MAX_TEXT_LIST_ITEMS;
  return { shown: value.slice(0, MAX_TEXT_LIST_ITEMS), more: `… and ${left} more (${value.length} in all: the JSON report lists every one)` };
}

function textLines(key: string, value: unknown, indent: string, out: string[]): void {
  const label = `${indent}${key}:`;
  const transcript = isTranscriptKey(key) ? transcriptLines(value) : null;
  if (transcript !== null) {
    out.push(label, ...transcript.map((line) => `${indent}  ${line}`));
  } else if (typeof value === 'string' && value.includes('\n')) {
    out.push(`${label} |`, ...value.split(/\r?\n/).map((line) => `${indent}  ${visibleControls(line)}`));
  } else if (isScalar(value)) {
    out.push(`${label} ${scalarText(value)}`);
  } else if (Array.isArray(value)) {
    const { shown, more } = listHead(value);
    if (value.length === 0) out.push(`${label} []`);
    else if (value.every(isScalar)) out.push(`${label} ${shown.map(scalarText).join(', ')}${more === null ? '' : ` ${more}`}`);
    else {
      out.push(label);
      for (const item of shown) {
        if (isScalar(item)) out.push(`${indent}  - ${scalarText(item)}`);
        else {
          const nested: string[] = [];
          for (const [k, v] of Object.entries(item as object)) textLines(k, v, `${indent}    `, nested);
          if (nested.length === 0) out.push(`${indent}  - {}`);
          else out.push(`${indent}  - ${(nested[0] ?? '').trimStart()}`, ...nested.slice(1));
        }
      }
      if (more !== null) out.push(`${indent}  ${more}`);
    }
  } else {
    const entries = Object.entries(value as object);
    if (entries.length === 0) out.push(`${label} {}`);
    else {
      out.push(label);
      for (const [k, v] of entries) textLines(k, v, `${indent}  `, out);
    }
  }
}

/**
 * Evidence as indented `key: value` lines for plain-text media (JUnit
 * `<system-out>`): transcripts one line per exchange, control characters made
 * visible.
 */
export function evidenceText(evidence: Evidence): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(evidence)) textLines(key, value, '', out);
  return out;
}
