import { expect } from 'chai';
import ipaddr from 'ipaddr.js';
import { addressFamily, dottedQuadValue, formatAddress, inspectRange, parseAddress, parseRange, rangeContains } from '@port25-audit/core';

/** Deterministic test randomness (mulberry32): a failure can be replayed. */
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

describe('addresses and ranges', () => {
  describe('parseAddress', () => {
    it('parses IPv4 dotted quads strictly', () => {
      expect(parseAddress('203.0.113.7')).to.deep.equal({ family: 'IPv4', value: 0xcb007107n, text: '203.0.113.7' });
      expect(parseAddress('0.0.0.0')?.value).to.equal(0n);
      expect(parseAddress('255.255.255.255')?.value).to.equal(0xffffffffn);
      for (const text of ['203.0.113.256', '010.0.0.1', '1.2.3', '1', '0x7f.0.0.1', ' 1.2.3.4', '1.2.3.4 ', '1.2.3.4/32', '']) {
        expect(parseAddress(text), text).to.equal(null);
      }
    });

    it('parses IPv6 and writes it in the RFC 5952 form', () => {
      expect(parseAddress('2001:DB8:0:0:0:0:0:0001')).to.deep.equal({ family: 'IPv6', value: 0x20010db8000000000000000000000001n, text: '2001:db8::1' });
      expect(parseAddress('::')?.text).to.equal('::');
      expect(parseAddress('::1')?.text).to.equal('::1');
      expect(parseAddress('2001:db8:0:1:0:0:0:1')?.text).to.equal('2001:db8:0:1::1');
      expect(parseAddress('2001:0:0:1:0:0:0:1')?.text).to.equal('2001:0:0:1::1');
      expect(parseAddress('2001:db8::1:0:0:1')?.text).to.equal('2001:db8::1:0:0:1');
      expect(parseAddress('2001:db8:1:1:1:1:1:0')?.text).to.equal('2001:db8:1:1:1:1:1:0');
      for (const text of ['2001:db8::1::2', 'fe80::1%eth0', '2001:db8::g', '[2001:db8::1]', '1:2:3:4:5:6:7:8:9', ':::']) {
        expect(parseAddress(text), text).to.equal(null);
      }
    });

    it('formats like ipaddr.js\'s RFC 5952 output for random addresses, with zero runs', () => {
      const next = random(5952);
      for (let i = 0; i < 1000; i += 1) {
        // Half the groups zero, so that runs of every length and position occur.
        const parts = Array.from({ length: 8 }, () => (next() < 0.5 ? 0 : Math.floor(next() * 0x10000)));
        if (parts[0] === 0 && parts[1] === 0 && parts[2] === 0 && parts[3] === 0 && parts[4] === 0 && parts[5] === 0xffff) continue;
        const reference = new ipaddr.IPv6(parts).toRFC5952String();
        expect(parseAddress(parts.map((part) => part.toString(16)).join(':'))?.text, reference).to.equal(reference);
      }
    });

    it('judges IPv4-mapped IPv6 as the IPv4 address', () => {
      expect(parseAddress('::ffff:192.0.2.1')).to.deep.equal({ family: 'IPv4', value: 0xc0000201n, text: '192.0.2.1' });
      expect(parseAddress('::FFFF:c000:201')?.text).to.equal('192.0.2.1');
      expect(addressFamily('::ffff:192.0.2.1')).to.equal('IPv4');
      // IPv4-compatible (deprecated, RFC 4291 §2.5.5.1) is an IPv6 address.
      expect(parseAddress('::192.0.2.1')).to.deep.equal({ family: 'IPv6', value: 0xc0000201n, text: '::c000:201' });
      expect(parseAddress('64:ff9b::192.0.2.1')?.text).to.equal('64:ff9b::c000:201');
      expect(parseAddress('1:2:3:4:5:6:192.0.2.1')?.text).to.equal('1:2:3:4:5:6:c000:201');
    });
  });

  it('addressFamily tells IPv4, IPv6 and non-addresses apart', () => {
    expect(addressFamily('192.0.2.1')).to.equal('IPv4');
    expect(addressFamily('2001:db8::1')).to.equal('IPv6');
    expect(addressFamily('smtp.example.net')).to.equal(null);
  });

  it('formatAddress writes both families', () => {
    expect(formatAddress('IPv4', 0xcb0071ffn)).to.equal('203.0.113.255');
    expect(formatAddress('IPv6', (0x20010db8n << 96n) | 0xffn)).to.equal('2001:db8::ff');
  });

  describe('parseRange and inspectRange', () => {
    it('gives first and last address of a block, network and broadcast included', () => {
      expect(parseRange('203.0.113.0/24')).to.deep.equal({ family: 'IPv4', first: 0xcb007100n, last: 0xcb0071ffn, prefixLength: 24, text: '203.0.113.0/24' });
      const v6 = parseRange('2001:DB8:100::/56')!;
      expect(v6.text).to.equal('2001:db8:100::/56');
      expect(v6.last - v6.first + 1n).to.equal(2n ** 72n);
      expect(parseRange('0.0.0.0/0')?.last).to.equal(0xffffffffn);
      expect(parseRange('::/0')?.last).to.equal(2n ** 128n - 1n);
    });

    it('reads a single address as a /32 or /128', () => {
      expect(parseRange('192.0.2.7')).to.include({ prefixLength: 32, first: 0xc0000207n, last: 0xc0000207n });
      expect(parseRange('2001:db8::7')).to.include({ prefixLength: 128, text: '2001:db8::7/128' });
    });

    it('reads a block inside ::ffff:0:0/96 as IPv4', () => {
      expect(parseRange('::ffff:203.0.113.0/120')).to.include({ family: 'IPv4', prefixLength: 24, text: '203.0.113.0/24' });
    });

    it('refuses bad prefixes and host bits', () => {
      for (const text of ['203.0.113.0/33', '203.0.113.0/', '203.0.113.0/024', '203.0.113.0/-1', '2001:db8::/129', 'example.net/24', '203.0.113.0/24/1']) {
        expect(parseRange(text), text).to.equal(null);
      }
      expect(inspectRange('203.0.113.5/24', { allowAddress: false })).to.deep.equal({ reason: 'has host bits set (the network is "203.0.113.0/24")' });
      expect(inspectRange('203.0.113.0/33', { allowAddress: false })).to.deep.equal({ reason: 'is not a CIDR range' });
      expect(inspectRange('203.0.113.0/33', { allowAddress: true })).to.deep.equal({ reason: 'is not an address or a CIDR range' });
    });

    it('rangeContains checks family and bounds, mapped addresses as IPv4', () => {
      const range = parseRange('203.0.113.0/24')!;
      expect(rangeContains(range, '203.0.113.0')).to.equal(true);
      expect(rangeContains(range, '203.0.113.255')).to.equal(true);
      expect(rangeContains(range, '203.0.114.0')).to.equal(false);
      expect(rangeContains(range, '203.0.112.255')).to.equal(false);
      expect(rangeContains(range, '::ffff:203.0.113.9')).to.equal(true);
      expect(rangeContains(range, '::cb00:7109')).to.equal(false);
      expect(rangeContains(range, 'not an address')).to.equal(false);
    });
  });
});

describe('targets: dottedQuadValue (the merge and resume hot path)', () => {
  it('reads canonical dotted quads and sends everything else to the full parser (-1)', () => {
    expect(dottedQuadValue('0.0.0.0')).to.equal(0);
    expect(dottedQuadValue('203.0.113.7')).to.equal(0xcb007107);
    expect(dottedQuadValue('255.255.255.255')).to.equal(0xffffffff);
    for (const text of ['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', '1..3.4', '1.2.3.4 ', '::1', '1.2.3.1000']) {
      expect(dottedQuadValue(text), text).to.equal(-1);
    }
  });
});
