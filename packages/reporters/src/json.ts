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
 * The report as JSON: fields in the documented order, 2-space indent, one
 * trailing newline. `JSON.parse` of the output deep-equals the report.
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
  return `${JSON.stringify(document, null, 2)}\n`;
}
