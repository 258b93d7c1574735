import { expect } from 'chai';
import type { P4Lab } from '@port25-audit/fixtures/p4';
import { P4_LAB_ADDRESSES, ROGUE_SRV_TARGET } from '@port25-audit/fixtures/p4';
import { auditP4, labForTests, p4Plan, resultFor } from './support.js';

describe('P4.srv-records against the fixture DNS server', function () {
  let lab: P4Lab;
  let stop: () => Promise<void>;

  before(async function () {
    ({ lab, stop } = await labForTests());
  });
  after(async function () {
    await stop();
  });

  const srv = async (domain: string, overrides: Parameters<typeof p4Plan>[2] = {}) => {
    const audit = await auditP4(p4Plan(lab, domain, overrides));
    return {
      ...audit,
      submission: resultFor(audit.results, 'P4.srv-records', `_submission._tcp.${domain}`),
      submissions: resultFor(audit.results, 'P4.srv-records', `_submissions._tcp.${domain}`),
    };
  };

  it('passes records of both services that point to the plan\'s submission server on 587 and 465', async function () {
    const { submission, submissions } = await srv('good.p4.test');
    expect(submission).to.include({
      status: 'pass',
      vantage: 'outside',
      summary: '_submission._tcp.good.p4.test points to smtp.good.p4.test:587, a submission server on a submission port',
    });
    expect(submission.evidence['resolver']).to.deep.equal([lab.dns.server]);
    expect(submission.evidence['records']).to.deep.equal([
      {
        priority: 0,
        weight: 1,
        port: 587,
        target: 'smtp.good.p4.test',
        status: 'pass',
        verdict: '_submission._tcp.good.p4.test points to smtp.good.p4.test:587, a submission server on a submission port',
      },
    ]);
    expect(submissions).to.include({ status: 'pass' });
    expect(submissions.summary).to.contain('smtp.good.p4.test:465');
    expect(submission.message).to.deep.include({ id: 'p4.srv-ok' });
  });

  it('asks the plan\'s resolver for both service names, over UDP', async function () {
    const before = lab.dns.calls.length;
    await srv('good.p4.test');
    const asked = lab.dns.calls.slice(before).filter((call) => call.type === 'SRV');
    expect(asked).to.deep.equal([
      { name: '_submission._tcp.good.p4.test', type: 'SRV', transport: 'udp' },
      { name: '_submissions._tcp.good.p4.test', type: 'SRV', transport: 'udp' },
    ]);
  });

  it('fails a record that points to port 25', async function () {
    const { submission } = await srv('srv-port-25.p4.test');
    expect(submission).to.include({
      status: 'fail',
      summary: '_submission._tcp.srv-port-25.p4.test points to smtp.srv-port-25.p4.test:25: port 25 is the SMTP relay port, not submission',
    });
  });

  it('warns on a record that points to a port that is not a submission port', async function () {
    const { submission } = await srv('srv-other-port.p4.test');
    expect(submission).to.include({ status: 'warn' });
    expect(submission.summary).to.equal('_submission._tcp.srv-other-port.p4.test points to smtp.srv-other-port.p4.test:2525, which is not a submission port');
  });

  it('compares ports with a remapped plan: ports.submission 2525 passes, port 587 then warns', async function () {
    const remapped = await srv('srv-other-port.p4.test', { ports: { smtp: 25, submission: 2525, submissions: 465, https: lab.https.port } });
    expect(remapped.submission.status).to.equal('pass');
    const good = await srv('good.p4.test', { ports: { smtp: 25, submission: 2525, submissions: 465, https: lab.https.port } });
    expect(good.submission.status).to.equal('warn');
    expect(good.submissions.status).to.equal('pass');
  });

  it('warns on a target the plan does not name, and never resolves or connects to it', async function () {
    const before = lab.dns.calls.length;
    const { submission, dialed } = await srv('srv-unknown-target.p4.test');
    expect(submission.status).to.equal('warn');
    expect(submission.summary).to.equal(
      "_submission._tcp.srv-unknown-target.p4.test points to rogue.p4.test, which is not one of the plan's submission servers",
    );
    const records = submission.evidence['records'] as { target: string; status: string }[];
    expect(records.map((record) => [record.target, record.status])).to.deep.equal([
      ['smtp.srv-unknown-target.p4.test', 'pass'],
      [ROGUE_SRV_TARGET, 'warn'],
    ]);
    expect(lab.dns.calls.slice(before).filter((call) => call.name === ROGUE_SRV_TARGET)).to.deep.equal([]);
    expect(dialed.map((target) => target.address)).to.not.include(P4_LAB_ADDRESSES.rogue);
  });

  it('skips a service whose only record has the target "." (RFC 2782: not available)', async function () {
    const { submission } = await srv('srv-unavailable.p4.test');
    expect(submission).to.include({ status: 'skip', summary: '_submission._tcp.srv-unavailable.p4.test says the service is not available (target ".")' });
  });

  it('skips services that are not published (NXDOMAIN)', async function () {
    const { submission, submissions } = await srv('unpublished.p4.test');
    expect(submission).to.include({ status: 'skip', summary: 'no _submission._tcp.unpublished.p4.test SRV record is published (ENOTFOUND)' });
    expect(submissions.status).to.equal('skip');
    expect(submission.evidence['reason']).to.equal(submission.summary);
  });

  it('is an error naming the resolver when it answers SERVFAIL', async function () {
    const { submission } = await srv('srv-servfail.p4.test');
    expect(submission).to.include({
      status: 'error',
      summary: `the SRV lookup of _submission._tcp.srv-servfail.p4.test failed (ESERVFAIL) at resolver ${lab.dns.server}: the probe could not run`,
    });
    expect(submission.evidence).to.include({ errorCode: 'ESERVFAIL' });
  });

  it('is an error naming the resolver when it does not answer, within a bounded time', async function () {
    const started = performance.now();
    const { submission } = await srv('srv-timeout.p4.test', {
      probe: { concurrency: 8, rate: 0, connectTimeoutMs: 300, dialogTimeoutMs: 1500, ehloName: 'audit.p4.test' },
    });
    expect(submission.status).to.equal('error');
    expect(submission.summary).to.contain('(ETIMEOUT)').and.contain(lab.dns.server);
    expect(performance.now() - started).to.be.below(8000);
  });

  it('reads records that only come over TCP after a truncated UDP answer', async function () {
    const before = lab.dns.calls.length;
    const { submission } = await srv('srv-tcp.p4.test');
    expect(submission.status).to.equal('pass');
    const asked = lab.dns.calls.slice(before).filter((call) => call.name === '_submission._tcp.srv-tcp.p4.test');
    expect(asked.map((call) => call.transport)).to.deep.equal(['udp', 'tcp']);
  });
});
