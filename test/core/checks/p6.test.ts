import { expect } from 'chai';
import { addInbound, checkP6, clopperPearsonUpper95, emptyInbound, type InboundAggregate, type TcpOutcome } from '@port25-audit/core';
import { banner, input, one, planWith, tcp } from './fixtures.js';

const BLOCKED = 'P6.inbound-25-blocked';
const EXCEPTIONS = 'P6.authorized-exceptions';
const plan = planWith({ scope: { dynamic: ['203.0.113.0/24', '2001:db8:100::/56'], hosts: [], exclude: [] } });

/** An aggregate of `n` outside inbound observations of the given outcome, from 203.0.113.1 on. */
function inbound(outcomes: Partial<Record<TcpOutcome, number>>, cap?: number): InboundAggregate {
  let aggregate = emptyInbound(cap);
  let host = 1;
  for (const [outcome, n] of Object.entries(outcomes) as [TcpOutcome, number][]) {
    for (let i = 0; i < n; i++, host++) {
      const observation = tcp('inbound-smtp', 'outside', { address: `203.0.113.${host}`, port: 25 }, outcome, {
        ...(outcome === 'open' ? { banner: banner(`220 host${host}.dyn.example`) } : { errorCode: 'E' }),
      });
      aggregate = addInbound(aggregate, observation);
    }
  }
  return aggregate;
}

describe('P6.inbound-25-blocked', () => {
  it('passes when no sampled host is open, with counts and the 95% upper bound', () => {
    const aggregate = inbound({ filtered: 200, closed: 99 });
    const result = one(checkP6(input(plan, [], ['outside'], { inbound: aggregate })), BLOCKED);
    expect(result).to.include({ status: 'pass', vantage: 'outside', target: '203.0.113.0/24, 2001:db8:100::/56', port: 25 });
    expect(result.evidence['counts']).to.deep.equal({ open: 0, closed: 99, filtered: 200, unreachable: 0, error: 0 });
    expect(result.evidence).to.include({ sampleSize: 299, plannedSampleSize: 256, tested: 299, openTotal: 0, census: false });
    expect(result.evidence['universe']).to.equal((256n + 2n ** 72n).toString());
    expect(result.evidence['openHosts']).to.deep.equal([]);
    expect(result.evidence['upperBound95'] as number).to.be.closeTo(1 - 0.05 ** (1 / 299), 1e-9);
    expect(result.summary).to.equal('no host of 299 sampled accepts port 25; at most 0.997% of the range does (95% upper bound)');
  });

  it('fails when any sampled host is open, listing it with its greeting', () => {
    const aggregate = inbound({ open: 1, filtered: 99 });
    const result = one(checkP6(input(plan, [], ['outside'], { inbound: aggregate })), BLOCKED);
    expect(result).to.include({ status: 'fail', summary: '1 of 100 sampled hosts accept port 25' });
    expect(result.evidence['openHosts']).to.deep.equal([
      { address: '203.0.113.1', port: 25, family: 'IPv4', greeting: '220 host1.dyn.example' },
    ]);
    expect(result.evidence['upperBound95']).to.equal(clopperPearsonUpper95(1, 100));
  });

  it('caps the open host list but counts every open host', () => {
    const aggregate = inbound({ open: 7, closed: 3 }, 5);
    const result = one(checkP6(input(plan, [], ['outside'], { inbound: aggregate })), BLOCKED);
    expect(result.evidence['openHosts']).to.have.length(5);
    expect(result.evidence).to.include({ openTotal: 7, openHostsTruncated: true });
  });

  it('is an error when every probe errored, and excludes errors from the bound otherwise', () => {
    const allError = one(checkP6(input(plan, [], ['outside'], { inbound: inbound({ error: 4 }) })), BLOCKED);
    expect(allError).to.include({ status: 'error', summary: 'the probe could not run for any of the 4 sampled hosts' });
    expect(allError.evidence['upperBound95']).to.equal(null);
    const someError = one(checkP6(input(plan, [], ['outside'], { inbound: inbound({ error: 4, closed: 10 }) })), BLOCKED);
    expect(someError).to.include({ status: 'pass' });
    expect(someError.evidence).to.include({ sampleSize: 14, tested: 10, upperBound95: clopperPearsonUpper95(0, 10) });
  });

  it('says census and reports the exact fraction when the sample is the whole scope', () => {
    const small = planWith({ scope: { dynamic: ['203.0.113.0/30'], hosts: [], exclude: [] } });
    const result = one(checkP6(input(small, [], ['outside'], { inbound: inbound({ closed: 4 }) })), BLOCKED);
    expect(result).to.include({ status: 'pass', summary: 'none of the 4 addresses in scope accepts port 25 (every address probed)' });
    expect(result.evidence).to.include({ census: true, upperBound95: 0, universe: 4, plannedSampleSize: 4 });
    expect(result.evidence['boundNote']).to.match(/^census: all 4 addresses/);
  });

  it('takes the scope size it is given, and says so when it is unknown', () => {
    const given = one(checkP6(input(plan, [], ['outside'], { inbound: inbound({ closed: 3 }), universe: 3n })), BLOCKED);
    expect(given.evidence).to.include({ universe: 3, census: true });
    const unknown = one(checkP6(input(plan, [], ['outside'], { inbound: inbound({ closed: 3 }), universe: null })), BLOCKED);
    expect(unknown.evidence).to.include({ universe: null, census: false });
    expect(unknown.evidence['boundNote']).to.match(/fraction of the range/);
  });

  it('skips without an outside scan, without scope, or without inbound observations', () => {
    expect(one(checkP6(input(plan, [], ['inside'], { inbound: inbound({ closed: 1 }) })), BLOCKED).summary).to.equal(
      'not tested: no outside scan',
    );
    expect(one(checkP6(input(planWith(), [], ['outside'])), BLOCKED)).to.include({
      status: 'skip',
      summary: 'not tested: plan has no scope.dynamic',
    });
    expect(one(checkP6(input(plan, [], ['outside'])), BLOCKED)).to.include({ status: 'skip' });
  });

  it('names long scope lists by their first ranges', () => {
    const many = planWith({ scope: { dynamic: ['10.0.0.0/24', '10.0.1.0/24', '10.0.2.0/24', '10.0.3.0/24'], hosts: ['192.0.2.1'], exclude: [] } });
    const result = one(checkP6(input(many, [], ['outside'], { inbound: inbound({ closed: 1 }) })), BLOCKED);
    expect(result.target).to.equal('10.0.0.0/24, 10.0.1.0/24, 10.0.2.0/24 (+2 more)');
  });
});

