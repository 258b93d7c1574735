import { expect } from 'chai';
import {
  checkP3,
  checkP5,
  checkP6,
  inboundSmtpProbe,
  judgePractices,
  outboundSmtpProbe,
  outboundSubmissionProbe,
  relaySmtpProbe,
  type Probe,
  type Task,
} from '@port25-audit/core';
import { checkInput, dns, plan, scriptedContext, tcp, unrouted } from './support.js';

const lab = plan({
  external: { mx: [{ host: 'mx.canary.example', port: 25 }], submission: [{ host: 'smtp.canary.example', port: 587 }] },
  authorizedRelays: ['2001:db8:25::10'],
});
const V6 = { host: 'mx.canary.example', address: '2001:db8:25::25', port: 25 };
const V4 = { host: 'mx.canary.example', address: '198.51.100.25', port: 25 };

const PROBES: { probe: Probe; vantage: 'inside' | 'outside' }[] = [
  { probe: outboundSmtpProbe, vantage: 'inside' },
  { probe: outboundSubmissionProbe, vantage: 'inside' },
  { probe: relaySmtpProbe, vantage: 'inside' },
  { probe: inboundSmtpProbe, vantage: 'outside' },
];

function taskFor(probe: Probe): Task {
  return { probe: probe.id, target: { host: null, address: '2001:db8:25::25', port: 25, family: 'IPv6' } };
}

describe('IPv6: the TCP probes tell "no route from this vantage" from "unreachable"', () => {
  for (const { probe, vantage } of PROBES) {
    describe(probe.id, () => {
      for (const outcome of ['closed', 'filtered'] as const) {
        it(`asks for no route when the port is ${outcome}: the packet went out`, async () => {
          const { ctx, asked } = scriptedContext(lab, vantage, { outcome, ms: 3, errorCode: outcome === 'closed' ? 'ECONNREFUSED' : 'ETIMEDOUT' }, false);
          const observation = await probe.run(taskFor(probe), ctx);
          expect(observation.outcome).to.equal(outcome);
          expect(observation).not.to.have.property('route');
          expect(asked).to.deep.equal([]);
        });
      }

      for (const errorCode of ['EHOSTUNREACH', 'EACCES']) {
        it(`asks for no route when a router answered ${errorCode}: unreachable is the network's answer`, async () => {
          const { ctx, asked } = scriptedContext(lab, vantage, { outcome: 'unreachable', ms: 4, errorCode }, false);
          const observation = await probe.run(taskFor(probe), ctx);
          expect(observation).to.include({ outcome: 'unreachable', errorCode });
          expect(observation).not.to.have.property('route');
          expect(asked).to.deep.equal([]);
        });
      }

      it('keeps `unreachable` for ENETUNREACH when the vantage has a route: a router said "no route"', async () => {
        const { ctx, asked } = scriptedContext(lab, vantage, { outcome: 'unreachable', ms: 4, errorCode: 'ENETUNREACH' }, true);
        const observation = await probe.run(taskFor(probe), ctx);
        expect(observation).to.include({ outcome: 'unreachable', errorCode: 'ENETUNREACH' });
        expect(observation).not.to.have.property('route');
        expect(asked).to.deep.equal(['IPv6 2001:db8:25::25:25']);
      });

      it('records `error` with route `none` when the vantage has no route at all', async () => {
        const { ctx, asked, dials } = scriptedContext(lab, vantage, { outcome: 'unreachable', ms: 0, errorCode: 'ENETUNREACH' }, false);
        const observation = await probe.run(taskFor(probe), ctx);
        expect(observation).to.include({ outcome: 'error', errorCode: 'ENETUNREACH', route: 'none', probe: probe.id, vantage });
        expect(observation.target).to.deep.equal(taskFor(probe).target);
        expect(asked).to.have.length(1);
        expect(dials).to.deep.equal(['2001:db8:25::25:25']);
      });

      it('records route `none` when the family is disabled on the vantage (EADDRNOTAVAIL)', async () => {
        const { ctx } = scriptedContext(lab, vantage, { outcome: 'error', ms: 0, errorCode: 'EADDRNOTAVAIL' }, false);
        expect(await probe.run(taskFor(probe), ctx)).to.include({ outcome: 'error', errorCode: 'EADDRNOTAVAIL', route: 'none' });
      });

      it('leaves a local error that a route does not explain as it is (EMFILE)', async () => {
        const { ctx, asked } = scriptedContext(lab, vantage, { outcome: 'error', ms: 0, errorCode: 'EMFILE' }, false);
        const observation = await probe.run(taskFor(probe), ctx);
        expect(observation).to.include({ outcome: 'error', errorCode: 'EMFILE' });
        expect(observation).not.to.have.property('route');
        expect(asked).to.deep.equal([]);
      });
    });
  }

  it('rejects with an AbortError when the scan is interrupted while the route is looked up', async () => {
    const { ctx, abort } = scriptedContext(lab, 'inside', { outcome: 'unreachable', ms: 0, errorCode: 'ENETUNREACH' }, null);
    ctx.route = async () => {
      abort.abort();
      return { routed: false, errorCode: 'ENETUNREACH' };
    };
    let rejection: unknown = null;
    await outboundSmtpProbe.run(taskFor(outboundSmtpProbe), ctx).catch((error: unknown) => (rejection = error));
    expect(rejection).to.be.instanceOf(Error).with.property('name', 'AbortError');
  });
});

