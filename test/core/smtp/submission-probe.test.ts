import { createServer } from 'node:net';
import { join } from 'node:path';
import { expect } from 'chai';
import {
  implicitTlsProbe,
  probesFor,
  submissionProbe,
  type ImplicitTlsObservation,
  type NameTable,
  type Plan,
  type ProbeContext,
  type SubmissionObservation,
  type Task,
} from '@port25-audit/core';
import { assertNoClientSentData, createFixtureCa, startPersona, type FixtureCa, type PersonaName, type PersonaServer } from '@port25-audit/fixtures';
import { probeContext, rawServer, smtpPlan, target, temporaryDirectory } from './support.js';

const ADDRESS = '127.30.2.1';
const SERVER = 'mail.p25s.test';
const USER = 'alice';
const PASSWORD = 'Tr0ub4dor&3 secret';
const ENV = { P25S_USER: USER, P25S_PASSWORD: PASSWORD };

describe('submission probe', function () {
  let ca: FixtureCa;
  let directory: { path: string; remove(): Promise<void> };
  let caFile: string;

  before(async function () {
    ca = createFixtureCa();
    directory = await temporaryDirectory();
    caFile = await ca.writeCaFile(join(directory.path, 'ca.pem'));
  });

  after(async function () {
    await directory.remove();
    assertNoClientSentData();
  });

  function planFor(port: number, parts: Partial<Plan> = {}): Plan {
    return smtpPlan({
      submission: { servers: [SERVER], domain: null },
      ports: { smtp: 25, submission: port, submissions: port, https: 443 },
      tls: { caFile },
      credentials: { userEnv: 'P25S_USER', passwordEnv: 'P25S_PASSWORD' },
      ...parts,
    });
  }

  const names: NameTable = new Map([[SERVER, { addresses: [{ address: ADDRESS, family: 'IPv4' as const }] }]]);

  function onlyTask(probe: typeof submissionProbe, plan: Plan): Task {
    const tasks = [...probe.tasks({ plan, vantage: 'outside', names, shard: { index: 0, count: 1 } })];
    expect(tasks).to.have.length(1);
    return tasks[0]!;
  }

  interface Run<O> {
    observation: O;
    persona: PersonaServer;
    wallMs: number;
  }

  async function run<O>(
    probe: typeof submissionProbe,
    name: PersonaName,
    options: { plan?: Partial<Plan>; env?: Record<string, string>; ctx?: (ctx: ProbeContext) => ProbeContext; dripMs?: number } = {},
  ): Promise<Run<O>> {
    const persona = await startPersona(name, { address: ADDRESS, ca, serverName: SERVER, credentials: { user: USER, password: PASSWORD }, ...(options.dripMs ? { dripMs: options.dripMs } : {}) });
    try {
      const plan = planFor(persona.port, options.plan);
      const base = probeContext(plan, { env: options.env ?? ENV });
      const ctx = options.ctx ? options.ctx(base) : base;
      const started = Date.now();
      const observation = (await probe.run(onlyTask(probe, plan), ctx)) as O;
      const wallMs = Date.now() - started;
      // Whatever the dialog, the client leaves nothing open.
      await persona.idle();
      return { observation, persona, wallMs };
    } finally {
      await persona.close();
    }
  }

  const submission = (name: PersonaName, options?: Parameters<typeof run>[2]) => run<SubmissionObservation>(submissionProbe, name, options);
  const implicit = (name: PersonaName, options?: Parameters<typeof run>[2]) => run<ImplicitTlsObservation>(implicitTlsProbe, name, options);
  const hostile = { plan: { probe: { concurrency: 1, rate: 0, connectTimeoutMs: 1000, dialogTimeoutMs: 500, ehloName: 'audit.p25s.test' } } };

  describe('tasks', function () {
    it('gives one task per address of each server on ports.submission, keeping the name; shard 0 only', function () {
      const plan = smtpPlan({ submission: { servers: [SERVER, '127.30.2.9', 'unresolved.p25s.test'], domain: null }, ports: { smtp: 25, submission: 2587, submissions: 2465, https: 443 } });
      const table: NameTable = new Map([
        [SERVER, { addresses: [{ address: ADDRESS, family: 'IPv4' as const }, { address: '::1', family: 'IPv6' as const }] }],
        ['unresolved.p25s.test', { errorCode: 'ENOTFOUND' }],
      ]);
      const tasks = (probe: typeof submissionProbe, index: number) => [...probe.tasks({ plan, vantage: 'inside', names: table, shard: { index, count: 2 } })];
      expect(tasks(submissionProbe, 0)).to.deep.equal([
        { probe: 'submission', target: { host: SERVER, address: ADDRESS, port: 2587, family: 'IPv4' } },
        { probe: 'submission', target: { host: SERVER, address: '::1', port: 2587, family: 'IPv6' } },
        { probe: 'submission', target: { host: null, address: '127.30.2.9', port: 2587, family: 'IPv4' } },
      ]);
      expect(tasks(implicitTlsProbe, 0).map((task) => `${task.probe} ${task.target.port}`)).to.deep.equal(['implicit-tls 2465', 'implicit-tls 2465', 'implicit-tls 2465']);
      expect(tasks(submissionProbe, 1)).to.deep.equal([]);
    });

    it('runs from both vantages', function () {
      for (const vantage of ['inside', 'outside'] as const) {
        expect(probesFor(vantage).map((probe) => probe.id)).to.include.members(['submission', 'implicit-tls']);
      }
    });
  });

  describe('well-behaved servers', function () {
    it('compliant-msa: every step, AUTH PLAIN works over a trusted certificate, relay refused before and after TLS', async function () {
      const { observation: o, persona } = await submission('compliant-msa');
      expect(o).to.include({ type: 'observation', probe: 'submission', vantage: 'outside', outcome: 'completed', serverName: SERVER, failure: null });
      expect(o.target).to.deep.equal({ host: SERVER, address: ADDRESS, port: persona.port, family: 'IPv4' });
      expect(o.connect).to.include({ outcome: 'open', errorCode: null });
      expect(o.greeting).to.include({ code: 220, bare: false });
      expect(o.greeting?.text).to.match(/^mail\.p25s\.test /);
      expect(o.hello).to.include({ verb: 'EHLO', helo: null });
      expect(o.hello?.capabilities).to.include({ starttls: true, authAdvertised: false, pipelining: true, eightBitMime: true, smtpUtf8: true, enhancedStatusCodes: true, size: 10485760 });
      expect(o.relayBeforeTls).to.include({ sender: 'p25-audit-probe@example.com', recipient: 'relay-test@example.net.invalid', accepted: false, refusedAt: 'mail', rcptTo: null });
      expect(o.relayBeforeTls?.mailFrom).to.include({ code: 530, enhancedCode: '5.7.0' });
      expect(o.relayBeforeTls?.rset?.code).to.equal(250);
      expect(o.starttls?.code).to.equal(220);
      expect(o.tls).to.include({ protocol: 'TLSv1.3', serverName: SERVER, plaintextDiscarded: 0 });
      expect(o.certificate).to.include({ chainValid: true, chainError: null, nameChecked: SERVER, nameMatches: true, trusted: true });
      expect(o.certificate?.chain).to.have.length(2);
      expect(o.certificate?.chain[0]).to.include({ subject: 'CN=mail.p25s.test, O=port25-audit fixtures', selfSigned: false, expired: false, fingerprintSha256: persona.certificate?.fingerprintSha256 });
      expect(o.certificate?.chain[0]?.subjectAltNames).to.deep.equal(['DNS:mail.p25s.test']);
      expect(o.certificate?.chain[0]?.daysLeft).to.be.within(88, 90);
      expect(o.helloAfterTls?.capabilities).to.include({ starttls: false, authAdvertised: true });
      expect(o.helloAfterTls?.capabilities.auth).to.deep.equal(['PLAIN', 'LOGIN']);
      expect(o.relayAfterTls).to.include({ accepted: false, refusedAt: 'mail' });
      expect(o.auth).to.deep.include({ attempted: true, mechanism: 'PLAIN', user: USER, succeeded: true });
      expect(o.quit?.code).to.equal(221);
      expect(persona.received).to.deep.equal([
        'EHLO audit.p25s.test',
        'MAIL FROM:<p25-audit-probe@example.com>',
        'RSET',
        'STARTTLS',
        'EHLO audit.p25s.test',
        'MAIL FROM:<p25-audit-probe@example.com>',
        'RSET',
        'AUTH PLAIN [redacted]',
        'QUIT',
      ]);
      expect(o.transcript.lines[0]).to.match(/^S: 220 /);
      expect(o.transcript.omitted).to.equal(0);
      expect(o.bytesReceived).to.be.above(0);
      // Plain JSON: what the scan file holds is what the probe returned.
      expect(JSON.parse(JSON.stringify(o))).to.deep.equal(o);
    });

    it('never lets the password or its base64 forms into the observation', async function () {
      const { observation } = await submission('compliant-msa');
      const json = JSON.stringify(observation);
      const forms = [PASSWORD, Buffer.from(PASSWORD).toString('base64'), Buffer.from(`\0${USER}\0${PASSWORD}`).toString('base64')];
      for (const form of forms) expect(json).to.not.include(form);
      expect(json).to.include('AUTH PLAIN [redacted]');
      expect(json).to.include(USER);
    });

    it('ecdsa-cert: an EC P-256 key, trusted, AUTH works', async function () {
      const { observation: o } = await submission('ecdsa-cert');
      expect(o.outcome).to.equal('completed');
      expect(o.certificate?.chain[0]?.key).to.deep.equal({ type: 'ec', bits: 256, curve: 'prime256v1' });
      expect(o.certificate?.trusted).to.equal(true);
      expect(o.auth).to.include({ attempted: true, succeeded: true });
    });

    it('tls10-only: TLS 1.0 is negotiated and reported', async function () {
      const { observation: o } = await submission('tls10-only');
      expect(o.outcome).to.equal('completed');
      expect(o.tls?.protocol).to.equal('TLSv1');
    });

    it('implicit-tls: TLS first, then the greeting and EHLO (RFC 8314)', async function () {
      const { observation: o, persona } = await implicit('implicit-tls');
      expect(o).to.include({ probe: 'implicit-tls', outcome: 'completed', failure: null });
      expect(o.tls?.protocol).to.equal('TLSv1.3');
      expect(o.certificate).to.include({ trusted: true });
      expect(o.greeting?.code).to.equal(220);
      expect(o.hello?.capabilities.auth).to.deep.equal(['PLAIN', 'LOGIN']);
      expect(o.quit?.code).to.equal(221);
      expect(persona.received).to.deep.equal(['EHLO audit.p25s.test', 'QUIT']);
      expect(persona.tlsServerNames).to.deep.equal([SERVER]);
    });
  });

  describe('servers that fail P1 or P2', function () {
    it('no-starttls: the plaintext dialog completes, TLS steps are absent, credentials are withheld', async function () {
      const { observation: o, persona } = await submission('no-starttls');
      expect(o).to.include({ outcome: 'hello', failure: null, starttls: null, tls: null, certificate: null, helloAfterTls: null, relayAfterTls: null });
      expect(o.hello?.capabilities).to.include({ starttls: false, authAdvertised: false });
      expect(o.relayBeforeTls).to.include({ accepted: false, refusedAt: 'rcpt' });
      expect(o.relayBeforeTls?.rcptTo?.code).to.equal(554);
      expect(o.auth).to.deep.equal({ attempted: false, withheld: 'no-tls', reason: 'no TLS; credentials withheld', user: USER });
      expect(o.quit?.code).to.equal(221);
      expect(persona.received).to.not.include('STARTTLS');
    });

    it('auth-before-tls: AUTH PLAIN and LOGIN are recorded among the capabilities before TLS', async function () {
      const { observation: o } = await submission('auth-before-tls');
      expect(o.outcome).to.equal('completed');
      expect(o.hello?.capabilities.auth).to.deep.equal(['PLAIN', 'LOGIN']);
      expect(o.hello?.capabilities.starttls).to.equal(true);
    });

    it('open-relay: RCPT TO the external address is accepted before and after TLS, then RSET, never DATA', async function () {
      const { observation: o, persona } = await submission('open-relay');
      for (const attempt of [o.relayBeforeTls, o.relayAfterTls]) {
        expect(attempt).to.include({ accepted: true, refusedAt: null });
        expect(attempt?.rcptTo?.code).to.equal(250);
        expect(attempt?.rset?.code).to.equal(250);
      }
      expect(persona.received.filter((line) => line.startsWith('RCPT TO:'))).to.deep.equal(['RCPT TO:<relay-test@example.net.invalid>', 'RCPT TO:<relay-test@example.net.invalid>']);
      expect(persona.received.map((line) => line.split(' ')[0])).to.not.include('DATA');
    });

    it('expired-cert: chain invalid, the dialog goes on for P2 evidence, credentials withheld', async function () {
      const { observation: o } = await submission('expired-cert');
      expect(o.outcome).to.equal('completed');
      expect(o.certificate).to.include({ chainValid: false, chainError: 'CERT_HAS_EXPIRED', nameMatches: true, trusted: false });
      expect(o.certificate?.chain[0]).to.include({ expired: true });
      expect(o.certificate?.chain[0]?.daysLeft).to.be.below(0);
      expect(o.relayAfterTls).to.not.equal(null);
      expect(o.helloAfterTls?.capabilities.auth).to.deep.equal(['PLAIN', 'LOGIN']);
      expect(o.auth).to.deep.equal({ attempted: false, withheld: 'untrusted-certificate', reason: 'certificate not trusted; credentials withheld', user: USER });
    });

    it('self-signed: DEPTH_ZERO_SELF_SIGNED_CERT, self-signed leaf', async function () {
      const { observation: o } = await submission('self-signed');
      expect(o.certificate).to.include({ chainValid: false, chainError: 'DEPTH_ZERO_SELF_SIGNED_CERT', trusted: false });
      expect(o.certificate?.chain).to.have.length(1);
      expect(o.certificate?.chain[0]?.selfSigned).to.equal(true);
      expect(o.auth).to.include({ attempted: false, reason: 'certificate not trusted; credentials withheld' });
    });

    it('wrong-name: the chain verifies but the name does not match', async function () {
      const { observation: o } = await submission('wrong-name');
      expect(o.certificate).to.include({ chainValid: true, nameChecked: SERVER, nameMatches: false, trusted: false });
      expect(o.certificate?.chain[0]?.subjectAltNames).to.deep.equal(['DNS:other.invalid']);
      expect(o.auth).to.include({ attempted: false, reason: 'certificate not trusted; credentials withheld' });
    });

    it('weak-key: an RSA 1024 key is seen and reported', async function () {
      const { observation: o } = await submission('weak-key');
      expect(o.outcome).to.equal('completed');
      expect(o.certificate?.chain[0]?.key).to.deep.equal({ type: 'rsa', bits: 1024, curve: null });
    });

    it('sha1-signature: the SHA-1 signature algorithm is reported', async function () {
      const { observation: o } = await submission('sha1-signature');
      expect(o.outcome).to.equal('completed');
      expect(o.certificate?.chain[0]?.signatureAlgorithm).to.deep.equal({ oid: '1.2.840.113549.1.1.5', name: 'sha1WithRSAEncryption', hash: 'sha1' });
      expect(o.certificate?.chain[1]?.signatureAlgorithm.hash).to.equal('sha256');
    });

    it('intercepting-relay: the greeting names another host, and so does its certificate', async function () {
      const { observation: o } = await submission('intercepting-relay');
      expect(o.greeting?.text).to.match(/^interceptor\.isp\.p25s\.test /);
      expect(o.hello?.capabilities.domain).to.equal('interceptor.isp.p25s.test');
      expect(o.certificate).to.include({ nameMatches: false, trusted: false });
    });

    it('a plaintext server on the implicit-TLS port fails the tls step', async function () {
      const { observation: o } = await implicit('compliant-msa', hostile);
      expect(o).to.include({ outcome: 'connected', tls: null, greeting: null });
      expect(o.failure).to.include({ step: 'tls', phase: 'tls', kind: 'tls' });
    });
  });

  describe('hostile and refusing servers', function () {
    const deadlineBound = 500 + 1500;

    it('tarpit: no greeting within the deadline', async function () {
      const { observation: o, persona, wallMs } = await submission('tarpit', hostile);
      expect(o).to.include({ outcome: 'connected', greeting: null, hello: null, auth: null });
      expect(o.failure).to.deep.equal({ step: 'greeting', phase: 'greeting', kind: 'timeout', message: 'the dialog took longer than its 500 ms deadline' });
      expect(wallMs).to.be.below(deadlineBound);
      expect(persona.received).to.deep.equal([]);
    });

    it('slow-drip: the deadline ends it, the drip does not', async function () {
      const { observation: o, wallMs } = await submission('slow-drip', { ...hostile, dripMs: 100 });
      expect(o).to.include({ outcome: 'connected' });
      expect(o.failure).to.include({ step: 'greeting', kind: 'timeout' });
      expect(wallMs).to.be.below(deadlineBound);
    });

    for (const name of ['endless-line', 'endless-multiline'] as const) {
      it(`${name}: a cap ends it, with bounded bytes`, async function () {
        const { observation: o, wallMs } = await submission(name, hostile);
        expect(o).to.include({ outcome: 'connected', greeting: null });
        expect(o.failure).to.include({ step: 'greeting', kind: 'cap-exceeded' });
        expect(o.bytesReceived).to.be.below(256 * 1024 + 65536);
        expect(o.transcript.lines.length).to.be.at.most(256);
        expect(wallMs).to.be.below(deadlineBound);
      });
    }

    it('garbage-binary: a protocol failure at the greeting', async function () {
      const { observation: o } = await submission('garbage-binary', hostile);
      expect(o).to.include({ outcome: 'connected', greeting: null });
      expect(o.failure).to.include({ step: 'greeting', kind: 'protocol' });
    });

    it('bare-code-replies: bare codes are accepted and noted', async function () {
      const { observation: o, persona } = await submission('bare-code-replies');
      expect(o).to.include({ outcome: 'hello', failure: null });
      expect(o.greeting).to.include({ code: 220, bare: true, text: '' });
      expect(o.hello).to.include({ verb: 'EHLO' });
      expect(o.hello?.ehlo.bare).to.equal(true);
      expect(o.hello?.capabilities.keywords).to.deep.equal(['8BITMIME']);
      expect(o.relayBeforeTls).to.include({ refusedAt: 'mail' });
      expect(o.relayBeforeTls?.mailFrom).to.include({ code: 530, bare: true });
      expect(o.quit?.code).to.equal(221);
      expect(persona.received).to.deep.equal(['EHLO audit.p25s.test', 'MAIL FROM:<p25-audit-probe@example.com>', 'RSET', 'QUIT']);
    });

    it('reset-after-ehlo: the greeting survives the reset, which fails the ehlo step', async function () {
      const { observation: o } = await submission('reset-after-ehlo', hostile);
      expect(o).to.include({ outcome: 'greeted', hello: null });
      expect(o.greeting?.code).to.equal(220);
      expect(o.failure).to.include({ step: 'ehlo', phase: 'ehlo', kind: 'closed' });
    });

    it('421-busy: the greeting is kept and the step is rejected', async function () {
      const { observation: o } = await submission('421-busy', hostile);
      expect(o).to.include({ outcome: 'connected', hello: null });
      expect(o.greeting).to.include({ code: 421, enhancedCode: '4.3.2' });
      expect(o.failure).to.include({ step: 'greeting', kind: 'rejected' });
      expect(o.failure?.message).to.match(/^the greeting answered 421 /);
    });

    it('554-refusal: the probe sends QUIT and nothing else (RFC 5321 §3.1)', async function () {
      const { observation: o, persona } = await submission('554-refusal', hostile);
      expect(o).to.include({ outcome: 'connected' });
      expect(o.greeting?.code).to.equal(554);
      expect(o.quit?.code).to.equal(221);
      expect(persona.received).to.deep.equal(['QUIT']);
    });

    it('falls back to HELO when EHLO is refused, and records it', async function () {
      const server = await rawServer(ADDRESS, (socket, received) => {
        socket.write('220 old.p25s.test SMTP\r\n');
        socket.on('data', () => {
          const last = received[received.length - 1] ?? '';
          if (last.startsWith('EHLO')) socket.write('502 5.5.2 Command not recognized\r\n');
          else if (last.startsWith('HELO')) socket.write('250 old.p25s.test\r\n');
          else if (last.startsWith('MAIL')) socket.write('550 5.7.1 Relaying denied\r\n');
          else if (last === 'RSET') socket.write('250 OK\r\n');
          else if (last === 'QUIT') socket.end('221 Bye\r\n');
        });
      });
      try {
        const plan = planFor(server.port);
        const o = (await submissionProbe.run(onlyTask(submissionProbe, plan), probeContext(plan, { env: ENV }))) as SubmissionObservation;
        expect(o).to.include({ outcome: 'hello', failure: null });
        expect(o.hello).to.include({ verb: 'HELO' });
        expect(o.hello?.ehlo.code).to.equal(502);
        expect(o.hello?.helo?.code).to.equal(250);
        expect(o.hello?.capabilities).to.include({ starttls: false, domain: 'old.p25s.test' });
        expect(server.received).to.deep.equal(['EHLO audit.p25s.test', 'HELO audit.p25s.test', 'MAIL FROM:<p25-audit-probe@example.com>', 'RSET', 'QUIT']);
      } finally {
        await server.close();
      }
    });
  });

  describe('connect outcomes and local errors', function () {
    it('a closed port: outcome closed, the connect step carries the failure', async function () {
      const port = await new Promise<number>((resolve) => {
        const server = createServer().listen(0, ADDRESS, () => {
          const bound = (server.address() as { port: number }).port;
          server.close(() => resolve(bound));
        });
      });
      const plan = planFor(port);
      const o = (await submissionProbe.run(onlyTask(submissionProbe, plan), probeContext(plan))) as SubmissionObservation;
      expect(o).to.include({ outcome: 'closed', greeting: null, transcript: o.transcript });
      expect(o.connect).to.include({ outcome: 'closed', errorCode: 'ECONNREFUSED' });
      expect(o.failure).to.include({ step: 'connect', phase: 'connect', kind: 'refused' });
      expect(o.transcript).to.deep.equal({ lines: [], omitted: 0 });
    });

    it('an address outside the scope guard: outcome error, nothing connected', async function () {
      const plan = planFor(587);
      const task: Task = { probe: 'submission', target: target('127.0.0.1', 587, SERVER) };
      const o = (await submissionProbe.run(task, probeContext(plan))) as SubmissionObservation;
      expect(o).to.include({ outcome: 'error' });
      expect(o.connect).to.include({ outcome: 'error', errorCode: 'SCOPE' });
    });

    it('an unreadable tls.caFile: outcome error naming the field, no connection made', async function () {
      const { observation: o, persona } = await submission('compliant-msa', { plan: { tls: { caFile: join(directory.path, 'missing.pem') } } });
      expect(o).to.include({ outcome: 'error' });
      expect(o.connect).to.include({ outcome: 'error', errorCode: 'CA_FILE' });
      expect(o.failure?.message).to.match(/^tls\.caFile: cannot read .*missing\.pem/);
      expect(persona.connections).to.equal(0);
    });

    it('an interrupted scan: the probe rejects with an AbortError so the task is redone', async function () {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      try {
        await submission('tarpit', { ctx: (ctx) => ({ ...ctx, signal: controller.signal }) });
        expect.fail('resolved');
      } catch (error) {
        expect((error as Error).name).to.equal('AbortError');
      }
    });
  });

  describe('credentials', function () {
    it('without credentials in the plan, AUTH is not attempted', async function () {
      const { observation: o, persona } = await submission('compliant-msa', { plan: { credentials: null } });
      expect(o.auth).to.deep.equal({ attempted: false, withheld: 'no-credentials', reason: 'no credentials in the plan', user: null });
      expect(persona.received.some((line) => line.startsWith('AUTH'))).to.equal(false);
    });

    it('names the variable that is not set', async function () {
      const { observation: o } = await submission('compliant-msa', { env: { P25S_USER: USER } });
      expect(o.auth).to.deep.equal({ attempted: false, withheld: 'variable-unset', reason: 'P25S_PASSWORD is not set', user: USER, variable: 'P25S_PASSWORD' });
      const { observation: p } = await submission('compliant-msa', { env: {} });
      expect(p.auth).to.deep.equal({ attempted: false, withheld: 'variable-unset', reason: 'P25S_USER is not set', user: null, variable: 'P25S_USER' });
    });

    it('records a refused AUTH (535) as attempted and not succeeded, without the password', async function () {
      const { observation: o } = await submission('compliant-msa', { env: { P25S_USER: USER, P25S_PASSWORD: 'wrong password' } });
      expect(o.auth).to.deep.include({ attempted: true, mechanism: 'PLAIN', succeeded: false });
      expect(o.auth?.attempted === true ? o.auth.reply?.code : null).to.equal(535);
      expect(JSON.stringify(o)).to.not.include('wrong password');
    });
  });
});
