import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { parse, type TestCase, type TestSuite, type TestSuites } from 'junit2json';
import type { CheckResult, PracticeResult, Report, Status } from '@port25-audit/core';
import { renderJunit } from '@port25-audit/reporters';
import { FIXTURE_NAMES, hasXmllint, JUNIT_XSD, loadReport, requireTool } from './report-fixtures.js';

// XML 1.0 §2.2: no C0 control but TAB/LF/CR, no lone surrogate, no U+FFFE/U+FFFF.
const XML_FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

let workDir: string;

/** Runs `xmllint --schema junit-10.xsd` on the XML; returns its diagnostics, empty when valid. */
function xsdErrors(xml: string, name: string): string {
  const file = join(workDir, `${name}.xml`);
  writeFileSync(file, xml);
  const run = spawnSync('xmllint', ['--noout', '--schema', JUNIT_XSD, file], { encoding: 'utf8' });
  return run.status === 0 ? '' : `${run.stderr}${run.stdout}`;
}

async function readBack(xml: string): Promise<TestSuites> {
  const parsed = await parse(xml);
  expect(parsed, 'junit2json read nothing').to.be.an('object');
  return parsed as TestSuites;
}

function suites(parsed: TestSuites): TestSuite[] {
  return parsed.testsuite ?? [];
}

function caseOf(parsed: TestSuites, suite: number, index: number): TestCase {
  const found = suites(parsed)[suite]?.testcase?.[index];
  expect(found, `testcase ${index} of suite ${suite}`).to.not.equal(undefined);
  return found!;
}

function expected(practice: PracticeResult, failOn: 'fail' | 'warn' | 'never') {
  const count = (...statuses: Status[]) => practice.checks.filter((check) => statuses.includes(check.status)).length;
  return {
    tests: practice.checks.length,
    failures: failOn === 'warn' ? count('fail', 'warn') : count('fail'),
    errors: count('error'),
    skipped: count('skip'),
  };
}