describe('IPv6: a family the vantage has no route for is not tested, never passed', () => {
  const summary = 'not tested: this vantage has no IPv6 route';

  it('P5: IPv4 blocked passes, IPv6 without a route is skip, and the practice passes on IPv4 alone', () => {
    const observations = [
      dns('mx.canary.example', 'inside', ['198.51.100.25', '2001:db8:25::25']),
      tcp('outbound-smtp', 'inside', V4, 'filtered', { errorCode: 'ETIMEDOUT' }),
      unrouted('outbound-smtp', 'inside', V6),
    ];
    const results = checkP5(checkInput(lab, observations, ['inside'])).filter((result) => result.id === 'P5.outbound-25-blocked');
    expect(results.map((result) => [result.target, result.family, result.status, result.summary])).to.deep.equal([
      ['mx.canary.example:25 (198.51.100.25)', 'IPv4', 'pass', 'port 25 is filtered: outbound SMTP is blocked'],
      ['mx.canary.example:25 (2001:db8:25::25)', 'IPv6', 'skip', summary],
    ]);
    expect(results[1]!.message).to.deep.equal({ id: 'skip.no-route', params: { family: 'IPv6' } });
    expect(results[1]).to.include({ address: '2001:db8:25::25', port: 25 });
    const p5 = judgePractices(checkInput(lab, observations, ['inside'])).find((practice) => practice.id === 'P5')!;
    expect(p5.status).to.equal('pass');
  });

  it('P5: an IPv6 leak fails the practice even when IPv4 is blocked', () => {
    const observations = [
      dns('mx.canary.example', 'inside', ['198.51.100.25', '2001:db8:25::25']),
      tcp('outbound-smtp', 'inside', V4, 'unreachable', { errorCode: 'EPERM' }),
      tcp('outbound-smtp', 'inside', V6, 'open', { banner: { text: '220 mx.canary.example ESMTP', code: 220, truncated: false, ms: 1 } }),
    ];
    const practices = judgePractices(checkInput(lab, observations, ['inside']));
    const p5 = practices.find((practice) => practice.id === 'P5')!;
    expect(p5.status).to.equal('fail');
    const blocked = p5.checks.filter((check) => check.id === 'P5.outbound-25-blocked');
    expect(blocked.map((check) => [check.family, check.status])).to.deep.equal([
      ['IPv4', 'pass'],
      ['IPv6', 'fail'],
    ]);
  });

  it('orders the results IPv4 first, then by address, whichever probe finished first', () => {
    const second = { host: 'mx.canary.example', address: '2001:db8:25::9', port: 25 };
    const observations = [
      dns('mx.canary.example', 'inside', ['2001:db8:25::25', '198.51.100.25', '2001:db8:25::9']),
      tcp('outbound-smtp', 'inside', V6, 'closed', { errorCode: 'ECONNREFUSED' }),
      tcp('outbound-smtp', 'inside', second, 'closed', { errorCode: 'ECONNREFUSED' }),
      tcp('outbound-smtp', 'inside', V4, 'closed', { errorCode: 'ECONNREFUSED' }),
    ];
    const results = checkP5(checkInput(lab, observations, ['inside'])).filter((result) => result.id === 'P5.outbound-25-blocked');
    expect(results.map((result) => result.address)).to.deep.equal(['198.51.100.25', '2001:db8:25::9', '2001:db8:25::25']);
  });

  it('P3: the IPv6 address of the submission canary without a route is skip, IPv4 is judged', () => {
    const v4 = { host: 'smtp.canary.example', address: '198.51.100.26', port: 587 };
    const v6 = { host: 'smtp.canary.example', address: '2001:db8:25::26', port: 587 };
    const observations = [
      dns('smtp.canary.example', 'inside', ['198.51.100.26', '2001:db8:25::26']),
      tcp('outbound-submission', 'inside', v4, 'open', { banner: { text: '220 smtp.canary.example', code: 220, truncated: false, ms: 1 } }),
      unrouted('outbound-submission', 'inside', v6),
    ];
    const results = checkP3(checkInput(lab, observations, ['inside']));
    expect(results.map((result) => [result.family, result.status, result.summary])).to.deep.equal([
      ['IPv4', 'pass', "port 587 opens and the greeting is the canary's own"],
      ['IPv6', 'skip', summary],
    ]);
  });

  it('P5.relay-reachable: an IPv6 relay without a route is skip, not a warning about the relay', () => {
    const observations = [unrouted('relay-smtp', 'inside', { address: '2001:db8:25::10', port: 25 })];
    const relay = checkP5(checkInput(lab, observations, ['inside'])).filter((result) => result.id === 'P5.relay-reachable');
    expect(relay.map((result) => [result.target, result.family, result.status, result.summary])).to.deep.equal([
      ['[2001:db8:25::10]:25', 'IPv6', 'skip', summary],
    ]);
  });

  it('P6.authorized-exceptions: an IPv6 relay without a route from outside is skip', () => {
    const outside = plan({ scope: { dynamic: ['2001:db8:25::/120'] }, authorizedRelays: ['2001:db8:25::10'] });
    const observations = [unrouted('relay-smtp', 'outside', { address: '2001:db8:25::10', port: 25 })];
    const exceptions = checkP6(checkInput(outside, observations, ['outside'])).filter((result) => result.id === 'P6.authorized-exceptions');
    expect(exceptions.map((result) => [result.target, result.family, result.status])).to.deep.equal([['[2001:db8:25::10]:25', 'IPv6', 'skip']]);
  });

  it('P6: sampled IPv6 hosts without a route count as errors, so an outside vantage without IPv6 never passes an IPv6 range', () => {
    const outside = plan({ scope: { dynamic: ['2001:db8:25::/126'] }, sample: { size: 4 } });
    const observations = ['2001:db8:25::', '2001:db8:25::1', '2001:db8:25::2', '2001:db8:25::3'].map((address) =>
      unrouted('inbound-smtp', 'outside', { address, port: 25 }),
    );
    const [inbound] = checkP6(checkInput(outside, observations, ['outside']));
    expect(inbound).to.include({ id: 'P6.inbound-25-blocked', status: 'error', family: 'IPv6' });
    expect(inbound!.evidence).to.include({ tested: 0, sampleSize: 4 });
    expect(inbound!.evidence['counts']).to.deep.include({ error: 4, unreachable: 0 });
  });
});

