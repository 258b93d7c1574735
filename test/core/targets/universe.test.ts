import { expect } from 'chai';
import { buildUniverse, Port25Error } from '@port25-audit/core';
import { planWith } from './plans.js';

describe('sampling universe', () => {
  it('counts every address of a range, network and broadcast included', () => {
    const universe = buildUniverse(planWith({ dynamic: ['203.0.113.0/24'] }));
    expect(universe.size).to.equal(256n);
    expect(universe.addressAt(0n)).to.deep.equal({ address: '203.0.113.0', family: 'IPv4' });
    expect(universe.addressAt(255n)).to.deep.equal({ address: '203.0.113.255', family: 'IPv4' });
  });

  it('merges overlapping and adjacent ranges instead of counting twice', () => {
    const universe = buildUniverse(planWith({ dynamic: ['203.0.113.0/25', '203.0.113.0/24', '203.0.113.64/26', '198.51.100.0/25', '198.51.100.128/25'] }));
    expect(universe.size).to.equal(512n);
    expect(universe.families.IPv4.intervals).to.deep.equal([
      { first: 0xc6336400n, last: 0xc63364ffn },
      { first: 0xcb007100n, last: 0xcb0071ffn },
    ]);
  });

  it('subtracts exclusions and authorized relays (addresses and ranges)', () => {
    const universe = buildUniverse(
      planWith({ dynamic: ['203.0.113.0/24'], exclude: ['203.0.113.0/26', '203.0.113.128'], relays: ['203.0.113.10', '203.0.113.252/30', '192.0.2.0/28'] }),
    );
    expect(universe.size).to.equal(256n - 64n - 1n - 4n);
    expect(universe.families.IPv4.intervals).to.deep.equal([
      { first: 0xcb007140n, last: 0xcb00717fn },
      { first: 0xcb007181n, last: 0xcb0071fbn },
    ]);
    for (const address of ['203.0.113.0', '203.0.113.63', '203.0.113.128', '203.0.113.252', '203.0.113.255']) {
      expect(universe.contains(address), address).to.equal(false);
    }
    for (const address of ['203.0.113.64', '203.0.113.127', '203.0.113.129', '203.0.113.251']) {
      expect(universe.contains(address), address).to.equal(true);
    }
  });

  it('keeps IPv4 and IPv6 apart and sizes an IPv6 /56 without enumerating it', () => {
    const universe = buildUniverse(planWith({ dynamic: ['203.0.113.0/24', '2001:db8:100::/56', '2001:db8:100:ff::/64'], exclude: ['2001:db8:100::/64'] }));
    expect(universe.families.IPv4.size).to.equal(256n);
    expect(universe.families.IPv6.size).to.equal(2n ** 72n - 2n ** 64n);
    expect(universe.size).to.equal(256n + 2n ** 72n - 2n ** 64n);
    // Indices run through IPv4 first, then IPv6.
    expect(universe.addressAt(256n)).to.deep.equal({ address: '2001:db8:100:1::', family: 'IPv6' });
    expect(universe.addressAt(universe.size - 1n)).to.deep.equal({ address: '2001:db8:100:ff:ffff:ffff:ffff:ffff', family: 'IPv6' });
  });

  it('maps indices and addresses both ways', () => {
    const universe = buildUniverse(planWith({ dynamic: ['203.0.113.0/28', '198.51.100.16/30', '2001:db8::/126'], exclude: ['203.0.113.4/30'] }));
    expect(universe.size).to.equal(12n + 4n + 4n);
    for (let index = 0n; index < universe.size; index += 1n) {
      const { address } = universe.addressAt(index);
      expect(universe.indexOf(address), address).to.equal(index);
    }
    expect(universe.indexOf('203.0.113.5')).to.equal(null);
    expect(universe.indexOf('::ffff:203.0.113.1')).to.equal(universe.indexOf('203.0.113.1'));
    expect(() => universe.addressAt(universe.size)).to.throw(RangeError);
  });

  it('is empty for a plan without ranges, or whose ranges are all excluded', () => {
    expect(buildUniverse(planWith({})).size).to.equal(0n);
    expect(buildUniverse(planWith({ dynamic: ['203.0.113.0/24'], exclude: ['203.0.112.0/23'] })).size).to.equal(0n);
  });

  it('refuses a plan that skipped normalization', () => {
    const plan = planWith({});
    plan.scope.dynamic.push('203.0.113.0/33');
    expect(() => buildUniverse(plan)).to.throw(Port25Error, 'scope.dynamic[0]: "203.0.113.0/33" is not an address or a CIDR range');
  });
});
