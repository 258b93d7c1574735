/**
 * The one generator of the JSON Schemas that ship with @port25-audit/core
 * (`schema/plan.schema.json`, `schema/report.schema.json`), written from their
 * zod sources so that editors, CI validators and the code never disagree.
 *
 *   npm run schemas                     # write schema/*.json
 *   npm run schemas -- --check          # exit 1 naming each file that is out of date
 *
 * The staleness tests (test/core/plan/schema.test.ts, test/core/checks/report-schema.test.ts)
 * compare the committed files with {@link schemaText} of the same sources.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { reportJsonSchema } from '../src/checks/report-schema.js';
import { planJsonSchema } from '../src/plan/index.js';

/** Schema files of the package (under `schema/`) and how each is generated. */
export const SCHEMA_FILES: readonly { file: string; generate: () => object }[] = [
  { file: 'plan.schema.json', generate: planJsonSchema },
  { file: 'report.schema.json', generate: reportJsonSchema },
];

/** The command that regenerates the files, as error messages name it. */
export const REGENERATE_COMMAND = 'npm run schemas';

const schemaDirectory = fileURLToPath(new URL('../schema/', import.meta.url));

/**
 * The committed form of a schema: two-space JSON with a final newline.
 *
 * @example schemaText(planJsonSchema()) === readFileSync('packages/core/schema/plan.schema.json', 'utf8')
 */
export function schemaText(schema: object): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}

/** Writes every schema file that differs (or, with `check`, only names them); resolves to the exit code. */
async function generateSchemas(check: boolean): Promise<number> {
  let stale = 0;
  for (const { file, generate } of SCHEMA_FILES) {
    const path = `${schemaDirectory}${file}`;
    const wanted = schemaText(generate());
    const current = await readFile(path, 'utf8').catch(() => null);
    if (current === wanted) {
      process.stdout.write(`${path} is up to date\n`);
      continue;
    }
    if (check) {
      stale += 1;
      process.stderr.write(`${path} is out of date: run ${REGENERATE_COMMAND}\n`);
    } else {
      await writeFile(path, wanted);
      process.stdout.write(`wrote ${path}\n`);
    }
  }
  return stale === 0 ? 0 : 1;
}

// Run only as a script: the tests import SCHEMA_FILES and schemaText without writing anything.
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await generateSchemas(process.argv.includes('--check'));
}
