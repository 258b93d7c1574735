/**
 * Issue 7, part 1: a census of 65,536 closed loopback addresses on port 25,
 * port25-audit against nmap's connect scan, interleaved in the same run.
 * Part 5 (beyond one machine) reuses the range: three shard processes and
 * the merge of their files.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, endCounts, listenersOn, SCAN_CHILD, type BenchContext } from './context.js';
import { formatNumber, measure, median, shellLine, type Measured } from './measure.js';
import { times, type Section } from './section.js';

const RANGE = '127.1.0.0/16';
const ADDRESSES = 65_536;
/** The plan's default (PLAN_DEFAULTS.probe.concurrency). */
const CONCURRENCY = 256;

interface LibraryRun {
  seconds: number;
  workers: number;
  maxRssMb: number;
}

function censusPlan(exclude: string[]) {
  return {
    version: 1,
    name: 'bench: closed-port census',
    scope: { dynamic: [RANGE], exclude },
    sample: { size: ADDRESSES, seed: 1 },
    ports: { smtp: 25 },
    probe: { concurrency: CONCURRENCY, connectTimeoutMs: 3000 },
  };
}

function checkCensus(path: string, expected: number): void {
  const counts = endCounts(path);
  const total = counts === null ? 0 : Object.values(counts).reduce((a, b) => a + b, 0);
  if (total !== expected) throw new Error(`${path}: expected ${expected} observations in the end line, found ${JSON.stringify(counts)}`);
}

