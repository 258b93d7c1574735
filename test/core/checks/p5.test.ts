import { expect } from 'chai';
import { checkP5 } from '@port25-audit/core';
import { banner, canary, dns, input, one, only, planWith, tcp } from './fixtures.js';

const BLOCKED = 'P5.outbound-25-blocked';
const RELAY = 'P5.relay-reachable';
const plan = planWith({ external: { mx: [canary('mx.example.org', 25, 'mx.example.org')], submission: [] } });
const v4 = { host: 'mx.example.org', address: '198.51.100.25', port: 25 };
const v6 = { host: 'mx.example.org', address: '2001:db8::25', port: 25 };

describe('P5.outbound-25-blocked', () => {
  for (const outcome of ['filtered', 'closed', 'unreachable'] as const) {
    it(`passes when port 25 is ${outcome}`, () => {
      const result = one(checkP5(input(plan, [tcp('outbound-smtp', 'inside', v4, outcome, { errorCode: 'E' })], ['inside'])), BLOCKED);
      expect(result).to.include({ status: 'pass', target: 'mx.example.org:25 (198.51.100.25)', family: 'IPv4' });
      expect(result.summary).to.equal(`port 25 is ${outcome}: outbound SMTP is blocked`);
      expect(result.evidence).to.include({ outcome, errorCode: 'E' });
    });
  }

  it("fails when port 25 opens and the canary greets", () => {
    const observation = tcp('outbound-smtp', 'inside', v4, 'open', { banner: banner('220 mx.example.org ESMTP') });
    const result = one(checkP5(input(plan, [observation], ['inside'])), BLOCKED);
    expect(result).to.include({ status: 'fail' });
    expect(result.message?.id).to.equal('p5.leak');
  });

  it('warns on transparent redirection, with both greetings as evidence', () => {
    const observation = tcp('outbound-smtp', 'inside', v4, 'open', { banner: banner('220 relay.isp.example ESMTP') });
    const result = one(checkP5(input(plan, [observation], ['inside'])), BLOCKED);
    expect(result).to.include({ status: 'warn' });
    expect(result.message?.id).to.equal('p5.redirected');
    expect(result.evidence).to.include({ expected: 'mx.example.org', greeting: '220 relay.isp.example ESMTP' });
    expect(result.evidence['note']).to.match(/transparent redirection/);
  });

  it('warns when port 25 opens but nothing greets', () => {
    const observation = tcp('outbound-smtp', 'inside', v4, 'open', { banner: null });
    const result = one(checkP5(input(plan, [observation], ['inside'])), BLOCKED);
    expect(result).to.include({ status: 'warn' });
    expect(result.message?.id).to.equal('p5.open-no-greeting');
  });

  it('fails with a note when an address canary without expect opens', () => {
    const addressPlan = planWith({ external: { mx: [canary('198.51.100.26', 25, null)], submission: [] } });
    const observation = tcp('outbound-smtp', 'inside', { address: '198.51.100.26', port: 25 }, 'open', { banner: banner('220 x') });
    const result = one(checkP5(input(addressPlan, [observation], ['inside'])), BLOCKED);
    expect(result).to.include({ status: 'fail', target: '198.51.100.26:25' });
    expect(result.evidence['note']).to.match(/cannot be judged/);
  });

  it('fails an IPv6 leak on its own result while IPv4 passes', () => {
    const observations = [
      dns('mx.example.org', 'inside', ['198.51.100.25', '2001:db8::25']),
      tcp('outbound-smtp', 'inside', v4, 'filtered', { errorCode: 'ETIMEDOUT' }),
      tcp('outbound-smtp', 'inside', v6, 'open', { banner: banner('220 mx.example.org') }),
    ];
    const results = only(checkP5(input(plan, observations, ['inside'])), BLOCKED);
    expect(results.map((result) => [result.target, result.family, result.status])).to.deep.equal([
      ['mx.example.org:25 (198.51.100.25)', 'IPv4', 'pass'],
      ['mx.example.org:25 (2001:db8::25)', 'IPv6', 'fail'],
    ]);
  });

  it('brackets an IPv6 address canary in the target', () => {
    const v6Plan = planWith({ external: { mx: [canary('2001:db8::26', 25, 'mx6.canary.example')], submission: [] } });
    const observation = tcp('outbound-smtp', 'inside', { address: '2001:db8::26', port: 25 }, 'closed', { errorCode: 'ECONNREFUSED' });
    const result = one(checkP5(input(v6Plan, [observation], ['inside'])), BLOCKED);
    expect(result).to.include({ status: 'pass', target: '[2001:db8::26]:25', address: '2001:db8::26', port: 25, family: 'IPv6' });
  });

  it('is an error when the canary name does not resolve or the probe could not run', () => {
    const unresolved = one(checkP5(input(plan, [dns('mx.example.org', 'inside', { errorCode: 'ENOTFOUND' })], ['inside'])), BLOCKED);
    expect(unresolved).to.include({ status: 'error', target: 'mx.example.org:25' });
    const refused = one(checkP5(input(plan, [tcp('outbound-smtp', 'inside', v4, 'error', { errorCode: 'SCOPE' })], ['inside'])), BLOCKED);
    expect(refused).to.include({ status: 'error', summary: 'the probe could not run (SCOPE)' });
  });

  it('skips without an inside scan, and without external.mx', () => {
    expect(one(checkP5(input(plan, [], ['outside'])), BLOCKED)).to.include({ status: 'skip', summary: 'not tested: no inside scan' });
    expect(one(checkP5(input(planWith(), [], ['inside'])), BLOCKED)).to.include({
      status: 'skip',
      target: 'external.mx',
      summary: 'not tested: plan has no external.mx',
    });
  });

  it('judges a canary on a remapped port by that port', () => {
    const lab = planWith({ external: { mx: [canary('mx.example.org', 2525, 'mx.example.org')], submission: [] } });
    const observation = tcp('outbound-smtp', 'inside', { ...v4, port: 2525 }, 'open', { banner: banner('220 mx.example.org') });
    const result = one(checkP5(input(lab, [observation], ['inside'])), BLOCKED);
    expect(result).to.include({ status: 'fail', port: 2525, target: 'mx.example.org:2525 (198.51.100.25)' });
  });
});

