import { expect } from 'chai';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { connect as tlsConnect, createServer as createTlsServer } from 'node:tls';
import { createFixtureCa } from '@port25-audit/fixtures';
import { readBanner, tcpDialer, tcpHandleAvailable, type Connection, type Target } from '@port25-audit/core';
import { greeter, listen, unusedPort, type TestListener } from '../net/listeners.js';

const target = (address: string, port: number): Target => ({ host: null, address, port, family: 'IPv4' });

/** TCP handles the process holds (sockets, servers), to prove none leaks. */
function tcpHandles(): number {
  return process.getActiveResourcesInfo().filter((name) => name === 'TCPSocketWrap' || name === 'TCPWRAP').length;
}

async function settle(until: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !until(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('net/tcp: the connect paths of the scan engine', function () {
  it('uses the TCP handle on this Node (the fast path the scan relies on)', function () {
    expect(tcpHandleAvailable()).to.equal(true);
  });

  for (const connectWith of ['handle', 'socket'] as const) {
    describe(`connectWith: ${connectWith}`, function () {
      const dial = tcpDialer({ connectWith });
      let greeting: TestListener;
      before(async function () {
        greeting = await listen('127.20.3.1', greeter('220-first.test.example\r\n220 ESMTP\r\n'));
      });
      after(async function () {
        await greeting.close();
      });

      it('opens an ordinary socket: addresses, the greeting, and a clean close', async function () {
        const connection = await dial(target('127.20.3.1', greeting.port), { timeoutMs: 2000 });
        expect(connection.outcome).to.equal('open');
        if (connection.outcome !== 'open') return;
        expect(connection.socket.remoteAddress).to.equal('127.20.3.1');
        expect(connection.socket.remotePort).to.equal(greeting.port);
        const banner = await readBanner(connection.socket, { maxBytes: 4096, maxLines: 8, timeoutMs: 2000 });
        expect(banner).to.deep.include({ text: '220-first.test.example\r\n220 ESMTP', code: 220, truncated: false });
        connection.socket.destroy();
      });

      it('carries a TLS session over the socket it opened (STARTTLS upgrades it)', async function () {
        const ca = createFixtureCa();
        const leaf = ca.issue({ names: ['tls.p25p.test'] });
        const server = createTlsServer({ key: leaf.keyPem, cert: leaf.chainPem }, (socket) => socket.end('hello over TLS\n'));
        await new Promise<void>((resolve) => server.listen(0, '127.20.3.2', resolve));
        try {
          const port = (server.address() as { port: number }).port;
          const connection = await dial(target('127.20.3.2', port), { timeoutMs: 2000 });
          expect(connection.outcome).to.equal('open');
          if (connection.outcome !== 'open') return;
          const secure = tlsConnect({ socket: connection.socket, ca: ca.certPem, servername: 'tls.p25p.test' });
          const text = await new Promise<string>((resolve, reject) => {
            let received = '';
            secure.on('data', (chunk: Buffer) => (received += chunk.toString()));
            secure.once('end', () => resolve(received));
            secure.once('error', reject);
          });
          expect(secure.authorized).to.equal(true);
          expect(text).to.equal('hello over TLS\n');
          secure.destroy();
        } finally {
          await new Promise<void>((resolve) => server.close(() => resolve()));
        }
      });

      it('reports a port nobody listens on as closed', async function () {
        const port = await unusedPort('127.20.3.3');
        expect(await dial(target('127.20.3.3', port), { timeoutMs: 2000 })).to.include({ outcome: 'closed', errorCode: 'ECONNREFUSED' });
      });

      it('refuses a port beyond 65535 instead of letting it wrap to another port', async function () {
        // 70000 mod 65536 = 4464: a listener there must see nothing.
        const wrapped = await new Promise<{ close(): Promise<void>; accepted: () => number }>((resolve, reject) => {
          let accepted = 0;
          const server = createTcpServer((socket: Socket) => {
            accepted++;
            socket.destroy();
          });
          server.once('error', reject);
          server.listen(70000 - 65536, '127.20.3.4', () =>
            resolve({ close: () => new Promise((done) => server.close(() => done())), accepted: () => accepted }),
          );
        }).catch(() => null);
        try {
          const connection = await dial(target('127.20.3.4', 70000), { timeoutMs: 2000 });
          expect(connection).to.include({ outcome: 'error' });
          expect((connection as Extract<Connection, { errorCode: string }>).errorCode).to.match(/PORT/);
          await new Promise((resolve) => setTimeout(resolve, 50));
          if (wrapped !== null) expect(wrapped.accepted()).to.equal(0);
        } finally {
          await wrapped?.close();
        }
      });

      it('refuses a host name and an aborted signal without a connection', async function () {
        const before = greeting.accepted;
        expect(await dial({ host: 'localhost', address: 'localhost', port: greeting.port, family: 'IPv4' }, { timeoutMs: 2000 })).to.deep.equal({
          outcome: 'error',
          ms: 0,
          errorCode: 'NOT_AN_ADDRESS',
        });
        expect(await dial(target('127.20.3.1', greeting.port), { timeoutMs: 2000, signal: AbortSignal.abort() })).to.include({ outcome: 'error', errorCode: 'ABORTED' });
        await new Promise((resolve) => setTimeout(resolve, 20));
        expect(greeting.accepted).to.equal(before);
      });

      it('leaves no handle behind after hundreds of closed and opened dials', async function () {
        const before = tcpHandles();
        const port = await unusedPort('127.20.3.5');
        const results = await Promise.all(
          Array.from({ length: 300 }, (_, i) =>
            i % 3 === 0 ? dial(target('127.20.3.1', greeting.port), { timeoutMs: 2000 }) : dial(target(`127.20.3.${5 + (i % 50)}`, port), { timeoutMs: 2000 }),
          ),
        );
        for (const connection of results) if (connection.outcome === 'open') connection.socket.destroy();
        expect(results.filter((c) => c.outcome === 'open')).to.have.length(100);
        expect(results.filter((c) => c.outcome === 'closed')).to.have.length(200);
        // Closing is asynchronous (and the listener closes its side when ours goes): wait for it, boundedly.
        await settle(() => tcpHandles() === before);
        expect(tcpHandles()).to.equal(before);
      });
    });
  }
});
