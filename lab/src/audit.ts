/**
 * An audit of the lab with the real CLI, as an ISP would run it: `scan`
 * inside the customers' namespace (inside vantage) and inside the internet
 * namespace (outside vantage) at the same time, each behind the namespace
 * guard (lab/bin/in-namespace), then `report` merging both scan files.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PracticeId, Report, Status, VantageKind } from '@port25-audit/core';
import type { Lab } from './lab.js';
import { ADDRESSES, interfacesOf, type LabRole } from './network.js';
import { CREDENTIAL_ENV, labPlan } from './plan.js';
import { CLI_ENTRY } from './requirements.js';
import { PRACTICE_IDS, scenarioNamed, type Scenario } from './scenarios.js';
import { REPO_ROOT } from './services.js';

const GUARD = fileURLToPath(new URL('../bin/in-namespace', import.meta.url));

/** A command's end. */
export interface CommandRun {
  command: string;
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The files one audit wrote. */
export interface AuditFiles {
  plan: string;
  inside: string;
  outside: string;
  json: string;
  html: string;
  junit: string;
  table: string;
}

/** A practice whose status is not the scenario's. */
export interface Mismatch {
  practice: PracticeId;
  expected: Status;
  actual: Status;
}

export interface ScenarioAudit {
  scenario: Scenario;
  dir: string;
  files: AuditFiles;
  report: Report;
  /** The merged report's status per practice. */
  statuses: Record<PracticeId, Status>;
  mismatches: Mismatch[];
  /** The terminal table the CLI printed ('' when the table was not asked for). */
  table: string;
  /** Seconds the two scans took (they run at the same time). */
  scanSeconds: number;
}

function runCommand(argv: readonly string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 120_000): Promise<CommandRun> {
  return new Promise((done) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      stderr += `\n[lab] killed after ${timeoutMs} ms`;
      child.kill('SIGTERM');
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ command: argv.join(' '), code, stdout, stderr });
    });
  });
}

/**
 * `ip netns exec NS lab/bin/in-namespace NS IFACES -- COMMAND`: the guard
 * proves the command runs in NS (and sees only NS's interfaces) before it execs it.
 */
export function guardedCommand(namespace: string, role: LabRole, command: readonly string[]): string[] {
  return ['ip', 'netns', 'exec', namespace, 'bash', GUARD, namespace, interfacesOf(role).join(','), '--', ...command];
}

function cli(args: readonly string[]): string[] {
  return [process.execPath, CLI_ENTRY, ...args];
}

/** Scans from one vantage inside its namespace with the real CLI; throws with the CLI's output when it does not exit 0. */
async function scanFrom(lab: Lab, vantage: VantageKind, planFile: string, out: string): Promise<void> {
  const role: LabRole = vantage === 'inside' ? 'customers' : 'internet';
  const namespace = lab.instance.namespaces[role];
  const where = vantage === 'inside' ? `customer host ${ADDRESSES.customers.vantage.ipv4}` : `internet host ${ADDRESSES.internet.vantage.ipv4}`;
  const command = cli(['scan', '--plan', planFile, '--vantage', vantage, '--out', out, '--force', '--quiet', '--label', `${vantage}: ${where} (${namespace})`]);
  const env = { [CREDENTIAL_ENV.userEnv]: lab.credentials.user, [CREDENTIAL_ENV.passwordEnv]: lab.credentials.password };
  const run = await runCommand(guardedCommand(namespace, role, command), env);
  if (run.code !== 0) throw new Error(`the ${vantage} scan exited ${run.code}:\n${run.command}\n${run.stderr}${run.stdout}`);
}

/** The report formats an audit can write (json always: the comparison reads it). */
export type ReportFormat = 'json' | 'html' | 'junit' | 'table';
export const REPORT_FORMATS: readonly ReportFormat[] = ['json', 'table', 'html', 'junit'];

async function report(files: AuditFiles, format: ReportFormat): Promise<string> {
  const out = { json: files.json, html: files.html, junit: files.junit, table: files.table }[format];
  // The report is rendered on the host: it reads files and opens no socket.
  const run = await runCommand(cli(['report', files.inside, files.outside, '--format', format, '--out', out, '--fail-on', 'never', ...(format === 'table' ? ['--verbose'] : [])]), { NO_COLOR: '1' });
  if (run.code !== 0) throw new Error(`report --format ${format} exited ${run.code}:\n${run.stderr}${run.stdout}`);
  return readFileSync(out, 'utf8');
}

/** The status per practice of a report (a practice missing from it counts as `error`). */
export function practiceStatuses(report: Report): Record<PracticeId, Status> {
  return Object.fromEntries(PRACTICE_IDS.map((id) => [id, report.practices.find((practice) => practice.id === id)?.status ?? 'error'])) as Record<PracticeId, Status>;
}

/**
 * Switches the lab to `name` and audits it from both vantages into `outDir`
 * (plan.json, ca.pem, scan-inside.ndjson, scan-outside.ndjson, report.json,
 * and the reports in `formats`: report.html, report.xml, report.txt), then
 * compares each practice with the scenario's expected status.
 *
 * @example const audit = await auditScenario(lab, 'redirect-25', '/tmp/p25lab-audit/redirect-25')
 */
export async function auditScenario(lab: Lab, name: string, outDir: string, options: { formats?: readonly ReportFormat[] } = {}): Promise<ScenarioAudit> {
  const formats = new Set<ReportFormat>(['json', ...(options.formats ?? REPORT_FORMATS)]);
  const scenario = scenarioNamed(name);
  await lab.apply(scenario.name);
  const dir = resolve(outDir);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const caFile = join(dir, 'ca.pem');
  copyFileSync(lab.caFile, caFile);
  const files: AuditFiles = {
    plan: join(dir, 'plan.json'),
    inside: join(dir, 'scan-inside.ndjson'),
    outside: join(dir, 'scan-outside.ndjson'),
    json: join(dir, 'report.json'),
    html: join(dir, 'report.html'),
    junit: join(dir, 'report.xml'),
    table: join(dir, 'report.txt'),
  };
  writeFileSync(files.plan, `${JSON.stringify(labPlan(scenario.name, caFile), null, 2)}\n`);

  const started = performance.now();
  await Promise.all([scanFrom(lab, 'inside', files.plan, files.inside), scanFrom(lab, 'outside', files.plan, files.outside)]);
  const scanSeconds = Math.round((performance.now() - started) / 100) / 10;

  const rendered = await Promise.all([...formats].map(async (format) => [format, await report(files, format)] as const));
  const json = rendered.find(([format]) => format === 'json')![1];
  const table = rendered.find(([format]) => format === 'table')?.[1] ?? '';
  const parsed = JSON.parse(json) as Report;
  const statuses = practiceStatuses(parsed);
  const mismatches = PRACTICE_IDS.filter((id) => statuses[id] !== scenario.expected[id]).map((id) => ({ practice: id, expected: scenario.expected[id], actual: statuses[id] }));
  return { scenario, dir, files, report: parsed, statuses, mismatches, table, scanSeconds };
}
