/**
 * Every persona through the CLI: one plan names them all as submission
 * servers (each under its own name on its own 127.30.40.x address, resolved by
 * a zone server, the ports remapped), one `scan --vantage outside`, one
 * `report --format json`; each persona's P1/P2 results must be what DESIGN.md
 * implies. Two CLI runs for the whole set: each costs a second of CPU.
 */
import { expect } from 'chai';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CheckResult, Report } from '@port25-audit/core';
import { assertNoClientSentData, createFixtureCa, PERSONA_NAMES, startPersona, type PersonaName, type PersonaServer } from '@port25-audit/fixtures';
import { startZoneServer, type ZoneServer } from '@port25-audit/fixtures/p4';
import { expectValidReport } from '../core/checks/fixtures.js';
import { CHECK_ORDER, expectedStatuses } from '../core/smtp/persona-expectations.js';
import { runCli, tempDir } from '../helpers/cli.js';

const USER = 'dave@p25s.test';
const PASSWORD = 'personas-Passw0rd-1357';
const DOMAIN = 'personas.p25s.test';
/** The persona that also serves implicit TLS (on ports.submissions of the same address). */
const IMPLICIT_HOST: PersonaName = 'compliant-msa';
/** A submission server whose name the zone does not know: every P1/P2 check is an error. */
const UNRESOLVED = `unresolved.${DOMAIN}`;

const nameOf = (persona: PersonaName): string => `${persona}.${DOMAIN}`;
const addressOf = (index: number): string => `127.30.40.${index + 1}`;
/** Personas on the submission port: all but implicit-tls, which speaks TLS from the first byte. */
const SUBMISSION_PERSONAS: readonly PersonaName[] = PERSONA_NAMES.filter((name) => name !== 'implicit-tls');

interface Group {
  personas: PersonaServer[];
  implicit: PersonaServer;
  submission: number;
  submissions: number;
}

/** Starts every persona on one port number, each on its own address; another number when one is taken. */
async function startGroup(): Promise<Group> {
  const ca = createFixtureCa();
  for (let attempt = 0; ; attempt++) {
    const submission = 20_000 + Math.floor(Math.random() * 20_000);
    const submissions = submission + 1;
    const started: PersonaServer[] = [];
    try {
      for (const [index, name] of SUBMISSION_PERSONAS.entries()) {
        started.push(
          await startPersona(name, { address: addressOf(index), port: submission, ca, serverName: nameOf(name), credentials: { user: USER, password: PASSWORD } }),
        );
      }
      const implicitAddress = addressOf(SUBMISSION_PERSONAS.indexOf(IMPLICIT_HOST));
      const implicit = await startPersona('implicit-tls', { address: implicitAddress, port: submissions, ca, serverName: nameOf(IMPLICIT_HOST), credentials: { user: USER, password: PASSWORD } });
      return { personas: started, implicit, submission, submissions };
    } catch (error) {
      await Promise.all(started.map((persona) => persona.close()));
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 5) throw error;
    }
  }
}

