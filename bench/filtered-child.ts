/**
 * The filtered-range scan, run INSIDE the client namespace by bench/filtered.ts.
 * It first proves where it runs (no socket before that), then scans through the
 * built library (threads start from dist, as for users). argv[2]: a JSON job
 * `{ plan, out }`. Prints `{ seconds, counts, workers }`.
 */
import { readFileSync } from 'node:fs';
import { assertInsideNamespace } from '../test/helpers/netns.js';

assertInsideNamespace();
const core = (await import(new URL('../packages/core/dist/index.js', import.meta.url).href)) as typeof import('@port25-audit/core');
const job = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as { plan: unknown; out: string };
const plan = core.normalizePlan(job.plan, process.argv[2]!);
const started = performance.now();
const summary = await core.runScan({
  plan,
  digest: core.planDigest(plan),
  vantage: { kind: 'outside', label: 'bench-netns', host: 'bench-netns' },
  shard: { index: 0, count: 1 },
  out: job.out,
});
process.stdout.write(`${JSON.stringify({ seconds: (performance.now() - started) / 1000, counts: summary.counts, workers: summary.workers })}\n`);
