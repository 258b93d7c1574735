import { expect } from 'chai';
import { CHECKS, formatMessage, MESSAGES, PRACTICES, REFERENCES, summarize } from '@port25-audit/core';

// The check ids of DESIGN.md, "Check catalogue", in its order.
const DESIGN_CHECK_IDS = [
  'P1.port-open', 'P1.greeting', 'P1.starttls-offered', 'P1.tls-handshake', 'P1.certificate', 'P1.implicit-tls',
  'P2.auth-advertised', 'P2.no-cleartext-auth', 'P2.relay-refused', 'P2.auth-works',
  'P3.outbound-587',
  'P4.srv-records', 'P4.autoconfig', 'P4.attested',
  'P5.outbound-25-blocked', 'P5.relay-reachable',
  'P6.inbound-25-blocked', 'P6.authorized-exceptions',
];

describe('check catalogue', () => {
  it('holds exactly the check ids of DESIGN.md, in order, each under its practice', () => {
    expect(CHECKS.map((check) => check.id)).to.deep.equal(DESIGN_CHECK_IDS);
    for (const check of CHECKS) expect(check.id.startsWith(`${check.practice}.`), check.id).to.equal(true);
  });

  it('lists the six practices in order with the references of each', () => {
    expect(PRACTICES.map((practice) => [practice.id, [...practice.references]])).to.deep.equal([
      ['P1', ['RFC 6409', 'RFC 3207', 'RFC 8314']],
      ['P2', ['RFC 4954', 'RFC 6409']],
      ['P3', ['RFC 6409']],
      ['P4', ['RFC 6186', 'RFC 8314', 'Mozilla autoconfig']],
      ['P5', ['MAAWG']],
      ['P6', ['MAAWG']],
    ]);
  });

  it('keeps the MAAWG paper\'s citations of RFC 2476 and RFC 2554 visible', () => {
    expect(PRACTICES[0]!.title).to.contain('RFC 2476');
    expect(PRACTICES[1]!.title).to.contain('RFC 2554');
    expect(REFERENCES['RFC 6409'].note).to.contain('RFC 2476');
    expect(REFERENCES['RFC 4954'].note).to.contain('RFC 2554');
  });

  it('gives every reference a title and an https URL', () => {
    for (const reference of Object.values(REFERENCES)) {
      expect(reference.title.length, reference.id).to.be.greaterThan(0);
      expect(reference.url, reference.id).to.match(/^https:\/\//);
    }
  });
});

describe('message table', () => {
  it('renders a template with its params', () => {
    expect(formatMessage('p3.blocked', { port: 587, outcome: 'filtered' })).to.equal(
      'port 587 is filtered: outbound submission is blocked',
    );
    expect(summarize('skip.no-vantage-scan', { vantage: 'inside' })).to.deep.equal({
      summary: 'not tested: no inside scan',
      message: { id: 'skip.no-vantage-scan', params: { vantage: 'inside' } },
    });
  });

  it('leaves a missing placeholder visible rather than inventing text', () => {
    expect(formatMessage('p3.blocked', { port: 587 })).to.equal('port 587 is {outcome}: outbound submission is blocked');
  });

  it('has ids of the form area.name and templates with word placeholders only', () => {
    for (const [id, template] of Object.entries(MESSAGES)) {
      expect(id).to.match(/^[a-z0-9]+\.[a-z0-9-]+$/);
      expect(template.replace(/\{\w+\}/g, '')).to.not.match(/[{}]/);
    }
  });
});
