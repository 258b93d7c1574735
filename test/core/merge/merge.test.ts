import { once } from 'node:events';
import { createWriteStream, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { expect } from 'chai';
import {
  mergeScanFiles,
  normalizePlan,
  planDigest,
  Port25Error,
  reportFromScanFiles,
  ScanFileWriter,
  type Observation,
  type Plan,
  type ScanEnd,
  type ScanHeader,
} from '@port25-audit/core';
import { banner, canary, DIGEST, dns, end, expectValidReport, header, OTHER_DIGEST, planWith, tcp } from '../checks/fixtures.js';

const NOW = new Date('2025-03-01T12:00:00.000Z');

const plan: Plan = planWith({
  scope: { dynamic: ['203.0.113.0/24'], hosts: [], exclude: [] },
  external: { mx: [canary('mx.example.org', 25, 'mx.example.org')], submission: [canary('smtp.example.org', 587, 'smtp.example.org')] },
});

const insideObservations: Observation[] = [
  dns('mx.example.org', 'inside', ['198.51.100.25']),
  dns('smtp.example.org', 'inside', ['198.51.100.7']),
  tcp('outbound-smtp', 'inside', { host: 'mx.example.org', address: '198.51.100.25', port: 25 }, 'filtered', { errorCode: 'ETIMEDOUT' }),
  tcp('outbound-submission', 'inside', { host: 'smtp.example.org', address: '198.51.100.7', port: 587 }, 'open', {
    banner: banner('220 smtp.example.org ESMTP'),
  }),
];

function inbound(from: number, to: number, outcome: 'closed' | 'open' = 'closed'): Observation[] {
  const observations: Observation[] = [];
  for (let host = from; host < to; host++) {
    observations.push(
      tcp('inbound-smtp', 'outside', { address: `203.0.113.${host}`, port: 25 }, outcome, {
        ...(outcome === 'open' ? { banner: banner(`220 dyn${host}.example`) } : { errorCode: 'ECONNREFUSED' }),
      }),
    );
  }
  return observations;
}

let dir: string;
let files = 0;

/** Writes a scan file as `port25-audit scan` does: header, observations, end line (unless null), then `tail` verbatim. */
async function scanFile(
  scanHeader: ScanHeader,
  observations: Observation[],
  scanEnd: ScanEnd | null = end(),
  tail = '',
): Promise<string> {
  const path = join(dir, `scan-${++files}.ndjson`);
  const lines = [scanHeader, ...observations, ...(scanEnd === null ? [] : [scanEnd])].map((line) => `${JSON.stringify(line)}\n`);
  await writeFile(path, lines.join('') + tail);
  return path;
}

async function rejection(promise: Promise<unknown>): Promise<Port25Error> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(Port25Error);
    return error as Port25Error;
  }
  throw new Error('expected a rejection');
}

