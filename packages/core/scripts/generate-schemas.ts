/**
 * Writes the JSON Schemas that ship with @port25-audit/core from their zod
 * sources, so editors and the validator never disagree.
 *
 *   npx tsx packages/core/scripts/generate-schemas.ts          # write schema/*.json
 *   npx tsx packages/core/scripts/generate-schemas.ts --check  # exit 1 when a file is out of date
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { planJsonSchema } from '../src/plan/index.js';

/** Schema files of the package and how each is generated. */
const SCHEMAS: readonly { file: string; generate: () => object }[] = [{ file: 'plan.schema.json', generate: planJsonSchema }];

const schemaDirectory = fileURLToPath(new URL('../schema/', import.meta.url));

/** The committed form of a schema: two-space JSON with a final newline. */
function schemaText(schema: object): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}

async function main(check: boolean): Promise<number> {
  let stale = 0;
  for (const { file, generate } of SCHEMAS) {
    const path = `${schemaDirectory}${file}`;
    const wanted = schemaText(generate());
    const current = await readFile(path, 'utf8').catch(() => null);
    if (current === wanted) continue;
    if (check) {
      stale += 1;
      process.stderr.write(`${path} is out of date: run npx tsx packages/core/scripts/generate-schemas.ts\n`);
    } else {
      await writeFile(path, wanted);
      process.stdout.write(`wrote ${path}\n`);
    }
  }
  return stale === 0 ? 0 : 1;
}

process.exitCode = await main(process.argv.includes('--check'));
