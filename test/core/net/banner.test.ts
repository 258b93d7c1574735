import { expect } from 'chai';
import type { Socket } from 'node:net';
import { readBanner, tcpDialer, type Banner } from '@port25-audit/core';
import { greeter, listen, type TestListener } from './listeners.js';

const LIMITS = { maxBytes: 512, maxLines: 8, timeoutMs: 1500 };

/** Connects to a fresh listener with the given behaviour and reads its banner. */
async function bannerFrom(behave: (socket: Socket) => void, limits = LIMITS): Promise<{ banner: Banner; socket: Socket; listener: TestListener }> {
  const listener = await listen('127.20.2.1', behave);
  const connection = await tcpDialer()({ host: null, address: '127.20.2.1', port: listener.port, family: 'IPv4' }, { timeoutMs: 2000 });
  if (connection.outcome !== 'open') throw new Error(`listener did not open: ${connection.outcome}`);
  const banner = await readBanner(connection.socket, limits);
  return { banner, socket: connection.socket, listener };
}

describe('net/banner: readBanner', function () {
  const open: { socket: Socket; listener: TestListener }[] = [];
  async function read(behave: (socket: Socket) => void, limits = LIMITS): Promise<Banner> {
    const result = await bannerFrom(behave, limits);
    open.push(result);
    return result.banner;
  }
  afterEach(async function () {
    for (const { socket, listener } of open.splice(0)) {
      socket.destroy();
      await listener.close();
    }
  });

  it('reads a one-line greeting', async function () {
    const banner = await read(greeter('220 mx.test.example ESMTP ready\r\n'));
    expect(banner).to.include({ text: '220 mx.test.example ESMTP ready', code: 220, truncated: false });
  });

  it('accepts a bare reply code with no text (RFC 5321 §4.2)', async function () {
    const banner = await read(greeter('220\r\n'));
    expect(banner).to.include({ text: '220', code: 220, truncated: false });
  });

  it('joins a multi-line greeting up to its last line', async function () {
    const banner = await read(greeter('220-mx.test.example\r\n220-no spam please\r\n220 ready\r\n'));
    expect(banner).to.include({ text: '220-mx.test.example\r\n220-no spam please\r\n220 ready', code: 220, truncated: false });
  });

  it('reads a greeting that arrives in pieces', async function () {
    const banner = await read((socket) => {
      socket.write('22');
      setTimeout(() => socket.write('0-first\r'), 20);
      setTimeout(() => socket.write('\n220 second\r\n'), 40);
    });
    expect(banner).to.include({ text: '220-first\r\n220 second', code: 220, truncated: false });
  });

  it('accepts bare LF line ends', async function () {
    const banner = await read(greeter('554-go away\n554 really\n'));
    expect(banner).to.include({ text: '554-go away\n554 really', code: 554, truncated: false });
  });

  it('ends at a line that is not an SMTP reply and keeps its text', async function () {
    const banner = await read(greeter('SSH-2.0-OpenSSH_9.6\r\n'));
    expect(banner).to.include({ text: 'SSH-2.0-OpenSSH_9.6', code: null, truncated: false });
  });

  it('keeps control bytes and markup as received', async function () {
    const banner = await read(greeter('220 <script>\u0007\u001b[31m\r\n'));
    expect(banner.text).to.equal('220 <script>\u0007\u001b[31m');
  });

  it('cuts an endless line at the byte cap', async function () {
    const banner = await read((socket) => {
      socket.write(`220 ${'A'.repeat(100_000)}`);
    });
    expect(banner.truncated).to.equal(true);
    expect(banner.code).to.equal(220);
    expect(Buffer.byteLength(banner.text)).to.equal(LIMITS.maxBytes);
  });

  it('cuts an endless multi-line reply at the line cap', async function () {
    const banner = await read((socket) => {
      const timer = setInterval(() => socket.write('220-more\r\n'.repeat(4)), 5);
      socket.on('close', () => clearInterval(timer));
    });
    expect(banner.truncated).to.equal(true);
    expect(banner.text.split('\r\n')).to.have.length(LIMITS.maxLines);
    expect(banner.ms).to.be.below(LIMITS.timeoutMs);
  });

  it('gives up on a trickling greeting at the deadline and keeps what came', async function () {
    const banner = await read(
      (socket) => {
        let sent = 0;
        const text = '220 slow';
        const timer = setInterval(() => {
          if (sent < text.length) socket.write(text[sent++]!);
        }, 40);
        socket.on('close', () => clearInterval(timer));
      },
      { ...LIMITS, timeoutMs: 200 },
    );
    expect(banner.truncated).to.equal(true);
    expect(banner.text.length).to.be.within(1, 7);
    expect('220 slow'.startsWith(banner.text)).to.equal(true);
    expect(banner.ms).to.be.within(150, 1500);
  });

  it('returns an empty, truncated banner when the peer says nothing', async function () {
    const banner = await read(() => {}, { ...LIMITS, timeoutMs: 150 });
    expect(banner).to.include({ text: '', code: null, truncated: true });
  });

  it('returns at once when the peer closes without a word', async function () {
    const banner = await read((socket) => socket.end());
    expect(banner).to.include({ text: '', code: null, truncated: true });
    expect(banner.ms).to.be.below(LIMITS.timeoutMs);
  });

  it('returns what came when the peer resets the connection', async function () {
    const banner = await read((socket) => {
      socket.write('220-partial\r\n', () => setTimeout(() => socket.resetAndDestroy(), 20));
    });
    expect(banner).to.include({ text: '220-partial', code: 220, truncated: true });
  });

  it('stops when the signal fires', async function () {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const banner = await read(() => {}, { ...LIMITS, timeoutMs: 5000, signal: controller.signal } as typeof LIMITS);
    expect(banner.truncated).to.equal(true);
    expect(banner.ms).to.be.below(2000);
  });

  it('leaves the bytes after the reply in the socket', async function () {
    const { banner, socket, listener } = await bannerFrom(greeter('220 hello\r\n250 next\r\n'));
    open.push({ socket, listener });
    expect(banner.text).to.equal('220 hello');
    const rest = await new Promise<string>((resolve) => {
      let seen = '';
      socket.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        if (seen.endsWith('\n')) resolve(seen);
      });
      socket.resume();
    });
    expect(rest).to.equal('250 next\r\n');
  });
});
