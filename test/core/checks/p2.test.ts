import { expect } from 'chai';
import { checkP2, type CheckResult, type Observation, type Plan, type RelayAttemptEvidence, type SubmissionObservation } from '@port25-audit/core';
import { dns, input, only, planWith } from './fixtures.js';
import { ADDRESS, SERVER, brokenAtGreeting, chain, compliantSubmission, ehlo, notOpen, reply, withoutStarttls } from './p1-submission-fixtures.js';

const withCredentials = planWith({ submission: { servers: [SERVER], domain: null }, credentials: { userEnv: 'P25_USER', passwordEnv: 'P25_PASSWORD' } });
const withoutCredentials = planWith({ submission: { servers: [SERVER], domain: null } });

function p2(observation: Observation, plan: Plan = withCredentials): CheckResult[] {
  return checkP2(input(plan, [dns(SERVER, 'outside', [ADDRESS]), observation], ['outside']));
}

function the(results: CheckResult[], id: string): CheckResult {
  const found = only(results, id);
  expect(found, id).to.have.length(1);
  return found[0]!;
}

function attempt(mail: string, rcpt: string | null): RelayAttemptEvidence {
  const mailFrom = reply(mail);
  const rcptTo = rcpt === null ? null : reply(rcpt);
  const mailOk = mailFrom.code < 300;
  const accepted = rcptTo !== null && rcptTo.code < 300;
  return {
    sender: 'p25-audit-probe@example.com',
    recipient: 'relay-test@example.net.invalid',
    mailFrom,
    rcptTo,
    rset: reply('250 2.0.0 OK'),
    accepted,
    refusedAt: !mailOk ? 'mail' : accepted ? null : 'rcpt',
  };
}