describe('cli: every persona through scan and report', function () {
  this.timeout(120_000);
  let dir: string;
  let group: Group;
  let zone: ZoneServer;
  let report: Report;
  let reportCode: number | null;

  before(async function () {
    dir = await tempDir();
    group = await startGroup();
    const records = Object.fromEntries(SUBMISSION_PERSONAS.map((name, index) => [nameOf(name), { A: [addressOf(index)] }]));
    zone = await startZoneServer(records, { host: '127.30.40.200' });
    const caFile = await group.personas[0]!.ca!.writeCaFile(join(dir, 'ca.pem'));
    await writeFile(
      join(dir, 'plan.json'),
      JSON.stringify({
        version: 1,
        name: 'Every persona',
        submission: { servers: [...SUBMISSION_PERSONAS.map(nameOf), UNRESOLVED] },
        ports: { submission: group.submission, submissions: group.submissions },
        probe: { concurrency: 32, connectTimeoutMs: 1000, dialogTimeoutMs: 3000, ehloName: 'audit.p25s.test' },
        dns: { servers: [zone.server] },
        tls: { caFile },
        credentials: { userEnv: 'P25S_USER', passwordEnv: 'P25S_PASSWORD' },
      }),
    );
    const scan = await runCli(['scan', '--plan', 'plan.json', '--vantage', 'outside', '--out', 'scan.ndjson', '--quiet'], {
      cwd: dir,
      env: { P25S_USER: USER, P25S_PASSWORD: PASSWORD },
    });
    expect(scan.code, scan.stderr).to.equal(0);
    const run = await runCli(['report', 'scan.ndjson', '--format', 'json'], { cwd: dir });
    reportCode = run.code;
    report = JSON.parse(run.stdout) as Report;
  });

  after(async function () {
    await Promise.all([...(group?.personas ?? []).map((persona) => persona.close()), group?.implicit.close(), zone?.close()]);
    await rm(dir, { recursive: true, force: true });
    assertNoClientSentData();
  });

  function checksOf(server: string): CheckResult[] {
    return report.practices.flatMap((practice) => practice.checks).filter((check) => check.target.startsWith(`${server}:`));
  }

  for (const [name, expected] of Object.entries(expectedStatuses('')) as [PersonaName, NonNullable<ReturnType<typeof expectedStatuses>[PersonaName]>][]) {
    it(`${name}: ${expected.row.join(' ')}`, function () {
      const server = nameOf(name);
      const index = SUBMISSION_PERSONAS.indexOf(name);
      const checks = checksOf(server);
      const statuses = CHECK_ORDER.map((id) => {
        const found = checks.filter((check) => check.id === id);
        expect(found, `${server} ${id}`).to.have.length(1);
        expect(found[0]).to.include({ vantage: 'outside', target: `${server}:${group.submission} (${addressOf(index)})`, address: addressOf(index), port: group.submission });
        return found[0]!.status;
      });
      expect(statuses, server).to.deep.equal(expectedStatuses(server)[name]!.row);
      for (const [id, summary] of Object.entries(expectedStatuses(server)[name]!.says ?? {})) {
        expect(checks.find((check) => check.id === id)?.summary, `${server} ${id}`).to.equal(summary);
      }
      const implicit = checks.filter((check) => check.id === 'P1.implicit-tls');
      expect(implicit.map((check) => check.status), `${server} P1.implicit-tls`).to.deep.equal([name === IMPLICIT_HOST ? 'pass' : 'skip']);
    });
  }

  it('a server name that does not resolve: every P1 and P2 check is an error naming it', function () {
    const checks = checksOf(UNRESOLVED);
    expect(checks.map((check) => check.id)).to.deep.equal([...CHECK_ORDER.slice(0, 5), 'P1.implicit-tls', ...CHECK_ORDER.slice(5)]);
    for (const check of checks) expect(check).to.include({ status: 'error', summary: `${UNRESOLVED} did not resolve (ENOTFOUND): the probe could not run` });
  });

  it('the report validates against the report schema, fails P1 and P2 (exit 1), and no password or base64 form of it is anywhere', async function () {
    expectValidReport(report);
    expect(reportCode).to.equal(1);
    const byId = Object.fromEntries(report.practices.map((practice) => [practice.id, practice.status]));
    expect(byId).to.include({ P1: 'fail', P2: 'fail' });
    const scan = await readFile(join(dir, 'scan.ndjson'), 'utf8');
    for (const text of [JSON.stringify(report), scan]) {
      for (const secret of [PASSWORD, Buffer.from(PASSWORD).toString('base64'), Buffer.from(`\0${USER}\0${PASSWORD}`).toString('base64')]) {
        expect(text).to.not.contain(secret);
      }
    }
    expect(scan).to.contain('AUTH PLAIN [redacted]');
  });
});
