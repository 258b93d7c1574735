import { expect } from 'chai';
import { buildReport, checkP4, emptyInbound, judgePractices, type Observation, type Plan, type VantageKind } from '@port25-audit/core';
import { dns, end, expectValidReport, header, input, one, only, planWith, STARTED, DIGEST } from '../checks/fixtures.js';

const DOMAIN = 'isp.example';
const SERVER = 'smtp.isp.example';

const plan = (overrides: Partial<Plan> = {}): Plan => planWith({ submission: { servers: [SERVER], domain: DOMAIN }, ...overrides });

/** An SRV observation as the srv-records probe writes it. */
function srv(
  service: '_submission._tcp' | '_submissions._tcp',
  answer: { port: number; name: string; priority?: number }[] | { outcome: 'not-published' | 'error'; errorCode: string },
  vantage: VantageKind = 'outside',
): Observation {
  const name = `${service}.${DOMAIN}`;
  const base = {
    type: 'observation' as const,
    probe: 'srv-records' as const,
    target: { host: name, address: '', port: 0, family: 'IPv4' as const },
    vantage,
    startedAt: STARTED,
    ms: 3,
    service,
    domain: DOMAIN,
    name,
    resolver: ['192.0.2.53'],
  };
  return Array.isArray(answer)
    ? { ...base, outcome: 'records', records: answer.map((record) => ({ priority: record.priority ?? 0, weight: 1, port: record.port, name: record.name })) }
    : { ...base, outcome: answer.outcome, records: [], errorCode: answer.errorCode };
}

interface Server {
  hostname: string;
  port: number | null;
  socketType: string;
  authentication: string[];
}

/** An autoconfig observation of autoconfig.DOMAIN whose two fetches both got this document. */
function autoconfig(servers: Server[], vantage: VantageKind = 'outside'): Observation {
  const url = `https://autoconfig.${DOMAIN}/mail/config-v1.1.xml`;
  const fetched = (emailAddress: string | null) => ({
    url: emailAddress === null ? url : `${url}?emailaddress=${encodeURIComponent(emailAddress)}`,
    emailAddress,
    outcome: 'response',
    reason: null,
    status: 200,
    hops: [],
    finalUrl: url,
    bytes: 900,
    document: {
      providerId: DOMAIN,
      domains: [DOMAIN],
      outgoingServers: servers.map((server) => ({
        type: 'smtp',
        hostname: server.hostname,
        port: server.port,
        portText: server.port === null ? 'submission' : String(server.port),
        socketType: server.socketType,
        authentication: server.authentication,
        username: '%EMAILADDRESS%',
      })),
    },
    parseError: null,
  });
  return {
    type: 'observation',
    probe: 'autoconfig',
    target: { host: `autoconfig.${DOMAIN}`, address: '192.0.2.80', port: 443, family: 'IPv4' },
    vantage,
    startedAt: STARTED,
    ms: 40,
    outcome: 'published',
    domain: DOMAIN,
    fetches: [fetched(null), fetched('port25-audit@example.com')],
  };
}

const served = (vantage: VantageKind = 'outside'): Observation[] => [
  dns(`autoconfig.${DOMAIN}`, vantage, ['192.0.2.80']),
  dns(DOMAIN, vantage, { errorCode: 'ENOTFOUND' }),
];

const good: Server = { hostname: SERVER, port: 587, socketType: 'STARTTLS', authentication: ['password-cleartext'] };

/** The autoconfig.DOMAIN result of one document. */
function judgeDocument(servers: Server[], planned: Plan = plan()) {
  const results = checkP4(input(planned, [...served(), autoconfig(servers)], ['outside']));
  return only(results, 'P4.autoconfig').find((result) => result.target.startsWith('autoconfig.'))!;
}

