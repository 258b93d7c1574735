import { expect } from 'chai';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { addressesOf, namesToResolve, resolveNames, type NameLookup } from '@port25-audit/core';
import { testPlan } from '../scan/plan-fixture.js';

const plan = testPlan({
  submission: { servers: ['smtp.isp.test.example', '127.20.4.9'], domain: 'isp.test.example' },
  external: {
    mx: [
      { host: 'mx.canary.test.example', port: 25, expect: 'mx.canary.test.example' },
      { host: '127.20.4.25', port: 25, expect: null },
    ],
    submission: [
      { host: 'smtp.canary.test.example', port: 587, expect: 'smtp.canary.test.example' },
      { host: 'mx.canary.test.example', port: 587, expect: 'mx.canary.test.example' },
    ],
  },
});

/** A declarative zone: names to addresses; anything else is NXDOMAIN. Records every question. */
function zone(records: Record<string, string[]>): { lookup: NameLookup; asked: string[] } {
  const asked: string[] = [];
  const lookup: NameLookup = async (name) => {
    asked.push(name);
    const addresses = records[name];
    if (addresses === undefined) throw Object.assign(new Error(`queryA ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 'IPv6' : 'IPv4' }));
  };
  return { lookup, asked };
}

describe('net/resolve: resolveNames', function () {
  it('picks the names each vantage needs, without literals or duplicates', function () {
    // submission.domain adds the autoconfig hosts of P4 (autoconfig.DOMAIN, DOMAIN) from either vantage.
    const p4 = ['autoconfig.isp.test.example', 'isp.test.example'];
    expect(namesToResolve(plan, 'outside')).to.deep.equal(['smtp.isp.test.example', ...p4]);
    expect(namesToResolve(plan, 'inside')).to.deep.equal([
      'smtp.isp.test.example',
      'mx.canary.test.example',
      'smtp.canary.test.example',
      ...p4,
    ]);
  });

  it('resolves each name once and records one dns observation per name', async function () {
    const { lookup, asked } = zone({
      'smtp.isp.test.example': ['127.20.4.1'],
      'mx.canary.test.example': ['127.20.4.2', '::1'],
    });
    const fixed = new Date('2025-01-02T03:04:05.000Z');
    const { names, observations } = await resolveNames(plan, { vantage: 'inside', lookup, now: () => fixed });
    expect(asked.sort()).to.deep.equal([
      'autoconfig.isp.test.example',
      'isp.test.example',
      'mx.canary.test.example',
      'smtp.canary.test.example',
      'smtp.isp.test.example',
    ]);
    expect(observations.map((o) => [o.name, o.outcome])).to.deep.equal([
      ['smtp.isp.test.example', 'resolved'],
      ['mx.canary.test.example', 'resolved'],
      ['smtp.canary.test.example', 'error'],
      ['autoconfig.isp.test.example', 'error'],
      ['isp.test.example', 'error'],
    ]);
    const mx = observations[1]!;
    expect(mx).to.deep.include({
      type: 'observation',
      probe: 'dns',
      vantage: 'inside',
      startedAt: '2025-01-02T03:04:05.000Z',
      target: { host: 'mx.canary.test.example', address: '', port: 0, family: 'IPv4' },
      addresses: [
        { address: '127.20.4.2', family: 'IPv4' },
        { address: '::1', family: 'IPv6' },
      ],
    });
    expect(observations[2]).to.include({ outcome: 'error', errorCode: 'ENOTFOUND' });
    expect(names.get('smtp.canary.test.example')).to.deep.equal({ errorCode: 'ENOTFOUND' });
    expect(addressesOf('mx.canary.test.example', names)).to.have.length(2);
    expect(addressesOf('smtp.canary.test.example', names)).to.deep.equal([]);
    expect(addressesOf('127.20.4.25', names)).to.deep.equal([{ address: '127.20.4.25', family: 'IPv4' }]);
    expect(addressesOf('::1', names)).to.deep.equal([{ address: '::1', family: 'IPv6' }]);
  });

  it('records a lookup that answers nothing as an error (ENODATA)', async function () {
    const { observations } = await resolveNames(plan, { vantage: 'outside', lookup: async () => [] });
    expect(observations.map((o) => o.name)).to.deep.equal(['smtp.isp.test.example', 'autoconfig.isp.test.example', 'isp.test.example']);
    for (const observation of observations) expect(observation).to.include({ outcome: 'error', errorCode: 'ENODATA' });
  });

  it('looks up nothing for a plan of literal addresses', async function () {
    const { lookup, asked } = zone({});
    const literal = testPlan({ submission: { servers: ['127.20.4.9'] }, external: { mx: [{ host: '127.20.4.25', port: 25, expect: null }] } });
    const { observations, names } = await resolveNames(literal, { vantage: 'inside', lookup });
    expect(asked).to.deep.equal([]);
    expect(observations).to.deep.equal([]);
    expect(names.size).to.equal(0);
  });

  it('uses the system resolver by default (localhost)', async function () {
    const local = testPlan({ submission: { servers: ['localhost'] } });
    const { observations } = await resolveNames(local, { vantage: 'outside' });
    expect(observations[0]).to.include({ outcome: 'resolved', name: 'localhost' });
    const addresses = observations[0]!.addresses.map((a) => a.address);
    expect(addresses.some((a) => a === '127.0.0.1' || a === '::1')).to.equal(true);
  });

  describe('with the plan\'s own DNS servers', function () {
    let server: UdpSocket;
    let port: number;
    const queries: string[] = [];

    before(async function () {
      server = createSocket('udp4');
      server.on('message', (query, peer) => {
        const { name, type, end } = question(query);
        queries.push(`${name} ${type}`);
        const answers = type === 1 ? (A_RECORDS[name] ?? []) : [];
        const known = name in A_RECORDS;
        server.send(answer(query, end, known ? 0 : 3, answers), peer.port, peer.address);
      });
      await new Promise<void>((resolve) => server.bind(0, '127.20.4.53', () => resolve()));
      port = server.address().port;
    });
    after(function () {
      server.close();
    });

    it('asks those servers for A and AAAA (host:port)', async function () {
      const dnsPlan = testPlan({ submission: { servers: ['smtp.isp.test.example', 'gone.test.example'] }, dns: { servers: [`127.20.4.53:${port}`] } });
      const { observations } = await resolveNames(dnsPlan, { vantage: 'outside' });
      expect(observations[0]).to.deep.include({ outcome: 'resolved', addresses: [{ address: '127.20.4.1', family: 'IPv4' }] });
      expect(observations[1]).to.include({ outcome: 'error', errorCode: 'ENOTFOUND' });
      expect(queries).to.include.members(['smtp.isp.test.example 1', 'smtp.isp.test.example 28', 'gone.test.example 1']);
    });

    it('reports a server that never answers as a timeout', async function () {
      const silent = createSocket('udp4');
      await new Promise<void>((resolve) => silent.bind(0, '127.20.4.54', () => resolve()));
      try {
        const dnsPlan = testPlan({ submission: { servers: ['smtp.isp.test.example'] }, dns: { servers: [`127.20.4.54:${silent.address().port}`] }, probe: { connectTimeoutMs: 100 } });
        const { observations } = await resolveNames(dnsPlan, { vantage: 'outside' });
        expect(observations[0]).to.include({ outcome: 'error', errorCode: 'ETIMEOUT' });
      } finally {
        silent.close();
      }
    });
  });
});

const A_RECORDS: Record<string, number[][]> = { 'smtp.isp.test.example': [[127, 20, 4, 1]] };

/** The question of a DNS query (RFC 1035 §4.1.2): name, type, and where it ends. */
function question(query: Buffer): { name: string; type: number; end: number } {
  const labels: string[] = [];
  let at = 12;
  while (query[at]! > 0) {
    labels.push(query.toString('ascii', at + 1, at + 1 + query[at]!));
    at += query[at]! + 1;
  }
  return { name: labels.join('.'), type: query.readUInt16BE(at + 1), end: at + 5 };
}

/** A response (RFC 1035 §4.1.1): the question echoed, then A records pointing back at it. */
function answer(query: Buffer, questionEnd: number, rcode: number, addresses: number[][]): Buffer {
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2);
  header.writeUInt16BE(0x8180 | rcode, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(addresses.length, 6);
  const records = addresses.map((bytes) => {
    const record = Buffer.alloc(16);
    record.writeUInt16BE(0xc00c, 0);
    record.writeUInt16BE(1, 2);
    record.writeUInt16BE(1, 4);
    record.writeUInt32BE(60, 6);
    record.writeUInt16BE(4, 10);
    Buffer.from(bytes).copy(record, 12);
    return record;
  });
  return Buffer.concat([header, query.subarray(12, questionEnd), ...records]);
}
