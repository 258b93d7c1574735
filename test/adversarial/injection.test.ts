/**
 * Issue 8, part 4 of the issue: injection and secrets, through the real CLI.
 *
 * One plan reaches, from both vantages, an SMTP peer whose greeting, EHLO lines
 * and certificate carry HTML, XML, ANSI escape sequences, formulas and
 * JSON-breaking text, a DNS zone whose SRV targets do the same, and an
 * autoconfig document with hostile fields; P25_USER and P25_PASSWORD are set,
 * one server accepts them and another echoes them back in every form.
 *
 * Injection: whatever a peer sent is inert in every report format (HTML: only
 * the reporter's own elements; JUnit: valid XML by xmllint and the JUnit
 * schema, no element of the peer's; JSON: parses and round-trips, the peer's
 * text kept exactly; table and stderr: no escape sequence but the reporter's
 * own colours).
 *
 * Secrets: the password, and its base64 forms (AUTH PLAIN's `\0user\0password`,
 * AUTH LOGIN's password), appear in no artifact: stdout and stderr of every
 * run, the scan files, every report format.
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { reportFromScanFiles, type Report } from '@port25-audit/core';
import { renderHtml, renderJson, renderJunit, renderTable } from '@port25-audit/reporters';
import { HOSTILE_TEXT } from '../../fixtures/src/hostile/index.js';
import { REPO, runCli, type CliRun } from '../helpers/cli.js';
import { AUTH_ECHO, CREDENTIALS, INJECTION, MSA, SRV_TARGETS, startInjectionNetwork, type InjectionNetwork } from './injection-network.js';

const ENV = { P25_USER: CREDENTIALS.user, P25_PASSWORD: CREDENTIALS.password };
const base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
/** Every form of the password a careless client or a hostile server could leave behind. */
const SECRET_FORMS: Record<string, string> = {
  password: CREDENTIALS.password,
  'base64(password), AUTH LOGIN': base64(CREDENTIALS.password),
  'base64(\\0user\\0password), AUTH PLAIN': base64(`\0${CREDENTIALS.user}\0${CREDENTIALS.password}`),
  'base64(user\\0user\\0password), AUTH PLAIN with an authorization identity': base64(`${CREDENTIALS.user}\0${CREDENTIALS.user}\0${CREDENTIALS.password}`),
};