describe('checkP4: judging SRV and autoconfig observations', function () {
  it('skips every mechanism when the plan has no submission.domain', function () {
    const results = checkP4(input(planWith(), [], ['outside']));
    expect(results.map((result) => [result.id, result.status, result.target, result.summary])).to.deep.equal([
      ['P4.srv-records', 'skip', 'submission.domain', 'not tested: plan has no submission.domain'],
      ['P4.autoconfig', 'skip', 'submission.domain', 'not tested: plan has no submission.domain'],
      ['P4.attested', 'skip', 'submission.domain', 'not tested: plan has no attestations.P4'],
    ]);
  });

  it('skips the probed mechanisms when no scan was given', function () {
    const results = checkP4(input(plan(), [], []));
    expect(one(results, 'P4.srv-records')).to.include({ status: 'skip', target: DOMAIN, summary: 'not tested: no scan file was given' });
    expect(one(results, 'P4.autoconfig')).to.include({ status: 'skip', summary: 'not tested: no scan file was given' });
  });

  it('skips a service the scan has no observation of, naming it', function () {
    const results = checkP4(input(plan(), [srv('_submission._tcp', [{ port: 587, name: SERVER }])], ['outside']));
    expect(only(results, 'P4.srv-records').map((result) => [result.target, result.status])).to.deep.equal([
      [`_submission._tcp.${DOMAIN}`, 'pass'],
      [`_submissions._tcp.${DOMAIN}`, 'skip'],
    ]);
    expect(only(results, 'P4.srv-records')[1]!.summary).to.equal(
      `not tested: no srv-records observation for _submissions._tcp.${DOMAIN} (the scan did not reach it)`,
    );
  });

  it('fails a record on port 25 even when its target is unknown too (fail outranks warn)', function () {
    const results = checkP4(input(plan(), [srv('_submission._tcp', [{ port: 25, name: 'relay.elsewhere.example' }])], ['outside']));
    const result = one(results.filter((r) => r.target.startsWith('_submission.')), 'P4.srv-records');
    expect(result.status).to.equal('fail');
    expect(result.message).to.deep.equal({ id: 'p4.srv-smtp-port', params: { name: `_submission._tcp.${DOMAIN}`, host: 'relay.elsewhere.example', port: 25 } });
  });

  it('judges every record: the worst one gives the status', function () {
    const results = checkP4(
      input(plan(), [srv('_submission._tcp', [{ port: 587, name: `${SERVER}.` }, { port: 2525, name: SERVER, priority: 10 }])], ['outside']),
    );
    const result = results.find((r) => r.target === `_submission._tcp.${DOMAIN}`)!;
    expect(result.status).to.equal('warn');
    expect((result.evidence['records'] as { status: string }[]).map((record) => record.status)).to.deep.equal(['pass', 'warn']);
  });

  it('notes a _submission record on the implicit-TLS port, which the contract still passes', function () {
    const results = checkP4(input(plan(), [srv('_submission._tcp', [{ port: 465, name: SERVER }])], ['outside']));
    const result = results.find((r) => r.target === `_submission._tcp.${DOMAIN}`)!;
    expect(result.status).to.equal('pass');
    expect((result.evidence['records'] as { note: string }[])[0]!.note).to.contain('RFC 6186 §3.1');
  });

  it('is an error, naming the resolver, when the lookup failed', function () {
    const results = checkP4(input(plan(), [srv('_submission._tcp', { outcome: 'error', errorCode: 'ETIMEOUT' })], ['outside']));
    expect(results.find((r) => r.target === `_submission._tcp.${DOMAIN}`)).to.include({
      status: 'error',
      summary: `the SRV lookup of _submission._tcp.${DOMAIN} failed (ETIMEOUT) at resolver 192.0.2.53: the probe could not run`,
    });
  });

  it('gives one result per vantage scanned, each saying which vantage saw it', function () {
    const observations = [
      srv('_submission._tcp', [{ port: 587, name: SERVER }], 'outside'),
      srv('_submission._tcp', [{ port: 25, name: SERVER }], 'inside'),
    ];
    const results = checkP4(input(plan(), observations, ['inside', 'outside']));
    const submission = results.filter((r) => r.target === `_submission._tcp.${DOMAIN}`);
    expect(submission.map((r) => [r.vantage, r.status])).to.deep.equal([
      ['inside', 'fail'],
      ['outside', 'pass'],
    ]);
  });

  it('passes 587 STARTTLS and 465 SSL with authentication', function () {
    const result = judgeDocument([good, { hostname: SERVER, port: 465, socketType: 'SSL', authentication: ['OAuth2'] }]);
    expect(result).to.include({ status: 'pass', target: 'autoconfig.isp.example:443 (192.0.2.80)', address: '192.0.2.80', port: 443, family: 'IPv4' });
    const fetches = result.evidence['fetches'] as { servers: { status: string; findings: string[] }[] }[];
    expect(fetches).to.have.length(2);
    expect(fetches[0]!.servers.map((server) => server.status)).to.deep.equal(['pass', 'pass']);
  });

  it('counts client-IP-address as no authentication (it relays by address, RFC 4954 is not used)', function () {
    expect(judgeDocument([{ ...good, authentication: ['client-IP-address'] }]).message?.id).to.equal('p4.autoconfig-no-auth');
    expect(judgeDocument([{ ...good, authentication: [] }]).status).to.equal('fail');
  });

  it('fails when any outgoing server fails, even beside a good one', function () {
    const result = judgeDocument([good, { ...good, port: 25 }]);
    expect(result.status).to.equal('fail');
    expect(result.message?.id).to.equal('p4.autoconfig-smtp-port');
  });

  it('warns on a TLS mode that does not fit the port, and on plain without a cleartext password', function () {
    const mismatch = judgeDocument([{ ...good, socketType: 'SSL' }]);
    expect(mismatch).to.include({
      status: 'warn',
      summary: 'https://autoconfig.isp.example/mail/config-v1.1.xml: outgoing server smtp.isp.example:587 has socketType SSL, but port 587 expects STARTTLS',
    });
    expect(judgeDocument([{ ...good, port: 465, socketType: 'STARTTLS' }]).message?.id).to.equal('p4.autoconfig-socket-mismatch');
    expect(judgeDocument([{ ...good, socketType: 'plain', authentication: ['password-encrypted'] }]).message?.id).to.equal('p4.autoconfig-no-tls');
  });

  it('warns on a port that is neither submission port, and passes a remapped one', function () {
    expect(judgeDocument([{ ...good, port: 2525 }])).to.include({ status: 'warn' });
    const remapped = plan({ ports: { smtp: 25, submission: 2525, submissions: 465, https: 443 } });
    expect(judgeDocument([{ ...good, port: 2525 }], remapped).status).to.equal('pass');
  });

  it('fails an outgoing server without a usable port', function () {
    expect(judgeDocument([{ ...good, port: null }])).to.include({
      status: 'fail',
      summary: 'https://autoconfig.isp.example/mail/config-v1.1.xml: outgoing server smtp.isp.example names no valid port (submission)',
    });
  });

  it('warns on a host the plan does not name, after substituting %EMAILDOMAIN%', function () {
    expect(judgeDocument([{ ...good, hostname: 'smtp.%EMAILDOMAIN%' }]).status).to.equal('pass');
    expect(judgeDocument([{ ...good, hostname: 'mail.partner.example' }])).to.include({
      status: 'warn',
      summary: "https://autoconfig.isp.example/mail/config-v1.1.xml: outgoing server mail.partner.example is not one of the plan's submission servers",
    });
  });

  it('skips an HTML page served for the URL (a web site answering every path), but fails malformed XML', function () {
    const withBody = (contentType: string): Observation => {
      const observation = autoconfig([]) as unknown as { fetches: Record<string, unknown>[] };
      observation.fetches = observation.fetches.map((fetched) => ({ ...fetched, contentType, document: null, parseError: "Unexpected closing tag 'head' (line 3, column 2)" }));
      return observation as unknown as Observation;
    };
    const judge = (contentType: string) =>
      only(checkP4(input(plan(), [...served(), withBody(contentType)], ['outside'])), 'P4.autoconfig').find((result) => result.target.startsWith('autoconfig.'))!;
    expect(judge('text/html; charset=utf-8')).to.include({
      status: 'skip',
      summary: 'no autoconfig at https://autoconfig.isp.example/mail/config-v1.1.xml (HTTP 200, an HTML page)',
    });
    expect(judge('application/xml')).to.include({ status: 'fail' });
    expect(judge('application/xml').summary).to.contain("is not a valid autoconfig document: Unexpected closing tag 'head'");
  });

  it('fails a document without an SMTP outgoing server', function () {
    expect(judgeDocument([])).to.include({ status: 'fail', summary: 'https://autoconfig.isp.example/mail/config-v1.1.xml names no SMTP outgoing server' });
  });

  it('is an error when an autoconfig host did not resolve for a reason other than NXDOMAIN', function () {
    const observations = [dns(`autoconfig.${DOMAIN}`, 'outside', { errorCode: 'ETIMEOUT' }), dns(DOMAIN, 'outside', { errorCode: 'ENODATA' })];
    const results = only(checkP4(input(plan(), observations, ['outside'])), 'P4.autoconfig');
    expect(results.map((result) => [result.target, result.status, result.summary])).to.deep.equal([
      [`autoconfig.${DOMAIN}`, 'error', `autoconfig.${DOMAIN} did not resolve (ETIMEOUT): the probe could not run`],
      [DOMAIN, 'skip', `${DOMAIN} does not resolve (ENODATA): no autoconfig is published there`],
    ]);
  });

  it('makes P4 the worst of its mechanisms: a failed probe outweighs the attestation; skips never pass', function () {
    const attestation = { text: 'CPE profiles use 587', url: null, date: null, who: 'B. Auditor' };
    const observations = [
      ...served(),
      autoconfig([good]),
      srv('_submission._tcp', [{ port: 25, name: SERVER }]),
      srv('_submissions._tcp', { outcome: 'not-published', errorCode: 'ENOTFOUND' }),
    ];
    const p4 = (planned: Plan, seen: Observation[]) => judgePractices(input(planned, seen, ['outside'])).find((practice) => practice.id === 'P4')!;
    expect(p4(plan({ attestations: { P4: attestation } }), observations).status).to.equal('fail');
    expect(p4(plan(), observations.slice(0, 3)).status).to.equal('pass');
    expect(p4(plan(), [srv('_submission._tcp', { outcome: 'not-published', errorCode: 'ENOTFOUND' })]).status).to.equal('skip');
  });

  it('writes reports that validate against the report schema', function () {
    const planned = plan();
    const observations = [...served(), autoconfig([good, { ...good, port: 25 }]), srv('_submission._tcp', [{ port: 587, name: SERVER }])];
    const report = buildReport({
      plan: planned,
      digest: DIGEST,
      headers: [header(planned, { kind: 'outside' })],
      ends: [end()],
      observations,
      inbound: emptyInbound(),
      now: new Date(STARTED),
    });
    expect(report.practices.find((practice) => practice.id === 'P4')!.status).to.equal('fail');
    expectValidReport(report);
  });
});