describe('P5.relay-reachable', () => {
  const relayPlan = planWith({ authorizedRelays: ['203.0.113.10', '192.0.2.0/28'] });
  const relay = { address: '203.0.113.10', port: 25 };

  it('passes when the relay answers 220 from inside', () => {
    const observation = tcp('relay-smtp', 'inside', relay, 'open', { banner: banner('220 relay.isp.example') });
    const result = one(checkP5(input(relayPlan, [observation], ['inside'])), RELAY);
    expect(result).to.include({ status: 'pass', target: '203.0.113.10:25' });
  });

  it('warns when the relay opens without 220, or does not open', () => {
    const busy = tcp('relay-smtp', 'inside', relay, 'open', { banner: banner('421 busy', 421) });
    expect(one(checkP5(input(relayPlan, [busy], ['inside'])), RELAY)).to.include({ status: 'warn' });
    const closed = tcp('relay-smtp', 'inside', relay, 'closed', { errorCode: 'ECONNREFUSED' });
    const result = one(checkP5(input(relayPlan, [closed], ['inside'])), RELAY);
    expect(result).to.include({ status: 'warn', summary: 'port 25 is closed: the authorized relay is not reachable from inside' });
  });

  it('skips a single-address relay the scan did not reach', () => {
    const result = one(checkP5(input(relayPlan, [], ['inside'])), RELAY);
    expect(result).to.include({ status: 'skip', target: '203.0.113.10:25', address: '203.0.113.10' });
  });

  it('skips without relays in the plan or without an inside scan', () => {
    expect(one(checkP5(input(planWith(), [], ['inside'])), RELAY).summary).to.equal('not tested: plan has no authorizedRelays');
    expect(one(checkP5(input(relayPlan, [], ['outside'])), RELAY).summary).to.equal('not tested: no inside scan');
  });
});