describe('IPv6: P6 over IPv6 ranges and hit lists', () => {
  const none = (address: string) => tcp('inbound-smtp', 'outside', { address, port: 25 }, 'closed', { errorCode: 'ECONNREFUSED' });

  it('names the family of the aggregate when the whole scope is one family, and none when it mixes both', () => {
    const v6Only = plan({ scope: { dynamic: ['2001:db8:25::/120'], hosts: ['2001:db8:26::1'] } });
    const mixed = plan({ scope: { dynamic: ['2001:db8:25::/120', '198.51.100.0/24'] } });
    const v4Only = plan({ scope: { dynamic: ['198.51.100.0/24'] } });
    const judged = (forPlan: typeof v6Only, address: string) => checkP6(checkInput(forPlan, [none(address)], ['outside']))[0]!;
    expect(judged(v6Only, '2001:db8:25::1')).to.include({ family: 'IPv6', target: '2001:db8:25::/120, 2001:db8:26::1' });
    expect(judged(mixed, '2001:db8:25::1')).not.to.have.property('family');
    expect(judged(v4Only, '198.51.100.1')).to.include({ family: 'IPv4' });
  });

  it('says that a random sample of a large IPv6 range cannot find sparse hosts, and asks for a hit list', () => {
    const sparse = plan({ scope: { dynamic: ['2001:db8:100::/56', '198.51.100.0/24'] }, sample: { size: 64 } });
    const result = checkP6(checkInput(sparse, [none('2001:db8:100::1')], ['outside']))[0]!;
    expect(result.status).to.equal('pass');
    expect(result.evidence['ipv6Note']).to.equal(
      '2001:db8:100::/56 sampled at random: IPv6 hosts are too sparse for a random sample to find them; list known customer IPv6 addresses in scope.hosts as a hit list',
    );
  });

  it('counts the IPv6 hit list of scope.hosts in that note', () => {
    const withHits = plan({ scope: { dynamic: ['2001:db8:100::/56'], hosts: ['2001:db8:100::25', '2001:db8:200::25', '198.51.100.9'] } });
    const result = checkP6(checkInput(withHits, [none('2001:db8:100::25')], ['outside']))[0]!;
    expect(result.evidence['ipv6Note']).to.match(/the 2 IPv6 address\(es\) of scope\.hosts were probed as a hit list$/);
  });

  it('adds no note for an IPv6 range the sample covers, nor for IPv4', () => {
    const small = plan({ scope: { dynamic: ['2001:db8:25::/120', '198.51.100.0/24'] }, sample: { size: 256 } });
    const result = checkP6(checkInput(small, [none('2001:db8:25::1')], ['outside']))[0]!;
    expect(result.evidence).not.to.have.property('ipv6Note');
  });
});