/** Part 1 and part 5. */
export async function benchCensus(context: BenchContext): Promise<Section[]> {
  const { root, work, rounds, log } = context;
  const busy = listenersOn(25, (address) => address.startsWith('127.1.'));
  const expected = ADDRESSES - busy.length;
  const planPath = join(work, 'census-plan.json');
  writeFileSync(planPath, JSON.stringify(censusPlan(busy)));
  const out = join(work, 'census.ndjson');

  const nmapCommand = ['nmap', '-sT', '-Pn', '-n', '-p25', '--max-retries', '0', '-T5', ...(busy.length > 0 ? ['--exclude', busy.join(',')] : []), RANGE, '-oN', '/dev/null'];
  const cliCommand = ['node', CLI, 'scan', '--plan', planPath, '--vantage', 'outside', '--out', out, '--force', '--quiet'];
  const libraryJob = (workers: number | undefined): string => {
    const path = join(work, `census-job-${workers ?? 'auto'}.json`);
    writeFileSync(path, JSON.stringify({ plan: censusPlan(busy), out, ...(workers === undefined ? {} : { workers }) }));
    return path;
  };
  const singleJob = libraryJob(1);
  const autoJob = libraryJob(undefined);

  const nmap: Measured[] = [];
  const cli: Measured[] = [];
  const single: (Measured & LibraryRun)[] = [];
  const auto: (Measured & LibraryRun)[] = [];
  const library = async (job: string): Promise<Measured & LibraryRun> => {
    const run = await measure(['node', SCAN_CHILD, job], { cwd: root });
    checkCensus(out, expected);
    return { ...run, ...(JSON.parse(run.stdout) as LibraryRun) };
  };
  for (let round = 1; round <= rounds; round++) {
    log(`census round ${round}/${rounds}: nmap, port25-audit (CLI), runScan (1 thread), runScan (default threads)`);
    const peer = await measure(nmapCommand, { cwd: root });
    if (!/Nmap done: \d+ IP addresses/.test(peer.stdout)) throw new Error(`nmap did not finish the range: ${peer.stdout}`);
    nmap.push(peer);
    cli.push(await measure(cliCommand, { cwd: root }));
    checkCensus(out, expected);
    single.push(await library(singleJob));
    auto.push(await library(autoJob));
  }

  const nmapSeconds = median(nmap.map((run) => run.seconds));
  const rate = (seconds: number): number => expected / seconds;
  const figures = (seconds: number, rssMb: number, cpu: number) => ({
    'wall time': `${seconds.toFixed(2)} s`,
    'probes/s': formatNumber(rate(seconds)),
    'peak RSS': `${formatNumber(rssMb)} MB`,
    'CPU time': `${cpu.toFixed(2)} s`,
  });
  const summarize = (runs: Measured[]) => ({
    seconds: median(runs.map((run) => run.seconds)),
    rssMb: median(runs.map((run) => run.rssMb)),
    cpu: median(runs.map((run) => run.userSeconds + run.systemSeconds)),
  });
  const peer = summarize(nmap);
  const ours = summarize(cli);
  const one = summarize(single);
  const many = summarize(auto);
  const threads = auto[0]?.workers ?? 0;
  const census: Section = {
    id: 'census',
    title: `1. Closed-port census: ${formatNumber(expected)} loopback addresses, port 25, nothing listening`,
    goal: 'at least nmap\'s throughput (ratio ≥ 1.0) with peak RSS ≤ 150 MB',
    verdict:
      `port25-audit (CLI) ${times(nmapSeconds / ours.seconds)} nmap's throughput at ${formatNumber(ours.rssMb)} MB; ` +
      `runScan ${times(nmapSeconds / many.seconds)} at ${formatNumber(many.rssMb)} MB. ` +
      `Throughput goal ${nmapSeconds / ours.seconds >= 1 ? 'met' : 'not met'} by the CLI, ${nmapSeconds / many.seconds >= 1 ? 'met' : 'not met'} by runScan; ` +
      `memory goal ${ours.rssMb <= 150 ? 'met' : 'not met'} by the CLI, ${many.rssMb <= 150 ? 'met' : 'not met'} by runScan.`,
    rows: [
      { subject: 'nmap -sT (peer)', figures: figures(peer.seconds, peer.rssMb, peer.cpu) },
      { subject: `port25-audit scan (CLI, ${threads} threads)`, figures: figures(ours.seconds, ours.rssMb, ours.cpu), ratio: `${times(nmapSeconds / ours.seconds)} nmap` },
      { subject: `runScan, default (${threads} threads)`, figures: figures(many.seconds, many.rssMb, many.cpu), ratio: `${times(nmapSeconds / many.seconds)} nmap` },
      { subject: 'runScan, workers: 1 (main thread only)', figures: figures(one.seconds, one.rssMb, one.cpu), ratio: `${times(nmapSeconds / one.seconds)} nmap` },
    ],
    commands: [
      shellLine(nmapCommand),
      shellLine(cliCommand),
      `${shellLine(['node', SCAN_CHILD, singleJob])}   # runScan, the same plan, workers: 1`,
      `${shellLine(['node', SCAN_CHILD, autoJob])}   # runScan, the same plan, default threads`,
    ],
    notes: [
      `Median of ${rounds} interleaved rounds (nmap, CLI, runScan 1 thread, runScan default, then again), so a burst of load on the shared machine hits all of them alike. Wall time, peak RSS and CPU time from GNU time (\`/usr/bin/time -f '%e %M %U %S'\`), the same for every tool; RSS counts every thread of the process.`,
      `Plan: scope.dynamic [${RANGE}], sample.size ${ADDRESSES} (a census), ports.smtp 25, probe.concurrency ${CONCURRENCY}, probe.connectTimeoutMs 3000.${busy.length > 0 ? ` Left out of both scans because something listened on port 25 there: ${busy.join(', ')}.` : ''}`,
      `Every run of ours is checked: the scan file's end line counts ${formatNumber(expected)} observations. The CLI and runScan times include Node's start-up and module loading, as nmap's include its own.`,
    ],
  };

  log('shards: 3 shard processes side by side, then report merging them');
  const shardFiles = [0, 1, 2].map((k) => join(work, `census-shard-${k}of3.ndjson`));
  const shardCommands = shardFiles.map((file, k) => ['node', CLI, 'scan', '--plan', planPath, '--vantage', 'outside', '--shard', `${k}/3`, '--out', file, '--force', '--quiet']);
  const shardStart = performance.now();
  const shardRuns = await Promise.all(shardCommands.map((command) => measure(command, { cwd: root })));
  const shardSeconds = (performance.now() - shardStart) / 1000;
  const shardTotal = shardFiles.reduce((sum, file) => {
    const counts = endCounts(file);
    return sum + (counts === null ? 0 : Object.values(counts).reduce((a, b) => a + b, 0));
  }, 0);
  if (shardTotal !== expected) throw new Error(`the 3 shards hold ${shardTotal} observations, not ${expected}`);
  const mergeCommand = ['node', CLI, 'report', ...shardFiles, '--format', 'json', '--out', join(work, 'census-report.json'), '--fail-on', 'never'];
  const merge = await measure(mergeCommand, { cwd: root });
  const unsharded = await measure(['node', CLI, 'report', out, '--format', 'json', '--out', join(work, 'census-report-1.json'), '--fail-on', 'never'], { cwd: root });
  const shards: Section = {
    id: 'shards',
    title: '5. Beyond one machine: the census as 3 shards in parallel processes, merged by report',
    goal: 'N shards as parallel processes whose merged report equals the unsharded one (checked in test/e2e/shards.test.ts)',
    verdict: `3 shards in ${shardSeconds.toFixed(2)} s side by side on this machine, merged in ${merge.seconds.toFixed(2)} s; one machine has only so many cores, the shards pay off across machines (docs/sharding.md).`,
    rows: [
      { subject: 'unsharded scan (CLI, median above)', figures: { 'wall time': `${ours.seconds.toFixed(2)} s`, 'peak RSS': `${formatNumber(ours.rssMb)} MB` } },
      {
        subject: '3 shard processes, side by side',
        figures: { 'wall time': `${shardSeconds.toFixed(2)} s`, 'peak RSS': `${formatNumber(Math.max(...shardRuns.map((run) => run.rssMb)))} MB each at most` },
        ratio: `${times(ours.seconds / shardSeconds)} the unsharded scan`,
      },
      { subject: 'report merging the 3 files', figures: { 'wall time': `${merge.seconds.toFixed(2)} s`, 'peak RSS': `${formatNumber(merge.rssMb)} MB` }, ratio: `${times(unsharded.seconds / merge.seconds)} report of the unsharded file` },
    ],
    commands: [...shardCommands.map(shellLine), shellLine(mergeCommand)],
    notes: ['On one 2-core machine three shards only compete for the same cores; the point is that N machines (a Kubernetes Indexed Job, a CI matrix) each take one.'],
  };
  return [census, shards];
}
