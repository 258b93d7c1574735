import { expect } from 'chai';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CheckResult, Report, Status } from '@port25-audit/core';
import { startP4Lab, type P4Lab } from '@port25-audit/fixtures/p4';
import { runCli, tempDir } from '../helpers/cli.js';

/** What P4 must say for one lab domain: each mechanism's worst status from outside, and the practice's. */
interface Expected {
  domain: string;
  srv: Status;
  autoconfig: Status;
  p4: Status;
  /** Text the autoconfig summaries must contain. */
  says?: string;
  /** Plan fields to override (timeouts). */
  probe?: { connectTimeoutMs: number; dialogTimeoutMs: number };
}

/**
 * The autoconfig variants of issue 4 (good, port 25, no authentication, plain
 * password, malformed XML, huge body, slow, redirect loop, redirect off the
 * domain), a certificate only the plan's tls.caFile could vouch for, and a
 * resolver failure. Every other lab domain is judged by the library tests in
 * test/core/p4 (each case here spawns the CLI twice).
 */
const CASES: Expected[] = [
  { domain: 'good.p4.test', srv: 'pass', autoconfig: 'pass', p4: 'pass', says: 'smtp.good.p4.test:587 (STARTTLS) with authentication' },
  { domain: 'port-25.p4.test', srv: 'fail', autoconfig: 'fail', p4: 'fail', says: 'is on port 25, the SMTP relay port' },
  { domain: 'no-auth.p4.test', srv: 'skip', autoconfig: 'fail', p4: 'fail', says: 'is configured without authentication' },
  { domain: 'plain-password.p4.test', srv: 'skip', autoconfig: 'fail', p4: 'fail', says: 'sends the password in clear' },
  { domain: 'malformed-xml.p4.test', srv: 'skip', autoconfig: 'fail', p4: 'fail', says: 'is not a valid autoconfig document' },
  { domain: 'huge-body.p4.test', srv: 'skip', autoconfig: 'fail', p4: 'fail', says: 'the body exceeds the 1048576-byte cap' },
  {
    domain: 'slow.p4.test',
    srv: 'skip',
    autoconfig: 'fail',
    p4: 'fail',
    says: 'no complete response within 600 ms',
    probe: { connectTimeoutMs: 1000, dialogTimeoutMs: 600 },
  },
  { domain: 'redirect-loop.p4.test', srv: 'skip', autoconfig: 'fail', p4: 'fail', says: 'which was already asked' },
  { domain: 'redirect-off-domain.p4.test', srv: 'skip', autoconfig: 'warn', p4: 'warn', says: 'is not under redirect-off-domain.p4.test' },
  { domain: 'untrusted-certificate.p4.test', srv: 'skip', autoconfig: 'fail', p4: 'fail', says: 'certificate not trusted: DEPTH_ZERO_SELF_SIGNED_CERT' },
  { domain: 'srv-servfail.p4.test', srv: 'error', autoconfig: 'skip', p4: 'error' },
];

const worst = (checks: CheckResult[]): Status => {
  for (const status of ['fail', 'error', 'warn', 'pass'] as const) if (checks.some((check) => check.status === status)) return status;
  return 'skip';
};

describe('cli: P4 through scan and report against the P4 lab', function () {
  this.timeout(60_000);
  let lab: P4Lab;
  let dir: string;

  before(async function () {
    dir = await tempDir();
    lab = await startP4Lab({ dir });
  });
  after(async function () {
    await lab.close();
    await rm(dir, { recursive: true, force: true });
  });

  for (const expected of CASES) {
    it(`${expected.domain}: SRV ${expected.srv}, autoconfig ${expected.autoconfig}, P4 ${expected.p4}`, async function () {
      const parts = lab.planParts(expected.domain);
      const planFile = join(dir, `${expected.domain}.plan.json`);
      const scanFile = join(dir, `${expected.domain}.scan.ndjson`);
      await writeFile(
        planFile,
        JSON.stringify({
          version: 1,
          name: `P4 lab ${expected.domain}`,
          submission: parts.submission,
          ports: { https: parts.ports.https },
          probe: expected.probe ?? { connectTimeoutMs: 1000, dialogTimeoutMs: 2000 },
          dns: parts.dns,
          tls: parts.tls,
        }),
      );
      const scan = await runCli(['scan', '--plan', planFile, '--vantage', 'outside', '--out', scanFile]);
      expect(scan.code, scan.stderr).to.equal(0);
      expect(scan.stdout).to.not.contain('"type"');

      const report = await runCli(['report', scanFile, '--format', 'json']);
      const json = JSON.parse(report.stdout) as Report;
      expect(report.code, report.stderr).to.equal(json.status === 'fail' || json.status === 'error' ? 1 : 0);
      const p4 = json.practices.find((practice) => practice.id === 'P4')!;
      const of = (id: string) => p4.checks.filter((check) => check.id === id);
      expect(worst(of('P4.srv-records')), 'P4.srv-records').to.equal(expected.srv);
      expect(worst(of('P4.autoconfig')), 'P4.autoconfig').to.equal(expected.autoconfig);
      expect(p4.status).to.equal(expected.p4);
      expect(of('P4.srv-records').map((check) => check.target)).to.deep.equal([
        `_submission._tcp.${expected.domain}`,
        `_submissions._tcp.${expected.domain}`,
      ]);
      expect(of('P4.autoconfig').every((check) => check.vantage === 'outside')).to.equal(true);
      if (expected.says !== undefined) {
        expect(of('P4.autoconfig').map((check) => check.summary).join('\n') + of('P4.srv-records').map((check) => check.summary).join('\n')).to.contain(
          expected.says,
        );
      }
    });
  }
});