describe('P2 checks (pure)', () => {
  it('a compliant dialog passes every check, one result per address and vantage', () => {
    const results = p2(compliantSubmission());
    expect(results.map((result) => [result.id, result.status, result.target, result.vantage])).to.deep.equal(
      ['P2.auth-advertised', 'P2.no-cleartext-auth', 'P2.relay-refused', 'P2.auth-works'].map((id) => [id, 'pass', `${SERVER}:587 (${ADDRESS})`, 'outside']),
    );
    expect(the(results, 'P2.auth-advertised').summary).to.equal('AUTH is offered after STARTTLS: PLAIN LOGIN');
    expect(the(results, 'P2.relay-refused').summary).to.equal('relaying without AUTH is refused (530 at MAIL FROM) before and after STARTTLS');
    expect(the(results, 'P2.relay-refused').evidence).to.include({ sender: 'p25-audit-probe@example.com', recipient: 'relay-test@example.net.invalid' });
    expect(the(results, 'P2.relay-refused').evidence['note']).to.equal(undefined);
    expect(the(results, 'P2.auth-works')).to.include({ summary: 'AUTH PLAIN with the plan credentials is accepted (235)' });
    expect(the(results, 'P2.auth-works').evidence).to.include({ attempted: true, mechanism: 'PLAIN', user: 'alice' });
  });

  it('P2.auth-works is skip without credentials in the plan', () => {
    expect(the(p2(compliantSubmission(), withoutCredentials), 'P2.auth-works')).to.include({ status: 'skip', summary: 'not tested: the plan names no credentials' });
  });

  describe('P2.no-cleartext-auth (RFC 4954 §4)', () => {
    it('fails when AUTH PLAIN or LOGIN is offered before STARTTLS', () => {
      const observation = { ...compliantSubmission(), hello: ehlo('STARTTLS', 'AUTH PLAIN LOGIN CRAM-MD5') };
      const result = the(p2(observation), 'P2.no-cleartext-auth');
      expect(result).to.include({ status: 'fail', summary: 'AUTH PLAIN LOGIN is offered before STARTTLS: passwords may cross the network in clear' });
      expect(result.evidence['mechanismsBeforeTls']).to.deep.equal(['PLAIN', 'LOGIN', 'CRAM-MD5']);
    });

    it('fails on the old AUTH=LOGIN form too', () => {
      expect(the(p2({ ...compliantSubmission(), hello: ehlo('STARTTLS', 'AUTH=LOGIN') }), 'P2.no-cleartext-auth').status).to.equal('fail');
    });

    it('passes when only a challenge-response mechanism is offered in clear, and says which', () => {
      const result = the(p2({ ...compliantSubmission(), hello: ehlo('STARTTLS', 'AUTH CRAM-MD5') }), 'P2.no-cleartext-auth');
      expect(result).to.include({ status: 'pass', summary: 'before STARTTLS only AUTH CRAM-MD5 is offered, no plaintext password mechanism' });
    });

    it('is not reached when the EHLO was not answered', () => {
      expect(the(p2(brokenAtGreeting('timeout')), 'P2.no-cleartext-auth')).to.include({ status: 'skip', summary: 'not reached: greeting' });
    });
  });

  describe('P2.auth-advertised', () => {
    it('fails when AUTH is missing after STARTTLS, or offered without a mechanism', () => {
      expect(the(p2({ ...compliantSubmission(), helloAfterTls: ehlo('PIPELINING') }), 'P2.auth-advertised')).to.include({
        status: 'fail',
        summary: 'AUTH is not offered after STARTTLS: customers cannot authenticate',
      });
      expect(the(p2({ ...compliantSubmission(), helloAfterTls: ehlo('AUTH') }), 'P2.auth-advertised')).to.include({
        status: 'fail',
        summary: 'AUTH is offered after STARTTLS, but without any mechanism',
      });
    });

    it('no STARTTLS: not reached (DESIGN), while the check of STARTTLS itself fails in P1', () => {
      expect(the(p2(withoutStarttls()), 'P2.auth-advertised')).to.include({ status: 'skip', summary: 'not reached: starttls' });
    });

    it('EHLO after STARTTLS refused fails it: the step that failed carries the failure', () => {
      const observation: SubmissionObservation = {
        ...compliantSubmission(),
        outcome: 'tls',
        helloAfterTls: { ...ehlo(), verb: null, ehlo: reply('503 5.5.1 bad sequence') },
        relayAfterTls: null,
        auth: null,
        failure: { step: 'ehlo-after-tls', phase: 'ehlo', kind: 'rejected', message: 'EHLO after STARTTLS answered 503' },
      };
      const results = p2(observation);
      expect(the(results, 'P2.auth-advertised')).to.include({ status: 'fail', summary: 'EHLO is answered 503 instead of 250' });
      expect(the(results, 'P2.relay-refused')).to.include({ status: 'pass', message: the(results, 'P2.relay-refused').message });
      expect(the(results, 'P2.relay-refused').message?.id).to.equal('p2.relay-refused-clear-only');
      expect(the(results, 'P2.auth-works')).to.include({ status: 'skip', summary: 'not reached: ehlo-after-tls' });
    });
  });

  describe('P2.relay-refused', () => {
    const relay = (before: RelayAttemptEvidence, after: RelayAttemptEvidence) => the(p2({ ...compliantSubmission(), relayBeforeTls: before, relayAfterTls: after }), 'P2.relay-refused');
    const refusedAtMail = attempt('530 5.7.0 Authentication required', null);

    it('fails when RCPT TO the external address is accepted in clear, or over TLS', () => {
      const open = attempt('250 2.1.0 OK', '250 2.1.5 OK');
      expect(relay(open, refusedAtMail)).to.include({ status: 'fail', summary: 'an external recipient is accepted without AUTH before STARTTLS (250): the server is an open relay' });
      expect(relay(refusedAtMail, open)).to.include({ status: 'fail', summary: 'an external recipient is accepted without AUTH after STARTTLS (250): the server is an open relay' });
      expect(relay(open, open).evidence['beforeTls']).to.include({ accepted: true });
    });

    it('passes on any 5xx at MAIL or RCPT; other than 530 5.7.0 is noted', () => {
      const atRcpt = attempt('250 2.1.0 OK', '554 5.7.1 Relay access denied');
      const result = relay(atRcpt, atRcpt);
      expect(result).to.include({ status: 'pass', summary: 'relaying without AUTH is refused (554 at RCPT TO) before and after STARTTLS' });
      expect(result.evidence['note']).to.match(/530 5\.7\.0/);
    });

    it('a 4xx only defers: warn (a client retries, RFC 5321 §4.2.1)', () => {
      const deferred = attempt('250 2.1.0 OK', '451 4.7.1 Greylisted, try again later');
      expect(relay(deferred, refusedAtMail)).to.include({ status: 'warn', summary: 'relaying without AUTH is only deferred (451 at RCPT TO), not refused: a client retries a 4xx reply' });
      expect(relay(refusedAtMail, attempt('421 4.3.2 busy', null)).status).to.equal('warn');
    });

    it('an open relay outweighs a deferral', () => {
      expect(relay(attempt('250 OK', '450 4.2.0 later'), attempt('250 OK', '250 OK')).status).to.equal('fail');
    });

    it('a reply that is neither acceptance nor refusal fails', () => {
      expect(relay(attempt('354 go ahead', null), refusedAtMail)).to.include({ status: 'fail', summary: 'MAIL FROM without AUTH is answered 354, neither an acceptance nor a refusal' });
    });

    it('refused in clear when TLS was never reached: pass, noting that the TLS attempt was not made', () => {
      const result = the(p2(withoutStarttls()), 'P2.relay-refused');
      expect(result).to.include({
        status: 'pass',
        summary: 'relaying without AUTH is refused in clear (530 at MAIL FROM); the attempt over TLS was not made (not reached: starttls)',
      });
      expect(result.evidence['note']).to.equal('the attempt over TLS was not made (not reached: starttls)');
      expect(result.evidence['afterTls']).to.equal(null);
    });

    it('a dialog that breaks during the relay attempt fails the check at that step', () => {
      const observation: SubmissionObservation = {
        ...withoutStarttls(),
        outcome: 'hello',
        relayBeforeTls: { ...attempt('250 OK', null), mailFrom: reply('250 OK'), rcptTo: null, rset: null, refusedAt: null },
        failure: { step: 'relay-before-tls', phase: 'rcpt', kind: 'timeout', message: 'the dialog took longer than its 500 ms deadline' },
      };
      const results = p2(observation);
      expect(the(results, 'P2.relay-refused')).to.include({ status: 'fail', summary: 'relay-before-tls failed: timeout' });
      expect(the(results, 'P2.relay-refused').evidence['failure']).to.include({ phase: 'rcpt' });
      expect(the(results, 'P2.auth-advertised')).to.include({ status: 'skip', summary: 'not reached: relay-before-tls' });
    });
  });

  describe('P2.auth-works', () => {
    const works = (observation: SubmissionObservation, plan?: Plan) => the(p2(observation, plan), 'P2.auth-works');

    it('fails when AUTH is answered other than 235', () => {
      const observation = { ...compliantSubmission(), auth: { attempted: true as const, mechanism: 'LOGIN' as const, user: 'alice', reply: reply('535 5.7.8 Authentication credentials invalid'), succeeded: false } };
      expect(works(observation)).to.include({ status: 'fail', summary: 'AUTH LOGIN with the plan credentials is answered 535 instead of 235' });
    });

    it('skip naming the variable that is not set', () => {
      const observation = { ...compliantSubmission(), auth: { attempted: false as const, withheld: 'variable-unset' as const, reason: 'P25_PASSWORD is not set', user: 'alice', variable: 'P25_PASSWORD' } };
      expect(works(observation)).to.include({ status: 'skip', summary: 'not tested: the environment variable P25_PASSWORD is not set' });
    });

    it('skip when the certificate is not trusted: credentials withheld', () => {
      const observation = {
        ...compliantSubmission(),
        certificate: chain({}, { nameMatches: false, trusted: false }),
        auth: { attempted: false as const, withheld: 'untrusted-certificate' as const, reason: 'certificate not trusted; credentials withheld', user: 'alice' },
      };
      expect(works(observation)).to.include({ status: 'skip', summary: 'not tested: certificate not trusted; credentials withheld' });
    });

    it('skip when no STARTTLS: not reached, never in clear', () => {
      expect(works(withoutStarttls())).to.include({ status: 'skip', summary: 'not reached: starttls' });
    });

    it('skip when AUTH is not offered, or only mechanisms the probe does not speak', () => {
      const notOffered = { ...compliantSubmission(), helloAfterTls: ehlo('PIPELINING'), auth: { attempted: false as const, withheld: 'not-advertised' as const, reason: 'AUTH not advertised after STARTTLS', user: 'alice' } };
      expect(works(notOffered)).to.include({ status: 'skip', summary: 'not tested: AUTH is not offered after STARTTLS' });
      const cram = { ...compliantSubmission(), helloAfterTls: ehlo('AUTH CRAM-MD5 XOAUTH2'), auth: { attempted: false as const, withheld: 'no-usable-mechanism' as const, reason: 'neither PLAIN nor LOGIN offered (CRAM-MD5 XOAUTH2)', user: 'alice' } };
      expect(works(cram)).to.include({ status: 'skip', summary: 'not tested: neither AUTH PLAIN nor LOGIN is offered (CRAM-MD5 XOAUTH2)' });
    });

    it('a dialog that breaks during AUTH fails it', () => {
      const observation: SubmissionObservation = {
        ...compliantSubmission(),
        outcome: 'tls',
        auth: { attempted: true, mechanism: 'PLAIN', user: 'alice', reply: null, succeeded: false },
        quit: null,
        failure: { step: 'auth', phase: 'auth', kind: 'closed', message: 'the server closed the connection' },
      };
      expect(works(observation)).to.include({ status: 'fail', summary: 'auth failed: closed' });
    });
  });

  it('not reached: connect when the port did not open; error when the probe could not run', () => {
    const closed = p2(notOpen('closed', 'ECONNREFUSED'));
    expect(closed.map((result) => `${result.status} ${result.summary}`)).to.deep.equal([
      'skip not reached: connect',
      'skip not reached: connect',
      'skip not reached: connect',
      'skip not reached: connect',
    ]);
    expect(p2(notOpen('error', 'SCOPE')).every((result) => result.status === 'error')).to.equal(true);
  });

  it('a name that does not resolve is an error of every check', () => {
    const results = checkP2(input(withCredentials, [dns(SERVER, 'outside', { errorCode: 'ESERVFAIL' })], ['outside']));
    expect(results.map((result) => `${result.status} ${result.target}`)).to.deep.equal(Array(4).fill(`error ${SERVER}:587`));
  });
});
