/**
 * The hand-built reports of fixtures/reports/ and the tools the reporter tests
 * need from the machine (xmllint, chromium): present locally or skipped with a
 * reason, and a loud failure in CI (CI=true), where .ci/run installs them.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Report } from '@port25-audit/core';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const REPORTS_DIR = join(REPO_ROOT, 'fixtures', 'reports');
export const JUNIT_XSD = join(REPO_ROOT, 'fixtures', 'junit', 'junit-10.xsd');
/** Screenshots and PDFs a person can look at; gitignored. */
export const TEST_OUTPUT_DIR = join(REPO_ROOT, 'test-output', 'reporters');

/**
 * The fixture reports:
 * - mixed: every status, every practice, IPv4 and IPv6 targets, transcripts, a certificate, P6 with open hosts;
 * - compliant: every practice passes;
 * - untested: a minimal plan, nearly everything `skip`, P6 a census;
 * - hostile: markup, `]]>`, C0/C1 controls, ANSI and OSC escapes, lone surrogates, bidi overrides,
 *   a spreadsheet formula and a 3000-character line in what hosts "sent".
 */
export const FIXTURE_NAMES = ['mixed', 'compliant', 'untested', 'hostile'] as const;
export type FixtureName = (typeof FIXTURE_NAMES)[number];

export function fixturePath(name: FixtureName): string {
  return join(REPORTS_DIR, `${name}.json`);
}

export function fixtureText(name: FixtureName): string {
  return readFileSync(fixturePath(name), 'utf8');
}

export function loadReport(name: FixtureName): Report {
  return JSON.parse(fixtureText(name)) as Report;
}

/** True in CI, where a missing tool is a broken install, not a reason to skip. */
export const IN_CI = process.env['CI'] === 'true';

export const CHROMIUM = '/usr/bin/chromium';

export function hasXmllint(): boolean {
  return spawnSync('xmllint', ['--version'], { stdio: 'ignore' }).status === 0;
}

export function hasChromium(): boolean {
  return existsSync(CHROMIUM);
}

/**
 * Skips the current suite with a reason when a tool is missing locally; in CI
 * throws, so that a missing package fails the run instead of passing quietly.
 */
export function requireTool(context: Mocha.Context, present: boolean, what: string, install: string): void {
  if (present) return;
  const reason = `${what} not found (install: ${install})`;
  if (IN_CI) throw new Error(`${reason}: CI must install it (.ci/run)`);
  console.warn(`      skipped: ${reason}`);
  context.skip();
}
