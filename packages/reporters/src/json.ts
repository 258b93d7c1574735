/**
 * `--format json`: the report JSON of DESIGN.md ("Observations, scans and
 * reports"), validated by `@port25-audit/core/report.schema.json`.
 */
import type { CheckResult, PracticeResult, Report, ReportVantage } from '@port25-audit/core';

// The documented order of each object's fields; fields the model gains later follow in their own order.
const REPORT_KEYS = ['schemaVersion', 'tool', 'generatedAt', 'plan', 'vantages', 'status', 'practices', 'counts'] as const;
const TOOL_KEYS = ['name', 'version'] as const;
const PLAN_KEYS = ['name', 'digest'] as const;
const VANTAGE_KEYS = ['kind', 'label', 'host', 'startedAt', 'finishedAt', 'shards', 'complete'] as const;
const PRACTICE_KEYS = ['id', 'title', 'references', 'status', 'checks'] as const;
const CHECK_KEYS = ['id', 'target', 'vantage', 'status', 'summary', 'message', 'evidence', 'address', 'port', 'family'] as const;
const COUNT_KEYS = ['pass', 'warn', 'fail', 'skip', 'error'] as const;

function ordered(value: object, keys: readonly string[], child: (key: string, value: unknown) => unknown = (_k, v) => v): Record<string, unknown> {
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of keys) if (source[key] !== undefined) out[key] = child(key, source[key]);
  for (const key of Object.keys(source)) if (!(key in out) && source[key] !== undefined) out[key] = child(key, source[key]);
  return out;
}

function orderedCheck(check: CheckResult): Record<string, unknown> {
  return ordered(check, CHECK_KEYS, (key, v) => (key === 'message' ? ordered(v as object, ['id', 'params']) : v));
}

function orderedPractice(practice: PracticeResult): Record<string, unknown> {
  return ordered(practice, PRACTICE_KEYS, (key, v) => (key === 'checks' ? (v as CheckResult[]).map(orderedCheck) : v));
}

/**
 * Characters JSON.stringify leaves raw that a reader of the text must not get
 * as such: DEL and the C1 controls (U+009B is an 8-bit CSI that some terminals
 * obey when `report --format json` prints to one), the line and paragraph
 * separators (they end a line in JavaScript, RFC 8259 §7 allows them raw), bidi
 * overrides and isolates (CVE-2021-42574), the BOM and the noncharacters. As
 * `\uXXXX` escapes they are the same JSON data.
 */
const RAW_IN_JSON = /[\u007f-\u009f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff]/g;

/**
 * Any JSON value as text, 2-space indent and one trailing newline, with the
 * characters a terminal or a JavaScript reader would act on (DEL, C1 controls,
 * U+2028/U+2029, bidi controls, BOM, noncharacters) written as `\uXXXX`
 * escapes: `JSON.parse` gives the same value back. For JSON that may be
 * printed to a terminal and carries what scanned hosts sent (`probe --json`).
 *
 * @example io.stdout.write(jsonText({ observations }))
 */
export function jsonText(value: unknown): string {
  const json = JSON.stringify(value, null, 2).replace(RAW_IN_JSON, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `${json}\n`;
}

/**
 * The report as JSON: fields in the documented order, 2-space indent, one
 * trailing newline. `JSON.parse` of the output deep-equals the report; what a
 * host sent is kept exactly, with the characters a terminal or a JavaScript
 * reader would act on written as `\uXXXX` escapes.
 *
 * @example writeFileSync('report.json', renderJson(report))
 */
export function renderJson(report: Report): string {
  const document = ordered(report, REPORT_KEYS, (key, v) => {
    switch (key) {
      case 'tool':
        return ordered(v as object, TOOL_KEYS);
      case 'plan':
        return ordered(v as object, PLAN_KEYS);
      case 'vantages':
        return (v as ReportVantage[]).map((vantage) => ordered(vantage, VANTAGE_KEYS));
      case 'practices':
        return (v as PracticeResult[]).map(orderedPractice);
      case 'counts':
        return ordered(v as object, COUNT_KEYS);
      default:
        return v;
    }
  });
  return jsonText(document);
}
