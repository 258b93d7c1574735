import { expect } from 'chai';
import { canaryFingerprint, GREETING_LIMITS, isEhloName, readSmtpFingerprint, type SmtpFingerprint } from '@port25-audit/core';
import { assertNoClientSentData, startPersona, type PersonaName } from '@port25-audit/fixtures';
import { loopbackDialer, rawServer, target } from './support.js';

const ADDRESS = '127.30.6.1';

async function fingerprintOf(port: number, timeoutMs = 2000): Promise<{ fingerprint: SmtpFingerprint; wallMs: number }> {
  const connection = await loopbackDialer(target(ADDRESS, port), { timeoutMs: 1000 });
  if (connection.outcome !== 'open') throw new Error(`connect ${connection.outcome}`);
  const started = Date.now();
  try {
    const fingerprint = await readSmtpFingerprint(connection.socket, 'audit.p25s.test', { ...GREETING_LIMITS, timeoutMs });
    return { fingerprint, wallMs: Date.now() - started };
  } finally {
    connection.socket.destroy();
  }
}

async function withPersona<T>(name: PersonaName, body: (port: number) => Promise<T>): Promise<{ value: T; received: string[] }> {
  const persona = await startPersona(name, { address: ADDRESS, serverName: 'mx.canary.p25s.test' });
  try {
    const value = await body(persona.port);
    await persona.idle();
    return { value, received: persona.received };
  } finally {
    await persona.close();
  }
}

describe('SMTP fingerprint for the outbound canaries (greeting + EHLO)', function () {
  after(() => assertNoClientSentData());

  it("reads the canary's greeting and EHLO reply, sends EHLO then QUIT and nothing else", async function () {
    const { value, received } = await withPersona('compliant-msa', (port) => fingerprintOf(port));
    const { fingerprint } = value;
    expect(fingerprint.banner).to.include({ code: 220, truncated: false });
    expect(fingerprint.banner.text).to.match(/^220 mx\.canary\.p25s\.test /);
    expect(fingerprint.ehlo).to.include({ code: 250, truncated: false });
    expect(fingerprint.ehlo?.text).to.match(/^250-mx\.canary\.p25s\.test /);
    expect(fingerprint.ehloDomain).to.equal('mx.canary.p25s.test');
    expect(received).to.deep.equal(['EHLO audit.p25s.test', 'QUIT']);
    expect(canaryFingerprint(fingerprint, 'MX.Canary.p25s.test')).to.deep.equal({ greeting: true, ehlo: true, own: true });
  });

  it('tells a proxy that passes the canary banner through but answers EHLO itself', async function () {
    const server = await rawServer(ADDRESS, (socket, received) => {
      socket.write('220 mx.canary.p25s.test ESMTP\r\n');
      socket.on('data', () => {
        const last = received[received.length - 1] ?? '';
        if (last.startsWith('EHLO')) socket.write('250-proxy.isp.p25s.test Hello\r\n250 8BITMIME\r\n');
        else if (last === 'QUIT') socket.end('221 bye\r\n');
      });
    });
    try {
      const { fingerprint } = await fingerprintOf(server.port);
      expect(fingerprint.ehloDomain).to.equal('proxy.isp.p25s.test');
      expect(canaryFingerprint(fingerprint, 'mx.canary.p25s.test')).to.deep.equal({ greeting: true, ehlo: false, own: false });
    } finally {
      await server.close();
    }
  });

  it('an interceptor greeting as itself is not the canary', async function () {
    const { value } = await withPersona('intercepting-relay', (port) => fingerprintOf(port));
    expect(value.fingerprint.ehloDomain).to.equal('interceptor.isp.p25s.test');
    expect(canaryFingerprint(value.fingerprint, 'mx.canary.p25s.test')).to.include({ greeting: false, own: false });
  });

  it('sends nothing after a greeting other than 220 (RFC 5321 §3.1), and judges the greeting alone', async function () {
    const { value, received } = await withPersona('554-refusal', (port) => fingerprintOf(port));
    expect(value.fingerprint).to.include({ ehlo: null, ehloDomain: null });
    expect(value.fingerprint.banner.code).to.equal(554);
    expect(received).to.deep.equal([]);
    expect(canaryFingerprint(value.fingerprint, 'mx.canary.p25s.test')).to.deep.equal({ greeting: true, ehlo: null, own: true });
  });

  it('a tarpit costs no more than the deadline, and gets no EHLO', async function () {
    const { value, received } = await withPersona('tarpit', (port) => fingerprintOf(port, 300));
    expect(value.fingerprint.banner.truncated).to.equal(true);
    expect(value.fingerprint.ehlo).to.equal(null);
    expect(value.wallMs).to.be.below(1500);
    expect(received).to.deep.equal([]);
  });

  it('an endless EHLO reply is cut at the banner caps within the one deadline', async function () {
    const server = await rawServer(ADDRESS, (socket, received) => {
      socket.write('220 mx.canary.p25s.test ESMTP\r\n');
      socket.on('data', () => {
        if (!(received.at(-1) ?? '').startsWith('EHLO')) return;
        const flood = (): void => {
          while (!socket.destroyed && socket.write('250-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\n'));
          if (!socket.destroyed) socket.once('drain', flood);
        };
        flood();
      });
    });
    try {
      const { fingerprint, wallMs } = await fingerprintOf(server.port, 1000);
      expect(fingerprint.ehlo?.truncated).to.equal(true);
      expect(fingerprint.ehlo!.text.length).to.be.at.most(GREETING_LIMITS.maxBytes);
      expect(wallMs).to.be.below(2000);
    } finally {
      await server.close();
    }
  });

  it('refuses an EHLO name that could smuggle a command', async function () {
    expect(isEhloName('audit.example.net')).to.equal(true);
    expect(isEhloName('[192.0.2.1]')).to.equal(true);
    expect(isEhloName('a\r\nMAIL FROM:<x@y>')).to.equal(false);
    expect(isEhloName('two words')).to.equal(false);
    const server = await rawServer(ADDRESS, (socket) => socket.write('220 x\r\n'));
    try {
      const connection = await loopbackDialer(target(ADDRESS, server.port), { timeoutMs: 1000 });
      if (connection.outcome !== 'open') throw new Error('not open');
      try {
        await readSmtpFingerprint(connection.socket, 'evil\r\nDATA', { ...GREETING_LIMITS });
        expect.fail('resolved');
      } catch (error) {
        expect(error).to.be.instanceOf(RangeError);
      } finally {
        connection.socket.destroy();
      }
      expect(server.received).to.deep.equal([]);
    } finally {
      await server.close();
    }
  });
});