describe('P6.authorized-exceptions', () => {
  const relayPlan = planWith({
    scope: { dynamic: ['203.0.113.0/24'], hosts: [], exclude: [] },
    authorizedRelays: ['203.0.113.10', '192.0.2.5'],
  });

  it('passes for an open relay inside the dynamic ranges and ignores relays outside them', () => {
    const observations = [
      tcp('relay-smtp', 'outside', { address: '203.0.113.10', port: 25 }, 'open', { banner: banner('220 relay') }),
      tcp('relay-smtp', 'outside', { address: '192.0.2.5', port: 25 }, 'closed', { errorCode: 'ECONNREFUSED' }),
    ];
    const results = checkP6(input(relayPlan, observations, ['outside'])).filter((result) => result.id === EXCEPTIONS);
    expect(results.map((result) => [result.target, result.status])).to.deep.equal([['203.0.113.10:25', 'pass']]);
  });

  it('warns when a relay inside the ranges is not open from outside', () => {
    const observation = tcp('relay-smtp', 'outside', { address: '203.0.113.10', port: 25 }, 'filtered', { errorCode: 'ETIMEDOUT' });
    const result = one(checkP6(input(relayPlan, [observation], ['outside'])), EXCEPTIONS);
    expect(result).to.include({ status: 'warn', summary: 'port 25 is filtered: the authorized relay is not reachable from outside' });
  });

  it('skips when no relay lies inside the dynamic ranges', () => {
    const outsideOnly = planWith({ scope: { dynamic: ['203.0.113.0/24'], hosts: [], exclude: [] }, authorizedRelays: ['192.0.2.0/28'] });
    expect(one(checkP6(input(outsideOnly, [], ['outside'])), EXCEPTIONS).summary).to.equal(
      'not tested: no authorized relay lies inside scope.dynamic',
    );
  });

  it('skips a relay the outside scan did not reach, and without an outside scan', () => {
    expect(one(checkP6(input(relayPlan, [], ['outside'])), EXCEPTIONS)).to.include({ status: 'skip', target: '203.0.113.10:25' });
    expect(one(checkP6(input(relayPlan, [], ['inside'])), EXCEPTIONS).summary).to.equal('not tested: no outside scan');
  });
});
