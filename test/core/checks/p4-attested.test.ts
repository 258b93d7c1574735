import { expect } from 'chai';
import { checkP4 } from '@port25-audit/core';
import { input, one, planWith } from './fixtures.js';

describe('P4.attested without any probe', () => {
  it("P4.attested passes on the auditor's attestation, with it as evidence", () => {
    const attestation = { text: 'Customer guides name 587 with auth', url: 'https://isp.example/help', date: '2025-02-01', who: 'A. Auditor' };
    const results = checkP4(input(planWith({ attestations: { P4: attestation } }), [], []));
    const result = one(results, 'P4.attested');
    expect(result).to.include({ status: 'pass', target: 'submission.domain', vantage: 'any', summary: 'client configuration is attested by A. Auditor' });
    expect(result.evidence).to.deep.equal(attestation);
  });
});
