import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createScope,
  Port25Error,
  readScanFile,
  resolveNames,
  runScan,
  sampleTargets,
  tcpDialer,
  TOOL,
  type Dialer,
  type DnsObservation,
  type Plan,
  type ResolvedNames,
  type RunScanOptions,
  type ScanLine,
  type TcpObservation,
} from '@port25-audit/core';
import { greeter, listen, type TestListener } from '../net/listeners.js';
import { testPlan } from './plan-fixture.js';

const OUTSIDE = { kind: 'outside' as const, label: 'outside@test', host: 'test' };
const INSIDE = { kind: 'inside' as const, label: 'inside@test', host: 'test' };
const WHOLE = { index: 0, count: 1 };
const CLOCK = () => new Date('2025-01-02T03:04:05.000Z');

async function lines(path: string): Promise<ScanLine[]> {
  const all: ScanLine[] = [];
  for await (const line of readScanFile(path)) all.push(line);
  return all;
}

function observations(all: ScanLine[]): TcpObservation[] {
  return all.filter((line): line is TcpObservation => line.type === 'observation' && line.probe !== 'dns');
}

/** The addresses probed by inbound-smtp, each once (duplicates would show). */
function inboundAddresses(all: ScanLine[]): string[] {
  return observations(all)
    .filter((o) => o.probe === 'inbound-smtp')
    .map((o) => o.target.address)
    .sort();
}

function sampled(plan: Plan): string[] {
  return [...sampleTargets(plan)].map((t) => t.address).sort();
}

