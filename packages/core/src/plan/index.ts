/**
 * The audit plan: loading (YAML or JSON), validation with every problem named,
 * defaults, the digest that ties scan files to a plan, the JSON Schema for
 * editors and the annotated example `port25-audit init` writes.
 */
export { canonicalJson, planDigest } from './digest.js';
export { examplePlanYaml } from './example.js';
export { PLAN_SCHEMA_ID, planJsonSchema } from './json-schema.js';
export { loadPlan, parsePlan, PLAN_ALIAS_LIMIT, PLAN_NESTING_LIMIT, PLAN_SIZE_LIMIT, type LoadedPlan } from './load.js';
export { normalizePlan } from './normalize.js';
export { PLAN_DEFAULTS } from './schema.js';
