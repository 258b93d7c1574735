/**
 * `--format junit`: JUnit XML for CI gating, one `<testsuite>` per practice and
 * one `<testcase>` per check result. The element and attribute set is the one
 * of the JUnit schema used by Jenkins' xUnit plugin (fixtures/junit/junit-10.xsd),
 * which GitLab, GitHub test-reporter actions and Jenkins all read.
 */
import type { CheckResult, PracticeResult, Report, Status } from '@port25-audit/core';
import { evidenceText } from './evidence.js';
import type { FailOn } from './exit-code.js';
import { visibleControls, xmlAttribute, xmlText } from './peer-text.js';

export interface JunitOptions {
  /** `warn` turns warned checks into `<failure>`s; `fail` (default) and `never` let them pass with the warning in `<system-out>`. */
  failOn?: FailOn;
}

interface CaseTally {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
  seconds: number;
}

// A test case's time is the probe's duration when the evidence records it (`ms`), else 0.
function caseSeconds(check: CheckResult): number {
  const ms = check.evidence['ms'];
  return typeof ms === 'number' && Number.isFinite(ms) && ms > 0 ? ms / 1000 : 0;
}

// The xUnit schema's SUREFIRE_TIME: digits with an optional fraction, no exponent.
function seconds(value: number): string {
  return value.toFixed(3);
}

function attr(name: string, value: string | number): string {
  return ` ${name}="${xmlAttribute(String(value))}"`;
}

/** Display text of something a host may have sent: controls made visible, then XML-escaped. */
function peerText(text: string): string {
  return xmlText(visibleControls(text));
}

function caseName(check: CheckResult): string {
  return `${check.target} [${check.vantage}]`;
}

function systemOut(check: CheckResult): string {
  const lines = check.status === 'warn' ? [`WARNING: ${check.summary}`] : [];
  lines.push(`status: ${check.status}`, `summary: ${check.summary}`, `target: ${check.target}`, `vantage: ${check.vantage}`);
  if (check.address !== undefined) lines.push(`address: ${check.address}`);
  if (check.port !== undefined) lines.push(`port: ${check.port}`);
  if (check.family !== undefined) lines.push(`family: ${check.family}`);
  const evidence = evidenceText(check.evidence);
  if (evidence.length > 0) lines.push('evidence:', ...evidence.map((line) => `  ${line}`));
  return `<system-out>${lines.map(peerText).join('\n')}\n</system-out>`;
}

function outcomeElement(check: CheckResult, failOn: FailOn): { xml: string; counts: Status | null } {
  const message = attr('message', visibleControls(check.summary));
  switch (check.status) {
    case 'fail':
      return { xml: `<failure${message}${attr('type', 'fail')}>${peerText(check.summary)}</failure>`, counts: 'fail' };
    case 'error':
      return { xml: `<error${message}${attr('type', 'error')}>${peerText(check.summary)}</error>`, counts: 'error' };
    case 'skip':
      return { xml: `<skipped${message}/>`, counts: 'skip' };
    case 'warn':
      return failOn === 'warn'
        ? { xml: `<failure${message}${attr('type', 'warn')}>${peerText(check.summary)}</failure>`, counts: 'fail' }
        : { xml: '', counts: null };
    case 'pass':
      return { xml: '', counts: null };
  }
}

function testcase(check: CheckResult, failOn: FailOn, tally: CaseTally): string {
  const time = caseSeconds(check);
  const outcome = outcomeElement(check, failOn);
  tally.tests += 1;
  tally.seconds += time;
  if (outcome.counts === 'fail') tally.failures += 1;
  if (outcome.counts === 'error') tally.errors += 1;
  if (outcome.counts === 'skip') tally.skipped += 1;
  const open = `    <testcase${attr('classname', check.id)}${attr('name', visibleControls(caseName(check)))}${attr('time', seconds(time))}>`;
  const body = [outcome.xml, systemOut(check)].filter((part) => part !== '').map((part) => `      ${part}`);
  return [open, ...body, '    </testcase>'].join('\n');
}

function testsuite(practice: PracticeResult, report: Report, failOn: FailOn, total: CaseTally): string {
  const tally: CaseTally = { tests: 0, failures: 0, errors: 0, skipped: 0, seconds: 0 };
  const cases = practice.checks.map((check) => testcase(check, failOn, tally));
  total.tests += tally.tests;
  total.failures += tally.failures;
  total.errors += tally.errors;
  total.skipped += tally.skipped;
  total.seconds += tally.seconds;
  const properties = [
    ['practice', practice.id],
    ['status', practice.status],
    ['references', practice.references.join(', ')],
    ['plan', report.plan.name],
    ['planDigest', report.plan.digest],
  ]
    .map(([name, value]) => `      <property${attr('name', name ?? '')}${attr('value', visibleControls(value ?? ''))}/>`)
    .join('\n');
  const open =
    `  <testsuite${attr('name', visibleControls(`${practice.id} ${practice.title}`))}${attr('id', practice.id)}` +
    `${attr('package', 'port25-audit')}${attr('tests', tally.tests)}${attr('failures', tally.failures)}` +
    `${attr('errors', tally.errors)}${attr('skipped', tally.skipped)}${attr('time', seconds(tally.seconds))}` +
    `${attr('timestamp', report.generatedAt)}>`;
  return [open, '    <properties>', properties, '    </properties>', ...cases, '  </testsuite>'].join('\n');
}

/**
 * The report as JUnit XML. Valid XML 1.0 whatever a scanned host sent: markup
 * is escaped, characters XML 1.0 forbids are shown as `\xHH` escapes or
 * removed. fail → `<failure>`, error → `<error>`, skip → `<skipped>`, warn
 * passes with the warning in `<system-out>` unless failOn is `warn`.
 *
 * `<testsuites>` carries tests, failures, errors and time; `skipped` is on
 * each `<testsuite>` only, as the xUnit schema allows no more.
 *
 * @example writeFileSync('report.xml', renderJunit(report, { failOn: 'warn' }))
 */
export function renderJunit(report: Report, options: JunitOptions = {}): string {
  const failOn = options.failOn ?? 'fail';
  const total: CaseTally = { tests: 0, failures: 0, errors: 0, skipped: 0, seconds: 0 };
  const suites = report.practices.map((practice) => testsuite(practice, report, failOn, total));
  const open =
    `<testsuites${attr('name', visibleControls(`port25-audit: ${report.plan.name}`))}${attr('tests', total.tests)}` +
    `${attr('failures', total.failures)}${attr('errors', total.errors)}${attr('time', seconds(total.seconds))}>`;
  return ['<?xml version="1.0" encoding="UTF-8"?>', open, ...suites, '</testsuites>', ''].join('\n');
}
