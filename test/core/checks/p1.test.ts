import { expect } from 'chai';
import { checkP1, judgePractices, type CheckResult, type Observation, type SubmissionObservation } from '@port25-audit/core';
import { dns, input, only, planWith } from './fixtures.js';
import {
  ADDRESS,
  SERVER,
  brokenAtGreeting,
  certificate,
  chain,
  compliantImplicit,
  compliantSubmission,
  ehlo,
  notOpen,
  reply,
  root,
  withoutStarttls,
} from './p1-submission-fixtures.js';

const plan = planWith({ submission: { servers: [SERVER], domain: null } });
const P1_587 = ['P1.port-open', 'P1.greeting', 'P1.starttls-offered', 'P1.tls-handshake', 'P1.certificate'];

/** The P1 results of observations seen from outside. */
function p1(...observations: Observation[]): CheckResult[] {
  return checkP1(input(plan, [dns(SERVER, 'outside', [ADDRESS]), ...observations], ['outside']));
}

/** id → status of the ports.submission checks. */
function statuses(results: CheckResult[]): Record<string, string> {
  return Object.fromEntries(results.filter((result) => result.id !== 'P1.implicit-tls').map((result) => [result.id, result.status]));
}

function the(results: CheckResult[], id: string): CheckResult {
  const found = only(results, id);
  expect(found, id).to.have.length(1);
  return found[0]!;
}

