import { expect } from 'chai';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import {
  createScope,
  guardDialer,
  inboundSmtpProbe,
  outboundSmtpProbe,
  outboundSubmissionProbe,
  relaySmtpProbe,
  tcpDialer,
  type Probe,
  type ProbeContext,
  type Report,
  type TaskInput,
  type TcpObservation,
} from '@port25-audit/core';
import { startGreeter, type Greeter } from '@port25-audit/fixtures/lab';
import { startZoneServer, type ZoneServer } from '@port25-audit/fixtures/p4';
import { runCli, tempDir } from '../../helpers/cli.js';
import { plan } from './support.js';

/** This suite's loopback block (IPv4) next to ::1, the only IPv6 loopback address Linux has. */
const V4 = { dns: '127.90.0.53', mx: '127.90.0.25', submission: '127.90.0.26', sampled: '127.90.0.30' };

/** A port on ::1 that nothing listens on (bound once, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '::1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Greeters on ::1 and an IPv4 address of this block at the same port. */
async function dualGreeters(v4: string | null, greeting: string): Promise<Greeter[]> {
  for (let attempt = 0; ; attempt++) {
    const v6 = await startGreeter('::1', 0, greeting);
    if (v4 === null) return [v6];
    try {
      return [v6, await startGreeter(v4, v6.port, greeting)];
    } catch (error) {
      await v6.close();
      if (attempt >= 5) throw error;
    }
  }
}

describe('IPv6 on loopback: every address-level probe over ::1 with the real dialer', () => {
  let greeter: Greeter;
  let closed: number;
  before(async () => {
    greeter = await startGreeter('::1', 0, 'mx.canary.example ESMTP');
    closed = await closedPort();
  });
  after(() => greeter.close());

  const cases: { probe: Probe; vantage: 'inside' | 'outside'; document: () => Record<string, unknown>; outcome: 'open' | 'closed' }[] = [
    { probe: outboundSmtpProbe, vantage: 'inside', document: () => ({ external: { mx: [{ host: '::1', port: greeter.port, expect: 'mx.canary.example' }] } }), outcome: 'open' },
    { probe: outboundSubmissionProbe, vantage: 'inside', document: () => ({ external: { submission: [{ host: '::1', port: greeter.port }] } }), outcome: 'open' },
    { probe: relaySmtpProbe, vantage: 'inside', document: () => ({ authorizedRelays: ['::1/128'], ports: { smtp: greeter.port } }), outcome: 'open' },
    { probe: inboundSmtpProbe, vantage: 'outside', document: () => ({ scope: { hosts: ['::1'] }, ports: { smtp: closed } }), outcome: 'closed' },
  ];

  for (const { probe, vantage, document, outcome } of cases) {
    it(`${probe.id}: plans an IPv6 task for ::1 and observes it (${outcome})`, async () => {
      const forPlan = plan({ probe: { connectTimeoutMs: 2000, dialogTimeoutMs: 2000 }, ...document() });
      const input: TaskInput = { plan: forPlan, vantage, names: new Map(), shard: { index: 0, count: 1 } };
      const tasks = [...probe.tasks(input)];
      expect(tasks.map((task) => task.target)).to.deep.equal([
        { host: null, address: '::1', port: outcome === 'open' ? greeter.port : closed, family: 'IPv6' },
      ]);
      const ctx: ProbeContext = {
        plan: forPlan,
        vantage,
        dial: guardDialer(tcpDialer(), createScope(forPlan, input.names)),
        now: () => new Date(),
        signal: new AbortController().signal,
      };
      const observation = (await probe.run(tasks[0]!, ctx)) as TcpObservation;
      expect(observation).to.include({ outcome, vantage });
      expect(observation.target.family).to.equal('IPv6');
      expect(observation).not.to.have.property('route');
      if (outcome === 'open') expect(observation.banner?.text).to.equal('220 mx.canary.example ESMTP');
      else expect(observation.errorCode).to.equal('ECONNREFUSED');
    });
  }
});

