import { expect } from 'chai';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, type TestSuites } from 'junit2json';
import { LAB, startLoopbackLab, type LabListener } from '@port25-audit/fixtures/lab';
import { runCli, tempDir, type CliRun } from '../helpers/cli.js';

interface ReportJson {
  status: string;
  practices: { id: string; status: string; checks: { id: string; status: string; target: string; vantage: string; evidence: Record<string, unknown> }[] }[];
}

/** What the lab is built to show: an ISP that offers submission well but has not blocked port 25 yet. */
const EXPECTED_PRACTICES = { P1: 'pass', P2: 'pass', P3: 'pass', P4: 'pass', P5: 'fail', P6: 'fail' };

/** Every check's status in the lab, for every target and vantage it was judged for. */
const EXPECTED_CHECKS: Record<string, string> = {
  'P1.port-open': 'pass',
  'P1.greeting': 'pass',
  'P1.starttls-offered': 'pass',
  'P1.tls-handshake': 'pass',
  'P1.certificate': 'pass',
  'P1.implicit-tls': 'pass',
  'P2.auth-advertised': 'pass',
  'P2.no-cleartext-auth': 'pass',
  'P2.relay-refused': 'pass',
  'P2.auth-works': 'pass',
  'P3.outbound-587': 'pass',
  'P4.srv-records': 'pass',
  'P4.autoconfig': 'pass',
  // The plan carries no auditor's attestation: the lab shows what probes find.
  'P4.attested': 'skip',
  'P5.outbound-25-blocked': 'fail',
  'P5.relay-reachable': 'pass',
  'P6.inbound-25-blocked': 'fail',
  'P6.authorized-exceptions': 'pass',
};

/** Another account a user may have exported for real audits: the demo must neither use nor write it. */
const USERS_OWN = { P25_USER: 'someone@real-isp.example', P25_PASSWORD: 'users-own-Secret-42' };

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

/** Resolves when address:port can be bound again (nothing of the lab holds it). */
function bindable(kind: 'tcp' | 'udp', address: string, port: number): Promise<true | string> {
  return new Promise((resolve) => {
    if (kind === 'tcp') {
      const server = createServer();
      server.once('error', (error: NodeJS.ErrnoException) => resolve(`${address}:${port}/tcp ${error.code}`));
      server.listen(port, address, () => server.close(() => resolve(true)));
    } else {
      const socket = createSocket('udp4');
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(`${address}:${port}/udp ${error.code}`));
      socket.bind({ address, port, exclusive: true }, () => socket.close(() => resolve(true)));
    }
  });
}

