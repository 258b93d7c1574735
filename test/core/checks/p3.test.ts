import { expect } from 'chai';
import { checkP3, MESSAGES } from '@port25-audit/core';
import { banner, canary, dns, input, planWith, tcp } from './fixtures.js';

const ID = 'P3.outbound-587';
const named = planWith({ external: { mx: [], submission: [canary('smtp.example.org', 587, 'smtp.example.org')] } });
const at = { host: 'smtp.example.org', address: '198.51.100.7', port: 587 };

describe('P3.outbound-587', () => {
  it('passes when 587 opens and the greeting contains the canary expect (case-insensitively)', () => {
    const observation = tcp('outbound-submission', 'inside', at, 'open', { banner: banner('220 SMTP.Example.ORG ESMTP ready') });
    const [result, ...rest] = checkP3(input(named, [observation], ['inside']));
    expect(rest).to.have.length(0);
    expect(result).to.include({ id: ID, status: 'pass', target: 'smtp.example.org:587 (198.51.100.7)', vantage: 'inside' });
    expect(result).to.include({ address: '198.51.100.7', port: 587, family: 'IPv4' });
    expect(result!.message).to.deep.equal({ id: 'p3.reached', params: { port: 587 } });
    expect(result!.summary).to.equal("port 587 opens and the greeting is the canary's own");
    expect(result!.evidence).to.include({ outcome: 'open', expected: 'smtp.example.org', greeting: '220 SMTP.Example.ORG ESMTP ready' });
  });

  it('fails as intercepted when 587 opens with another greeting, showing expected and got', () => {
    const observation = tcp('outbound-submission', 'inside', at, 'open', { banner: banner('220 proxy.isp.example ESMTP') });
    const [result] = checkP3(input(named, [observation], ['inside']));
    expect(result).to.include({ status: 'fail' });
    expect(result!.message?.id).to.equal('p3.intercepted');
    expect(result!.evidence).to.include({ expected: 'smtp.example.org', greeting: '220 proxy.isp.example ESMTP' });
  });

  it('fails when 587 opens but no greeting comes', () => {
    const observation = tcp('outbound-submission', 'inside', at, 'open', { banner: null });
    const [result] = checkP3(input(named, [observation], ['inside']));
    expect(result).to.include({ status: 'fail' });
    expect(result!.message?.id).to.equal('p3.no-greeting');
  });

  it('passes without judging the greeting when the canary is an address without expect', () => {
    const plan = planWith({ external: { mx: [], submission: [canary('198.51.100.9', 587, null)] } });
    const observation = tcp('outbound-submission', 'inside', { address: '198.51.100.9', port: 587 }, 'open', {
      banner: banner('220 whoever'),
    });
    const [result] = checkP3(input(plan, [observation], ['inside']));
    expect(result).to.include({ status: 'pass', target: '198.51.100.9:587' });
    expect(result!.evidence['note']).to.equal('greeting not judged: no expect for an address');
    expect(result!.message?.id).to.equal('p3.reached-unjudged');
  });

  for (const outcome of ['closed', 'filtered', 'unreachable'] as const) {
    it(`fails as blocked when 587 is ${outcome}`, () => {
      const observation = tcp('outbound-submission', 'inside', at, outcome, { errorCode: 'X' });
      const [result] = checkP3(input(named, [observation], ['inside']));
      expect(result).to.include({ status: 'fail' });
      expect(result!.summary).to.equal(`port 587 is ${outcome}: outbound submission is blocked`);
    });
  }

  it('is an error when the TCP probe could not run', () => {
    const observation = tcp('outbound-submission', 'inside', at, 'error', { errorCode: 'EMFILE' });
    const [result] = checkP3(input(named, [observation], ['inside']));
    expect(result).to.include({ status: 'error' });
    expect(result!.summary).to.equal('the probe could not run (EMFILE)');
  });

  it('is an error, not a fail, when the canary name does not resolve', () => {
    const [result, ...rest] = checkP3(input(named, [dns('smtp.example.org', 'inside', { errorCode: 'ENOTFOUND' })], ['inside']));
    expect(rest).to.have.length(0);
    expect(result).to.include({ status: 'error', target: 'smtp.example.org:587' });
    expect(result!.summary).to.equal('smtp.example.org did not resolve (ENOTFOUND): the probe could not run');
  });

  it('judges each address of a name on its own and skips an address the scan did not reach', () => {
    const observations = [
      dns('smtp.example.org', 'inside', ['198.51.100.7', '2001:db8::587']),
      tcp('outbound-submission', 'inside', at, 'open', { banner: banner('220 smtp.example.org') }),
    ];
    const results = checkP3(input(named, observations, ['inside']));
    expect(results.map((result) => [result.target, result.status])).to.deep.equal([
      ['smtp.example.org:587 (198.51.100.7)', 'pass'],
      ['smtp.example.org:587 (2001:db8::587)', 'skip'],
    ]);
    expect(results[1]).to.include({ family: 'IPv6', address: '2001:db8::587' });
  });

  it('skips every canary when there is no inside scan', () => {
    const results = checkP3(input(named, [], ['outside']));
    expect(results).to.have.length(1);
    expect(results[0]).to.include({ status: 'skip', target: 'smtp.example.org:587', summary: 'not tested: no inside scan' });
    expect(results[0]!.evidence).to.deep.equal({ reason: 'not tested: no inside scan' });
  });

  it('skips when the plan names no submission canary', () => {
    const [result] = checkP3(input(planWith(), [], ['inside']));
    expect(result).to.include({ status: 'skip', summary: 'not tested: plan has no external.submission' });
  });

  it('skips a canary the inside scan has no observation of', () => {
    const [result] = checkP3(input(named, [], ['inside']));
    expect(result).to.include({ status: 'skip', target: 'smtp.example.org:587' });
    expect(result!.message?.id).to.equal('skip.no-observation');
  });

  it('ignores observations from the outside vantage', () => {
    const observation = tcp('outbound-submission', 'outside', at, 'open', { banner: banner('220 smtp.example.org') });
    const [result] = checkP3(input(named, [observation], ['inside', 'outside']));
    expect(result).to.include({ status: 'skip' });
  });

  it('writes only message ids of the message table', () => {
    const observation = tcp('outbound-submission', 'inside', at, 'open', { banner: banner('220 x') });
    for (const result of checkP3(input(named, [observation], ['inside']))) {
      expect(Object.keys(MESSAGES)).to.include(result.message!.id);
    }
  });
});