describe('reporters: renderJunit', () => {
  before(function () {
    workDir = mkdtempSync(join(tmpdir(), 'port25-junit-'));
  });
  after(() => rmSync(workDir, { recursive: true, force: true }));

  describe('against the xUnit JUnit schema (xmllint --schema fixtures/junit/junit-10.xsd)', () => {
    before(function () {
      requireTool(this, hasXmllint(), 'xmllint', 'apt-get install libxml2-utils');
    });

    for (const name of FIXTURE_NAMES) {
      for (const failOn of ['fail', 'warn', 'never'] as const) {
        it(`${name} with failOn ${failOn} validates`, () => {
          expect(xsdErrors(renderJunit(loadReport(name), { failOn }), `${name}-${failOn}`)).to.equal('');
        });
      }
    }

    it('stays valid whatever bytes hosts send (600 random strings over all of UTF-16)', () => {
      // A fixed seed: a failure reproduces.
      let seed = 25;
      const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
      const report = loadReport('mixed');
      const p6 = report.practices[5]!;
      const check = p6.checks[0]!;
      const hosts = Array.from({ length: 600 }, (_, i) => {
        const length = 1 + (next() % 60);
        // Weighted towards the troublesome ranges: C0, C1, surrogates, specials, markup.
        const pools = [[0, 0x20], [0x7f, 0xa0], [0xd800, 0xe000], [0xfff0, 0x10000], [0x20, 0x7f], [0, 0x10000]];
        const greeting = Array.from({ length }, () => {
          const [low, high] = pools[next() % pools.length]!;
          return String.fromCharCode(low! + (next() % (high! - low!)));
        }).join('');
        return { address: `203.0.113.${i % 256}`, port: 25, greeting };
      });
      const fuzzed: Report = {
        ...report,
        plan: { ...report.plan, name: hosts[0]!.greeting },
        practices: [...report.practices.slice(0, 5), { ...p6, checks: [{ ...check, summary: hosts[1]!.greeting, evidence: { ...check.evidence, openHosts: hosts } }] }],
      };
      const xml = renderJunit(fuzzed);
      expect(xml).to.not.match(XML_FORBIDDEN);
      expect(xsdErrors(xml, 'fuzzed')).to.equal('');
    });
  });

  describe('read back by junit2json', () => {
    for (const failOn of ['fail', 'warn', 'never'] as const) {
      it(`counts tests, failures, errors and skipped per practice suite (failOn ${failOn})`, async () => {
        const report = loadReport('mixed');
        const parsed = await readBack(renderJunit(report, { failOn }));
        expect(suites(parsed)).to.have.length(6);
        let total = { tests: 0, failures: 0, errors: 0 };
        report.practices.forEach((practice, index) => {
          const suite = suites(parsed)[index]!;
          const want = expected(practice, failOn);
          expect(suite.name).to.equal(`${practice.id} ${practice.title}`);
          expect({ tests: suite.tests, failures: suite.failures, errors: suite.errors, skipped: suite.skipped }, practice.id).to.deep.equal(want);
          expect(suite.testcase).to.have.length(practice.checks.length);
          expect(suite.timestamp).to.equal(report.generatedAt);
          total = { tests: total.tests + want.tests, failures: total.failures + want.failures, errors: total.errors + want.errors };
        });
        expect({ tests: parsed.tests, failures: parsed.failures, errors: parsed.errors }).to.deep.equal(total);
      });
    }

    it('names each case by check id (classname) and target with vantage (name)', async () => {
      const report = loadReport('mixed');
      const parsed = await readBack(renderJunit(report));
      report.practices.forEach((practice, s) =>
        practice.checks.forEach((check, c) => {
          const testcase = caseOf(parsed, s, c);
          expect(testcase.classname).to.equal(check.id);
          expect(testcase.name).to.equal(`${check.target} [${check.vantage}]`);
        }),
      );
      const v6 = caseOf(parsed, 4, 1);
      expect(v6.name).to.equal('mx.example.org:25 (2001:db8:25::25) [inside]');
    });

    it('maps fail to <failure>, error to <error>, skip to <skipped>, pass to nothing', async () => {
      const report = loadReport('mixed');
      const parsed = await readBack(renderJunit(report));
      const byStatus = (status: Status): { check: CheckResult; testcase: TestCase }[] =>
        report.practices.flatMap((practice, s) =>
          practice.checks.flatMap((check, c) => (check.status === status ? [{ check, testcase: caseOf(parsed, s, c) }] : [])),
        );
      for (const { check, testcase } of byStatus('fail')) {
        expect(testcase.failure?.[0]?.message).to.equal(check.summary);
        expect(testcase.failure?.[0]?.type).to.equal('fail');
        expect(testcase.error).to.equal(undefined);
      }
      for (const { check, testcase } of byStatus('error')) {
        expect(testcase.error?.[0]?.message).to.equal(check.summary);
        expect(testcase.failure).to.equal(undefined);
      }
      for (const { check, testcase } of byStatus('skip')) {
        expect(testcase.skipped?.[0]?.message).to.equal(check.summary);
        expect(testcase.failure).to.equal(undefined);
      }
      for (const { testcase } of byStatus('pass')) {
        expect(testcase.failure ?? testcase.error ?? testcase.skipped).to.equal(undefined);
      }
      expect(byStatus('fail')).to.have.length.greaterThan(0);
      expect(byStatus('error')).to.have.length.greaterThan(0);
      expect(byStatus('skip')).to.have.length.greaterThan(0);
    });

    it('lets a warning pass with the warning in <system-out>, unless failOn is warn', async () => {
      const report = loadReport('mixed');
      const warned = report.practices[0]!.checks.findIndex((check) => check.status === 'warn');
      const summary = report.practices[0]!.checks[warned]!.summary;
      for (const failOn of ['fail', 'never'] as const) {
        const testcase = caseOf(await readBack(renderJunit(report, { failOn })), 0, warned);
        expect(testcase.failure, failOn).to.equal(undefined);
        expect(testcase['system-out']?.[0]).to.include(`WARNING: ${summary}`);
      }
      const failed = caseOf(await readBack(renderJunit(report, { failOn: 'warn' })), 0, warned);
      expect(failed.failure?.[0]).to.include({ message: summary, type: 'warn' });
    });

    it('puts the evidence in <system-out>: transcripts line by line, certificates field by field, P6 counts', async () => {
      const report = loadReport('mixed');
      const parsed = await readBack(renderJunit(report));
      const greeting = caseOf(parsed, 0, 2)['system-out']?.[0] ?? '';
      expect(greeting).to.include('  transcript:\n    S: 220 smtp.example.net ESMTP Postfix\n    C: EHLO audit.example.net\n');
      const certificate = caseOf(parsed, 0, 6)['system-out']?.[0] ?? '';
      expect(certificate).to.include('    subject: CN=smtp.example.net\n');
      expect(certificate).to.include('    notAfter: 2025-03-13T23:59:59.000Z\n');
      expect(certificate).to.include('    subjectAltNames: DNS:smtp.example.net, DNS:mail.example.net\n');
      const inbound = caseOf(parsed, 5, 0)['system-out']?.[0] ?? '';
      expect(inbound).to.include('    open: 2\n');
      expect(inbound).to.include('  upperBound95: 0.024402\n');
      expect(inbound).to.include('    - address: 203.0.113.77\n      port: 25\n');
    });

    it('keeps what hostile hosts sent as visible text, with markup intact after parsing', async () => {
      const report = loadReport('hostile');
      const xml = renderJunit(report);
      expect(xml).to.not.match(XML_FORBIDDEN);
      expect(xml).to.not.include('<script');
      expect(xml).to.not.include(']]>');
      const parsed = await readBack(xml);
      expect(parsed.name).to.equal('port25-audit: Hostile & <Friends> "ISP"');
      const greeting = caseOf(parsed, 0, 0);
      expect(greeting.failure?.[0]?.message).to.include('<script>window.__pwned = 1; alert(1)</script>');
      const out = greeting['system-out']?.[0] ?? '';
      expect(out).to.include('220 mx\\x00NUL\\x07BEL\\x08BS\\x0BVT\\x0CFF\\x1B[31mRED\\x1B[0m\\x9B2J C1\\x7FDEL ok');
      expect(out).to.include('220 ]]> <![CDATA[ x ]]> &amp; & "quoted"');
      expect(out).to.include('220 lone \\uD800 high and \\uDFFF low, pair \ud83d\udce7 ok, \\uFFFE\\uFFFF nonchars');
      const relay = caseOf(parsed, 1, 0);
      expect(relay.failure?.[0]?.message).to.equal('relay accepted: 250 \\x1B[32mOK\\x1B[0m =HYPERLINK("http://evil.example/","click me")');
      // A CR LF a host sent inside one transcript line cannot forge a line of its own.
      expect(relay['system-out']?.[0]).to.include('done\\x0D\\x0A250 injected');
    });
  });

  it('writes times the xUnit schema accepts and sums them per suite and overall', async () => {
    const report = loadReport('compliant');
    const xml = renderJunit(report);
    const parsed = await readBack(xml);
    const caseTimes = suites(parsed).map((suite) => (suite.testcase ?? []).reduce((sum, testcase) => sum + (testcase.time ?? 0), 0));
    suites(parsed).forEach((suite, index) => expect(suite.time).to.be.closeTo(caseTimes[index]!, 0.0015));
    expect(parsed.time).to.be.closeTo(caseTimes.reduce((a, b) => a + b, 0), 0.003);
    expect(caseOf(parsed, 0, 0).time).to.equal(0.011);
    for (const time of xml.matchAll(/time="([^"]*)"/g)) expect(time[1]).to.match(/^\d+\.\d{3}$/);
  });

  it('is pure: the same report renders to the same bytes', () => {
    const report = loadReport('mixed');
    mkdirSync(workDir, { recursive: true });
    expect(renderJunit(report, { failOn: 'warn' })).to.equal(renderJunit(structuredClone(report), { failOn: 'warn' }));
  });
});
