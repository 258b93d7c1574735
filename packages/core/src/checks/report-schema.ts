/**
 * The report JSON as a zod schema: the one source of
 * `packages/core/schema/report.schema.json`, which ships with the package so
 * that CI pipelines and other tools can validate `report --format json`.
 */
import { z } from 'zod';
import type { PracticeId, Report } from '../model.js';
import { CHECK_IDS, PRACTICE_IDS, type CheckId } from './catalogue.js';

/** `$id` of the report schema; the plan schema's is `urn:port25-audit:schema:plan:1`. */
export const REPORT_SCHEMA_ID = 'urn:port25-audit:schema:report:1';

const STATUS = z.enum(['pass', 'warn', 'fail', 'skip', 'error']).describe('fail > error > warn > pass; skip = not tested');
const ISO_TIME = z.iso.datetime({ offset: true });

const CheckResultSchema = z
  .object({
    id: z.enum(CHECK_IDS as [CheckId, ...CheckId[]]).describe('Check id from the catalogue, stable across versions'),
    target: z.string().describe('`name:port (address)`, `address:port` (IPv6 in brackets) or a plan-level label'),
    vantage: z.enum(['inside', 'outside', 'any']),
    status: STATUS,
    summary: z.string().describe('One English sentence'),
    message: z
      .object({
        id: z.string().describe('Stable message id, for translations'),
        params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
      })
      .optional(),
    evidence: z.record(z.string(), z.unknown()).describe('Technical facts behind the status; plain JSON'),
    address: z.string().optional(),
    port: z.number().int().min(0).max(65535).optional(),
    family: z.enum(['IPv4', 'IPv6']).optional(),
  })
  .meta({ title: 'Check result' });

const PracticeSchema = z
  .object({
    id: z.enum(PRACTICE_IDS as [PracticeId, ...PracticeId[]]),
    title: z.string(),
    references: z.array(z.string()),
    status: STATUS,
    checks: z.array(CheckResultSchema),
  })
  .meta({ title: 'Practice' });

const VantageSchema = z
  .object({
    kind: z.enum(['inside', 'outside']),
    label: z.string(),
    host: z.string(),
    startedAt: ISO_TIME,
    finishedAt: ISO_TIME.nullable().describe('Latest end of its shard files; null when none ended'),
    shards: z.number().int().min(1),
    complete: z.boolean().describe('Every shard present and every shard file ended'),
  })
  .meta({ title: 'Vantage' });

const COUNT = z.number().int().min(0);

/** The report of `report --format json` (DESIGN.md), schemaVersion 1. */
export const ReportSchema = z
  .object({
    schemaVersion: z.literal(1),
    tool: z.object({ name: z.literal('port25-audit'), version: z.string() }),
    generatedAt: ISO_TIME,
    plan: z.object({ name: z.string(), digest: z.string().regex(/^sha256:[0-9a-f]{64}$/) }),
    vantages: z.array(VantageSchema),
    status: STATUS,
    practices: z
      .array(PracticeSchema)
      .length(PRACTICE_IDS.length)
      .describe('All six practices, always, in order P1..P6'),
    counts: z
      .object({ pass: COUNT, warn: COUNT, fail: COUNT, skip: COUNT, error: COUNT })
      .describe('Check results by status, over every practice'),
  })
  .meta({
    title: 'port25-audit report',
    description: 'An audit of a network against the six MAAWG port-25 practices',
  });

// The schema must describe the model: a parsed report is a Report.
type ParsedIsReport = z.infer<typeof ReportSchema> extends Report ? true : never;
const parsedIsReport: ParsedIsReport = true;
void parsedIsReport;

/**
 * The JSON Schema (draft 2020-12) committed as `packages/core/schema/report.schema.json`.
 *
 * @example
 * JSON.stringify(reportJsonSchema(), null, 2)
 */
export function reportJsonSchema(): Record<string, unknown> {
  const { $schema, ...schema } = z.toJSONSchema(ReportSchema, { target: 'draft-2020-12' }) as Record<string, unknown>;
  return { $schema, $id: REPORT_SCHEMA_ID, ...schema };
}
