/**
 * Runs one scan in a child process, for the kill -9 test: argv[2] a JSON file
 * `{ plan, digest, out, workers? }`. Prints `finished` if it is not killed first.
 */
import { readFileSync } from 'node:fs';
import { runScan, type Plan } from '@port25-audit/core';

const { plan, digest, out, workers } = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as { plan: Plan; digest: string; out: string; workers?: number };
await runScan({
  plan,
  digest,
  out,
  vantage: { kind: 'outside', label: 'child', host: 'child' },
  shard: { index: 0, count: 1 },
  ...(workers === undefined ? {} : { workers }),
});
process.stdout.write('finished\n');
