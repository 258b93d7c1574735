import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createScope, namesToResolve, reportFromScanFiles, resolveNames, runScan, type Plan, type Report } from '@port25-audit/core';
import { OFF_DOMAIN_HOST, P4_LAB_ADDRESSES, ROGUE_SRV_TARGET, type P4Lab } from '@port25-audit/fixtures/p4';
import { labForTests, p4Plan, spyDialer } from './support.js';

const DIGEST = `sha256:${'70'.repeat(32)}`;

describe('P4 through a whole scan: names, scope and the report', function () {
  let lab: P4Lab;
  let dir: string;
  let stop: () => Promise<void>;

  before(async function () {
    ({ lab, dir, stop } = await labForTests());
  });
  after(async function () {
    await stop();
  });

  /** Scans the plan from outside over a recording dialer and reports it. */
  async function scanAndReport(plan: Plan, file: string) {
    const spy = spyDialer();
    const out = join(dir, file);
    await runScan({
      plan,
      digest: DIGEST,
      vantage: { kind: 'outside', label: 'p4-test', host: 'localhost' },
      shard: { index: 0, count: 1 },
      out,
      dialer: spy.dial,
    });
    const lines = (await readFile(out, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const report: Report = await reportFromScanFiles([out], new Date('2025-04-01T00:00:00Z'));
    const p4 = report.practices.find((practice) => practice.id === 'P4')!;
    return { dialed: spy.dialed, lines, report, p4 };
  }

  it('resolves autoconfig.DOMAIN and DOMAIN with the plan\'s names, so the scope allows their addresses only', async function () {
    const plan = p4Plan(lab, 'good.p4.test');
    expect(namesToResolve(plan, 'outside')).to.deep.equal(['smtp.good.p4.test', 'autoconfig.good.p4.test', 'good.p4.test']);
    expect(namesToResolve(plan, 'inside')).to.include.members(['autoconfig.good.p4.test', 'good.p4.test']);
    const { names } = await resolveNames(plan, { vantage: 'outside' });
    const scope = createScope(plan, names);
    expect(scope.allows(P4_LAB_ADDRESSES.https)).to.equal(true);
    expect(scope.describe(P4_LAB_ADDRESSES.https)).to.match(/is an address of (autoconfig\.)?good\.p4\.test, which the plan names/);
    expect(scope.allows(P4_LAB_ADDRESSES.rogue)).to.equal(false);
    expect(scope.allows(P4_LAB_ADDRESSES.outOfScope)).to.equal(false);
  });

  it('never connects to SRV targets: a scan dials only the autoconfig server', async function () {
    const dnsBefore = lab.dns.calls.length;
    const { dialed, lines, p4 } = await scanAndReport(p4Plan(lab, 'srv-unknown-target.p4.test'), 'srv-unknown-target.ndjson');
    expect(dialed.length).to.be.above(0);
    expect(dialed.every((target) => target.address === P4_LAB_ADDRESSES.https)).to.equal(true);
    expect(lab.dns.calls.slice(dnsBefore).map((call) => call.name)).to.not.include(ROGUE_SRV_TARGET);
    const srv = lines.filter((line) => line['probe'] === 'srv-records');
    expect(srv.map((line) => [line['name'], line['outcome']])).to.deep.equal([
      ['_submission._tcp.srv-unknown-target.p4.test', 'records'],
      ['_submissions._tcp.srv-unknown-target.p4.test', 'not-published'],
    ]);
    expect(p4.checks.find((check) => check.id === 'P4.srv-records' && check.status !== 'skip')).to.include({ status: 'warn' });
    expect(p4.status).to.equal('warn');
  });

  it('never connects off the domain: the redirect is refused before any lookup or dial', async function () {
    const dnsBefore = lab.dns.calls.length;
    const { dialed, p4 } = await scanAndReport(p4Plan(lab, 'redirect-off-domain.p4.test'), 'redirect-off-domain.ndjson');
    expect(dialed.length).to.be.above(0);
    expect(dialed.every((target) => target.address === P4_LAB_ADDRESSES.https)).to.equal(true);
    expect(lab.dns.calls.slice(dnsBefore).map((call) => call.name)).to.not.include(OFF_DOMAIN_HOST);
    expect(p4.checks.filter((check) => check.id === 'P4.autoconfig').map((check) => check.status)).to.include('warn');
  });

  it('passes P4 when one mechanism passes and none fails, with the attestation as evidence', async function () {
    const attestation = { text: 'Setup guides name 587 with authentication', url: 'https://good.p4.test/help', date: '2025-03-01', who: 'A. Auditor' };
    const { p4 } = await scanAndReport(p4Plan(lab, 'good.p4.test', { attestations: { P4: attestation } }), 'good.ndjson');
    expect(p4.status).to.equal('pass');
    expect(p4.checks.find((check) => check.id === 'P4.attested')).to.deep.include({ status: 'pass', evidence: attestation });
  });

  it('fails P4 when a probe fails, whatever the attestation says', async function () {
    const attestation = { text: 'Setup guides name 587 with authentication', url: null, date: null, who: null };
    const { p4, report } = await scanAndReport(p4Plan(lab, 'port-25.p4.test', { attestations: { P4: attestation } }), 'port-25.ndjson');
    expect(p4.checks.find((check) => check.id === 'P4.attested')).to.include({ status: 'pass', summary: 'client configuration is attested by the auditor' });
    expect(p4.checks.filter((check) => check.status === 'fail').map((check) => check.id)).to.deep.equal(['P4.srv-records', 'P4.autoconfig']);
    expect(p4.status).to.equal('fail');
    expect(report.status).to.equal('fail');
  });
});
