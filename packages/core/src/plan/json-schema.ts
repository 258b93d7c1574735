/**
 * The JSON Schema of the plan for editors (YAML and JSON language servers),
 * generated from the same zod source that validates plans. The input side:
 * fields with defaults are optional, and the defaults are shown.
 */
import * as z from 'zod';
import { planInputSchema } from './schema.js';

/** `$id` of the plan schema; version 1 of the plan format. */
export const PLAN_SCHEMA_ID = 'urn:port25-audit:schema:plan:1';

/**
 * The plan's JSON Schema (draft 2020-12), as shipped in
 * `@port25-audit/core/plan.schema.json`. Refinements that JSON Schema cannot
 * express (CIDR ranges, host names) are named in the descriptions.
 *
 * @example writeFileSync('plan.schema.json', JSON.stringify(planJsonSchema(), null, 2) + '\n')
 */
export function planJsonSchema(): Record<string, unknown> {
  const { $schema, ...generated } = z.toJSONSchema(planInputSchema, { io: 'input', target: 'draft-2020-12' });
  return {
    $schema,
    $id: PLAN_SCHEMA_ID,
    title: 'port25-audit audit plan',
    description:
      'What port25-audit audits: the dynamic ranges, submission servers, canaries and limits of an ISP\'s network, ' +
      'checked against the six MAAWG port-25 practices. Only "version" is required. `port25-audit init` writes an annotated example.',
    ...generated,
  };
}