describe('cli: demo (npm start)', function () {
  this.timeout(90_000);

  describe('the loopback lab audited from both vantages', () => {
    let dir: string;
    let out: string;
    let run: CliRun;
    let report: ReportJson;

    before(async () => {
      dir = await tempDir();
      out = join(dir, 'out');
      run = await runCli(['demo', '--dir', 'out'], { cwd: dir, env: USERS_OWN });
      expect(run.code, run.stderr).to.equal(0);
      report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as ReportJson;
    });
    after(() => rm(dir, { recursive: true, force: true }));

    it('exits 0 by itself, with the table on stdout and the lab and the file paths on stderr', () => {
      // runCli kills a CLI that does not exit within its timeout: no signal means the demo ended on its own.
      expect(run.signal).to.equal(null);
      for (const id of Object.keys(EXPECTED_PRACTICES)) expect(run.stdout).to.match(new RegExp(`│ ${id} `));
      expect(run.stdout).to.match(/Overall: ✗ Fail/);
      expect(run.stdout).not.to.contain('report.html');
      expect(run.stderr).to.contain('Loopback lab started');
      for (const name of ['report.html', 'report.xml', 'report.json']) expect(run.stderr).to.contain(join('out', name));
    });

    it('shows every practice with real probes: P1–P4 pass, P5 and P6 fail', () => {
      expect(Object.fromEntries(report.practices.map((p) => [p.id, p.status]))).to.deep.equal(EXPECTED_PRACTICES);
      expect(report.status).to.equal('fail');
      const checks = report.practices.flatMap((p) => p.checks);
      expect([...new Set(checks.map((c) => c.id))].sort()).to.deep.equal(Object.keys(EXPECTED_CHECKS).sort());
      for (const check of checks) {
        expect(check.status, `${check.id} ${check.target} [${check.vantage}]`).to.equal(EXPECTED_CHECKS[check.id]);
      }
    });

    it('audits the lab by names through its DNS server, from both vantages where the practice asks for it', () => {
      const checks = report.practices.flatMap((p) => p.checks);
      const vantagesOf = (id: string) => [...new Set(checks.filter((c) => c.id === id).map((c) => c.vantage))].sort();
      expect(vantagesOf('P4.srv-records')).to.deep.equal(['inside', 'outside']);
      expect(vantagesOf('P5.outbound-25-blocked')).to.deep.equal(['inside']);
      expect(vantagesOf('P6.inbound-25-blocked')).to.deep.equal(['outside']);
      const targets = checks.map((c) => c.target).join('\n');
      for (const name of [LAB.msa.name, LAB.mxCanary.name, LAB.submissionCanary.name, `autoconfig.${LAB.domain}`, `_submission._tcp.${LAB.domain}`]) {
        expect(targets).to.contain(name);
      }
      // The infected customers are what P6 found open; the authorized relay is not counted among them.
      const inbound = checks.find((c) => c.id === 'P6.inbound-25-blocked')!;
      const open = (inbound.evidence['openHosts'] as { address: string }[]).map((host) => host.address).sort();
      expect(open).to.deep.equal([...LAB.infected].sort());
    });

    it('writes the plan, the lab CA certificate, both scans and the HTML, JUnit and JSON reports', async () => {
      for (const name of ['plan.json', 'lab-ca.pem', 'scan-outside.ndjson', 'scan-inside.ndjson', 'report.html', 'report.xml', 'report.json']) {
        expect((await stat(join(out, name))).size, name).to.be.greaterThan(0);
      }
      const plan = JSON.parse(await readFile(join(out, 'plan.json'), 'utf8')) as {
        submission: { servers: string[] };
        dns: { servers: string[] };
        tls: { caFile: string };
      };
      expect(plan.submission.servers).to.deep.equal([LAB.msa.name]);
      expect(plan.dns.servers).to.deep.equal([`${LAB.dns.address}:${LAB.dns.port}`]);
      expect(await readFile(plan.tls.caFile, 'utf8')).to.match(/^-----BEGIN CERTIFICATE-----/);

      const html = await readFile(join(out, 'report.html'), 'utf8');
      expect(html).to.match(/^<!DOCTYPE html>/i);
      for (const id of Object.keys(EXPECTED_PRACTICES)) expect(html).to.contain(id);
      expect(html).to.contain(`${LAB.mxCanary.name}`);

      // The JUnit file says per practice what report.json says: one suite each, failures where a check failed.
      const junit = (await parse(await readFile(join(out, 'report.xml'), 'utf8'))) as TestSuites;
      const suites = junit.testsuite ?? [];
      expect(suites.map((suite) => suite.id)).to.deep.equal(Object.keys(EXPECTED_PRACTICES));
      for (const practice of report.practices) {
        const suite = suites.find((candidate) => candidate.id === practice.id)!;
        expect(suite.tests, practice.id).to.equal(practice.checks.length);
        expect(suite.failures, practice.id).to.equal(practice.checks.filter((c) => c.status === 'fail').length);
      }
    });

    it('uses the lab account for P2.auth-works but never writes its password, nor the user\'s own, into any file', async () => {
      const authWorks = report.practices.flatMap((p) => p.checks).filter((c) => c.id === 'P2.auth-works');
      expect(authWorks.length).to.be.greaterThan(0);
      const { user, password } = LAB.account;
      const secrets = [
        password,
        base64(password), // AUTH LOGIN
        base64(`\0${user}\0${password}`), // AUTH PLAIN (RFC 4616)
        USERS_OWN.P25_PASSWORD,
        base64(USERS_OWN.P25_PASSWORD),
      ];
      const files = await filesUnder(out);
      expect(files.length).to.be.greaterThanOrEqual(7);
      for (const file of files) {
        const text = await readFile(file, 'latin1');
        for (const secret of secrets) expect(text.includes(secret), `${file} holds ${secret}`).to.equal(false);
        // The CA and server keys live in the demo's memory only.
        expect(text, file).not.to.contain('PRIVATE KEY');
      }
      expect(run.stdout + run.stderr).not.to.contain(password);
    });
  });

  it('with --quiet --lang de: the table in German, on stderr only the paths of the reports', async () => {
    const dir = await tempDir();
    const run = await runCli(['demo', '--dir', 'de', '--quiet', '--lang', 'de'], { cwd: dir });
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.match(/Arbeitsweise/);
    expect(run.stderr).not.to.contain('Loopback lab started');
    expect(run.stderr).to.contain(join('de', 'report.html'));
    const html = await readFile(join(dir, 'de', 'report.html'), 'utf8');
    expect(html).to.match(/<html[^>]*lang="de"/);
    await rm(dir, { recursive: true, force: true });
  });

  it('stops the lab and exits 130 when interrupted, the scan file keeping what it saw', async () => {
    const dir = await tempDir();
    let interruptedAfter = '';
    const run = await runCli(['demo', '--dir', 'out'], {
      cwd: dir,
      onSpawn: (child) => {
        let stderr = '';
        child.stderr!.on('data', (chunk: Buffer | string) => {
          stderr += String(chunk);
          // The lab is up and the first scan is starting: Ctrl-C now.
          if (interruptedAfter === '' && stderr.includes('Loopback lab started')) {
            interruptedAfter = stderr;
            child.kill('SIGINT');
          }
        });
      },
    });
    expect(interruptedAfter).to.contain('Loopback lab started');
    expect(run.signal).to.equal(null);
    expect(run.code, run.stderr).to.equal(130);
    expect(run.stderr).to.contain('Scan interrupted');
    const lines = (await readFile(join(dir, 'out', 'scan-outside.ndjson'), 'utf8')).split('\n').filter(Boolean);
    expect(JSON.parse(lines[0]!)).to.include({ type: 'scan' });
    expect(lines.some((line) => line.includes('"type":"end"'))).to.equal(false);
    // Nothing of the lab outlived the demo: its addresses can be bound again.
    expect(await bindable('tcp', LAB.msa.address, LAB.ports.submission)).to.equal(true);
    expect(await bindable('udp', LAB.dns.address, LAB.dns.port)).to.equal(true);
    await rm(dir, { recursive: true, force: true });
  });

  describe('the lab behind it', () => {
    /** Every TCP listener of a lab, and the DNS server's UDP port. */
    const freedom = async (listeners: readonly Pick<LabListener, 'address' | 'port'>[]) => [
      ...(await Promise.all(listeners.map(({ address, port }) => bindable('tcp', address, port)))),
      await bindable('udp', LAB.dns.address, LAB.dns.port),
    ];

    it('holds every address and port it lists while running, and frees all of them on close()', async () => {
      const dir = await tempDir();
      const lab = await startLoopbackLab({ dir });
      let listeners: readonly LabListener[];
      try {
        listeners = lab.listeners;
        expect(listeners.length).to.equal(10);
        expect(lab.describe()).to.have.length(10);
        for (const held of await freedom(listeners)) expect(held).to.match(/EADDRINUSE/);
      } finally {
        await lab.close();
      }
      for (const free of await freedom(listeners)) expect(free).to.equal(true);
      await rm(dir, { recursive: true, force: true });
    });

    it('refuses to start when an address is taken, names it, and leaves nothing of itself listening', async () => {
      const taken = LAB.infected[2];
      const squatter = createServer();
      await new Promise<void>((resolve) => squatter.listen(LAB.ports.smtp, taken, resolve));
      try {
        const dir = await tempDir();
        let refused: unknown = null;
        await startLoopbackLab({ dir }).then((lab) => lab.close(), (error: unknown) => (refused = error));
        expect(refused).to.include({ code: 'IO' });
        expect((refused as Error).message).to.contain(`${taken}:${LAB.ports.smtp}`).and.to.contain('in use');
        // What started before the taken address (DNS, MSA, web, the first customers) was stopped again.
        const startedBefore = [
          { address: LAB.msa.address, port: LAB.ports.submission },
          { address: LAB.msa.address, port: LAB.ports.submissions },
          { address: LAB.web.address, port: LAB.ports.https },
          { address: LAB.dns.address, port: LAB.dns.port },
          ...LAB.infected.slice(0, 2).map((address) => ({ address, port: LAB.ports.smtp })),
        ];
        for (const free of await freedom(startedBefore)) expect(free).to.equal(true);

        const run = await runCli(['demo', '--dir', 'out', '--quiet'], { cwd: dir });
        expect(run.code).to.equal(3);
        expect(run.stderr).to.contain(`cannot listen on ${taken}:${LAB.ports.smtp}`);
        await rm(dir, { recursive: true, force: true });
      } finally {
        await new Promise((resolve) => squatter.close(resolve));
      }
    });
  });
});