describe('IPv6 on loopback through the CLI: canary names with A and AAAA records give one result per family', function () {
  this.timeout(60_000);
  let dir: string;
  let zone: ZoneServer;
  const servers: Greeter[] = [];
  let mxPort: number;
  let submissionPort: number;
  let relayPort: number;
  let report: Report;

  before(async () => {
    dir = await tempDir();
    zone = await startZoneServer(
      {
        'mx.canary.example': { A: [V4.mx], AAAA: ['::1'] },
        'smtp.canary.example': { A: [V4.submission], AAAA: ['::1'] },
      },
      { host: V4.dns },
    );
    // The MX canary listens on ::1 only: IPv4 is closed (blocked), IPv6 leaks.
    const [mx] = await dualGreeters(null, 'mx.canary.example ESMTP');
    const submission = await dualGreeters(V4.submission, 'smtp.canary.example ESMTP');
    const [relay] = await dualGreeters(null, 'relay.isp.example ESMTP');
    servers.push(mx!, ...submission, relay!);
    [mxPort, submissionPort, relayPort] = [mx!.port, submission[0]!.port, relay!.port];
    const document = {
      version: 1,
      name: 'IPv6 loopback lab',
      external: {
        mx: [{ host: 'mx.canary.example', port: mxPort }],
        submission: [{ host: 'smtp.canary.example', port: submissionPort }],
      },
      authorizedRelays: ['::1'],
      ports: { smtp: relayPort },
      dns: { servers: [zone.server] },
      probe: { connectTimeoutMs: 1500, dialogTimeoutMs: 2000 },
    };
    await writeFile(join(dir, 'plan.json'), JSON.stringify(document));
    const scan = await runCli(['scan', '--plan', 'plan.json', '--vantage', 'inside', '--out', 'inside.ndjson'], { cwd: dir });
    expect(scan.code, scan.stderr).to.equal(0);
    const json = await runCli(['report', 'inside.ndjson', '--format', 'json', '--fail-on', 'never'], { cwd: dir });
    expect(json.code, json.stderr).to.equal(0);
    report = JSON.parse(json.stdout) as Report;
  });

  after(async () => {
    await Promise.all(servers.map((server) => server.close()));
    await zone?.close();
  });

  const checks = (id: string) => report.practices.flatMap((practice) => practice.checks).filter((check) => check.id === id);

  it('P5: IPv4 blocked passes and the IPv6 leak fails, each on its own result', () => {
    expect(checks('P5.outbound-25-blocked').map((check) => [check.target, check.family, check.status])).to.deep.equal([
      [`mx.canary.example:${mxPort} (${V4.mx})`, 'IPv4', 'pass'],
      [`mx.canary.example:${mxPort} (::1)`, 'IPv6', 'fail'],
    ]);
    expect(report.practices.find((practice) => practice.id === 'P5')!.status).to.equal('fail');
  });

  it('P3: the submission canary is reached on both families', () => {
    expect(checks('P3.outbound-587').map((check) => [check.target, check.family, check.status])).to.deep.equal([
      [`smtp.canary.example:${submissionPort} (${V4.submission})`, 'IPv4', 'pass'],
      [`smtp.canary.example:${submissionPort} (::1)`, 'IPv6', 'pass'],
    ]);
  });

  it('P5.relay-reachable: an IPv6 relay is bracketed in its target', () => {
    expect(checks('P5.relay-reachable').map((check) => [check.target, check.address, check.port, check.family, check.status])).to.deep.equal([
      [`[::1]:${relayPort}`, '::1', relayPort, 'IPv6', 'pass'],
    ]);
  });

  it('sets the family of every address-level result, matching its address', () => {
    const addressed = report.practices.flatMap((practice) => practice.checks).filter((check) => check.address !== undefined);
    expect(addressed.length).to.be.at.least(5);
    for (const check of addressed) expect(check.family, `${check.id} ${check.target}`).to.equal(check.address!.includes(':') ? 'IPv6' : 'IPv4');
  });

  it('names the IPv6 address of the leak as the worst finding in the terminal table', async () => {
    const table = await runCli(['report', 'inside.ndjson', '--format', 'table', '--fail-on', 'never'], { cwd: dir });
    expect(table.code, table.stderr).to.equal(0);
    // Cells wrap: the label and the address may land on two lines of the same cell.
    expect(table.stdout).to.contain(`mx.canary.example:${mxPort}`);
    expect(table.stdout).to.contain('(::1)');
  });
});

describe('IPv6 on loopback through the CLI: P6 over a hit list with ::1', function () {
  this.timeout(60_000);
  let greeter: Greeter;

  before(async () => {
    greeter = await startGreeter('::1', 0, 'open.customer.example ESMTP');
  });
  after(() => greeter.close());

  it('lists the open IPv6 host with its family, and the IPv4 host of the same list as closed', async () => {
    const dir = await tempDir();
    const document = {
      version: 1,
      scope: { hosts: ['::1', V4.sampled] },
      ports: { smtp: greeter.port },
      probe: { connectTimeoutMs: 1500, dialogTimeoutMs: 2000 },
    };
    await writeFile(join(dir, 'plan.json'), JSON.stringify(document));
    const scan = await runCli(['scan', '--plan', 'plan.json', '--vantage', 'outside', '--out', 'outside.ndjson'], { cwd: dir });
    expect(scan.code, scan.stderr).to.equal(0);
    const json = await runCli(['report', 'outside.ndjson', '--format', 'json'], { cwd: dir });
    expect(json.code, json.stderr).to.equal(1);
    const inbound = (JSON.parse(json.stdout) as Report).practices.find((practice) => practice.id === 'P6')!.checks[0]!;
    expect(inbound).to.include({ id: 'P6.inbound-25-blocked', status: 'fail', target: `::1, ${V4.sampled}` });
    expect(inbound).not.to.have.property('family');
    expect(inbound.evidence['counts']).to.deep.include({ open: 1, closed: 1 });
    expect(inbound.evidence['openHosts']).to.deep.equal([
      { address: '::1', port: greeter.port, family: 'IPv6', greeting: '220 open.customer.example ESMTP' },
    ]);
  });
});
