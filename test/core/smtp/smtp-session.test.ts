import { createServer, type Server, type Socket } from 'node:net';
import * as tls from 'node:tls';
import { expect } from 'chai';
import { loadTrustAnchors, Port25Error, SmtpSession, SmtpSessionError, type SmtpSessionOptions } from '@port25-audit/core';
import { assertNoClientSentData, createFixtureCa, startPersona, type FixtureCa, type PersonaName, type PersonaServer } from '@port25-audit/fixtures';
import { eventually, loopbackDialer, rawServer, target } from './support.js';

const ADDRESS = '127.30.1.1';
const EHLO_NAME = 'audit.p25s.test';

describe('SMTP session adapter over smtp-channel', function () {
  let ca: FixtureCa;
  let anchors: string[];
  const personas: PersonaServer[] = [];

  before(async function () {
    ca = createFixtureCa();
    anchors = [...(await loadTrustAnchors(null)), ca.certPem];
  });

  afterEach(async function () {
    await Promise.all(personas.splice(0).map((persona) => persona.close()));
  });

  after(function () {
    assertNoClientSentData();
  });

  async function persona(name: PersonaName, options: { dripMs?: number } = {}): Promise<PersonaServer> {
    const started = await startPersona(name, { address: ADDRESS, ca, credentials: { user: 'alice', password: 'correct horse' }, ...options });
    personas.push(started);
    return started;
  }

  function sessionOptions(port: number, overrides: Partial<SmtpSessionOptions> = {}): SmtpSessionOptions {
    return {
      target: target(ADDRESS, port, 'mail.p25s.test'),
      dial: loopbackDialer,
      tls: { ca: anchors, serverName: 'mail.p25s.test' },
      limits: { connectTimeoutMs: 1000, dialogTimeoutMs: 3000 },
      ...overrides,
    };
  }

  /** The error a promise rejects with; fails the test when it resolves. */
  async function failureOf(promise: Promise<unknown>): Promise<SmtpSessionError> {
    try {
      await promise;
    } catch (error) {
      expect(error).to.be.instanceOf(SmtpSessionError);
      return error as SmtpSessionError;
    }
    throw new Error('expected a rejection');
  }

  it('runs the whole flow against a compliant MSA: greeting, EHLO, STARTTLS, EHLO again, AUTH, QUIT', async function () {
    const msa = await persona('compliant-msa');
    const session = await SmtpSession.open(sessionOptions(msa.port));
    try {
      expect((await session.greeting()).code).to.equal(220);
      const ehlo = await session.ehlo(EHLO_NAME);
      expect(ehlo.code).to.equal(250);
      expect(ehlo.lines).to.include('STARTTLS');
      expect((await session.startTls()).code).to.equal(220);
      const upgrade = await session.upgradeToTls();
      expect(session.secure).to.equal(true);
      expect(upgrade.tls.protocol).to.equal('TLSv1.3');
      const after = await session.ehlo(EHLO_NAME);
      expect(after.lines).to.include('AUTH PLAIN LOGIN');
      expect((await session.auth('PLAIN', 'alice', 'correct horse')).code).to.equal(235);
      expect((await session.quit()).code).to.equal(221);
    } finally {
      session.close();
    }
    expect(msa.received).to.deep.equal(['EHLO audit.p25s.test', 'STARTTLS', 'EHLO audit.p25s.test', 'AUTH PLAIN [redacted]', 'QUIT']);
  });

  describe('trap 1: no error listener', function () {
    it('survives a reset while no command is pending, and the next command fails as closed', async function () {
      const server = await rawServer(ADDRESS, (socket) => {
        socket.write('220 reset.p25s.test ESMTP\r\n');
        setTimeout(() => socket.resetAndDestroy(), 50);
      });
      const session = await SmtpSession.open(sessionOptions(server.port));
      try {
        expect((await session.greeting()).code).to.equal(220);
        await new Promise((resolve) => setTimeout(resolve, 200));
        const error = await failureOf(session.ehlo(EHLO_NAME));
        expect(error).to.include({ phase: 'ehlo', kind: 'closed' });
      } finally {
        session.close();
        await server.close();
      }
    });

    it('reports a reset during a pending command as closed in that phase', async function () {
      const peer = await persona('reset-after-ehlo');
      const session = await SmtpSession.open(sessionOptions(peer.port));
      try {
        expect((await session.greeting()).code).to.equal(220);
        const error = await failureOf(session.ehlo(EHLO_NAME));
        expect(error).to.include({ phase: 'ehlo', kind: 'closed' });
      } finally {
        session.close();
      }
    });
  });

  describe('traps 2 and 3: timeouts that leave the socket open, QUIT re-sent when idle', function () {
    it('ends a tarpit at the deadline and destroys the socket', async function () {
      const tarpit = await persona('tarpit');
      const started = Date.now();
      const session = await SmtpSession.open(sessionOptions(tarpit.port, { limits: { dialogTimeoutMs: 300 } }));
      const error = await failureOf(session.greeting());
      expect(error).to.include({ phase: 'greeting', kind: 'timeout' });
      expect(Date.now() - started).to.be.below(2000);
      // The server sees the connection go away: nothing is left open.
      await tarpit.idle();
      expect(tarpit.openConnections).to.equal(0);
      expect(tarpit.received).to.deep.equal([]);
    });

    it('sends nothing more after a command that times out (no QUIT loop)', async function () {
      const server = await rawServer(ADDRESS, (socket) => socket.write('220 silent.p25s.test ESMTP\r\n'));
      try {
        const session = await SmtpSession.open(sessionOptions(server.port, { limits: { dialogTimeoutMs: 300 } }));
        expect((await session.greeting()).code).to.equal(220);
        const error = await failureOf(session.ehlo(EHLO_NAME));
        expect(error).to.include({ phase: 'ehlo', kind: 'timeout' });
        await eventually(() => server.closedSockets() === 1);
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(server.received).to.deep.equal(['EHLO audit.p25s.test']);
      } finally {
        await server.close();
      }
    });

    it('stops at a slow drip when the deadline passes, not when the drip ends', async function () {
      const drip = await persona('slow-drip', { dripMs: 50 });
      const started = Date.now();
      const session = await SmtpSession.open(sessionOptions(drip.port, { limits: { dialogTimeoutMs: 400 } }));
      const error = await failureOf(session.greeting());
      expect(error).to.include({ phase: 'greeting', kind: 'timeout' });
      expect(Date.now() - started).to.be.below(2000);
      await drip.idle();
    });

    it('stops at once when the signal aborts', async function () {
      const tarpit = await persona('tarpit');
      const controller = new AbortController();
      const session = await SmtpSession.open(sessionOptions(tarpit.port, { signal: controller.signal }));
      setTimeout(() => controller.abort(), 50);
      const error = await failureOf(session.greeting());
      expect(error).to.include({ phase: 'greeting', kind: 'aborted' });
      await tarpit.idle();
    });
  });

  describe('trap 4: reconnecting after a refused connect', function () {
    it('fails a refused connect in phase connect with the Dialer outcome, and never pretends to be connected', async function () {
      const closedPort = await new Promise<number>((resolve) => {
        const probe: Server = createServer();
        probe.listen(0, ADDRESS, () => {
          const port = (probe.address() as { port: number }).port;
          probe.close(() => resolve(port));
        });
      });
      const error = await failureOf(SmtpSession.open(sessionOptions(closedPort)));
      expect(error).to.include({ phase: 'connect', kind: 'refused' });
      expect(error.connection).to.include({ outcome: 'closed', errorCode: 'ECONNREFUSED' });
      // A second attempt is a new dial, and it is refused again.
      expect(await failureOf(SmtpSession.open(sessionOptions(closedPort)))).to.include({ kind: 'refused' });
    });

    it('refuses every step after close()', async function () {
      const msa = await persona('compliant-msa');
      const session = await SmtpSession.open(sessionOptions(msa.port));
      session.close();
      expect(await failureOf(session.greeting())).to.include({ phase: 'greeting', kind: 'local' });
    });

    it('never dials outside the guard', async function () {
      const error = await failureOf(SmtpSession.open(sessionOptions(25, { target: target('127.0.0.1', 25) })));
      expect(error).to.include({ phase: 'connect', kind: 'local' });
      expect(error.connection).to.include({ outcome: 'error', errorCode: 'SCOPE' });
    });
  });

  describe('trap 5: the unbounded line buffer', function () {
    it('stops an endless line at the line cap, having read little more than the cap', async function () {
      const endless = await persona('endless-line');
      const heapBefore = process.memoryUsage().heapUsed;
      const session = await SmtpSession.open(sessionOptions(endless.port));
      const error = await failureOf(session.greeting());
      expect(error).to.include({ phase: 'greeting', kind: 'cap-exceeded' });
      expect(error.message).to.match(/^a line longer than 4096 characters, starting "220 mail\.p25s\.test A+…"$/);
      // At most the cap plus the one chunk that crossed it.
      expect(session.bytesReceived).to.be.below(4096 + 65536);
      expect(process.memoryUsage().heapUsed - heapBefore).to.be.below(32 * 1024 * 1024);
      await endless.idle();
    });

    it('stops an endless multi-line reply at the reply-line cap', async function () {
      const endless = await persona('endless-multiline');
      const session = await SmtpSession.open(sessionOptions(endless.port));
      const error = await failureOf(session.greeting());
      expect(error).to.include({ phase: 'greeting', kind: 'cap-exceeded' });
      expect(error.message).to.match(/more than 128 lines/);
      await endless.idle();
    });

    it('stops at the byte cap, and keeps a bounded transcript', async function () {
      const endless = await persona('endless-multiline');
      const session = await SmtpSession.open(sessionOptions(endless.port, { limits: { maxBytes: 20_000, maxReplyLines: 100_000 } }));
      const error = await failureOf(session.greeting());
      expect(error).to.include({ kind: 'cap-exceeded' });
      expect(error.message).to.match(/more than 20000 bytes/);
      expect(session.bytesReceived).to.be.below(20_000 + 65536);
      const transcript = session.transcript.toEvidence();
      expect(transcript.lines).to.have.length(256);
      expect(transcript.omitted).to.be.above(0);
      await endless.idle();
    });
  });

  describe('trap 6: bare reply codes', function () {
    it('accepts a bare 220, a multi-line reply ending in a bare 250, and bare error codes', async function () {
      const bare = await persona('bare-code-replies');
      const session = await SmtpSession.open(sessionOptions(bare.port));
      try {
        expect(await session.greeting()).to.deep.equal({ code: 220, lines: [''], text: '', bare: true, enhancedCode: null });
        const ehlo = await session.ehlo(EHLO_NAME);
        expect(ehlo).to.include({ code: 250, bare: true });
        expect(ehlo.lines).to.deep.equal(['mail.p25s.test', '8BITMIME', '']);
        expect((await session.mailFrom('p25-audit-probe@example.com')).code).to.equal(530);
        expect((await session.quit()).code).to.equal(221);
      } finally {
        session.close();
      }
    });
  });

  describe('trap 7: the TLS socket only reachable as _socket', function () {
    it('reads protocol, cipher and the chain from the TLS socket it created itself', async function () {
      const msa = await persona('ecdsa-cert');
      const session = await SmtpSession.open(sessionOptions(msa.port));
      try {
        await session.greeting();
        await session.ehlo(EHLO_NAME);
        await session.startTls();
        const upgrade = await session.upgradeToTls();
        expect(upgrade.tls.cipher).to.be.a('string');
        expect(upgrade.certificate?.chain[0]?.fingerprintSha256).to.equal(msa.certificate?.fingerprintSha256);
        expect(upgrade.certificate?.chain[0]?.key).to.deep.equal({ type: 'ec', bits: 256, curve: 'prime256v1' });
        expect(upgrade.certificate).to.include({ chainValid: true, nameMatches: true, trusted: true });
      } finally {
        session.close();
      }
    });
  });

  describe('trap 8: an address as TLS servername', function () {
    async function handshake(serverName: string | null): Promise<PersonaServer> {
      const msa = await persona('compliant-msa');
      const session = await SmtpSession.open(sessionOptions(msa.port, { target: target(ADDRESS, msa.port, serverName), tls: { ca: anchors, serverName } }));
      try {
        await session.greeting();
        await session.ehlo(EHLO_NAME);
        await session.startTls();
        await session.upgradeToTls();
        await session.quit();
      } finally {
        session.close();
      }
      return msa;
    }

    it('sends SNI for a host name and none for an address, without DEP0123', async function () {
      const warnings: string[] = [];
      const onWarning = (warning: Error & { code?: string }): void => {
        warnings.push(warning.code ?? warning.name);
      };
      process.on('warning', onWarning);
      try {
        expect((await handshake('mail.p25s.test')).tlsServerNames).to.deep.equal(['mail.p25s.test']);
        expect((await handshake(ADDRESS)).tlsServerNames).to.deep.equal([null]);
        expect((await handshake(null)).tlsServerNames).to.deep.equal([null]);
        await new Promise((resolve) => setImmediate(resolve));
      } finally {
        process.removeListener('warning', onWarning);
      }
      expect(warnings).to.not.include('DEP0123');
    });
  });

  describe('hostile and refusing peers', function () {
    it('reports binary garbage as a protocol error, keeping what was received in the transcript', async function () {
      const garbage = await persona('garbage-binary');
      const session = await SmtpSession.open(sessionOptions(garbage.port));
      const error = await failureOf(session.greeting());
      expect(error).to.include({ phase: 'greeting', kind: 'protocol' });
      expect(error.message).to.match(/not an SMTP reply line/);
      expect(session.transcript.toEvidence().lines[0]).to.match(/^S: /);
      await garbage.idle();
    });

    it('returns a 421 greeting as a reply; the closed connection fails the next step', async function () {
      const busy = await persona('421-busy');
      const session = await SmtpSession.open(sessionOptions(busy.port));
      try {
        const greeting = await session.greeting();
        expect(greeting).to.include({ code: 421, enhancedCode: '4.3.2' });
        expect(await failureOf(session.quit())).to.include({ phase: 'quit', kind: 'closed' });
      } finally {
        session.close();
      }
    });

    it('returns a 554 greeting, and the server answers QUIT', async function () {
      const refusal = await persona('554-refusal');
      const session = await SmtpSession.open(sessionOptions(refusal.port));
      try {
        expect((await session.greeting()).code).to.equal(554);
        expect((await session.quit()).code).to.equal(221);
      } finally {
        session.close();
      }
      expect(refusal.received).to.deep.equal(['QUIT']);
    });
  });

  describe('STARTTLS', function () {
    it('discards what the server sent in clear after its 220 to STARTTLS (RFC 3207 §6)', async function () {
      const leaf = ca.issue({ names: ['mail.p25s.test'] });
      const server = await injectingServer(leaf.keyPem, leaf.chainPem);
      const session = await SmtpSession.open(sessionOptions(server.port));
      try {
        await session.greeting();
        await session.ehlo(EHLO_NAME);
        expect((await session.startTls()).code).to.equal(220);
        const upgrade = await session.upgradeToTls();
        expect(upgrade.plaintextDiscarded).to.be.above(0);
        const after = await session.ehlo(EHLO_NAME);
        expect(after.lines).to.deep.equal(['mail.p25s.test over TLS', 'AUTH PLAIN']);
        await session.quit();
      } finally {
        session.close();
        await server.close();
      }
      expect(session.transcript.toEvidence().lines.join('\n')).to.match(/discarded \d+ characters sent in clear/);
    });

    it('negotiates TLS 1.0 with a server that offers nothing newer, so that it can be reported', async function () {
      const old = await persona('tls10-only');
      const session = await SmtpSession.open(sessionOptions(old.port));
      try {
        await session.greeting();
        await session.ehlo(EHLO_NAME);
        await session.startTls();
        const upgrade = await session.upgradeToTls();
        expect(upgrade.tls.protocol).to.equal('TLSv1');
      } finally {
        session.close();
      }
    });

    it('fails the tls phase when the server answers the handshake with garbage', async function () {
      const server = await rawServer(ADDRESS, (socket, received) => {
        socket.write('220 broken-tls.p25s.test ESMTP\r\n');
        let handshaking = false;
        socket.on('data', () => {
          if (handshaking) {
            socket.write('this is no TLS record\r\n');
            return;
          }
          const last = received[received.length - 1];
          if (last?.startsWith('EHLO')) socket.write('250-broken-tls.p25s.test\r\n250 STARTTLS\r\n');
          else if (last === 'STARTTLS') {
            handshaking = true;
            socket.write('220 go ahead\r\n');
          }
        });
      });
      const session = await SmtpSession.open(sessionOptions(server.port));
      try {
        await session.greeting();
        await session.ehlo(EHLO_NAME);
        expect((await session.startTls()).code).to.equal(220);
        expect(await failureOf(session.upgradeToTls())).to.include({ phase: 'tls', kind: 'tls' });
      } finally {
        session.close();
        await server.close();
      }
    });
  });

  describe('secrets and DATA', function () {
    for (const mechanism of ['PLAIN', 'LOGIN'] as const) {
      it(`keeps the password and its base64 forms out of the transcript (AUTH ${mechanism})`, async function () {
        const msa = await persona('compliant-msa');
        const password = 'correct horse';
        const session = await SmtpSession.open(sessionOptions(msa.port));
        try {
          await session.greeting();
          await session.ehlo(EHLO_NAME);
          await session.startTls();
          await session.upgradeToTls();
          await session.ehlo(EHLO_NAME);
          expect((await session.auth(mechanism, 'alice', password)).code).to.equal(235);
          await session.quit();
        } finally {
          session.close();
        }
        const text = JSON.stringify(session.transcript.toEvidence());
        for (const secret of [password, Buffer.from(password).toString('base64'), Buffer.from(`\0alice\0${password}`).toString('base64')]) {
          expect(text).to.not.include(secret);
        }
        expect(text).to.include('[redacted]');
      });
    }

    for (const mechanism of ['PLAIN', 'LOGIN'] as const) {
      it(`keeps them out of the replies too when the server echoes them back (AUTH ${mechanism})`, async function () {
        const password = 'echo horse';
        const base64 = (text: string): string => Buffer.from(text).toString('base64');
        const secrets = [password, base64(password), base64(`\0alice\0${password}`)];
        // A hostile server: every reply repeats what the client sent, and QUIT's repeats the password once more.
        const server = await rawServer(ADDRESS, (socket, received) => {
          socket.write('220 echo.p25s.test ESMTP\r\n');
          socket.on('data', () => {
            const last = received[received.length - 1] ?? '';
            if (last.startsWith('EHLO')) socket.write('250-echo.p25s.test\r\n250 AUTH PLAIN LOGIN\r\n');
            else if (last === 'QUIT') socket.write(`221-you said ${password}\r\n221 bye ${base64(password)}\r\n`);
            else if (last.startsWith('AUTH PLAIN')) socket.write(`535-5.7.8 you sent ${last}\r\n535 5.7.8 ${last.slice(11)} rejected\r\n`);
            else if (last === 'AUTH LOGIN' || received.length === 3) socket.write(`334 ${base64(last)}\r\n`);
            else socket.write(`535 5.7.8 ${last} (${Buffer.from(last, 'base64').toString()}) rejected\r\n`);
          });
        });
        const session = await SmtpSession.open(sessionOptions(server.port));
        const replies: unknown[] = [];
        try {
          await session.greeting();
          await session.ehlo(EHLO_NAME);
          const auth = await session.auth(mechanism, 'alice', password);
          expect(auth).to.include({ code: 535, enhancedCode: '5.7.8' });
          expect(auth.text).to.equal(auth.lines.join('\n'));
          replies.push(auth, await session.quit());
        } finally {
          session.close();
          await server.close();
        }
        // What the server was sent carried the secrets, so the echo is real.
        expect(server.received.join('\n')).to.include(mechanism === 'PLAIN' ? secrets[2] : secrets[1]);
        const text = JSON.stringify(replies);
        for (const secret of secrets) expect(text, secret).to.not.include(secret);
        expect(text).to.include('[redacted]');
      });
    }

    it('has no way to send DATA: the command path refuses it', async function () {
      const msa = await persona('compliant-msa');
      const session = await SmtpSession.open(sessionOptions(msa.port));
      try {
        await session.greeting();
        const command = (session as unknown as { command(phase: string, line: string): Promise<unknown> }).command.bind(session);
        for (const line of ['DATA', 'bdat 10 LAST', 'NOOP\r\nDATA']) {
          try {
            await command('mail', line);
            expect.fail(`${line} was sent`);
          } catch (error) {
            expect(error).to.be.instanceOf(Port25Error);
          }
        }
      } finally {
        session.close();
      }
      expect(msa.received).to.deep.equal([]);
    });
  });
});

