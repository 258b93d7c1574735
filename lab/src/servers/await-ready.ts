/**
 * Entry run by the lab inside a namespace: `await-ready.ts CHECKS_JSON DEADLINE_MS`.
 * Proves where it runs, then waits until every readiness check holds; exit 0
 * when ready, 1 with the checks still failing on stderr.
 */
import { assertInLabNamespace } from './namespace-guard.js';
import { awaitReadiness, type ReadinessCheck } from './readiness.js';

assertInLabNamespace();
const checks = JSON.parse(process.argv[2] ?? '[]') as ReadinessCheck[];
const failing = await awaitReadiness(checks, Number(process.argv[3] ?? 20_000));
if (failing.length > 0) {
  process.stderr.write(`not ready:\n${failing.map((line) => `  ${line}\n`).join('')}`);
  process.exitCode = 1;
}
