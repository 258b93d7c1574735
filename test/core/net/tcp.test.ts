import { expect } from 'chai';
import { outcomeOfErrorCode, tcpDialer, type Target } from '@port25-audit/core';
import { listen, unusedPort, type TestListener } from './listeners.js';

function target(address: string, port: number): Target {
  return { host: null, address, port, family: address.includes(':') ? 'IPv6' : 'IPv4' };
}

/** TCP handles the process holds (sockets, servers), to prove none leaks. */
function tcpHandles(): number {
  return process.getActiveResourcesInfo().filter((name) => name === 'TCPSocketWrap' || name === 'TCPWRAP').length;
}

describe('net/tcp: tcpDialer', function () {
  const dial = tcpDialer();
  let listener: TestListener;

  before(async function () {
    listener = await listen('127.20.1.1', () => {});
  });
  after(async function () {
    await listener.close();
  });

  it('opens a connection to a listener and hands the socket over', async function () {
    const connection = await dial(target('127.20.1.1', listener.port), { timeoutMs: 2000 });
    expect(connection.outcome).to.equal('open');
    if (connection.outcome !== 'open') return;
    expect(connection.ms).to.be.a('number').and.at.least(0);
    expect(connection.socket.remoteAddress).to.equal('127.20.1.1');
    expect(connection.socket.remotePort).to.equal(listener.port);
    connection.socket.destroy();
  });

  it('reports a port nobody listens on as closed (RST, ECONNREFUSED)', async function () {
    const port = await unusedPort('127.20.1.2');
    const connection = await dial(target('127.20.1.2', port), { timeoutMs: 2000 });
    expect(connection).to.include({ outcome: 'closed', errorCode: 'ECONNREFUSED' });
  });

  it('connects over IPv6 loopback', async function () {
    const v6 = await listen('::1', () => {});
    try {
      const connection = await dial(target('::1', v6.port), { timeoutMs: 2000 });
      expect(connection.outcome).to.equal('open');
      if (connection.outcome === 'open') connection.socket.destroy();
    } finally {
      await v6.close();
    }
  });

  it('refuses a host name instead of looking it up', async function () {
    const connection = await dial({ host: 'localhost', address: 'localhost', port: listener.port, family: 'IPv4' }, { timeoutMs: 2000 });
    expect(connection).to.deep.equal({ outcome: 'error', ms: 0, errorCode: 'NOT_AN_ADDRESS' });
    expect(listener.accepted).to.equal(1); // only the first test's connection
  });

  it('does not dial when the signal has already fired', async function () {
    const before = listener.accepted;
    const connection = await dial(target('127.20.1.1', listener.port), { timeoutMs: 2000, signal: AbortSignal.abort() });
    expect(connection).to.include({ outcome: 'error', errorCode: 'ABORTED' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(listener.accepted).to.equal(before);
  });

  it('reports a bad port as a local error, not as a finding about the host', async function () {
    const connection = await dial(target('127.20.1.1', 70000), { timeoutMs: 2000 });
    expect(connection.outcome).to.equal('error');
  });

  it('leaves no socket behind after hundreds of closed and opened dials', async function () {
    const before = tcpHandles();
    const port = await unusedPort('127.20.1.3');
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        i % 3 === 0 ? dial(target('127.20.1.1', listener.port), { timeoutMs: 2000 }) : dial(target(`127.20.1.${3 + (i % 50)}`, port), { timeoutMs: 2000 }),
      ),
    );
    for (const connection of results) if (connection.outcome === 'open') connection.socket.destroy();
    expect(results.filter((c) => c.outcome === 'open')).to.have.length(100);
    expect(results.filter((c) => c.outcome === 'closed')).to.have.length(200);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(tcpHandles()).to.equal(before);
  });

  it('maps OS error codes to outcomes', function () {
    expect(outcomeOfErrorCode('ECONNREFUSED')).to.equal('closed');
    expect(outcomeOfErrorCode('ETIMEDOUT')).to.equal('filtered');
    for (const code of ['EHOSTUNREACH', 'ENETUNREACH', 'EACCES', 'EPERM']) expect(outcomeOfErrorCode(code)).to.equal('unreachable');
    for (const code of ['EMFILE', 'EADDRNOTAVAIL', 'ENOBUFS']) expect(outcomeOfErrorCode(code)).to.equal('error');
  });
});
