import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import type { TcpObservation } from '@port25-audit/core';
import { createNamespacePair, netnsUnavailable, nftFilter, type NamespacePair } from '../../helpers/netns.js';

const script = (name: string): string => fileURLToPath(new URL(`./${name}`, import.meta.url));

describe('IPv6: the kernel route lookup on real vantages (network namespaces, root only)', function () {
  this.timeout(60_000);
  let pair: NamespacePair | undefined;
  let seen: Map<string, TcpObservation>;

  before(async function () {
    const reason = netnsUnavailable();
    if (reason !== null) {
      process.stderr.write(`      skipped: ${reason}\n`);
      this.skip();
    }
    pair = await createNamespacePair('p25v-');
    // The network answers port 25 with ICMP administratively prohibited: a route exists, the path refuses.
    pair.firewall(pair.server, nftFilter({ prohibited: [25] }, 'p25v_filter'));
    // A vantage with IPv6 switched off: no IPv6 source address at all.
    pair.exec(pair.client, ['sysctl', '-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1', `net.ipv6.conf.p25veth.disable_ipv6=1`]);
    const targets = [
      { address: pair.addresses.server.ipv4, port: 25 },
      { address: pair.addresses.server.ipv6, port: 25 },
      // RFC 5737 TEST-NET-3: the client namespace has no route to it.
      { address: '203.0.113.25', port: 25 },
    ];
    const run = await pair.runNode(pair.client, script('netns-probe.ts'), [JSON.stringify(targets)]);
    expect(run.code, run.stderr).to.equal(0);
    const observations = JSON.parse(run.stdout) as TcpObservation[];
    seen = new Map(observations.map((observation) => [observation.target.address, observation]));
  });

  after(async function () {
    await pair?.teardown();
  });

  it('keeps an ICMP refusal from the path as `unreachable`: the vantage has a route', function () {
    const observation = seen.get(pair!.addresses.server.ipv4)!;
    expect(observation).to.include({ outcome: 'unreachable', errorCode: 'EHOSTUNREACH' });
    expect(observation).not.to.have.property('route');
  });

  it('records route `none` for IPv6 on a vantage with IPv6 disabled (EADDRNOTAVAIL)', function () {
    expect(seen.get(pair!.addresses.server.ipv6)).to.include({ outcome: 'error', errorCode: 'EADDRNOTAVAIL', route: 'none' });
  });

  it('records route `none` for an IPv4 address the vantage has no route to (ENETUNREACH)', function () {
    expect(seen.get('203.0.113.25')).to.include({ outcome: 'error', errorCode: 'ENETUNREACH', route: 'none' });
  });
});
