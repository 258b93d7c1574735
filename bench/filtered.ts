/**
 * Issue 7, part 2: a range where every SYN is silently dropped. A connect
 * scanner cannot beat ceil(N/C) × T without a shorter timeout; the goal is to
 * stay within 15% of it. Runs in two network namespaces joined only to each
 * other (test/helpers/netns.ts): the targets, 198.18.0.0/20 (RFC 2544's
 * benchmarking range), exist only in the server namespace, whose firewall
 * drops port 25; nmap runs in the client namespace too, on the same range with
 * the same timeout and parallelism.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createNamespacePair, netnsUnavailable, nftFilter, type NamespacePair } from '../test/helpers/netns.js';
import type { BenchContext } from './context.js';
import { formatNumber, median, shellLine } from './measure.js';
import { times, type Section } from './section.js';

const RANGE = '198.18.0.0/20';
const ADDRESSES = 4096;
const CONCURRENCY = 512;
const TIMEOUT_MS = 1000;

interface ChildResult {
  seconds: number;
  counts: Record<string, number>;
  workers: number;
}

/** nmap inside the client namespace under GNU time: its wall time and peak RSS. */
function timedNmap(pair: NamespacePair, command: string[], work: string): { seconds: number; rssMb: number; output: string } {
  const timeFile = join(work, 'nmap-time.txt');
  const output = pair.exec(pair.client, ['/usr/bin/time', '-o', timeFile, '-f', '%e %M', ...command]);
  const [seconds, rssKb] = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number) as [number, number];
  return { seconds, rssMb: rssKb / 1024, output };
}

/** Part 2; a skipped section (with the reason) when namespaces are not available. */
export async function benchFiltered(context: BenchContext): Promise<Section> {
  const bound = 1.15 * Math.ceil(ADDRESSES / CONCURRENCY) * (TIMEOUT_MS / 1000);
  const title = `2. Filtered range: ${formatNumber(ADDRESSES)} addresses whose SYNs are dropped, concurrency ${CONCURRENCY}, connect timeout ${TIMEOUT_MS} ms`;
  const goal = `wall time ≤ 1.15 × ceil(N/C) × T = 1.15 × ${Math.ceil(ADDRESSES / CONCURRENCY)} × ${TIMEOUT_MS / 1000} s = ${bound.toFixed(2)} s`;
  const unavailable = netnsUnavailable();
  if (unavailable !== null) {
    return { id: 'filtered', title, goal, verdict: `not measured: ${unavailable}`, rows: [], commands: [], notes: [] };
  }
  const { rounds, log } = context;
  const work = mkdtempSync(join(context.work, 'filtered-'));
  const pair = await createNamespacePair('p25p-');
  try {
    // Every address of the range is local to the server namespace, reached through the veth pair.
    pair.exec(pair.server, ['ip', 'route', 'add', 'local', RANGE, 'dev', 'lo']);
    pair.exec(pair.client, ['ip', 'route', 'add', RANGE, 'via', pair.addresses.server.ipv4]);
    pair.firewall(pair.server, nftFilter({ drop: [25] }, 'p25p_filter'));

    const plan = {
      version: 1,
      name: 'bench: filtered range',
      scope: { dynamic: [RANGE] },
      sample: { size: ADDRESSES, seed: 1 },
      ports: { smtp: 25 },
      probe: { concurrency: CONCURRENCY, connectTimeoutMs: TIMEOUT_MS },
    };
    const job = join(work, 'job.json');
    writeFileSync(job, JSON.stringify({ plan, out: join(work, 'filtered.ndjson') }));
    const nmapCommand = [
      'nmap', '-sT', '-Pn', '-n', '-p25', '--max-retries', '0',
      '--initial-rtt-timeout', `${TIMEOUT_MS}ms`, '--max-rtt-timeout', `${TIMEOUT_MS}ms`,
      '--min-parallelism', String(CONCURRENCY), '--max-parallelism', String(CONCURRENCY),
      '--min-hostgroup', String(ADDRESSES), RANGE, '-oN', '/dev/null',
    ];

    const ours: ChildResult[] = [];
    const nmap: { seconds: number; rssMb: number }[] = [];
    for (let round = 1; round <= rounds; round++) {
      log(`filtered round ${round}/${rounds}: port25-audit (runScan), nmap, both inside ${pair.client}`);
      const run = await pair.runNode(pair.client, 'bench/filtered-child.ts', [job], { timeoutMs: 120_000 });
      if (run.code !== 0) throw new Error(`the filtered scan failed: ${run.stderr}`);
      const result = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as ChildResult;
      if (result.counts['filtered'] !== ADDRESSES) throw new Error(`expected ${ADDRESSES} filtered, got ${JSON.stringify(result.counts)}`);
      ours.push(result);
      nmap.push(timedNmap(pair, nmapCommand, work));
    }
    const seconds = median(ours.map((run) => run.seconds));
    const nmapSeconds = median(nmap.map((run) => run.seconds));
    return {
      id: 'filtered',
      title,
      goal,
      verdict: `${seconds.toFixed(2)} s = ${(seconds / bound).toFixed(3)} of the bound (${(seconds / (bound / 1.15)).toFixed(3)} × ceil(N/C) × T): goal ${seconds <= bound ? 'met' : 'not met'}.`,
      rows: [
        { subject: 'bound 1.15 × ceil(N/C) × T', figures: { 'wall time': `${bound.toFixed(2)} s` } },
        { subject: `port25-audit (runScan, ${ours[0]?.workers ?? '?'} threads)`, figures: { 'wall time': `${seconds.toFixed(2)} s`, outcome: `${formatNumber(ADDRESSES)} filtered` }, ratio: `${(seconds / bound).toFixed(3)} of the bound` },
        { subject: 'nmap -sT, same timeout and parallelism (peer)', figures: { 'wall time': `${nmapSeconds.toFixed(2)} s` }, ratio: `port25-audit is ${times(nmapSeconds / seconds)} nmap's speed` },
      ],
      commands: [
        `ip netns exec ${pair.client} node --import tsx --conditions=source bench/filtered-child.ts ${job}   # runScan (built package), the plan below`,
        `ip netns exec ${pair.client} ${shellLine(nmapCommand)}`,
      ],
      notes: [
        `Median of ${rounds} interleaved rounds. Namespaces ${pair.client} / ${pair.server}, one veth pair linked to nothing else; the server namespace owns ${RANGE} (\`ip route add local\`) and drops TCP port 25 (nftables), so every SYN goes unanswered and every probe ends at its timeout as \`filtered\`.`,
        `Plan: scope.dynamic [${RANGE}], sample.size ${ADDRESSES}, probe.concurrency ${CONCURRENCY}, probe.connectTimeoutMs ${TIMEOUT_MS}. port25-audit's time is runScan's own (from the call to its return, threads' start-up included), without Node's start-up.`,
        'nmap adapts its timeouts and parallelism to what it sees; with a dead range its connect scan waits out its RTT timeout per round of probes. Its time is given for reference, not as a bound.',
      ],
    };
  } finally {
    await pair.teardown();
    rmSync(work, { recursive: true, force: true });
  }
}