describe('mergeScanFiles and reportFromScanFiles', () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'p25-merge-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('merges an inside and an outside scan into one report', async () => {
    const inside = await scanFile(header(plan, { kind: 'inside', label: 'cpe' }), insideObservations);
    const outside = await scanFile(header(plan, { kind: 'outside', label: 'cloud' }), inbound(0, 40));
    const report = await reportFromScanFiles([inside, outside], NOW);
    expectValidReport(report);
    expect(report.plan).to.deep.equal({ name: plan.name, digest: DIGEST });
    expect(report.vantages.map((vantage) => [vantage.kind, vantage.label, vantage.complete])).to.deep.equal([
      ['inside', 'cpe', true],
      ['outside', 'cloud', true],
    ]);
    expect(report.practices.map((practice) => practice.status)).to.deep.equal(['skip', 'skip', 'pass', 'skip', 'pass', 'pass']);
    const p6 = report.practices[5]!.checks.find((check) => check.id === 'P6.inbound-25-blocked')!;
    expect(p6.evidence).to.include({ sampleSize: 40, openTotal: 0 });
  });

  it('folds inbound observations into the aggregate and keeps only the others', async () => {
    const inside = await scanFile(header(plan, { kind: 'inside' }), insideObservations);
    const outside = await scanFile(header(plan, { kind: 'outside' }), [...inbound(0, 10), ...inbound(10, 12, 'open')]);
    const merged = await mergeScanFiles([inside, outside]);
    expect(merged.observations).to.have.length(insideObservations.length);
    expect(merged.observations.some((observation) => observation.probe === 'inbound-smtp')).to.equal(false);
    expect(merged.inbound).to.include({ total: 12, openTotal: 2 });
    expect(merged.inbound.openHosts.map((host) => host.address)).to.deep.equal(['203.0.113.10', '203.0.113.11']);
    expect(merged.plan).to.deep.equal(plan);
    expect(merged.digest).to.equal(DIGEST);
  });

  it('merges the shards of one vantage, complete only when all of them are present and ended', async () => {
    const shard0 = await scanFile(header(plan, { kind: 'outside', host: 'pod-0' }, { shard: { index: 0, count: 2 } }), inbound(0, 30));
    const shard1 = await scanFile(
      header(plan, { kind: 'outside', host: 'pod-1' }, { shard: { index: 1, count: 2 } }),
      inbound(30, 50, 'open'),
      end('2025-03-01T10:08:00.000Z'),
    );
    const both = await reportFromScanFiles([shard0, shard1], NOW);
    expectValidReport(both);
    expect(both.vantages).to.have.length(1);
    expect(both.vantages[0]).to.include({ shards: 2, complete: true, host: 'pod-0, pod-1', finishedAt: '2025-03-01T10:08:00.000Z' });
    const p6 = both.practices[5]!.checks[0]!;
    expect(p6).to.include({ status: 'fail' });
    expect(p6.evidence).to.include({ sampleSize: 50, openTotal: 20 });

    const half = await reportFromScanFiles([shard0], NOW);
    expectValidReport(half);
    expect(half.vantages[0]).to.include({ shards: 2, complete: false });
  });

  it('refuses files of different plans, naming every file and its digest', async () => {
    const ours = await scanFile(header(plan, { kind: 'inside' }), insideObservations);
    const theirs = await scanFile(header(planWith({ name: 'Other ISP' }), { kind: 'outside' }, { digest: OTHER_DIGEST }), []);
    const error = await rejection(mergeScanFiles([ours, theirs]));
    expect(error.code).to.equal('DIGEST_MISMATCH');
    expect(error.exitCode).to.equal(2);
    expect(error.message).to.equal('the scan files belong to 2 different plans');
    expect(error.details[0]).to.equal(`${ours}: plan "Example ISP" ${DIGEST}`);
    expect(error.details[1]).to.equal(`${theirs}: plan "Other ISP" ${OTHER_DIGEST}`);
  });

  it('drops duplicate observations, keeping the first, within and across files', async () => {
    const first = tcp('outbound-smtp', 'inside', { host: 'mx.example.org', address: '198.51.100.25', port: 25 }, 'filtered');
    const later = tcp('outbound-smtp', 'inside', { host: 'mx.example.org', address: '198.51.100.25', port: 25 }, 'open', {
      banner: banner('220 mx.example.org'),
    });
    const insideInbound = inbound(0, 3).map((observation) => ({ ...observation, vantage: 'inside' as const }));
    const a = await scanFile(header(plan, { kind: 'inside', label: 'cpe-a' }), [first, later, ...insideInbound]);
    // A second inside vantage of the same kind probes the same tasks: the first observation of each wins.
    const b = await scanFile(header(plan, { kind: 'inside', label: 'cpe-b' }), [later]);
    const c = await scanFile(header(plan, { kind: 'outside' }), [...inbound(0, 5), ...inbound(3, 5)]);
    const merged = await mergeScanFiles([a, b, c]);
    expect(merged.observations.filter((observation) => observation.probe === 'outbound-smtp')).to.deep.equal([first]);
    expect(merged.files.map((file) => [file.observations, file.duplicates])).to.deep.equal([[5, 1], [1, 1], [7, 2]]);
    // Inbound from inside is not part of P6, and each outside host counts once.
    expect(merged.inbound.total).to.equal(5);
    const report = await reportFromScanFiles([a, b, c], NOW);
    expectValidReport(report);
    expect(report.practices[4]!.checks[0]).to.include({ id: 'P5.outbound-25-blocked', status: 'pass' });
  });

  it('counts an IPv4 host once whatever its spelling, and dedupes IPv6 hosts', async () => {
    const observations = [
      tcp('inbound-smtp', 'outside', { address: '203.0.113.5', port: 25 }, 'closed'),
      tcp('inbound-smtp', 'outside', { address: '::ffff:203.0.113.5', port: 25 }, 'closed'),
      tcp('inbound-smtp', 'outside', { address: '2001:db8:100::1', port: 25 }, 'closed'),
      tcp('inbound-smtp', 'outside', { address: '2001:DB8:100:0::1', port: 25 }, 'closed'),
      tcp('inbound-smtp', 'outside', { address: '203.0.113.5', port: 2525 }, 'closed'),
    ];
    const merged = await mergeScanFiles([await scanFile(header(plan, { kind: 'outside' }), observations)]);
    expect(merged.inbound.total).to.equal(3);
  });

  it('skips a file given twice for the same vantage and shard when it is identical', async () => {
    const path = await scanFile(header(plan, { kind: 'inside' }), insideObservations);
    const warnings: string[] = [];
    const merged = await mergeScanFiles([path, path], { onWarning: (message) => warnings.push(message) });
    expect(merged.files).to.have.length(1);
    expect(merged.identicalCopies).to.deep.equal([path]);
    expect(warnings).to.deep.equal([`${path}: skipped, an identical copy of a file given before`]);
  });

  it('refuses two different files for the same vantage and shard, naming both', async () => {
    const a = await scanFile(header(plan, { kind: 'outside', label: 'cloud' }, { shard: { index: 1, count: 4 } }), inbound(0, 2));
    const b = await scanFile(header(plan, { kind: 'outside', label: 'cloud' }, { shard: { index: 1, count: 4 } }), inbound(0, 3));
    const error = await rejection(mergeScanFiles([a, b]));
    expect(error.code).to.equal('SCAN_FILE_INVALID');
    expect(error.message).to.equal(`${a} and ${b} are both shard 1/4 of the outside vantage "cloud" but differ`);
  });

  it('merges a torn file without its torn line and marks its vantage incomplete', async () => {
    const torn = await scanFile(header(plan, { kind: 'outside' }), inbound(0, 7), null, '{"type":"observation","probe":"inbou');
    const warnings: string[] = [];
    const merged = await mergeScanFiles([torn], { onWarning: (message) => warnings.push(message) });
    expect(merged.inbound.total).to.equal(7);
    expect(merged.ends).to.deep.equal([null]);
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.contain(`${torn}:9: torn last line dropped`);
    const report = await reportFromScanFiles([torn], NOW);
    expectValidReport(report);
    expect(report.vantages[0]).to.include({ complete: false, finishedAt: null });
  });

  it('refuses a file damaged before its last line and names the line', async () => {
    const damaged = await scanFile(header(plan, { kind: 'inside' }), insideObservations, end(), '');
    const text = readFileSync(damaged, 'utf8').split('\n');
    text[2] = '{"type":"observ';
    await writeFile(damaged, text.join('\n'));
    const error = await rejection(mergeScanFiles([damaged]));
    expect(error.code).to.equal('SCAN_FILE_INVALID');
    expect(error.message).to.contain(`${damaged}:3:`);
  });

  it('reads files written by ScanFileWriter for a normalized plan', async () => {
    const real = normalizePlan(
      {
        version: 1,
        name: 'Lab ISP',
        scope: { dynamic: ['203.0.113.0/28'] },
        external: { mx: [{ host: '198.51.100.25', expect: 'mx.canary.example' }] },
      },
      'lab.yaml',
    );
    const digest = planDigest(real);
    const path = join(dir, 'written.ndjson');
    const writer = ScanFileWriter.create(path, header(real, { kind: 'inside', label: 'lab' }, { digest }));
    writer.write(tcp('outbound-smtp', 'inside', { address: '198.51.100.25', port: 25 }, 'open', { banner: banner('220 mx.canary.example') }));
    writer.end(end());
    writer.close();
    const report = await reportFromScanFiles([path], NOW);
    expectValidReport(report);
    expect(report.plan).to.deep.equal({ name: 'Lab ISP', digest });
    expect(report.practices[4]!.checks[0]).to.include({ id: 'P5.outbound-25-blocked', status: 'fail', target: '198.51.100.25:25' });
    expect(report.status).to.equal('fail');
  });

  it('refuses to merge nothing, and names a file that cannot be read', async () => {
    expect((await rejection(mergeScanFiles([]))).code).to.equal('USAGE');
    const missing = join(dir, 'no-such-scan.ndjson');
    const error = await rejection(mergeScanFiles([missing]));
    expect(error.code).to.equal('IO');
    expect(error.message).to.contain(missing);
  });
});

