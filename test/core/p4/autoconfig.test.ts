import { expect } from 'chai';
import { join } from 'node:path';
import { OFF_DOMAIN_HOST, P4_LAB_ADDRESSES, type P4Lab } from '@port25-audit/fixtures/p4';
import type { CheckResult, Plan } from '@port25-audit/core';
import { createScope, guardDialer, resolveNames, tcpDialer } from '@port25-audit/core';
import { auditP4, labForTests, p4Plan, probe, resultFor } from './support.js';

/** What the tests read from an autoconfig result's evidence. */
interface FetchEvidence {
  url: string;
  finalUrl: string;
  outcome: string;
  status: number | null;
  reason: string | null;
  bytes: number | null;
  verdictStatus: string;
  servers: { hostname: string; port: number; socketType: string; authentication: string[]; status: string; findings: string[] }[];
  hops: { url: string; address: string; port: number; status: number | null; location: string | null; bytes: number | null; tls: { authorized: boolean } | null }[];
}

const fetchesOf = (result: CheckResult): FetchEvidence[] => result.evidence['fetches'] as FetchEvidence[];

describe('P4.autoconfig against the fixture HTTPS server', function () {
  let lab: P4Lab;
  let dir: string;
  let stop: () => Promise<void>;

  before(async function () {
    ({ lab, dir, stop } = await labForTests());
  });
  after(async function () {
    await stop();
  });

  /** The autoconfig results of a lab domain: the autoconfig host's and the domain's own (well-known URL). */
  const autoconfig = async (domain: string, overrides: Partial<Plan> = {}) => {
    const audit = await auditP4(p4Plan(lab, domain, overrides));
    return {
      ...audit,
      host: resultFor(audit.results, 'P4.autoconfig', new RegExp(`^autoconfig\\.${domain.replace(/\./g, '\\.')}`)),
      apex: resultFor(audit.results, 'P4.autoconfig', new RegExp(`^${domain.replace(/\./g, '\\.')}`)),
    };
  };

  it('passes a document whose every SMTP outgoing server is 587 STARTTLS or 465 SSL with authentication', async function () {
    const before = lab.https.requests.length;
    const { host, apex, dialed } = await autoconfig('good.p4.test');
    expect(host).to.include({
      status: 'pass',
      target: `autoconfig.good.p4.test:${lab.https.port} (127.70.0.1)`,
      address: '127.70.0.1',
      port: lab.https.port,
      family: 'IPv4',
      vantage: 'outside',
      summary: 'https://autoconfig.good.p4.test/mail/config-v1.1.xml: outgoing server smtp.good.p4.test:587 (STARTTLS) with authentication',
    });
    const fetches = fetchesOf(host);
    expect(fetches.map((fetched) => fetched.url)).to.deep.equal([
      'https://autoconfig.good.p4.test/mail/config-v1.1.xml',
      'https://autoconfig.good.p4.test/mail/config-v1.1.xml?emailaddress=port25-audit%40example.com',
    ]);
    for (const fetched of fetches) {
      expect(fetched).to.include({ outcome: 'response', status: 200, verdictStatus: 'pass' });
      expect(fetched.servers.map((server) => [server.port, server.socketType, server.status])).to.deep.equal([
        [587, 'STARTTLS', 'pass'],
        [465, 'SSL', 'pass'],
      ]);
      expect(fetched.hops[0]!.tls).to.include({ authorized: true });
    }
    // The DOMAIN host serves nothing at the well-known path: not published, never a failure.
    expect(apex).to.include({ status: 'skip', summary: 'no autoconfig at https://good.p4.test/.well-known/autoconfig/mail/config-v1.1.xml (HTTP 404)' });

    const requests = lab.https.requests.slice(before);
    expect(requests.filter((request) => request.host === 'autoconfig.good.p4.test')).to.deep.equal([
      { host: 'autoconfig.good.p4.test', servername: 'autoconfig.good.p4.test', path: '/mail/config-v1.1.xml', emailAddress: null },
      { host: 'autoconfig.good.p4.test', servername: 'autoconfig.good.p4.test', path: '/mail/config-v1.1.xml', emailAddress: 'port25-audit@example.com' },
    ]);
    expect(new Set(dialed.map((target) => `${target.address}:${target.port}`))).to.deep.equal(new Set([`127.70.0.1:${lab.https.port}`]));
  });

  it('fails an outgoing server on port 25', async function () {
    const { host } = await autoconfig('port-25.p4.test');
    expect(host).to.include({
      status: 'fail',
      summary: 'https://autoconfig.port-25.p4.test/mail/config-v1.1.xml: outgoing server smtp.port-25.p4.test is on port 25, the SMTP relay port, not submission',
    });
  });

  it('fails an outgoing server without authentication', async function () {
    const { host } = await autoconfig('no-auth.p4.test');
    expect(host).to.include({
      status: 'fail',
      summary: 'https://autoconfig.no-auth.p4.test/mail/config-v1.1.xml: outgoing server smtp.no-auth.p4.test:587 is configured without authentication',
    });
  });

  it('fails a cleartext password over a plain socket', async function () {
    const { host } = await autoconfig('plain-password.p4.test');
    expect(host.status).to.equal('fail');
    expect(host.summary).to.equal(
      'https://autoconfig.plain-password.p4.test/mail/config-v1.1.xml: outgoing server smtp.plain-password.p4.test:587 sends the password in clear (password-cleartext over a plain socket)',
    );
  });

  it('fails a document that is not well-formed, with the parser\'s reason', async function () {
    const { host } = await autoconfig('malformed-xml.p4.test');
    expect(host.status).to.equal('fail');
    expect(host.summary).to.match(
      /^https:\/\/autoconfig\.malformed-xml\.p4\.test\/mail\/config-v1\.1\.xml is not a valid autoconfig document: .*'port'.*\(line 6, column \d+\)$/,
    );
  });

  it('refuses a DTD instead of expanding its entities', async function () {
    const started = performance.now();
    const { host } = await autoconfig('xml-entities.p4.test');
    expect(host.status).to.equal('fail');
    expect(host.summary).to.contain('a DOCTYPE declaration at line 2: DTDs and entity declarations are refused');
    expect(performance.now() - started).to.be.below(5000);
  });

  it('stops reading a body over 1 MiB and fails it', async function () {
    const { host } = await autoconfig('huge-body.p4.test');
    expect(host).to.include({
      status: 'fail',
      summary: 'https://autoconfig.huge-body.p4.test/mail/config-v1.1.xml could not be fetched: the body exceeds the 1048576-byte cap',
    });
    const bytes = fetchesOf(host)[0]!.hops[0]!.bytes!;
    expect(bytes).to.be.above(1024 * 1024).and.below(2 * 1024 * 1024);
  });

  it('fails a server that trickles its answer, after the plan\'s dialog timeout', async function () {
    const started = performance.now();
    const { host } = await autoconfig('slow.p4.test', {
      probe: { concurrency: 8, rate: 0, connectTimeoutMs: 1000, dialogTimeoutMs: 600, ehloName: 'audit.p4.test' },
    });
    expect(host).to.include({
      status: 'fail',
      summary: 'https://autoconfig.slow.p4.test/mail/config-v1.1.xml could not be fetched: no complete response within 600 ms',
    });
    expect(performance.now() - started).to.be.below(8000);
  });

  it('stops at once when the scan is interrupted, rejecting with an AbortError instead of observing', async function () {
    const plan = p4Plan(lab, 'slow.p4.test', {
      probe: { concurrency: 8, rate: 0, connectTimeoutMs: 1000, dialogTimeoutMs: 20_000, ehloName: 'audit.p4.test' },
    });
    const { names } = await resolveNames(plan, { vantage: 'outside' });
    const autoconfigProbe = probe('autoconfig');
    const [task] = [...autoconfigProbe.tasks({ plan, vantage: 'outside', names, shard: { index: 0, count: 1 } })];
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 300);
    const started = performance.now();
    const dial = guardDialer(tcpDialer(), createScope(plan, names));
    const error = await autoconfigProbe.run(task!, { plan, vantage: 'outside', dial, now: () => new Date(), signal: abort.signal }).then(
      () => null,
      (reason: unknown) => reason as Error,
    );
    expect(error?.name).to.equal('AbortError');
    expect(performance.now() - started).to.be.below(5000);
  });

  it('fails a redirect loop, having followed it once around', async function () {
    const before = lab.https.requests.length;
    const { host } = await autoconfig('redirect-loop.p4.test');
    expect(host.status).to.equal('fail');
    expect(host.summary).to.equal(
      'https://autoconfig.redirect-loop.p4.test/mail/config-v1.1.xml could not be fetched: https://autoconfig.redirect-loop.p4.test/loop/b redirects to https://autoconfig.redirect-loop.p4.test/loop/a, which was already asked',
    );
    const asked = lab.https.requests.slice(before).filter((request) => request.host.startsWith('autoconfig.'));
    expect(asked.map((request) => [request.path, request.emailAddress])).to.deep.equal([
      ['/mail/config-v1.1.xml', null],
      ['/loop/a', null],
      ['/loop/b', null],
      ['/mail/config-v1.1.xml', 'port25-audit@example.com'],
      ['/loop/a', null],
      ['/loop/b', null],
    ]);
  });

  it('fails after five redirects that never end', async function () {
    const { host } = await autoconfig('redirect-chain.p4.test');
    expect(host).to.include({
      status: 'fail',
      summary: 'https://autoconfig.redirect-chain.p4.test/mail/config-v1.1.xml could not be fetched: more than 5 redirects',
    });
    expect(fetchesOf(host)[0]!.hops.map((hop) => new URL(hop.url).pathname)).to.deep.equal([
      '/mail/config-v1.1.xml', '/chain/1', '/chain/2', '/chain/3', '/chain/4', '/chain/5',
    ]);
  });

  it('does not follow a redirect off the domain, and never resolves or connects to its host', async function () {
    const dnsBefore = lab.dns.calls.length;
    const { host, dialed } = await autoconfig('redirect-off-domain.p4.test');
    expect(host).to.include({
      status: 'warn',
      summary: `https://autoconfig.redirect-off-domain.p4.test/mail/config-v1.1.xml: the redirect to https://${OFF_DOMAIN_HOST}/mail/config-v1.1.xml is not followed: ${OFF_DOMAIN_HOST} is not under redirect-off-domain.p4.test`,
    });
    expect(lab.dns.calls.slice(dnsBefore).map((call) => call.name)).to.not.include(OFF_DOMAIN_HOST);
    expect(dialed.map((target) => target.address)).to.not.include(P4_LAB_ADDRESSES.rogue);
    expect(dialed.every((target) => target.address === P4_LAB_ADDRESSES.https)).to.equal(true);
  });

  it('does not follow a redirect to a name under the domain that the plan does not name', async function () {
    const dnsBefore = lab.dns.calls.length;
    const { host, dialed } = await autoconfig('redirect-out-of-scope.p4.test');
    expect(host.status).to.equal('warn');
    expect(host.summary).to.contain('www.redirect-out-of-scope.p4.test is not a name the plan resolves, so its addresses are not in scope');
    expect(lab.dns.calls.slice(dnsBefore).map((call) => call.name)).to.not.include('www.redirect-out-of-scope.p4.test');
    expect(dialed.map((target) => target.address)).to.not.include(P4_LAB_ADDRESSES.outOfScope);
  });

  it('follows a redirect to the well-known URL of the domain and judges what it serves', async function () {
    const { host, apex } = await autoconfig('redirect-in-domain.p4.test');
    expect(host.status).to.equal('pass');
    const [fetched] = fetchesOf(host);
    expect(fetched!.finalUrl).to.equal('https://redirect-in-domain.p4.test/.well-known/autoconfig/mail/config-v1.1.xml');
    expect(fetched!.hops.map((hop) => [hop.status, hop.location])).to.deep.equal([
      [301, 'https://redirect-in-domain.p4.test/.well-known/autoconfig/mail/config-v1.1.xml'],
      [200, null],
    ]);
    expect(apex.status).to.equal('pass');
  });

  it('warns on an HTTP status that is neither a document nor "not found"', async function () {
    const { host } = await autoconfig('server-error.p4.test');
    expect(host).to.include({ status: 'warn', summary: 'https://autoconfig.server-error.p4.test/mail/config-v1.1.xml answered HTTP 500: no autoconfig document' });
  });

  it('fails a certificate no trust anchor vouches for, without sending the request', async function () {
    const before = lab.https.requests.length;
    const { host } = await autoconfig('untrusted-certificate.p4.test');
    expect(host).to.include({
      status: 'fail',
      summary: 'https://autoconfig.untrusted-certificate.p4.test/mail/config-v1.1.xml could not be fetched: certificate not trusted: DEPTH_ZERO_SELF_SIGNED_CERT',
    });
    expect(lab.https.requests.slice(before).filter((request) => request.host.includes('untrusted'))).to.deep.equal([]);
  });

  it('trusts the fixture CA only through tls.caFile: without it the good site fails', async function () {
    const { host } = await autoconfig('good.p4.test', { tls: { caFile: null } });
    expect(host.status).to.equal('fail');
    expect(host.summary).to.contain('certificate not trusted');
  });

  it('is an error, not a failure, when tls.caFile cannot be read', async function () {
    const { host } = await autoconfig('good.p4.test', { tls: { caFile: join(dir, 'missing-ca.pem') } });
    expect(host).to.include({ status: 'error', summary: 'the probe could not run (CA_FILE)' });
    expect(host.evidence['reason']).to.contain('tls.caFile: cannot read');
  });

  it('finds the document at the well-known URL when there is no autoconfig host', async function () {
    const { host, apex } = await autoconfig('well-known.p4.test');
    expect(host).to.include({
      status: 'skip',
      target: 'autoconfig.well-known.p4.test',
      summary: 'autoconfig.well-known.p4.test does not resolve (ENOTFOUND): no autoconfig is published there',
    });
    expect(apex.status).to.equal('pass');
    expect(apex.summary).to.match(/^https:\/\/well-known\.p4\.test\/\.well-known\/autoconfig\/mail\/config-v1\.1\.xml: /);
  });

  it('skips a domain that publishes nothing, without connecting anywhere', async function () {
    const { host, apex, dialed } = await autoconfig('unpublished.p4.test');
    expect([host.status, apex.status]).to.deep.equal(['skip', 'skip']);
    expect(apex.summary).to.equal('unpublished.p4.test does not resolve (ENOTFOUND): no autoconfig is published there');
    expect(dialed).to.deep.equal([]);
  });
});