/**
 * A STARTTLS server that, with its 220, sends reply lines in clear that a
 * client must discard (the STARTTLS response-injection pattern), then runs TLS
 * on the same socket.
 */
async function injectingServer(key: string, cert: string): Promise<{ port: number; close(): Promise<void> }> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => undefined);
    socket.write('220 mail.p25s.test ESMTP\r\n');
    let pending = '';
    const onPlain = (chunk: Buffer): void => {
      pending += chunk.toString('latin1');
      let lf: number;
      while ((lf = pending.indexOf('\n')) !== -1) {
        const line = pending.slice(0, lf).trim();
        pending = pending.slice(lf + 1);
        if (line.startsWith('EHLO')) socket.write('250-mail.p25s.test\r\n250 STARTTLS\r\n');
        else if (line === 'STARTTLS') {
          socket.removeListener('data', onPlain);
          socket.write('220 2.0.0 go ahead\r\n250-INJECTED\r\n250 INJECTED\r\n250-PARTIAL');
          const secure = new tls.TLSSocket(socket, { isServer: true, key, cert });
          secure.on('error', () => undefined);
          let tlsPending = '';
          secure.on('data', (data: Buffer) => {
            tlsPending += data.toString('latin1');
            let end: number;
            while ((end = tlsPending.indexOf('\n')) !== -1) {
              const command = tlsPending.slice(0, end).trim();
              tlsPending = tlsPending.slice(end + 1);
              if (command.startsWith('EHLO')) secure.write('250-mail.p25s.test over TLS\r\n250 AUTH PLAIN\r\n');
              else if (command === 'QUIT') secure.end('221 bye\r\n');
            }
          });
        }
      }
    };
    socket.on('data', onPlain);
  });
  await new Promise<void>((resolve) => server.listen(0, ADDRESS, resolve));
  return {
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