/** Elements the HTML reporter writes itself; anything else came from a peer. */
const HTML_ELEMENTS = new Set([
  'html', 'head', 'meta', 'title', 'link', 'style', 'body', 'a', 'header', 'div', 'p', 'h1', 'h2', 'h3', 'h4', 'span', 'main', 'section', 'dl', 'dt', 'dd',
  'code', 'table', 'caption', 'thead', 'tbody', 'tr', 'th', 'td', 'nav', 'ol', 'ul', 'li', 'blockquote', 'footer', 'strong', 'time', 'pre', 'details', 'summary', 'article',
]);
/** C0 controls but TAB, LF and CR; DEL; C1 controls (U+009B is an 8-bit CSI); bidi overrides and isolates. */
const ACTIVE_CHARACTER = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
/** SGR colour sequences are the table's own (chalk); every other escape would be a peer's. */
const SGR = /\u001b\[[0-9;]*m/g;

describe('adversarial: injection and secrets through the CLI', function () {
  this.timeout(90_000);
  let network: InjectionNetwork;
  const runs: Record<string, CliRun> = {};
  const artifacts: Record<string, string> = {};
  let report: Report;

  before(async function () {
    network = await startInjectionNetwork();
    const cwd = network.dir;
    const scans = await Promise.all(
      (['outside', 'inside'] as const).map((vantage) => runCli(['scan', '--plan', network.planFile, '--vantage', vantage, '--out', `${vantage}.ndjson`], { cwd, env: ENV })),
    );
    scans.forEach((run, index) => (runs[`scan ${index === 0 ? 'outside' : 'inside'}`] = run));
    const files = ['outside.ndjson', 'inside.ndjson'];
    const [json, table, html, junit] = await Promise.all([
      runCli(['report', ...files, '--format', 'json'], { cwd, env: ENV }),
      // A colour terminal, as FORCE_COLOR makes it: the reporter's own escape sequences are there, and only those.
      runCli(['report', ...files, '--format', 'table', '--verbose'], { cwd, env: { ...ENV, NO_COLOR: '', FORCE_COLOR: '1' } }),
      runCli(['report', ...files, '--format', 'html', '--lang', 'de', '--out', 'report.html'], { cwd, env: ENV }),
      runCli(['report', ...files, '--format', 'junit', '--out', 'report.xml'], { cwd, env: ENV }),
    ]);
    Object.assign(runs, { 'report json': json!, 'report table': table!, 'report html': html!, 'report junit': junit! });
    for (const [name, run] of Object.entries(runs)) {
      expect([0, 1], `${name}: ${run.stderr}`).to.include(run.code);
      artifacts[`${name} stdout`] = run.stdout;
      artifacts[`${name} stderr`] = run.stderr;
    }
    for (const file of [...files, 'report.html', 'report.xml']) artifacts[file] = await readFile(join(cwd, file), 'utf8');
    // The same report rendered in-process, in the formats and options the CLI runs above did not use.
    report = await reportFromScanFiles(files.map((file) => join(cwd, file)), new Date('2025-03-01T12:00:00Z'));
    artifacts['renderHtml en'] = renderHtml(report, { lang: 'en' });
    artifacts['renderJunit fail-on warn'] = renderJunit(report, { failOn: 'warn' });
    artifacts['renderTable plain'] = renderTable(report, { verbose: true, color: false, width: 100 });
  });

  after(async function () {
    await network?.stop();
  });

  describe('injection', function () {
    it('reaches the reports: the peers\' markup is in them, as text', function () {
      // Without this, every "inert" test below could pass on a report that never saw a payload.
      expect(artifacts['report.html']).to.contain('&lt;script&gt;alert(');
      expect(artifacts['report.xml']).to.contain('&lt;injected&gt;p25x-xml&lt;/injected&gt;');
      expect(artifacts['report json stdout']).to.contain('p25x-red');
      expect(artifacts['report table stdout']).to.contain('<script>alert');
      // The report's data keep what the autoconfig site sent: an 8-bit CSI (C1) and a bidi override the table must strip.
      expect(JSON.stringify(report)).to.contain('\u009b31mp25x-c1\u202e');
    });

    it('HTML: no element but the reporter\'s own, no raw control character, in English and German', function () {
      for (const name of ['report.html', 'renderHtml en']) {
        const html = artifacts[name]!;
        const elements = new Set([...html.matchAll(/<\/?([a-zA-Z][a-zA-Z0-9-]*)/g)].map((match) => match[1]!.toLowerCase()));
        expect([...elements].filter((element) => !HTML_ELEMENTS.has(element)), name).to.deep.equal([]);
        expect(html.match(ACTIVE_CHARACTER), name).to.equal(null);
        // Attribute values never hold a peer's quote: every attribute is name="value" with no raw < > or " inside.
        const tags = html.match(/<[a-zA-Z][^>]*>/g) ?? [];
        for (const tag of tags) expect(tag, name).to.match(/^<[a-zA-Z][a-zA-Z0-9-]*(\s+[a-zA-Z-]+(="[^"<>]*")?)*\s*\/?>$/);
      }
    });

    it('JUnit: valid XML 1.0 by xmllint and valid against the JUnit schema, with no element of the peer\'s', function () {
      const schema = join(REPO, 'fixtures', 'junit', 'junit-10.xsd');
      for (const name of ['report.xml', 'renderJunit fail-on warn']) {
        const xml = artifacts[name]!;
        const run = (args: string[]): string => execFileSync('xmllint', args, { input: xml, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
        expect(() => run(['--noout', '--nonet', '--schema', schema, '-']), name).to.not.throw();
        const foreign = run(['--xpath', 'count(//*[not(self::testsuites or self::testsuite or self::properties or self::property or self::testcase or self::failure or self::error or self::skipped or self::system-out)])', '-']);
        expect(Number(foreign), name).to.equal(0);
        expect(xml, name).to.not.match(/<!DOCTYPE|<!ENTITY/);
        expect(xml.match(ACTIVE_CHARACTER), name).to.equal(null);
      }
    });

    it('JSON: parses, round-trips through the reporter, and keeps what the peer sent exactly', function () {
      const text = artifacts['report json stdout']!;
      const parsed = JSON.parse(text) as Report;
      expect(renderJson(parsed)).to.equal(text);
      // Escapes, not deletions: the data survive byte for byte, and the text printed to a terminal carries no
      // control (C0 as JSON requires, C1 and DEL too), no line separator (U+2028/9 end a line in JavaScript), no bidi override.
      expect(text.replace(/\n/g, '').match(ACTIVE_CHARACTER)).to.equal(null);
      expect(text.match(/[\u2028\u2029]/)).to.equal(null);
      const evidence = JSON.stringify(parsed.practices.flatMap((practice) => practice.checks).map((check) => check.evidence));
      const greeting = HOSTILE_TEXT.ansi.replace(/[\r\n]+/g, ' ');
      expect(evidence).to.contain(JSON.stringify(greeting).slice(1, -1));
    });

    it('table and stderr: no escape sequence from a peer reaches the terminal, only the table\'s own colours', function () {
      const table = artifacts['report table stdout']!;
      expect(table.match(SGR)?.length ?? 0, 'the colour terminal got colours').to.be.above(0);
      const withoutColours = table.replace(SGR, '');
      expect(withoutColours.match(ACTIVE_CHARACTER), 'report table stdout').to.equal(null);
      expect(artifacts['renderTable plain']!.match(ACTIVE_CHARACTER), 'renderTable plain').to.equal(null);
      for (const [name, run] of Object.entries(runs)) expect(run.stderr.match(ACTIVE_CHARACTER), `${name} stderr`).to.equal(null);
    });

    it('probe smtp: the ad-hoc probe prints no escape sequence and no credential a peer sent back (once the command exists)', async function () {
      const help = await runCli(['--help']);
      if (!/^\s+port25-audit probe\b/m.test(help.stdout)) this.skip();
      const target = `${INJECTION}:${network.ports.submission}`;
      for (const args of [['probe', 'smtp', target], ['probe', 'smtp', target, '--json'], ['probe', 'smtp', `${AUTH_ECHO}:${network.ports.submission}`, '--json']]) {
        const run = await runCli(args, { cwd: network.dir, env: { ...ENV, NO_COLOR: '', FORCE_COLOR: '1' } });
        const shown = args.join(' ');
        expect(run.stderr, `${shown}: no stack trace`).to.not.match(/^\s+at /m);
        expect(`${run.stdout}${run.stderr}`, `${shown}: the peer's text is shown`).to.contain('p25x');
        expect(run.stdout.replace(SGR, '').match(ACTIVE_CHARACTER), `${shown} stdout`).to.equal(null);
        expect(run.stderr.replace(SGR, '').match(ACTIVE_CHARACTER), `${shown} stderr`).to.equal(null);
        if (args.includes('--json')) expect(() => JSON.parse(run.stdout), shown).to.not.throw();
        for (const secret of Object.values(SECRET_FORMS)) expect(`${run.stdout}${run.stderr}`, shown).to.not.contain(secret);
      }
    });

    it('compares SRV and autoconfig answers, never follows them: nothing but the plan\'s names is looked up or fetched', function () {
      const asked = new Set(network.dns.calls.map((call) => call.name.toLowerCase()));
      for (const target of SRV_TARGETS) expect(asked.has(target.toLowerCase()), target).to.equal(false);
      expect([...asked].every((name) => name.endsWith('inj.p25x.test')), [...asked].join(', ')).to.equal(true);
      expect(network.web.requests.every((request) => /^(autoconfig\.)?inj\.p25x\.test /.test(request)), network.web.requests.join(', ')).to.equal(true);
    });
  });

  describe('secrets', function () {
    it('authenticates where it should: the compliant MSA accepts the credentials (235), the echoing peer was sent them', function () {
      const authWorks = report.practices.flatMap((practice) => practice.checks).filter((check) => check.id === 'P2.auth-works');
      expect(authWorks.filter((check) => check.address === MSA).map((check) => check.status)).to.deep.equal(['pass', 'pass']);
      expect(network.authEcho.received.filter((line) => /^AUTH LOGIN/i.test(line))).to.have.length(2);
      expect(authWorks.filter((check) => check.address === AUTH_ECHO).map((check) => check.status)).to.deep.equal(['fail', 'fail']);
    });

    for (const [form, secret] of Object.entries(SECRET_FORMS)) {
      it(`never writes the ${form} into any output, scan file or report`, function () {
        const leaks = Object.entries(artifacts)
          .filter(([, text]) => text.includes(secret))
          .map(([name, text]) => `${name}: …${text.slice(Math.max(0, text.indexOf(secret) - 80), text.indexOf(secret) + secret.length)}`);
        expect(leaks).to.deep.equal([]);
      });
    }
  });
});
