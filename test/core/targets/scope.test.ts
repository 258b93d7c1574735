import { expect } from 'chai';
import { createScope, formatAddress, parseRange, type NameTable } from '@port25-audit/core';
import { planWith } from './plans.js';

/** Deterministic test randomness (mulberry32): a failing case can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function randomBits(next: () => number, bits: number): bigint {
  let value = 0n;
  for (let i = 0; i < bits; i += 16) value = (value << 16n) | BigInt(Math.floor(next() * 0x10000));
  return value & ((1n << BigInt(bits)) - 1n);
}

const plan = planWith({
  dynamic: ['203.0.113.0/24', '2001:db8:100::/56'],
  hosts: ['198.51.100.7', '2001:db8:ffff::7', '203.0.113.20'],
  exclude: ['203.0.113.0/28', '198.51.100.7'],
  relays: ['192.0.2.0/28', '203.0.113.10'],
  extra: {
    submission: { servers: ['smtp.example.net', '198.51.100.25'], domain: 'example.net' },
    external: { mx: ['mx.example.org', { host: '198.51.100.99', port: 2525 }], submission: ['2001:db8:aaaa::587'] },
  },
});

const names: NameTable = new Map([
  ['smtp.example.net', { addresses: [{ address: '198.51.100.40', family: 'IPv4' as const }, { address: '2001:db8:5::40', family: 'IPv6' as const }] }],
  ['mx.example.org', { errorCode: 'ENOTFOUND' }],
]);

describe('scope', () => {
  const scope = createScope(plan, names);

  it('allows every place the plan names an address', () => {
    for (const address of [
      '203.0.113.16', // scope.dynamic, past the exclusion
      '203.0.113.255', // broadcast address of a range: every address counts
      '2001:db8:100:ff:ffff:ffff:ffff:ffff',
      '2001:db8:ffff::7', // scope.hosts
      '192.0.2.0', // authorizedRelays range
      '203.0.113.10', // relay inside an exclusion: named explicitly
      '198.51.100.25', // literal submission server
      '198.51.100.99', // literal MX canary
      '2001:db8:aaaa::587', // literal submission canary
      '198.51.100.40', // resolved name
      '2001:db8:5::40',
    ]) {
      expect(scope.allows(address), address).to.equal(true);
    }
  });

  it('refuses excluded addresses, even when listed as hosts', () => {
    for (const address of ['203.0.113.0', '203.0.113.15', '203.0.113.9', '198.51.100.7']) expect(scope.allows(address), address).to.equal(false);
  });

  it('judges IPv4-mapped IPv6 as the IPv4 address and accepts any spelling of an address', () => {
    expect(scope.allows('::ffff:203.0.113.77')).to.equal(true);
    expect(scope.allows('::ffff:cb00:714d')).to.equal(true);
    expect(scope.allows('::ffff:203.0.113.1')).to.equal(false);
    expect(scope.allows('::ffff:8.8.8.8')).to.equal(false);
    expect(scope.allows('2001:DB8:100:0:0:0:0:1')).to.equal(true);
  });

  it('refuses what is not an address, and names of the plan as text (only their resolved addresses count)', () => {
    for (const text of ['smtp.example.net', 'mx.example.org', '203.0.113.0/24', '', '[2001:db8:100::1]', 'fe80::1%lo']) {
      expect(scope.allows(text), text).to.equal(false);
    }
  });

  it('refuses random addresses outside the plan (property: 20,000 addresses of each family)', () => {
    const next = random(2025);
    const named = [
      '203.0.113.0/24', '198.51.100.0/24', '192.0.2.0/28', '2001:db8:100::/56', '2001:db8:ffff::7', '2001:db8:aaaa::587', '2001:db8:5::40',
    ].map((text) => parseRange(text)!);
    let checked = 0;
    for (let i = 0; i < 20_000; i += 1) {
      for (const family of ['IPv4', 'IPv6'] as const) {
        const value = randomBits(next, family === 'IPv4' ? 32 : 128);
        if (named.some((range) => range.family === family && value >= range.first && value <= range.last)) continue;
        const address = formatAddress(family, value);
        if (scope.allows(address)) expect.fail(`${address} is outside the plan but allowed`);
        checked += 1;
      }
    }
    expect(checked).to.be.greaterThan(39_000);
  });

  it('allows random addresses inside the dynamic ranges except the excluded ones (property)', () => {
    const next = random(7);
    for (let i = 0; i < 5000; i += 1) {
      const low = Math.floor(next() * 256);
      expect(scope.allows(`203.0.113.${low}`), `203.0.113.${low}`).to.equal(low >= 16 || low === 10);
      const v6 = formatAddress('IPv6', (0x20010db80100n << 80n) | randomBits(next, 72));
      expect(scope.allows(v6), v6).to.equal(true);
    }
  });

  it('refuses the addresses just outside each range', () => {
    for (const address of ['203.0.112.255', '203.0.114.0', '192.0.1.255', '192.0.2.16', '2001:db8:ff:ffff:ffff:ffff:ffff:ffff', '2001:db8:101::', '2001:db8:ffff::6', '2001:db8:ffff::8']) {
      expect(scope.allows(address), address).to.equal(false);
    }
  });

  it('allows nothing for a plan that names nothing', () => {
    const empty = createScope(planWith({}), new Map());
    for (const address of ['127.0.0.1', '::1', '203.0.113.1', '0.0.0.0']) expect(empty.allows(address), address).to.equal(false);
  });

  it('describes where the plan names an address, or why it is refused', () => {
    expect(scope.describe('203.0.113.77')).to.equal('203.0.113.77 is in scope.dynamic (203.0.113.0/24)');
    expect(scope.describe('2001:db8:ffff::7')).to.equal('2001:db8:ffff::7 is listed in scope.hosts');
    expect(scope.describe('192.0.2.3')).to.equal('192.0.2.3 is named by authorizedRelays (192.0.2.0/28)');
    expect(scope.describe('198.51.100.25')).to.equal('198.51.100.25 is named by submission.servers');
    expect(scope.describe('198.51.100.99')).to.equal('198.51.100.99 is named by external.mx');
    expect(scope.describe('198.51.100.40')).to.equal('198.51.100.40 is an address of smtp.example.net, which the plan names');
    expect(scope.describe('203.0.113.3')).to.equal('203.0.113.3 is refused: scope.exclude removes it (203.0.113.0/28)');
    expect(scope.describe('8.8.8.8')).to.equal('8.8.8.8 is refused: the plan does not name it');
    expect(scope.describe('::ffff:203.0.113.77')).to.equal('::ffff:203.0.113.77 (203.0.113.77) is in scope.dynamic (203.0.113.0/24)');
    expect(scope.describe('mx.example.org')).to.equal('"mx.example.org" is not an IP address');
  });
});
