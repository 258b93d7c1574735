// One scan through the library, as a program that uses @port25-audit/core calls it: the
// built package (dist), plain Node, no TypeScript loader in the process, so its memory is
// the scan's. argv[2] is a JSON job:
//   { "plan": {...plan as written...}, "out": "scan.ndjson", "workers": 1?, "marks": [100000, ...]? }
// Prints one JSON line: { seconds, counts, workers, written, maxRssMb, marks: [{ done, rssMb }] }.
// RSS marks are taken at the first progress report at or past each mark (reports come every 200 ms).
import { readFileSync } from 'node:fs';
import { normalizePlan, planDigest, runScan } from '../packages/core/dist/index.js';

const job = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const plan = normalizePlan(job.plan, process.argv[2]);
const pending = [...(job.marks ?? [])].sort((a, b) => a - b);
const marks = [];
const started = performance.now();
const summary = await runScan({
  plan,
  digest: planDigest(plan),
  vantage: { kind: job.vantage ?? 'outside', label: 'bench', host: 'bench' },
  shard: job.shard ?? { index: 0, count: 1 },
  out: job.out,
  ...(job.workers === undefined ? {} : { workers: job.workers }),
  onProgress: (progress) => {
    while (pending.length > 0 && progress.done >= pending[0]) {
      pending.shift();
      marks.push({ done: progress.done, rssMb: process.memoryUsage.rss() / 2 ** 20 });
    }
  },
});
const seconds = (performance.now() - started) / 1000;
process.stdout.write(
  `${JSON.stringify({
    seconds,
    counts: summary.counts,
    workers: summary.workers,
    written: summary.written,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    marks,
  })}\n`,
);
