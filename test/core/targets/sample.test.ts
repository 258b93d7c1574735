import { expect } from 'chai';
import { buildUniverse, createPermutation, parseAddress, parseShard, Port25Error, sampleSize, sampleTargets, type Plan } from '@port25-audit/core';
import { planWith } from './plans.js';

function addresses(plan: Plan, shard?: { index: number; count: number }): string[] {
  return [...sampleTargets(plan, shard)].map((target) => target.address);
}

/** Every address of small ranges, listed by hand-rolled arithmetic, to compare a census with. */
function enumerateIPv4(first: string, count: number): string[] {
  const start = Number(parseAddress(first)!.value);
  return Array.from({ length: count }, (_, i) => {
    const value = start + i;
    return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
  });
}

describe('seeded sample', () => {
  describe('determinism (golden lists: a change here changes every audit\'s sample)', () => {
    it('draws the same IPv4 addresses for seed 1 on every machine', () => {
      expect(addresses(planWith({ dynamic: ['203.0.113.0/24'], size: 8, seed: 1 }))).to.deep.equal([
        '203.0.113.82',
        '203.0.113.37',
        '203.0.113.64',
        '203.0.113.236',
        '203.0.113.87',
        '203.0.113.110',
        '203.0.113.111',
        '203.0.113.19',
      ]);
    });

    it('draws the same IPv6 addresses from a /56 for seed 1', () => {
      expect(addresses(planWith({ dynamic: ['2001:db8:100::/56'], size: 4, seed: 1 }))).to.deep.equal([
        '2001:db8:100:f2:701e:880e:c12:e5f3',
        '2001:db8:100:e8:a341:e674:20a4:2ede',
        '2001:db8:100:fc:25eb:277c:d5aa:30de',
        '2001:db8:100:75:4f55:99f3:bb7d:300c',
      ]);
    });

    it('draws the same mixed sample, hosts first, for seed 42', () => {
      const plan = planWith({ dynamic: ['203.0.113.0/24', '2001:db8:100::/120'], hosts: ['192.0.2.9'], size: 8, seed: 42 });
      expect([...sampleTargets(plan)]).to.deep.equal([
        { address: '192.0.2.9', family: 'IPv4' },
        { address: '203.0.113.196', family: 'IPv4' },
        { address: '203.0.113.32', family: 'IPv4' },
        { address: '2001:db8:100::39', family: 'IPv6' },
        { address: '2001:db8:100::fd', family: 'IPv6' },
        { address: '2001:db8:100::78', family: 'IPv6' },
        { address: '2001:db8:100::9d', family: 'IPv6' },
        { address: '203.0.113.234', family: 'IPv4' },
        { address: '203.0.113.41', family: 'IPv4' },
      ]);
    });

    it('draws another sample for another seed, and the same one again for the same seed', () => {
      const one = addresses(planWith({ dynamic: ['198.51.100.0/24'], size: 32, seed: 1 }));
      expect(addresses(planWith({ dynamic: ['198.51.100.0/24'], size: 32, seed: 1 }))).to.deep.equal(one);
      expect(addresses(planWith({ dynamic: ['198.51.100.0/24'], size: 32, seed: 2 }))).to.not.deep.equal(one);
    });
  });

  describe('without replacement', () => {
    it('never draws an address twice, and only addresses of the ranges', () => {
      const sample = addresses(planWith({ dynamic: ['203.0.113.0/24', '198.51.100.0/25'], size: 300 }));
      expect(sample).to.have.length(300);
      expect(new Set(sample).size).to.equal(300);
      for (const address of sample) expect(address, address).to.match(/^(?:203\.0\.113\.|198\.51\.100\.(?:\d|[1-9]\d|1[01]\d|12[0-7])$)/);
    });

    it('takes a census of every address when the size reaches the universe, network and broadcast included', () => {
      const plan = planWith({ dynamic: ['203.0.113.0/26', '203.0.113.32/27', '203.0.113.64/30'], size: 68 });
      const census = addresses(plan);
      expect(census).to.have.length(68);
      expect(new Set(census)).to.deep.equal(new Set(enumerateIPv4('203.0.113.0', 68)));
      expect(census).to.include('203.0.113.0').and.include('203.0.113.63').and.include('203.0.113.67');
      expect(addresses(planWith({ dynamic: ['203.0.113.0/26', '203.0.113.64/30'], size: 1_000_000 }))).to.have.length(68);
    });

    it('never draws excluded addresses or authorized relays', () => {
      const plan = planWith({
        dynamic: ['203.0.113.0/24'],
        exclude: ['203.0.113.0/26', '203.0.113.200'],
        relays: ['203.0.113.10', '203.0.113.128/29'],
        size: 10_000,
      });
      const census = addresses(plan);
      expect(census).to.have.length(256 - 64 - 1 - 8);
      const forbidden = new Set([...enumerateIPv4('203.0.113.0', 64), '203.0.113.200', ...enumerateIPv4('203.0.113.128', 8)]);
      for (const address of census) expect(forbidden.has(address), address).to.equal(false);
    });

    it('draws IPv4 and IPv6 together with their families', () => {
      const census = [...sampleTargets(planWith({ dynamic: ['203.0.113.0/30', '2001:db8::/126'], size: 100 }))];
      expect(census).to.have.length(8);
      expect(census.filter((target) => target.family === 'IPv4').map((target) => target.address).sort()).to.deep.equal(enumerateIPv4('203.0.113.0', 4));
      expect(census.filter((target) => target.family === 'IPv6').map((target) => target.address).sort()).to.deep.equal([
        '2001:db8::',
        '2001:db8::1',
        '2001:db8::2',
        '2001:db8::3',
      ]);
    });

    it('is empty without ranges or hosts', () => {
      expect(addresses(planWith({}))).to.deep.equal([]);
      expect(sampleSize(planWith({}))).to.equal(0n);
    });
  });

  describe('explicit hosts', () => {
    it('come first, deduplicated, minus exclusions and relays, and are not drawn again from the ranges', () => {
      const plan = planWith({
        dynamic: ['203.0.113.0/28'],
        hosts: ['203.0.113.5', '2001:db8::9', '203.0.113.5', '::ffff:203.0.113.6', '192.0.2.1', '192.0.2.77'],
        exclude: ['192.0.2.1'],
        relays: ['192.0.2.77'],
        size: 1000,
      });
      const sample = addresses(plan);
      expect(sample.slice(0, 3)).to.deep.equal(['203.0.113.5', '2001:db8::9', '203.0.113.6']);
      expect(sample).to.have.length(3 + 14);
      expect(new Set(sample).size).to.equal(sample.length);
      expect(new Set(sample.slice(3))).to.deep.equal(new Set(enumerateIPv4('203.0.113.0', 16).filter((a) => a !== '203.0.113.5' && a !== '203.0.113.6')));
      expect(sampleSize(plan)).to.equal(17n);
    });

    it('are probed even when the sample size is smaller than their number', () => {
      const plan = planWith({ dynamic: ['203.0.113.0/24'], hosts: ['192.0.2.1', '192.0.2.2', '192.0.2.3'], size: 2 });
      const sample = addresses(plan);
      expect(sample.slice(0, 3)).to.deep.equal(['192.0.2.1', '192.0.2.2', '192.0.2.3']);
      expect(sample).to.have.length(5);
      expect(sampleSize(plan)).to.equal(5n);
    });

    it('inside a range leave the range sample its full size', () => {
      const plan = planWith({ dynamic: ['203.0.113.0/24'], hosts: ['203.0.113.82'], size: 8, seed: 1 });
      const sample = addresses(plan);
      // 203.0.113.82 is the first draw of seed 1 (see the golden list): it is skipped, and one more is drawn.
      expect(sample).to.deep.equal(['203.0.113.82', '203.0.113.37', '203.0.113.64', '203.0.113.236', '203.0.113.87', '203.0.113.110', '203.0.113.111', '203.0.113.19', sample[8]]);
      expect(sample).to.have.length(9);
      expect(new Set(sample).size).to.equal(9);
    });
  });

  describe('sampleSize', () => {
    it('is the hosts plus min(size, addresses in scope)', () => {
      expect(sampleSize(planWith({ dynamic: ['10.0.0.0/8'] }))).to.equal(256n);
      expect(sampleSize(planWith({ dynamic: ['2001:db8:100::/56'], size: 1000 }))).to.equal(1000n);
      expect(sampleSize(planWith({ dynamic: ['203.0.113.0/28'], size: 1000 }))).to.equal(16n);
      expect(sampleSize(planWith({ dynamic: ['203.0.113.0/28'], hosts: ['192.0.2.1'], size: 4 }))).to.equal(5n);
    });
  });

  describe('large ranges (never enumerated)', () => {
    it('samples 256 from a /8 and from an IPv6 /56 without hanging', () => {
      const started = performance.now();
      const v4 = addresses(planWith({ dynamic: ['10.0.0.0/8'] }));
      const v6 = addresses(planWith({ dynamic: ['2001:db8:100::/56'] }));
      expect(v4).to.have.length(256);
      expect(v6).to.have.length(256);
      expect(new Set([...v4, ...v6]).size).to.equal(512);
      for (const address of v6) expect(address.startsWith('2001:db8:100:'), address).to.equal(true);
      // Generous bound: milliseconds in practice; an enumeration would take forever.
      expect(performance.now() - started).to.be.lessThan(5000);
    });

    it('streams a million distinct addresses from a /8', function () {
      this.timeout(60_000);
      const seen = new Uint8Array(2 ** 24 / 8);
      let count = 0;
      let outside = 0;
      let repeated = 0;
      for (const { address } of sampleTargets(planWith({ dynamic: ['10.0.0.0/8'], size: 1_000_000 }))) {
        const [a, b, c, d] = address.split('.').map(Number) as [number, number, number, number];
        if (a !== 10) outside += 1;
        const offset = (b << 16) | (c << 8) | d;
        if (seen[offset >>> 3]! & (1 << (offset & 7))) repeated += 1;
        seen[offset >>> 3]! |= 1 << (offset & 7);
        count += 1;
      }
      expect({ count, outside, repeated }).to.deep.equal({ count: 1_000_000, outside: 0, repeated: 0 });
    });
  });

  describe('shards', () => {
    const cases: [string, Plan][] = [
      ['IPv4 range with hosts outside it', planWith({ dynamic: ['203.0.113.0/24'], hosts: ['192.0.2.1', '192.0.2.2'], size: 100 })],
      ['a host inside the range (skipped draws)', planWith({ dynamic: ['203.0.113.0/24'], hosts: ['203.0.113.82', '192.0.2.5', '203.0.113.9'], size: 100 })],
      ['an IPv6 /56 (BigInt arithmetic) with a host', planWith({ dynamic: ['2001:db8:100::/56', '203.0.113.0/28'], hosts: ['2001:db8:100::1'], size: 61 })],
      ['a census', planWith({ dynamic: ['203.0.113.0/27'], hosts: ['203.0.113.1'], size: 1000 })],
    ];
    for (const [name, plan] of cases) {
      it(`split one sample into disjoint parts whose union is the whole: ${name}`, () => {
        const whole = addresses(plan);
        expect(BigInt(whole.length)).to.equal(sampleSize(plan));
        for (const count of [1, 2, 3, 7, 16, 500]) {
          const parts = Array.from({ length: count }, (_, index) => addresses(plan, { index, count }));
          for (let index = 0; index < count; index += 1) {
            // Shard K holds the sample positions i with i mod N = K, in order.
            expect(parts[index], `${index}/${count}`).to.deep.equal(whole.filter((_, position) => position % count === index));
          }
          const union = parts.flat();
          expect(union).to.have.length(whole.length);
          expect(new Set(union)).to.deep.equal(new Set(whole));
        }
      });
    }

    it('refuses a shard outside 0 ≤ K < N', () => {
      const plan = planWith({ dynamic: ['203.0.113.0/24'] });
      expect(() => addresses(plan, { index: 2, count: 2 })).to.throw(Port25Error, 'shard 2/2');
      expect(() => addresses(plan, { index: 0, count: 0 })).to.throw(Port25Error);
      expect(() => addresses(plan, { index: -1, count: 2 })).to.throw(Port25Error);
    });
  });

  describe('parseShard', () => {
    it('reads K/N with a 0-based K', () => {
      expect(parseShard('2/8')).to.deep.equal({ index: 2, count: 8 });
      expect(parseShard('0/1')).to.deep.equal({ index: 0, count: 1 });
      expect(parseShard(' 7 / 8 ')).to.deep.equal({ index: 7, count: 8 });
    });

    it('refuses anything else with a USAGE error that explains K/N', () => {
      for (const text of ['8/8', '1/0', '-1/4', '1.5/4', '1/', '/4', 'a/b', '3', '1/2/3', '', '99999999999999999/99999999999999999']) {
        let error: unknown;
        try {
          parseShard(text);
        } catch (caught) {
          error = caught;
        }
        expect(error, text).to.be.instanceOf(Port25Error);
        expect((error as Port25Error).code).to.equal('USAGE');
        expect((error as Port25Error).exitCode).to.equal(2);
        expect((error as Port25Error).message).to.equal(`--shard ${JSON.stringify(text)} is not a shard K/N with 0 ≤ K < N`);
        expect((error as Port25Error).details[0]).to.contain('0/4, 1/4, 2/4 and 3/4');
      }
    });
  });

  describe('permutation', () => {
    it('is a bijection of [0, M) for every small M', () => {
      for (let domain = 1; domain <= 200; domain += 1) {
        const permutation = createPermutation(BigInt(domain), 3);
        const values = Array.from({ length: domain }, (_, position) => permutation.atNumber(position));
        expect(new Set(values).size, `M = ${domain}`).to.equal(domain);
        expect(Math.max(...values), `M = ${domain}`).to.equal(domain - 1);
      }
    });

    it('gives the same result in number and BigInt arithmetic', () => {
      for (const domain of [2n, 7n, 256n, 1000n, 65_537n, 2n ** 24n, 3n * 2n ** 40n]) {
        const fast = createPermutation(domain, 11);
        const exact = createPermutation(domain, 11, { arithmetic: 'bigint' });
        expect(fast.arithmetic).to.equal('number');
        for (let position = 0n; position < 300n && position < domain; position += 1n) {
          expect(fast.at(position), `M = ${domain}, position ${position}`).to.equal(exact.at(position));
        }
      }
    });

    it('uses BigInt beyond 52 bits, and refuses positions outside the domain', () => {
      const large = createPermutation(2n ** 72n, 1);
      expect(large.arithmetic).to.equal('bigint');
      expect(large.at(0n)).to.equal(createPermutation(2n ** 72n, 1).at(0n));
      expect(large.at(0n) < 2n ** 72n).to.equal(true);
      expect(() => large.atNumber(0)).to.throw(RangeError);
      expect(() => createPermutation(2n ** 72n, 1, { arithmetic: 'number' })).to.throw(RangeError);
      expect(() => createPermutation(10n, 1).at(10n)).to.throw(RangeError);
      expect(() => createPermutation(0n, 1)).to.throw(RangeError);
    });

    it('spreads a sample over the whole range, not one corner of it', () => {
      // 256 draws from a /16: each of its 16 /20 blocks should get some (about 16 each).
      const universe = buildUniverse(planWith({ dynamic: ['198.18.0.0/16'] }));
      const blocks = new Array<number>(16).fill(0);
      for (const { address } of sampleTargets(planWith({ dynamic: ['198.18.0.0/16'], seed: 9 }))) {
        blocks[Number(universe.indexOf(address)! >> 12n)]! += 1;
      }
      for (const count of blocks) expect(count).to.be.within(4, 40);
    });
  });
});