/** A resolver for tests: a zone of names, the rest NXDOMAIN. */
function zone(records: Record<string, string[]>): (plan: Plan, vantage: 'inside' | 'outside') => Promise<ResolvedNames> {
  return async (plan, vantage) =>
    resolveNames(plan, {
      vantage,
      now: CLOCK,
      lookup: async (name) => {
        const addresses = records[name];
        if (!addresses) throw Object.assign(new Error(`ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
        return addresses.map((address) => ({ address, family: 'IPv4' as const }));
      },
    });
}

async function rejection(promise: Promise<unknown>): Promise<Port25Error> {
  return promise.then(
    () => expect.fail('should be refused'),
    (error: unknown) => {
      expect(error).to.be.instanceOf(Port25Error);
      return error as Port25Error;
    },
  );
}

describe('scan/run: runScan', function () {
  let dir: string;
  beforeEach(function () {
    dir = mkdtempSync(join(tmpdir(), 'p25e-run-'));
  });
  afterEach(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  describe('from outside, over a loopback range', function () {
    let infected: TestListener;
    let relay: TestListener;
    let plan: Plan;
    before(async function () {
      infected = await listen('127.20.8.5', greeter('220 infected.customer.test.example ESMTP bot\r\n'));
      relay = await listen('127.20.8.9', greeter('220 relay.isp.test.example ESMTP\r\n'), infected.port);
      plan = testPlan({ scope: { dynamic: ['127.20.8.0/28'] }, authorizedRelays: ['127.20.8.9'], ports: { smtp: infected.port } });
    });
    after(async function () {
      await infected.close();
      await relay.close();
    });

    it('writes the header, one observation per task, and the end line with the counts', async function () {
      const out = join(dir, 'scan.ndjson');
      const progress: { done: number; total: number; open: number }[] = [];
      const summary = await runScan({ plan, digest: 'sha256:abc', vantage: OUTSIDE, shard: WHOLE, out, now: CLOCK, onProgress: (p) => progress.push(p) });
      const all = await lines(out);
      expect(all[0]).to.deep.equal({
        type: 'scan',
        schemaVersion: 1,
        tool: TOOL,
        plan,
        planDigest: 'sha256:abc',
        vantage: OUTSIDE,
        shard: WHOLE,
        startedAt: '2025-01-02T03:04:05.000Z',
      });
      expect(inboundAddresses(all)).to.deep.equal(sampled(plan));
      expect(inboundAddresses(all)).to.have.length(15); // the /28 minus the relay
      const open = observations(all).filter((o) => o.outcome === 'open');
      expect(open.map((o) => [o.probe, o.target.address, o.banner?.text])).to.have.deep.members([
        ['inbound-smtp', '127.20.8.5', '220 infected.customer.test.example ESMTP bot'],
        ['relay-smtp', '127.20.8.9', '220 relay.isp.test.example ESMTP'],
      ]);
      expect(all.at(-1)).to.deep.equal({ type: 'end', finishedAt: '2025-01-02T03:04:05.000Z', counts: { open: 2, closed: 14 } });
      expect(summary).to.deep.include({ file: out, interrupted: false, alreadyEnded: false, resumed: false, written: 16, kept: 0, counts: { open: 2, closed: 14 } });
      expect(progress.at(-1)).to.deep.include({ done: 16, total: 16, open: 2 });
    });

    it('splits the sample between shards; tasks outside the sample go to shard 0 only', async function () {
      const parts: ScanLine[][] = [];
      for (const index of [0, 1, 2]) {
        const out = join(dir, `scan-${index}.ndjson`);
        await runScan({ plan, digest: 'sha256:abc', vantage: OUTSIDE, shard: { index, count: 3 }, out });
        parts.push(await lines(out));
      }
      expect(parts.flatMap(inboundAddresses).sort()).to.deep.equal(sampled(plan));
      expect(parts.map((all) => observations(all).filter((o) => o.probe === 'relay-smtp').length)).to.deep.equal([1, 0, 0]);
      for (const all of parts) expect(all.at(-1)?.type).to.equal('end');
    });

    it('dials only through the scope guard, and only addresses of the plan', async function () {
      const dialed: string[] = [];
      const spy: Dialer = (target, options) => {
        dialed.push(target.address);
        return tcpDialer()(target, options);
      };
      await runScan({ plan, digest: 'sha256:abc', vantage: OUTSIDE, shard: WHOLE, out: join(dir, 'spy.ndjson'), dialer: spy });
      const scope = createScope(plan, new Map());
      expect(dialed).to.have.length(16);
      expect(dialed.every((address) => scope.allows(address))).to.equal(true);
    });

    it('refuses to resume a file made with another plan (DIGEST_MISMATCH)', async function () {
      const out = join(dir, 'scan.ndjson');
      await runScan({ plan, digest: 'sha256:abc', vantage: OUTSIDE, shard: WHOLE, out });
      const before = readFileSync(out);
      const error = await rejection(runScan({ plan, digest: 'sha256:other', vantage: OUTSIDE, shard: WHOLE, out, resume: true }));
      expect(error.code).to.equal('DIGEST_MISMATCH');
      expect(error.exitCode).to.equal(2);
      expect(error.message).to.include(out);
      expect(readFileSync(out).equals(before)).to.equal(true);
    });

    it('leaves a file that already ended alone', async function () {
      const out = join(dir, 'scan.ndjson');
      await runScan({ plan, digest: 'sha256:abc', vantage: OUTSIDE, shard: WHOLE, out });
      const before = readFileSync(out);
      const summary = await runScan({ plan, digest: 'sha256:abc', vantage: OUTSIDE, shard: WHOLE, out, resume: true });
      expect(summary).to.deep.include({ alreadyEnded: true, interrupted: false, written: 0, kept: 16, counts: { open: 2, closed: 14 } });
      expect(readFileSync(out).equals(before)).to.equal(true);
    });

    it('refuses to resume a file that does not exist', async function () {
      const error = await rejection(runScan({ plan, digest: 'sha256:abc', vantage: OUTSIDE, shard: WHOLE, out: join(dir, 'nope.ndjson'), resume: true }));
      expect(error.code).to.equal('USAGE');
      expect(error.message).to.include('nope.ndjson');
    });

    it('refuses to resume a file of another vantage or shard', async function () {
      const out = join(dir, 'scan.ndjson');
      await runScan({ plan, digest: 'sha256:abc', vantage: OUTSIDE, shard: { index: 1, count: 2 }, out, signal: AbortSignal.abort() });
      for (const [vantage, shard] of [[INSIDE, { index: 1, count: 2 }], [OUTSIDE, WHOLE]] as const) {
        const error = await rejection(runScan({ plan, digest: 'sha256:abc', vantage, shard, out, resume: true }));
        expect(error.code).to.equal('USAGE');
        expect(error.details.join(' ')).to.include('--shard 1/2');
      }
    });

    it('resumes after an interruption: no end line first, then every task exactly once', async function () {
      const wide = testPlan({ scope: { dynamic: ['127.20.10.0/23'] }, ports: { smtp: infected.port }, probe: { concurrency: 16 } });
      const out = join(dir, 'scan.ndjson');
      const controller = new AbortController();
      let dials = 0;
      const abortingDialer: Dialer = (target, options) => {
        if (++dials === 100) controller.abort();
        return tcpDialer()(target, options);
      };
      const first = await runScan({ plan: wide, digest: 'sha256:wide', vantage: OUTSIDE, shard: WHOLE, out, signal: controller.signal, dialer: abortingDialer });
      expect(first.interrupted).to.equal(true);
      const partial = await lines(out);
      expect(partial.some((line) => line.type === 'end')).to.equal(false);
      expect(inboundAddresses(partial).length).to.be.within(50, 100);
      const headerBytes = readFileSync(out, 'utf8').split('\n')[0];

      const second = await runScan({ plan: wide, digest: 'sha256:wide', vantage: OUTSIDE, shard: WHOLE, out, resume: true });
      expect(second).to.deep.include({ interrupted: false, resumed: true, kept: first.written });
      const all = await lines(out);
      expect(inboundAddresses(all)).to.deep.equal(sampled(wide));
      expect(all.at(-1)).to.deep.include({ type: 'end', counts: { closed: 256 } });
      expect(readFileSync(out, 'utf8').split('\n')[0]).to.equal(headerBytes);
    });

    it('cuts a torn last line before appending', async function () {
      const out = join(dir, 'scan.ndjson');
      await runScan({ plan, digest: 'sha256:abc', vantage: OUTSIDE, shard: WHOLE, out, signal: AbortSignal.abort() });
      appendFileSync(out, '{"type":"observation","probe":"inbound-sm');
      const warnings: string[] = [];
      await runScan({ plan, digest: 'sha256:abc', vantage: OUTSIDE, shard: WHOLE, out, resume: true, onWarning: (w) => warnings.push(w) });
      expect(warnings).to.have.length(1);
      expect(readFileSync(out, 'utf8')).to.not.include('inbound-sm"');
      const all = await lines(out);
      expect(inboundAddresses(all)).to.deep.equal(sampled(plan));
      expect(all.at(-1)?.type).to.equal('end');
    });
  });

  describe('from inside, with canaries by name', function () {
    let mx: TestListener;
    let submission: TestListener;
    before(async function () {
      mx = await listen('127.20.9.25', greeter('220 mx.canary.test.example ESMTP\r\n'));
      submission = await listen('127.20.9.87', greeter('220 smtp.canary.test.example ESMTP\r\n'));
    });
    after(async function () {
      await mx.close();
      await submission.close();
    });

    function insidePlan(): Plan {
      return testPlan({
        external: {
          mx: [
            { host: 'mx.canary.test.example', port: mx.port, expect: 'mx.canary.test.example' },
            { host: 'gone.canary.test.example', port: mx.port, expect: 'gone.canary.test.example' },
          ],
          submission: [{ host: 'smtp.canary.test.example', port: submission.port, expect: 'smtp.canary.test.example' }],
        },
      });
    }

    it('records the lookups and probes each canary address', async function () {
      const out = join(dir, 'inside.ndjson');
      const resolve = zone({ 'mx.canary.test.example': ['127.20.9.25'], 'smtp.canary.test.example': ['127.20.9.87'] });
      await runScan({ plan: insidePlan(), digest: 'sha256:in', vantage: INSIDE, shard: WHOLE, out, resolve });
      const all = await lines(out);
      const dns = all.filter((line): line is DnsObservation => line.type === 'observation' && line.probe === 'dns');
      expect(dns.map((o) => [o.name, o.outcome, o.errorCode])).to.deep.equal([
        ['mx.canary.test.example', 'resolved', undefined],
        ['gone.canary.test.example', 'error', 'ENOTFOUND'],
        ['smtp.canary.test.example', 'resolved', undefined],
      ]);
      const probed = observations(all).map((o) => [o.probe, o.target.host, o.target.address, o.outcome, o.expect, o.banner?.text]);
      expect(probed).to.have.deep.members([
        ['outbound-smtp', 'mx.canary.test.example', '127.20.9.25', 'open', 'mx.canary.test.example', '220 mx.canary.test.example ESMTP'],
        ['outbound-submission', 'smtp.canary.test.example', '127.20.9.87', 'open', 'smtp.canary.test.example', '220 smtp.canary.test.example ESMTP'],
      ]);
      expect(all.at(-1)).to.deep.include({ type: 'end', counts: { resolved: 2, error: 1, open: 2 } });
    });

    it('keeps the recorded lookups on resume and does not write them twice', async function () {
      const out = join(dir, 'inside.ndjson');
      await runScan({ plan: insidePlan(), digest: 'sha256:in', vantage: INSIDE, shard: WHOLE, out, resolve: zone({ 'mx.canary.test.example': ['127.20.9.25'] }), signal: AbortSignal.abort() });
      // The name now resolves elsewhere: the resumed scan still uses what it recorded.
      await runScan({
        plan: insidePlan(),
        digest: 'sha256:in',
        vantage: INSIDE,
        shard: WHOLE,
        out,
        resume: true,
        resolve: zone({ 'mx.canary.test.example': ['127.20.9.26'], 'smtp.canary.test.example': ['127.20.9.87'] }),
      });
      const all = await lines(out);
      const dns = all.filter((line): line is DnsObservation => line.type === 'observation' && line.probe === 'dns');
      expect(dns.map((o) => [o.name, o.outcome])).to.deep.equal([
        ['mx.canary.test.example', 'resolved'],
        ['gone.canary.test.example', 'error'],
        ['smtp.canary.test.example', 'error'],
      ]);
      expect(observations(all).map((o) => o.target.address)).to.deep.equal(['127.20.9.25']);
    });

    it('scans a plan whose canary names all fail: the lookups are the findings', async function () {
      const out = join(dir, 'inside.ndjson');
      const summary = await runScan({ plan: insidePlan(), digest: 'sha256:in', vantage: INSIDE, shard: WHOLE, out, resolve: zone({}) });
      expect(summary.counts).to.deep.equal({ error: 3 });
    });
  });

  describe('with nothing to probe', function () {
    for (const [vantage, advice] of [
      [OUTSIDE, /scope\.dynamic.*submission\.servers/s],
      [INSIDE, /external\.mx.*external\.submission.*authorizedRelays/s],
    ] as const) {
      it(`refuses an empty plan from ${vantage.kind}, saying what to add, and writes no file`, async function () {
        const out = join(dir, 'scan.ndjson');
        const error = await rejection(runScan({ plan: testPlan(), digest: 'sha256:0', vantage, shard: WHOLE, out, resolve: zone({}) }));
        expect(error.code).to.equal('NOTHING_TO_PROBE');
        expect(error.exitCode).to.equal(2);
        expect(error.details.join('\n')).to.match(advice);
        expect(() => statSync(out)).to.throw();
      });
    }

    it('does not refuse a shard whose part of the sample is empty', async function () {
      const tiny = testPlan({ scope: { hosts: ['127.20.11.1'] } });
      const out = join(dir, 'scan.ndjson');
      const summary = await runScan({ plan: tiny, digest: 'sha256:t', vantage: OUTSIDE, shard: { index: 1, count: 2 }, out });
      expect(summary.written).to.equal(0);
      expect((await lines(out)).map((line) => line.type)).to.deep.equal(['scan', 'end']);
    });
  });

  describe('killed with SIGKILL in the middle', function () {
    this.timeout(60_000);

    it('keeps every finished probe, and --resume finishes with each target exactly once', async function () {
      const plan = testPlan({
        scope: { dynamic: ['127.20.16.0/20'] },
        sample: { size: 3000, seed: 7 },
        probe: { concurrency: 64, rate: 1500 },
      });
      const out = join(dir, 'killed.ndjson');
      const job = join(dir, 'job.json');
      writeFileSync(job, JSON.stringify({ plan, digest: 'sha256:kill', out }));
      const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', fileURLToPath(new URL('./scan-child.ts', import.meta.url)), job], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
      try {
        // Wait until a good part (but not all) of the scan is on disk, then kill it without warning.
        const deadline = Date.now() + 30_000;
        for (;;) {
          let size = 0;
          try {
            size = readFileSync(out, 'utf8').split('\n').length;
          } catch {
            // not created yet
          }
          if (size > 600) break;
          if (Date.now() > deadline) expect.fail(`the child scan wrote too little in 30 s: ${stderr}`);
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
      expect(before.length).to.be.within(500, 2999);
      expect(new Set(before).size).to.equal(before.length);

      const summary = await runScan({
        plan: { ...plan, probe: { ...plan.probe, rate: 0, concurrency: 256 } },
        digest: 'sha256:kill',
        vantage: OUTSIDE,
        shard: WHOLE,
        out,
        resume: true,
      }).catch((error: unknown) => {
        throw error;
      });
      expect(summary.resumed).to.equal(true);
      const all = await lines(out);
      expect(all[0]).to.deep.include({ type: 'scan', planDigest: 'sha256:kill' });
      expect(all.at(-1)).to.deep.include({ type: 'end', counts: { closed: 3000 } });
      expect(all.filter((line) => line.type === 'end')).to.have.length(1);
      expect(inboundAddresses(all)).to.deep.equal(sampled(plan));
    });
  });
});

// Keep the option type in view: tests construct every field of it.
export type { RunScanOptions };
