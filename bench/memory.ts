/**
 * Issue 7, part 3: a million sampled targets stream into the scan file with
 * constant memory, and `report` reads that file back in bounded memory.
 */
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, endCounts, listenersOn, SCAN_CHILD, type BenchContext } from './context.js';
import { formatNumber, measure, shellLine } from './measure.js';
import type { Section } from './section.js';

/** Half of 127/8, clear of the blocks the test suites use (127.0-127.127). */
const RANGE = '127.128.0.0/9';
const SAMPLE = 1_000_000;
const MARKS = [100_000, 500_000, 1_000_000];

interface ChildResult {
  seconds: number;
  counts: Record<string, number>;
  workers: number;
  maxRssMb: number;
  marks: { done: number; rssMb: number }[];
}

function inRange(address: string): boolean {
  const [a, b] = address.split('.').map(Number);
  return a === 127 && b !== undefined && b >= 128;
}

/** Part 3. */
export async function benchMemory(context: BenchContext): Promise<Section> {
  const { root, work, log } = context;
  const busy = listenersOn(25, inRange);
  const out = join(work, 'million.ndjson');
  const job = join(work, 'million-job.json');
  writeFileSync(
    job,
    JSON.stringify({
      plan: {
        version: 1,
        name: 'bench: a million sampled hosts',
        scope: { dynamic: [RANGE], exclude: busy },
        sample: { size: SAMPLE, seed: 7 },
        ports: { smtp: 25 },
        probe: { concurrency: 512, connectTimeoutMs: 3000 },
      },
      out,
      marks: MARKS,
    }),
  );
  log(`memory: ${formatNumber(SAMPLE)} sampled hosts of ${RANGE} into one scan file`);
  const scan = await measure(['node', SCAN_CHILD, job], { cwd: root });
  const result = JSON.parse(scan.stdout) as ChildResult;
  const counts = endCounts(out);
  const total = counts === null ? 0 : Object.values(counts).reduce((a, b) => a + b, 0);
  if (total !== SAMPLE) throw new Error(`the million-host scan file ends with ${JSON.stringify(counts)}`);

  log('memory: report over the million-line file');
  const reportCommand = ['node', CLI, 'report', out, '--format', 'json', '--out', join(work, 'million-report.json'), '--fail-on', 'never'];
  const report = await measure(reportCommand, { cwd: root });
  const fileMb = statSync(out).size / 2 ** 20;
  const peak = Math.max(scan.rssMb, ...result.marks.map((mark) => mark.rssMb));
  return {
    id: 'memory',
    title: `3. Memory at scale: ${formatNumber(SAMPLE)} sampled hosts of ${RANGE} (closed loopback addresses)`,
    goal: 'constant memory while streaming into the scan file, peak RSS ≤ 200 MB; report over the file in bounded memory',
    verdict:
      `scan peak RSS ${formatNumber(peak)} MB (${result.marks.map((mark) => `${formatNumber(mark.rssMb)} MB at ${formatNumber(mark.done)}`).join(', ')}): goal ${peak <= 200 ? 'met' : 'not met'}; ` +
      `report over ${formatNumber(fileMb)} MB of scan file peaks at ${formatNumber(report.rssMb)} MB.`,
    rows: [
      ...result.marks.map((mark) => ({ subject: `runScan, after ${formatNumber(mark.done)} observations`, figures: { RSS: `${formatNumber(mark.rssMb)} MB` } })),
      {
        subject: `runScan, whole scan (${result.workers} threads)`,
        figures: { 'peak RSS': `${formatNumber(scan.rssMb)} MB`, 'wall time': `${scan.seconds.toFixed(1)} s`, 'probes/s': formatNumber(SAMPLE / result.seconds), 'scan file': `${formatNumber(fileMb)} MB` },
      },
      { subject: 'port25-audit report --format json over that file', figures: { 'peak RSS': `${formatNumber(report.rssMb)} MB`, 'wall time': `${report.seconds.toFixed(1)} s`, 'lines/s': formatNumber(SAMPLE / report.seconds) } },
    ],
    commands: [`${shellLine(['node', SCAN_CHILD, job])}   # runScan, the plan below, RSS marks at ${MARKS.join(', ')}`, shellLine(reportCommand)],
    notes: [
      `Plan: scope.dynamic [${RANGE}] (8,388,608 addresses)${busy.length > 0 ? `, scope.exclude [${busy.join(', ')}] (they listened on port 25)` : ''}, sample.size ${SAMPLE}, sample.seed 7, ports.smtp 25, probe.concurrency 512. The sample is drawn by a seeded permutation, never by enumerating the range.`,
      'RSS marks are taken by the scan itself (process.memoryUsage.rss(), every thread of the process) at the first progress report past each mark; peak RSS by GNU time.',
      '`report` folds the inbound observations into counts, the open hosts up to a cap and the Clopper-Pearson bound as it reads; it keeps a compact set of the tasks seen (4 bytes per sampled IPv4 host) to drop duplicates across files.',
    ],
  };
}