describe('P1 checks (pure)', () => {
  describe('targets, vantages and missing input', () => {
    it('a compliant dialog passes the five 587 checks, one result per address, labelled name:port (address)', () => {
      const results = p1(compliantSubmission(), compliantImplicit());
      expect(results.map((result) => result.id)).to.deep.equal([...P1_587, 'P1.implicit-tls']);
      for (const result of results) {
        expect(result, result.id).to.include({ status: 'pass', vantage: 'outside', address: ADDRESS, family: 'IPv4' });
      }
      expect(the(results, 'P1.port-open')).to.include({ target: `${SERVER}:587 (${ADDRESS})`, port: 587, summary: 'port 587 accepts TCP connections' });
      expect(the(results, 'P1.implicit-tls')).to.include({ target: `${SERVER}:465 (${ADDRESS})`, port: 465 });
      expect(the(results, 'P1.greeting').summary).to.equal('greets with 220 and answers EHLO with 250');
      expect(the(results, 'P1.tls-handshake').summary).to.equal('the TLS handshake succeeds with TLSv1.3 (TLS_AES_256_GCM_SHA384)');
      expect(the(results, 'P1.certificate').summary).to.equal(`the certificate is trusted, names ${SERVER} and is valid for 80 more days`);
      expect(the(results, 'P1.certificate').evidence).to.include({ subject: `CN=${SERVER}`, issuer: 'CN=Example CA', key: 'RSA 2048', fingerprintSha256: 'AA:BB', chainValid: true });
      expect(the(results, 'P1.certificate').evidence['subjectAltNames']).to.deep.equal([`DNS:${SERVER}`]);
    });

    it('gives one result per vantage when both were scanned', () => {
      const observations = [dns(SERVER, 'inside', [ADDRESS]), dns(SERVER, 'outside', [ADDRESS]), compliantSubmission({ vantage: 'inside' }), compliantSubmission({ vantage: 'outside' })];
      const results = checkP1(input(plan, observations, ['inside', 'outside'])).filter((result) => result.id === 'P1.port-open');
      expect(results.map((result) => `${result.vantage} ${result.status}`)).to.deep.equal(['inside pass', 'outside pass']);
    });

    it('one result per address of a name, IPv4 first; an address nobody probed is skip', () => {
      const v6 = '2001:db8::25';
      const results = checkP1(
        input(plan, [dns(SERVER, 'outside', [v6, ADDRESS, '192.0.2.26']), compliantSubmission({ address: v6 }), compliantSubmission()], ['outside']),
      ).filter((result) => result.id === 'P1.port-open');
      expect(results.map((result) => [result.target, result.status])).to.deep.equal([
        [`${SERVER}:587 (${ADDRESS})`, 'pass'],
        [`${SERVER}:587 (192.0.2.26)`, 'skip'],
        [`${SERVER}:587 (2001:db8::25)`, 'pass'],
      ]);
      expect(results[1]!.summary).to.equal(`not tested: no submission observation for ${SERVER}:587 (192.0.2.26) (the scan did not reach it)`);
    });

    it('a server given as an address is labelled address:port', () => {
      const byAddress = planWith({ submission: { servers: [ADDRESS], domain: null } });
      const results = checkP1(input(byAddress, [compliantSubmission({ host: null })], ['outside']));
      expect(the(results, 'P1.port-open').target).to.equal(`${ADDRESS}:587`);
    });

    it('skip when the plan names no submission server, or no scan was given', () => {
      const none = checkP1(input(planWith(), [], ['outside']));
      expect(none.map((result) => [result.id, result.status, result.target])).to.deep.equal(
        [...P1_587, 'P1.implicit-tls'].map((id) => [id, 'skip', 'submission.servers']),
      );
      expect(none[0]!.summary).to.equal('not tested: plan has no submission.servers');
      const unscanned = checkP1(input(plan, [], []));
      expect(unscanned.every((result) => result.status === 'skip' && result.message?.id === 'skip.no-scan')).to.equal(true);
      expect(the(unscanned, 'P1.implicit-tls').target).to.equal(`${SERVER}:465`);
    });

    it('a server name that does not resolve is an error of every check, naming the name', () => {
      const results = checkP1(input(plan, [dns(SERVER, 'outside', { errorCode: 'ENOTFOUND' })], ['outside']));
      expect(results).to.have.length(6);
      for (const result of results) {
        expect(result).to.include({ status: 'error', summary: `${SERVER} did not resolve (ENOTFOUND): the probe could not run` });
        expect(result.address).to.equal(undefined);
      }
      expect(the(results, 'P1.implicit-tls').target).to.equal(`${SERVER}:465`);
    });

    it('a probe that could not run (scope refusal, unreadable CA file) is an error of every check', () => {
      const results = p1(notOpen('error', 'SCOPE'));
      expect(Object.values(statuses(results))).to.deep.equal(['error', 'error', 'error', 'error', 'error']);
      expect(the(results, 'P1.greeting').summary).to.equal('the probe could not run (SCOPE)');
    });
  });

  describe('reached or not', () => {
    for (const outcome of ['closed', 'filtered', 'unreachable'] as const) {
      it(`port ${outcome}: P1.port-open fails, every later check is not reached: connect`, () => {
        const results = p1(notOpen(outcome, 'ECONNREFUSED'));
        expect(statuses(results)).to.deep.equal({ 'P1.port-open': 'fail', 'P1.greeting': 'skip', 'P1.starttls-offered': 'skip', 'P1.tls-handshake': 'skip', 'P1.certificate': 'skip' });
        expect(the(results, 'P1.port-open').summary).to.equal(`port 587 is ${outcome}: no submission service answers there`);
        expect(the(results, 'P1.certificate').summary).to.equal('not reached: connect');
        expect(the(results, 'P1.certificate').evidence['reason']).to.equal('not reached: connect');
      });
    }

    for (const kind of ['timeout', 'closed', 'protocol', 'cap-exceeded'] as const) {
      it(`a greeting that never completes (${kind}) fails P1.greeting with the failure and transcript as evidence`, () => {
        const results = p1(brokenAtGreeting(kind));
        expect(statuses(results)).to.deep.equal({ 'P1.port-open': 'pass', 'P1.greeting': 'fail', 'P1.starttls-offered': 'skip', 'P1.tls-handshake': 'skip', 'P1.certificate': 'skip' });
        const greeting = the(results, 'P1.greeting');
        expect(greeting.summary).to.equal(`greeting failed: ${kind}`);
        expect(greeting.evidence['failure']).to.include({ step: 'greeting', kind });
        expect(greeting.evidence['transcript']).to.be.an('array');
        expect(the(results, 'P1.starttls-offered').summary).to.equal('not reached: greeting');
      });
    }

    for (const code of [421, 554]) {
      it(`a ${code} greeting fails P1.greeting (no service offered)`, () => {
        const results = p1({ ...brokenAtGreeting('closed'), greeting: reply(`${code} 4.3.2 busy`), failure: { step: 'greeting', phase: 'greeting', kind: 'rejected', message: `the greeting answered ${code}` } });
        expect(the(results, 'P1.greeting')).to.include({ status: 'fail', summary: `greets with ${code} instead of 220: no submission service is offered` });
        expect(the(results, 'P1.tls-handshake').summary).to.equal('not reached: greeting');
      });
    }

    it('a reset at EHLO fails P1.greeting (the greeting survives as evidence); STARTTLS is not reached', () => {
      const observation: SubmissionObservation = {
        ...brokenAtGreeting('closed'),
        outcome: 'greeted',
        greeting: reply(`220 ${SERVER} ESMTP`),
        failure: { step: 'ehlo', phase: 'ehlo', kind: 'closed', message: 'the server closed the connection' },
      };
      const results = p1(observation);
      expect(the(results, 'P1.greeting')).to.include({ status: 'fail', summary: 'ehlo failed: closed' });
      expect(the(results, 'P1.greeting').evidence['greeting']).to.include({ code: 220 });
      expect(the(results, 'P1.starttls-offered').summary).to.equal('not reached: ehlo');
    });

    it('EHLO and HELO refused fails P1.greeting with the code', () => {
      const hello = { ...ehlo(), verb: null, ehlo: reply('500 5.5.1 unknown'), helo: reply('502 5.5.2 no') };
      const results = p1({ ...withoutStarttls(), hello, relayBeforeTls: null, outcome: 'greeted' });
      expect(the(results, 'P1.greeting').summary).to.equal('EHLO is answered 502 instead of 250');
      expect(the(results, 'P1.starttls-offered').summary).to.equal('not reached: ehlo');
    });

    it('HELO only (EHLO refused) fails P1.greeting: no extension can be offered', () => {
      const helo = reply('250 old.example.net');
      const results = p1({ ...withoutStarttls(), hello: { verb: 'HELO', ehlo: reply('502 5.5.2 unknown'), helo, capabilities: { ...ehlo().capabilities, keywords: [], extensions: [], starttls: false } } });
      expect(the(results, 'P1.greeting')).to.include({ status: 'fail', summary: 'EHLO is refused (502); only HELO is answered, so no extension (STARTTLS, AUTH) can be offered' });
      expect(the(results, 'P1.starttls-offered').status).to.equal('fail');
    });

    it('bare reply codes are accepted, and the evidence notes it (RFC 5321 §4.2)', () => {
      const bare = reply('250-mail', '250');
      const observation = { ...withoutStarttls(), greeting: reply('220'), hello: { ...ehlo(), ehlo: bare } };
      const greeting = the(p1(observation), 'P1.greeting');
      expect(greeting).to.include({ status: 'pass', summary: 'greets with 220 and answers EHLO with 250, with bare reply codes (allowed by RFC 5321 §4.2)' });
      expect(greeting.evidence['note']).to.equal('bare reply codes without text were accepted (RFC 5321 §4.2)');
      expect(greeting.evidence['greeting']).to.deep.include({ code: 220, bare: true, text: '' });
    });

    it('no STARTTLS: P1.starttls-offered fails; the handshake and the certificate are not reached: starttls', () => {
      const results = p1(withoutStarttls());
      expect(statuses(results)).to.deep.equal({ 'P1.port-open': 'pass', 'P1.greeting': 'pass', 'P1.starttls-offered': 'fail', 'P1.tls-handshake': 'skip', 'P1.certificate': 'skip' });
      expect(the(results, 'P1.starttls-offered').summary).to.equal('STARTTLS is not offered: passwords and mail would cross the network in clear');
      expect(the(results, 'P1.tls-handshake').summary).to.equal('not reached: starttls');
      expect(the(results, 'P1.certificate').summary).to.equal('not reached: starttls');
    });

    it('STARTTLS refused (454) fails the handshake check; the certificate is not reached', () => {
      const observation = { ...withoutStarttls(), hello: compliantSubmission().hello, starttls: reply('454 4.7.0 TLS not available'), failure: { step: 'starttls' as const, phase: 'starttls' as const, kind: 'rejected' as const, message: 'STARTTLS answered 454' } };
      const results = p1(observation);
      expect(the(results, 'P1.starttls-offered').status).to.equal('pass');
      expect(the(results, 'P1.tls-handshake')).to.include({ status: 'fail', summary: 'STARTTLS is answered 454 instead of 220' });
      expect(the(results, 'P1.certificate').summary).to.equal('not reached: starttls');
    });

    it('a broken handshake fails P1.tls-handshake; the certificate is not reached: tls', () => {
      const observation = {
        ...withoutStarttls(),
        outcome: 'hello' as const,
        hello: compliantSubmission().hello,
        starttls: reply('220 2.0.0 Ready'),
        failure: { step: 'tls' as const, phase: 'tls' as const, kind: 'tls' as const, message: 'wrong version number' },
      };
      const results = p1(observation);
      expect(the(results, 'P1.tls-handshake')).to.include({ status: 'fail', summary: 'the TLS handshake fails' });
      expect(the(results, 'P1.tls-handshake').evidence['failure']).to.include({ message: 'wrong version number' });
      expect(the(results, 'P1.certificate').summary).to.equal('not reached: tls');
    });

    it('a session that breaks on our side (local) is an error of that step, not a fail', () => {
      const observation = { ...brokenAtGreeting('timeout'), failure: { step: 'greeting' as const, phase: 'greeting' as const, kind: 'local' as const, message: 'EMFILE' } };
      expect(the(p1(observation), 'P1.greeting')).to.include({ status: 'error', summary: 'the probe could not run (local)' });
    });
  });

  describe('TLS versions', () => {
    for (const [protocol, status] of [['TLSv1', 'warn'], ['TLSv1.1', 'warn'], ['TLSv1.2', 'pass'], ['TLSv1.3', 'pass']] as const) {
      it(`${protocol}: ${status}`, () => {
        const base = compliantSubmission();
        const result = the(p1({ ...base, tls: { ...base.tls!, protocol, cipher: 'ECDHE-RSA-AES128-SHA' } }), 'P1.tls-handshake');
        expect(result.status).to.equal(status);
        if (status === 'warn') expect(result.summary).to.equal(`the TLS handshake succeeds, but with ${protocol}, older than TLS 1.2`);
        expect(result.evidence['tls']).to.include({ protocol });
      });
    }
  });

  describe('certificates', () => {
    const judge = (certificateChain: ReturnType<typeof chain>) => the(p1({ ...compliantSubmission(), certificate: certificateChain }), 'P1.certificate');

    it('expired: fail with the date (the chain error says the same, once)', () => {
      const result = judge(chain({ daysLeft: -3, expired: true }, { chainValid: false, chainError: 'CERT_HAS_EXPIRED', trusted: false }));
      expect(result.status).to.equal('fail');
      expect(result.summary).to.match(/^the certificate expired on \d{4}-\d{2}-\d{2}$/);
      expect(result.evidence['findings']).to.have.length(1);
      expect(result.evidence).to.include({ chainError: 'CERT_HAS_EXPIRED' });
    });

    it('not yet valid: fail', () => {
      const result = judge(chain({ notYetValid: true }, { chainValid: false, chainError: 'CERT_NOT_YET_VALID', trusted: false }));
      expect(result.status).to.equal('fail');
      expect(result.message?.id).to.equal('p1.certificate-not-yet-valid');
    });

    it('self-signed: fail', () => {
      const leaf = certificate({ selfSigned: true, issuer: `CN=${SERVER}` });
      const result = judge({ ...chain(), chain: [leaf], chainValid: false, chainError: 'DEPTH_ZERO_SELF_SIGNED_CERT', trusted: false });
      expect(result).to.include({ status: 'fail', summary: 'the certificate is self-signed: no trusted CA vouches for it' });
    });

    it('an unknown issuer: fail with the OpenSSL reason', () => {
      const result = judge(chain({}, { chainValid: false, chainError: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', trusted: false }));
      expect(result).to.include({ status: 'fail', summary: 'the certificate chain does not verify (UNABLE_TO_GET_ISSUER_CERT_LOCALLY)' });
    });

    it('a name that does not match: fail naming the name checked', () => {
      const result = judge(chain({ subjectAltNames: ['DNS:other.example'] }, { nameMatches: false, trusted: false }));
      expect(result).to.include({ status: 'fail', summary: `the certificate does not name ${SERVER}` });
      expect(result.evidence).to.include({ nameChecked: SERVER, nameMatches: false });
    });

    for (const [key, status] of [
      [{ type: 'rsa', bits: 1024, curve: null }, 'fail'],
      [{ type: 'rsa', bits: 2048, curve: null }, 'pass'],
      [{ type: 'ec', bits: 224, curve: 'secp224r1' }, 'fail'],
      [{ type: 'ec', bits: 256, curve: 'prime256v1' }, 'pass'],
      [{ type: 'ed25519', bits: 256, curve: null }, 'pass'],
    ] as const) {
      it(`a ${key.type} ${key.bits} key: ${status}`, () => {
        const result = judge(chain({ key: { ...key } }));
        expect(result.status).to.equal(status);
        if (status === 'fail') expect(result.summary).to.match(/^the certificate key is too weak: (RSA 1024|EC 224 \(secp224r1\)) \(RSA needs 2048 bits, EC 256\)$/);
      });
    }

    it('a SHA-1 signature on the leaf fails; on the self-signed root it does not matter', () => {
      const sha1 = { oid: '1.2.840.113549.1.1.5', name: 'sha1WithRSAEncryption', hash: 'sha1' };
      expect(judge(chain({ signatureAlgorithm: sha1 }))).to.include({ status: 'fail', summary: `the certificate of CN=${SERVER} is signed with sha1WithRSAEncryption, a broken digest` });
      expect(judge({ ...chain(), chain: [certificate(), root({ signatureAlgorithm: sha1 })] }).status).to.equal('pass');
    });

    it('fewer than 21 days left warns; 21 days passes', () => {
      const warned = judge(chain({ daysLeft: 20 }));
      expect(warned.status).to.equal('warn');
      expect(warned.summary).to.match(/^the certificate expires in 20 days, on \d{4}-\d{2}-\d{2}$/);
      expect(judge(chain({ daysLeft: 21 })).status).to.equal('pass');
    });

    it('several findings: the first failure is the summary, all are evidence', () => {
      const result = judge(chain({ key: { type: 'rsa', bits: 1024, curve: null }, daysLeft: 5 }, { nameMatches: false, trusted: false }));
      expect(result.status).to.equal('fail');
      expect(result.summary).to.equal(`the certificate does not name ${SERVER}`);
      expect(result.evidence['findings']).to.have.length(3);
    });

    it('no certificate at all fails', () => {
      expect(judge(null as unknown as ReturnType<typeof chain>)).to.include({ status: 'fail', summary: 'the server presents no certificate' });
    });
  });

  describe('P1.implicit-tls (port 465)', () => {
    const implicit = (observation: Observation) => the(p1(compliantSubmission(), observation), 'P1.implicit-tls');

    it('passes when TLS, the certificate, the greeting and EHLO work', () => {
      expect(implicit(compliantImplicit())).to.include({ status: 'pass', summary: 'implicit TLS works: TLSv1.3, a trusted certificate, greeting and EHLO' });
    });

    for (const outcome of ['closed', 'filtered', 'unreachable'] as const) {
      it(`skip when the port is ${outcome}: implicit TLS is optional`, () => {
        const observation = { ...compliantImplicit(), outcome, connect: { outcome, ms: 1, errorCode: 'X' }, tls: null, certificate: null, greeting: null, hello: null };
        expect(implicit(observation)).to.include({ status: 'skip', summary: `port 465 is ${outcome}: implicit TLS is not offered (it is optional)` });
      });
    }

    it('fails when the port opens but TLS fails (a plaintext server on 465)', () => {
      const observation = { ...compliantImplicit(), outcome: 'connected' as const, tls: null, certificate: null, greeting: null, hello: null, failure: { step: 'tls' as const, phase: 'tls' as const, kind: 'tls' as const, message: 'wrong version number' } };
      expect(implicit(observation)).to.include({ status: 'fail', summary: 'the TLS handshake fails' });
    });

    it('fails on its certificate, warns on TLS 1.0 and on fewer than 21 days', () => {
      expect(implicit({ ...compliantImplicit(), certificate: chain({}, { nameMatches: false, trusted: false }) }).status).to.equal('fail');
      const base = compliantImplicit();
      expect(implicit({ ...base, tls: { ...base.tls!, protocol: 'TLSv1' } }).status).to.equal('warn');
      expect(implicit({ ...base, certificate: chain({ daysLeft: 3 }) }).status).to.equal('warn');
    });

    it('fails on a greeting other than 220 over TLS', () => {
      const observation = { ...compliantImplicit(), outcome: 'tls' as const, greeting: reply('554 5.7.1 go away'), hello: null, failure: { step: 'greeting' as const, phase: 'greeting' as const, kind: 'rejected' as const, message: 'the greeting answered 554' } };
      expect(implicit(observation)).to.include({ status: 'fail', summary: 'greets with 554 instead of 220: no submission service is offered' });
    });

    it('P1 fails when 587 fails even though 465 works', () => {
      const observations = [dns(SERVER, 'outside', [ADDRESS]), notOpen('closed', 'ECONNREFUSED'), compliantImplicit()];
      const p1Practice = judgePractices(input(plan, observations, ['outside'])).find((practice) => practice.id === 'P1')!;
      expect(the(p1Practice.checks, 'P1.implicit-tls').status).to.equal('pass');
      expect(p1Practice.status).to.equal('fail');
    });
  });
});
