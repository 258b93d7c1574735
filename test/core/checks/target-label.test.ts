import { expect } from 'chai';
import { canonicalHost, hostPort, isAddress, sameHost, targetLabel } from '@port25-audit/core';

describe('target labels', () => {
  it('writes name:port (address) for a plan name and address:port for a bare address', () => {
    expect(targetLabel({ host: 'mx.example.org', address: '198.51.100.25', port: 25, family: 'IPv4' })).to.equal(
      'mx.example.org:25 (198.51.100.25)',
    );
    expect(targetLabel({ host: null, address: '198.51.100.25', port: 25, family: 'IPv4' })).to.equal('198.51.100.25:25');
  });

  it('brackets IPv6 where a port follows it, and only there', () => {
    expect(targetLabel({ host: null, address: '2001:db8::1', port: 25, family: 'IPv6' })).to.equal('[2001:db8::1]:25');
    expect(targetLabel({ host: 'mx.example.org', address: '2001:db8::1', port: 25, family: 'IPv6' })).to.equal(
      'mx.example.org:25 (2001:db8::1)',
    );
    expect(hostPort('2001:db8::1', 587)).to.equal('[2001:db8::1]:587');
  });

  it('compares names case-insensitively and addresses in canonical form', () => {
    expect(sameHost('MX.Example.ORG.', 'mx.example.org')).to.equal(true);
    expect(sameHost('2001:DB8:0::1', '[2001:db8::1]')).to.equal(true);
    expect(sameHost('::ffff:192.0.2.1', '192.0.2.1')).to.equal(true);
    expect(sameHost('mx.example.org', 'mx.example.net')).to.equal(false);
    expect(canonicalHost('2001:0DB8::0001')).to.equal('2001:db8::1');
  });

  it('tells addresses from names', () => {
    expect(isAddress('198.51.100.25')).to.equal(true);
    expect(isAddress('2001:db8::25')).to.equal(true);
    expect(isAddress('mx.example.org')).to.equal(false);
    expect(isAddress('1')).to.equal(false);
  });
});
