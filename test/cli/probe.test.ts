/**
 * `port25-audit probe smtp|tcp`: the ad-hoc probe through the built binary
 * against personas (names served by a zone server on this room's loopback
 * block), and its bad usage and hostile peers through the in-process CLI.
 */
import { expect } from 'chai';
import { rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { CheckResult, ImplicitTlsObservation, SubmissionObservation } from '@port25-audit/core';
import { assertNoClientSentData, createFixtureCa, startPersona, type FixtureCa, type PersonaServer } from '@port25-audit/fixtures';
import { startZoneServer, type ZoneServer } from '@port25-audit/fixtures/p4';
import { main } from 'port25-audit';
import { runCli, tempDir } from '../helpers/cli.js';

const MSA = '127.30.41.1';
const RELAY = '127.30.41.2';
const HOSTILE = '127.30.41.3';
const USER = 'carol@p25s.test';
const PASSWORD = 'probe-Secret-2468';

interface InProcessRun {
  code: number;
  stdout: string;
  stderr: string;
}

function sink(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

async function cli(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<InProcessRun> {
  const stdout = sink();
  const stderr = sink();
  const code = await main(argv, { stdout: stdout.stream, stderr: stderr.stream, env });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

function listen(server: Server, address: string): Promise<number> {
  return new Promise((resolve) => server.listen(0, address, () => resolve((server.address() as { port: number }).port)));
}

describe('cli: probe smtp | tcp', function () {
  this.timeout(60_000);
  let dir: string;
  let ca: FixtureCa;
  let caFile: string;
  let zone: ZoneServer;
  let msa: PersonaServer;
  let implicit: PersonaServer;
  let relay: PersonaServer;

  before(async function () {
    dir = await tempDir();
    ca = createFixtureCa();
    caFile = await ca.writeCaFile(join(dir, 'ca.pem'));
    const credentials = { user: USER, password: PASSWORD };
    msa = await startPersona('compliant-msa', { address: MSA, ca, serverName: 'mail.p25s.test', credentials });
    implicit = await startPersona('implicit-tls', { address: MSA, ca, serverName: 'mail.p25s.test', credentials });
    relay = await startPersona('open-relay', { address: RELAY, ca, serverName: 'relay.p25s.test' });
    zone = await startZoneServer({ 'mail.p25s.test': { A: [MSA] }, 'relay.p25s.test': { A: [RELAY] } }, { host: '127.30.41.53' });
  });

  after(async function () {
    await Promise.all([msa.close(), implicit.close(), relay.close(), zone.close()]);
    await rm(dir, { recursive: true, force: true });
    assertNoClientSentData();
  });

  describe('through the binary', function () {
    it('probe smtp NAME --starttls: transcript, TLS, certificate and every finding pass; AUTH works; the password never shows', async function () {
      const run = await runCli(
        ['probe', 'smtp', `mail.p25s.test:${msa.port}`, '--starttls', '--ca', caFile, '--dns', zone.server, '--ehlo', 'probe.p25s.test', '--user-env', 'P25S_USER', '--password-env', 'P25S_PASSWORD'],
        { env: { P25S_USER: USER, P25S_PASSWORD: PASSWORD } },
      );
      expect(run.code, run.stderr).to.equal(0);
      const out = run.stdout;
      expect(out).to.contain(`mail.p25s.test:${msa.port} (${MSA}): STARTTLS`);
      expect(out).to.match(/^ {2}S: 220 mail\.p25s\.test ESMTP/m);
      expect(out).to.contain('  C: EHLO probe.p25s.test');
      expect(out).to.contain('  C: STARTTLS');
      expect(out).to.contain('  C: AUTH PLAIN [redacted]');
      expect(out).to.match(/^TLS\n {2}protocol {4}TLSv1\.3$/m);
      expect(out).to.contain('  SNI         mail.p25s.test');
      expect(out).to.contain('  subject     CN=mail.p25s.test, O=port25-audit fixtures');
      expect(out).to.contain(`  sha256      ${msa.certificate!.fingerprintSha256}`);
      expect(out).to.contain('  chain       verified (2 certificates)');
      expect(out).to.contain('  name        matches mail.p25s.test');
      const findings = out.slice(out.indexOf('Findings\n')).split('\n').slice(1).filter((line) => line !== '');
      expect(findings.map((line) => line.trim().split(/\s+/).slice(0, 2).join(' '))).to.deep.equal([
        'PASS P1.port-open',
        'PASS P1.greeting',
        'PASS P1.starttls-offered',
        'PASS P1.tls-handshake',
        'PASS P1.certificate',
        'PASS P2.auth-advertised',
        'PASS P2.no-cleartext-auth',
        'PASS P2.relay-refused',
        'PASS P2.auth-works',
      ]);
      for (const secret of [PASSWORD, Buffer.from(PASSWORD).toString('base64'), Buffer.from(`\0${USER}\0${PASSWORD}`).toString('base64')]) {
        expect(out + run.stderr).to.not.contain(secret);
      }
      expect(msa.received).to.include('AUTH PLAIN [redacted]');
      expect(msa.received.map((line) => line.split(' ')[0])).to.not.include('DATA');
    });

    it('probe smtp --json: the observation and the findings as JSON; an open relay exits 1', async function () {
      const run = await runCli(['probe', 'smtp', `relay.p25s.test:${relay.port}`, '--starttls', '--json', '--ca', caFile, '--dns', zone.server]);
      expect(run.code, run.stderr).to.equal(1);
      const json = JSON.parse(run.stdout) as { observations: SubmissionObservation[]; findings: CheckResult[] };
      expect(json.observations).to.have.length(1);
      expect(json.observations[0]).to.include({ type: 'observation', probe: 'submission', outcome: 'completed', serverName: 'relay.p25s.test' });
      expect(json.observations[0]!.target).to.deep.equal({ host: 'relay.p25s.test', address: RELAY, port: relay.port, family: 'IPv4' });
      expect(json.observations[0]!.relayBeforeTls).to.include({ accepted: true });
      const relayed = json.findings.find((finding) => finding.id === 'P2.relay-refused');
      expect(relayed).to.include({ status: 'fail', target: `relay.p25s.test:${relay.port} (${RELAY})` });
      expect(relay.received.filter((line) => line.startsWith('RCPT TO:'))).to.have.length(2);
      expect(relay.received).to.not.include('DATA');
    });

    it('probe smtp --implicit-tls --json: TLS first (RFC 8314), one finding, P1.implicit-tls', async function () {
      const run = await runCli(['probe', 'smtp', `mail.p25s.test:${implicit.port}`, '--implicit-tls', '--json', '--ca', caFile, '--dns', zone.server]);
      expect(run.code, run.stderr).to.equal(0);
      const json = JSON.parse(run.stdout) as { observations: ImplicitTlsObservation[]; findings: CheckResult[] };
      expect(json.observations[0]).to.include({ probe: 'implicit-tls', outcome: 'completed' });
      expect(json.observations[0]!.certificate).to.include({ trusted: true });
      expect(json.findings.map((finding) => [finding.id, finding.status])).to.deep.equal([['P1.implicit-tls', 'pass']]);
    });

    it('probe tcp HOST:PORT prints the outcome and what the peer said first, and sends nothing', async function () {
      const before = msa.received.length;
      const run = await runCli(['probe', 'tcp', `${MSA}:${msa.port}`]);
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stdout).to.match(new RegExp(`^${MSA.replace(/\./g, '\\.')}:${msa.port}: open in [\\d.]+ ms\\n {2}first reply:\\n {2}220 mail\\.p25s\\.test ESMTP`));
      await msa.idle();
      expect(msa.received.length).to.equal(before);
    });
  });

  describe('in process', function () {
    it('without --starttls the dialog stays in clear: no STARTTLS sent, only the checks it can judge', async function () {
      const before = msa.received.length;
      const run = await cli(['probe', 'smtp', `${MSA}:${msa.port}`]);
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stdout).to.contain(`${MSA}:${msa.port}: in clear (add --starttls to go on over TLS)`);
      expect(run.stdout).to.contain('* STARTTLS not attempted');
      expect(run.stdout).to.not.contain('Certificate\n');
      expect(run.stdout).to.contain('P2.relay-refused      relaying without AUTH is refused in clear (530 at MAIL FROM); the attempt over TLS was not made (not reached: starttls)');
      await msa.idle();
      expect(msa.received.slice(before)).to.deep.equal(['EHLO audit.example.net', 'MAIL FROM:<p25-audit-probe@example.com>', 'RSET', 'QUIT']);
    });

    it('an untrusted certificate fails P1.certificate and withholds the credentials (exit 1)', async function () {
      const before = msa.received.length;
      const run = await cli(
        ['probe', 'smtp', `mail.p25s.test:${msa.port}`, '--starttls', '--dns', zone.server, '--user-env', 'U', '--password-env', 'P'],
        { U: USER, P: PASSWORD },
      );
      expect(run.code).to.equal(1);
      expect(run.stdout).to.match(/FAIL {2}P1\.certificate +the certificate chain does not verify \([A-Z_]+\)/);
      expect(run.stdout).to.match(/SKIP {2}P2\.auth-works +not tested: certificate not trusted; credentials withheld/);
      await msa.idle();
      expect(msa.received.slice(before).some((line) => line.startsWith('AUTH'))).to.equal(false);
    });

    it('a tarpit costs the --timeout, fails P1.greeting and exits 1', async function () {
      const tarpit = await startPersona('tarpit', { address: HOSTILE });
      try {
        const started = Date.now();
        const run = await cli(['probe', 'smtp', `${HOSTILE}:${tarpit.port}`, '--timeout', '400']);
        expect(Date.now() - started).to.be.below(3000);
        expect(run.code).to.equal(1);
        expect(run.stdout).to.match(/FAIL {2}P1\.greeting +greeting failed: timeout/);
        expect(run.stdout).to.contain('Stopped\n  at greeting (timeout): the dialog took longer than its 400 ms deadline');
      } finally {
        await tarpit.close();
      }
    });

    it('what a hostile peer sends cannot drive the terminal: control bytes are shown as escapes', async function () {
      const server = createServer((socket) => {
        socket.on('error', () => undefined);
        // Read what the client sends, so that its FIN is seen and the connection closes.
        socket.resume();
        socket.end('220 evil\u001b[2J\u001b]8;;http://x\u0007host\u0000 ESMTP\r\n');
      });
      const port = await listen(server, HOSTILE);
      try {
        const run = await cli(['probe', 'tcp', `${HOSTILE}:${port}`]);
        expect(run.stdout).to.contain('220 evil\\x1B[2J\\x1B]8;;http://x\\x07host\\x00 ESMTP');
        expect(run.stdout).to.not.match(/[\u0000-\u0008\u000b-\u001f]/);
        const smtp = await cli(['probe', 'smtp', `${HOSTILE}:${port}`, '--timeout', '1000']);
        expect(smtp.stdout).to.contain('S: 220 evil\\x1B[2J');
        expect(smtp.stdout).to.not.match(/[\u0000-\u0008\u000b-\u001f]/);
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    });

    it('probe tcp exits 1 when the port does not open', async function () {
      const server = createServer();
      const port = await listen(server, HOSTILE);
      await new Promise((resolve) => server.close(resolve));
      const run = await cli(['probe', 'tcp', `${HOSTILE}:${port}`, '--json']);
      expect(run.code).to.equal(1);
      const json = JSON.parse(run.stdout) as { observations: { outcome: string; errorCode: string }[] };
      expect(json.observations[0]).to.include({ outcome: 'closed', errorCode: 'ECONNREFUSED' });
    });

    it('a name that does not resolve is a runtime error (exit 3) naming it', async function () {
      const run = await cli(['probe', 'smtp', 'missing.p25s.test', '--dns', zone.server]);
      expect(run.code).to.equal(3);
      expect(run.stdout).to.equal('');
      expect(run.stderr).to.match(/^port25-audit: missing\.p25s\.test did not resolve \(ENOTFOUND\)\n/);
    });

    for (const [argv, says] of [
      [['probe', 'smtp'], /Not enough non-option arguments/],
      [['probe', 'ftp', 'mail.p25s.test'], /Invalid values/],
      [['probe', 'smtp', 'mail.p25s.test:99999'], /the port must be a number from 1 to 65535/],
      [['probe', 'smtp', 'bad host!'], /is not a host name or IP address/],
      [['probe', 'tcp', 'mail.p25s.test'], /name the port, HOST:PORT/],
      [['probe', 'smtp', 'mail.p25s.test', '--starttls', '--implicit-tls'], /not both/],
      [['probe', 'smtp', 'mail.p25s.test', '--user-env', 'U'], /--user-env and --password-env go together/],
      [['probe', 'smtp', 'mail.p25s.test', '--timeout', '-5'], /--timeout -5: give the deadline in milliseconds/],
      [['probe', 'smtp', 'mail.p25s.test', '--ehlo', 'two words'], /--ehlo "two words": not a domain or address literal/],
      [['probe', 'smtp', 'mail.p25s.test', '--ca', '/nonexistent/ca.pem'], /--ca: cannot read \/nonexistent\/ca\.pem/],
    ] as const) {
      it(`bad usage exits 2: ${argv.slice(1).join(' ')}`, async function () {
        const run = await cli([...argv]);
        expect(run.code, run.stderr).to.equal(2);
        expect(run.stdout).to.equal('');
        expect(run.stderr).to.match(says);
      });
    }
  });
});