describe('merging a large sample', function () {
  // 200,000 inbound lines (~46 MB): big enough that keeping the observations would show, small enough for CI.
  this.timeout(120_000);
  const N = 200_000;
  let largeDir: string;
  let path: string;

  before(async () => {
    largeDir = await mkdtemp(join(tmpdir(), 'p25-merge-large-'));
    path = join(largeDir, 'outside.ndjson');
    const big = planWith({ scope: { dynamic: ['10.0.0.0/8'], hosts: [], exclude: [] }, sample: { size: N, seed: 1 } });
    const out = createWriteStream(path);
    out.write(`${JSON.stringify(header(big, { kind: 'outside' }))}\n`);
    for (let i = 0; i < N; i++) {
      const address = `10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`;
      const observation =
        i % 1000 === 0
          ? tcp('inbound-smtp', 'outside', { address, port: 25 }, 'open', { banner: banner('220 dyn.example ESMTP') })
          : tcp('inbound-smtp', 'outside', { address, port: 25 }, 'filtered', { errorCode: 'ETIMEDOUT' });
      if (!out.write(`${JSON.stringify(observation)}\n`)) await once(out, 'drain');
    }
    out.end(`${JSON.stringify(end())}\n`);
    await once(out, 'finish');
  });
  after(async () => {
    await rm(largeDir, { recursive: true, force: true });
  });

  it('keeps no inbound observation in memory: counts, a capped open list and totals only', async () => {
    v8.setFlagsFromString('--expose_gc');
    const gc = vm.runInNewContext('gc') as () => void;
    gc();
    const before = process.memoryUsage().heapUsed;
    const merged = await mergeScanFiles([path]);
    gc();
    const retained = process.memoryUsage().heapUsed - before;
    expect(merged.observations).to.have.length(0);
    expect(merged.inbound).to.include({ total: N, openTotal: N / 1000 });
    expect(merged.inbound.openHosts).to.have.length(100);
    // Kept observations would retain well over 100 MB here; the merged result must hold only the aggregate.
    expect(retained).to.be.lessThan(8 * 2 ** 20);
  });
});
