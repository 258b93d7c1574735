/**
 * Regenerates packages/core/schema/report.schema.json from the zod schema:
 *   node --import tsx --conditions=source test/core/checks/write-report-schema.ts
 * report-schema.test.ts fails while the committed file differs from this output.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { reportJsonSchema } from '@port25-audit/core';

/** Where the committed schema lives. */
export const REPORT_SCHEMA_PATH = fileURLToPath(new URL('../../../packages/core/schema/report.schema.json', import.meta.url));

/** The exact text the committed file must have. */
export function reportSchemaText(): string {
  return `${JSON.stringify(reportJsonSchema(), null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(REPORT_SCHEMA_PATH, reportSchemaText());
  console.log(`wrote ${REPORT_SCHEMA_PATH}`);
}
