import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DoneTasks,
  Port25Error,
  readScanFile,
  runInWorkers,
  runScan,
  sampleTargets,
  shareOut,
  splitShard,
  tcpDialer,
  type Plan,
  type ScanLine,
  type ScanProgress,
  type TcpObservation,
} from '@port25-audit/core';
import { greeter, listen, type TestListener } from '../net/listeners.js';
import { testPlan } from './plan-fixture.js';

const OUTSIDE = { kind: 'outside' as const, label: 'outside@test', host: 'test' };
const WHOLE = { index: 0, count: 1 };

async function lines(path: string): Promise<ScanLine[]> {
  const all: ScanLine[] = [];
  for await (const line of readScanFile(path)) all.push(line);
  return all;
}

function observations(all: ScanLine[]): TcpObservation[] {
  return all.filter((line): line is TcpObservation => line.type === 'observation' && line.probe !== 'dns');
}

function inboundAddresses(all: ScanLine[]): string[] {
  return observations(all)
    .filter((o) => o.probe === 'inbound-smtp')
    .map((o) => o.target.address)
    .sort();
}

function sampled(plan: Plan, shard = WHOLE): string[] {
  return [...sampleTargets(plan, shard)].map((t) => t.address).sort();
}

describe('scan/run: a scan on several threads', function () {
  // Threads start from the TypeScript sources here, which takes a while on a busy machine.
  this.timeout(60_000);
  let dir: string;
  beforeEach(function () {
    dir = mkdtempSync(join(tmpdir(), 'p25p-parallel-'));
  });
  afterEach(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  describe('over a loopback range with greeting hosts', function () {
    let hosts: TestListener[];
    let plan: Plan;
    before(async function () {
      const first = await listen('127.20.40.3', greeter('220 three.customer.test.example ESMTP\r\n'));
      hosts = [
        first,
        await listen('127.20.40.77', greeter('220-seventy-seven.customer.test.example\r\n220 ESMTP\r\n'), first.port),
        await listen('127.20.41.200', greeter('220 two-hundred.customer.test.example ESMTP\r\n'), first.port),
      ];
      plan = testPlan({ scope: { dynamic: ['127.20.40.0/23'] }, sample: { size: 512, seed: 3 }, ports: { smtp: first.port }, probe: { concurrency: 64 } });
    });
    after(async function () {
      for (const host of hosts) await host.close();
    });

    it('writes one file with every task exactly once, as one thread does', async function () {
      const parallel = join(dir, 'parallel.ndjson');
      const single = join(dir, 'single.ndjson');
      const summary = await runScan({ plan, digest: 'sha256:p', vantage: OUTSIDE, shard: WHOLE, out: parallel, workers: 2 });
      expect(summary.workers).to.equal(2);
      expect(await runScan({ plan, digest: 'sha256:p', vantage: OUTSIDE, shard: WHOLE, out: single, workers: 1 })).to.include({ workers: 1 });

      const all = await lines(parallel);
      expect(all[0]).to.deep.include({ type: 'scan', planDigest: 'sha256:p', shard: WHOLE });
      expect(all.filter((line) => line.type === 'scan')).to.have.length(1);
      expect(all.at(-1)).to.deep.include({ type: 'end', counts: { closed: 509, open: 3 } });
      expect(inboundAddresses(all)).to.deep.equal(sampled(plan));
      expect(summary.counts).to.deep.equal({ closed: 509, open: 3 });
      expect(summary.written).to.equal(512);

      // The same facts as a single-threaded scan, line for line (timings aside).
      const facts = (scan: ScanLine[]) =>
        observations(scan)
          .map((o) => JSON.stringify({ target: o.target, outcome: o.outcome, errorCode: o.errorCode, banner: o.banner?.text }))
          .sort();
      expect(facts(all)).to.deep.equal(facts(await lines(single)));
      const greeted = observations(all).filter((o) => o.outcome === 'open');
      expect(greeted.map((o) => o.banner?.text).sort()).to.deep.equal([
        '220 three.customer.test.example ESMTP',
        '220 two-hundred.customer.test.example ESMTP',
        '220-seventy-seven.customer.test.example\r\n220 ESMTP',
      ]);
    });

    it('splits a shard among threads without changing the shard', async function () {
      const out = join(dir, 'shard.ndjson');
      await runScan({ plan, digest: 'sha256:p', vantage: OUTSIDE, shard: { index: 1, count: 3 }, out, workers: 2 });
      const all = await lines(out);
      expect(all[0]).to.deep.include({ shard: { index: 1, count: 3 } });
      expect(inboundAddresses(all)).to.deep.equal(sampled(plan, { index: 1, count: 3 }));
    });

    it('reports progress up to the total', async function () {
      const seen: ScanProgress[] = [];
      await runScan({ plan, digest: 'sha256:p', vantage: OUTSIDE, shard: WHOLE, out: join(dir, 'progress.ndjson'), workers: 2, onProgress: (p) => seen.push(p) });
      expect(seen.at(-1)).to.deep.include({ done: 512, total: 512, open: 3 });
      for (let i = 1; i < seen.length; i++) expect(seen[i]!.done).to.be.at.least(seen[i - 1]!.done);
    });
  });

  it('probes the plan\'s single targets once (the main thread\'s part), and the sample on every thread', async function () {
    const relay = await listen('127.20.42.25', greeter('220 relay.isp.test.example ESMTP\r\n'));
    try {
      const plan = testPlan({ scope: { dynamic: ['127.20.42.0/24'] }, authorizedRelays: ['127.20.42.25'], sample: { size: 255, seed: 4 }, ports: { smtp: relay.port } });
      const out = join(dir, 'relay.ndjson');
      const summary = await runScan({ plan, digest: 'sha256:i', vantage: OUTSIDE, shard: WHOLE, out, workers: 3 });
      expect(summary.workers).to.equal(3);
      const all = observations(await lines(out));
      const relays = all.filter((o) => o.probe === 'relay-smtp');
      expect(relays).to.have.length(1);
      expect(relays[0]).to.deep.include({ outcome: 'open', target: { host: null, address: '127.20.42.25', port: relay.port, family: 'IPv4' } });
      expect(relays[0]!.banner?.text).to.equal('220 relay.isp.test.example ESMTP');
      // The relay is never part of the sample (DESIGN: authorized relays are left out of P6).
      expect(inboundAddresses(await lines(out))).to.deep.equal(sampled(plan)).and.not.include('127.20.42.25');
    } finally {
      await relay.close();
    }
  });

  it('splits a shard into parts whose union is exactly the shard', function () {
    const plan = testPlan({ scope: { dynamic: ['127.20.44.0/22'], hosts: ['127.20.44.7'] }, sample: { size: 700, seed: 5 } });
    for (const shard of [WHOLE, { index: 1, count: 3 }]) {
      for (const split of [2, 3, 4]) {
        const parts = Array.from({ length: split }, (_, part) => sampled(plan, splitShard(shard, split, part)));
        const union = parts.flat().sort();
        expect(union).to.deep.equal(sampled(plan, shard));
        expect(new Set(union).size).to.equal(union.length);
      }
    }
    expect(shareOut(512, 3)).to.deep.equal([171, 171, 170]);
    expect(shareOut(2, 2)).to.deep.equal([1, 1]);
  });

  it('stops every thread on interrupt, keeps what finished, and resumes each task exactly once', async function () {
    // 400 starts per second: the interrupt lands well inside the scan.
    const plan = testPlan({ scope: { dynamic: ['127.20.48.0/22'] }, sample: { size: 1000, seed: 9 }, probe: { concurrency: 32, rate: 400 } });
    const out = join(dir, 'interrupted.ndjson');
    const interrupt = new AbortController();
    const first = await runScan({
      plan,
      digest: 'sha256:r',
      vantage: OUTSIDE,
      shard: WHOLE,
      out,
      workers: 2,
      signal: interrupt.signal,
      onProgress: (p) => {
        if (p.done >= 200) interrupt.abort();
      },
    });
    expect(first.interrupted).to.equal(true);
    const cut = await lines(out);
    expect(cut.some((line) => line.type === 'end')).to.equal(false);
    const before = inboundAddresses(cut);
    expect(before.length).to.be.within(200, 999);
    expect(new Set(before).size).to.equal(before.length);

    const second = await runScan({ plan: { ...plan, probe: { ...plan.probe, rate: 0 } }, digest: 'sha256:r', vantage: OUTSIDE, shard: WHOLE, out, resume: true, workers: 2 });
    expect(second).to.deep.include({ resumed: true, interrupted: false, kept: before.length, written: 1000 - before.length, workers: 2 });
    const all = await lines(out);
    expect(inboundAddresses(all)).to.deep.equal(sampled(plan));
    expect(all.at(-1)).to.deep.include({ type: 'end', counts: { closed: 1000 } });
  });

  it('keeps every finished probe when killed with SIGKILL, and a resume completes it', async function () {
    const plan = testPlan({ scope: { dynamic: ['127.20.64.0/20'] }, sample: { size: 4000, seed: 11 }, probe: { concurrency: 64, rate: 1500 } });
    const out = join(dir, 'killed.ndjson');
    const job = join(dir, 'job.json');
    writeFileSync(job, JSON.stringify({ plan, digest: 'sha256:k', out, workers: 2 }));
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', fileURLToPath(new URL('./scan-child.ts', import.meta.url)), job], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    try {
      const deadline = Date.now() + 45_000;
      for (;;) {
        let size = 0;
        try {
          size = readFileSync(out, 'utf8').split('\n').length;
        } catch {
          // not created yet
        }
        if (size > 800) break;
        if (Date.now() > deadline) expect.fail(`the child scan wrote too little in 45 s: ${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      child.kill('SIGKILL');
      expect(await exited).to.equal('SIGKILL');
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    const killed = await lines(out);
    const before = inboundAddresses(killed);
    expect(killed.some((line) => line.type === 'end')).to.equal(false);
    expect(before.length).to.be.within(700, 3999);
    expect(new Set(before).size).to.equal(before.length);

    await runScan({ plan: { ...plan, probe: { ...plan.probe, rate: 0, concurrency: 256 } }, digest: 'sha256:k', vantage: OUTSIDE, shard: WHOLE, out, resume: true, workers: 2 });
    const all = await lines(out);
    expect(inboundAddresses(all)).to.deep.equal(sampled(plan));
    expect(all.at(-1)).to.deep.include({ type: 'end', counts: { closed: 4000 } });
  });

  it('refuses more than one thread with an injected dialer or clock, before writing anything', async function () {
    const plan = testPlan({ scope: { dynamic: ['127.20.50.0/28'] } });
    const out = join(dir, 'refused.ndjson');
    for (const injected of [{ dialer: tcpDialer() }, { now: () => new Date() }]) {
      const error = await runScan({ plan, digest: 'sha256:x', vantage: OUTSIDE, shard: WHOLE, out, workers: 2, ...injected }).then(
        () => expect.fail('should be refused'),
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(Port25Error).with.property('code', 'USAGE');
      expect((error as Error).message).to.match(/workers: 2 needs the default dialer and clock/);
    }
    const zero = await runScan({ plan, digest: 'sha256:x', vantage: OUTSIDE, shard: WHOLE, out, workers: 0 }).catch((e: unknown) => e);
    expect(zero).to.be.instanceOf(Port25Error).with.property('code', 'USAGE');
    expect(() => readFileSync(out)).to.throw(/ENOENT/);
  });

  it('stays on the main thread for a small scan or an injected dialer', async function () {
    const plan = testPlan({ scope: { dynamic: ['127.20.50.0/28'] } });
    expect(await runScan({ plan, digest: 'sha256:s', vantage: OUTSIDE, shard: WHOLE, out: join(dir, 'small.ndjson') })).to.include({ workers: 1 });
    const big = testPlan({ scope: { dynamic: ['127.20.80.0/20'] }, sample: { size: 4096, seed: 1 }, probe: { concurrency: 256 } });
    expect(await runScan({ plan: big, digest: 'sha256:s', vantage: OUTSIDE, shard: WHOLE, out: join(dir, 'dialer.ndjson'), dialer: tcpDialer() })).to.include({ workers: 1 });
  });

  describe('runInWorkers', function () {
    it('rejects with a worker\'s error and stops every thread', async function () {
      // A plan that was never normalized: planning the sample fails inside the workers.
      const plan = testPlan({ scope: { dynamic: ['127.20.51.0/24'], hosts: ['not-an-address'] } });
      let batches = 0;
      const error = await runInWorkers(
        {
          split: 3,
          parts: [1, 2].map((part) => ({ part, concurrency: 4, rate: 0 })),
          signal: new AbortController().signal,
          setup: { plan, vantage: 'outside', names: [], shard: WHOLE, done: DoneTasks.NONE.share() },
          probesOf: () => ['inbound-smtp'],
        },
        () => batches++,
      ).then(
        () => expect.fail('should reject'),
        (e: unknown) => e as Error,
      );
      expect(error.message).to.match(/scope\.hosts\[0\]: "not-an-address" is not an address/);
      expect(batches).to.equal(0);
    });

    it('rejects when the main thread cannot take a batch, and stops the workers', async function () {
      const plan = testPlan({ scope: { dynamic: ['127.20.52.0/22'] }, sample: { size: 1024, seed: 1 } });
      const error = await runInWorkers(
        {
          split: 2,
          parts: [0, 1].map((part) => ({ part, concurrency: 8, rate: 0 })),
          signal: new AbortController().signal,
          setup: { plan, vantage: 'outside', names: [], shard: WHOLE, done: DoneTasks.NONE.share() },
          probesOf: () => ['inbound-smtp'],
        },
        () => {
          throw new Error('disk full');
        },
      ).then(
        () => expect.fail('should reject'),
        (e: unknown) => e as Error,
      );
      expect(error.message).to.equal('disk full');
    });
  });
});
