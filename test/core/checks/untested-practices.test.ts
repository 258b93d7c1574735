import { expect } from 'chai';
import { checkP1, checkP2, checkP4 } from '@port25-audit/core';
import { input, one, planWith } from './fixtures.js';

describe('P1, P2, P4 before their probes land', () => {
  const plan = planWith({ submission: { servers: ['smtp.example.net'], domain: 'example.net' } });
  const full = input(plan, [], ['inside', 'outside']);

  it('P1: every check present and skip, naming the missing probe', () => {
    const results = checkP1(full);
    expect(results.map((result) => result.id)).to.deep.equal([
      'P1.port-open', 'P1.greeting', 'P1.starttls-offered', 'P1.tls-handshake', 'P1.certificate', 'P1.implicit-tls',
    ]);
    expect(results.every((result) => result.status === 'skip')).to.equal(true);
    expect(one(results, 'P1.port-open')).to.include({
      target: 'smtp.example.net:587',
      summary: 'not tested: the submission probe is not part of this version',
    });
    expect(one(results, 'P1.implicit-tls')).to.include({
      target: 'smtp.example.net:465',
      summary: 'not tested: the implicit-tls probe is not part of this version',
    });
  });

  it('P2: every check present and skip', () => {
    const results = checkP2(full);
    expect(results.map((result) => [result.id, result.status])).to.deep.equal([
      ['P2.auth-advertised', 'skip'], ['P2.no-cleartext-auth', 'skip'], ['P2.relay-refused', 'skip'], ['P2.auth-works', 'skip'],
    ]);
    expect(results[0]!.evidence['reason']).to.equal('not tested: the submission probe is not part of this version');
  });

  it("P4.attested passes on the auditor's attestation, with it as evidence", () => {
    const attestation = { text: 'Customer guides name 587 with auth', url: 'https://isp.example/help', date: '2025-02-01', who: 'A. Auditor' };
    const results = checkP4(input(planWith({ attestations: { P4: attestation } }), [], []));
    const result = one(results, 'P4.attested');
    expect(result).to.include({ status: 'pass', target: 'submission.domain', vantage: 'any', summary: 'client configuration is attested by A. Auditor' });
    expect(result.evidence).to.deep.equal(attestation);
  });
});
