import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { expect } from 'chai';
import { buildReport, emptyInbound, reportJsonSchema, ReportSchema } from '@port25-audit/core';
import { DIGEST, end, expectInvalidReport, expectValidReport, header, planWith } from './fixtures.js';

/** The committed schema, as a user of the package finds it; packages/core/scripts/generate-schemas.ts writes it. */
const REPORT_SCHEMA_PATH = createRequire(import.meta.url).resolve('@port25-audit/core/report.schema.json');

/** The exact text the generator writes: two-space JSON with a final newline. */
function reportSchemaText(): string {
  return `${JSON.stringify(reportJsonSchema(), null, 2)}\n`;
}

function minimalReport() {
  const plan = planWith();
  return buildReport({
    plan,
    digest: DIGEST,
    headers: [header(plan, { kind: 'inside' })],
    ends: [end()],
    observations: [],
    inbound: emptyInbound(),
    now: new Date('2025-03-01T12:00:00.000Z'),
  });
}

describe('report JSON schema', () => {
  it('the committed packages/core/schema/report.schema.json is generated from the zod schema', () => {
    const committed = readFileSync(REPORT_SCHEMA_PATH, 'utf8');
    expect(committed, 'the committed report.schema.json is out of date: run `npm run schemas` (packages/core/scripts/generate-schemas.ts)').to.equal(
      reportSchemaText(),
    );
  });

  it('is a draft 2020-12 schema', () => {
    expect(JSON.parse(readFileSync(REPORT_SCHEMA_PATH, 'utf8'))).to.include({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: 'urn:port25-audit:schema:report:1',
      title: 'port25-audit report',
    });
  });

  it('accepts a built report, in JSON Schema and in zod', () => {
    const report = minimalReport();
    expectValidReport(report);
    expect(ReportSchema.safeParse(JSON.parse(JSON.stringify(report))).success).to.equal(true);
  });

  it('refuses a report without all six practices', () => {
    const report = JSON.parse(JSON.stringify(minimalReport()));
    report.practices.pop();
    expectInvalidReport(report);
  });

  it('refuses an unknown status, check id, digest or extra field', () => {
    const cases: ((report: any) => void)[] = [
      (report) => (report.status = 'ok'),
      (report) => (report.practices[2].checks[0].id = 'P3.something-else'),
      (report) => (report.plan.digest = 'md5:abc'),
      (report) => (report.generatedAt = 'yesterday'),
      (report) => (report.extra = true),
    ];
    for (const change of cases) {
      const report = JSON.parse(JSON.stringify(minimalReport()));
      change(report);
      expectInvalidReport(report);
    }
  });
});
