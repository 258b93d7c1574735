/**
 * Every persona, probed for real and judged: the statuses DESIGN.md implies
 * for P1 and P2 through the library API (probe → observation → checks).
 */
import { createServer } from 'node:net';
import { join } from 'node:path';
import { expect } from 'chai';
import {
  checkP1,
  checkP2,
  emptyInbound,
  implicitTlsProbe,
  submissionProbe,
  type CheckResult,
  type DnsObservation,
  type NameTable,
  type Observation,
  type Plan,
  type Status,
  type VantageKind,
} from '@port25-audit/core';
import { assertNoClientSentData, createFixtureCa, startPersona, type FixtureCa, type PersonaName, type PersonaServer } from '@port25-audit/fixtures';
import { CHECK_ORDER, expectedStatuses, HOSTILE } from './persona-expectations.js';
import { probeContext, smtpPlan, temporaryDirectory } from './support.js';

const ADDRESS = '127.30.5.1';
const SERVER = 'mail.p25s.test';
const EXPECTED = expectedStatuses(SERVER);
const USER = 'bob';
const PASSWORD = 'c0rrect horse battery';
const ENV = { P25S_USER: USER, P25S_PASSWORD: PASSWORD };

describe('P1 and P2 against every persona (probe → checks)', function () {
  let ca: FixtureCa;
  let directory: { path: string; remove(): Promise<void> };
  let caFile: string;

  before(async function () {
    ca = createFixtureCa();
    directory = await temporaryDirectory();
    caFile = await ca.writeCaFile(join(directory.path, 'ca.pem'));
  });

  after(async function () {
    await directory.remove();
    assertNoClientSentData();
  });

  const names: NameTable = new Map([[SERVER, { addresses: [{ address: ADDRESS, family: 'IPv4' as const }] }]]);

  function dnsObservation(vantage: VantageKind): DnsObservation {
    return {
      type: 'observation',
      probe: 'dns',
      target: { host: SERVER, address: '', port: 0, family: 'IPv4' },
      vantage,
      startedAt: new Date().toISOString(),
      ms: 0,
      outcome: 'resolved',
      name: SERVER,
      addresses: [{ address: ADDRESS, family: 'IPv4' }],
    };
  }

  function planFor(submission: number, submissions: number, hostile: boolean, parts: Partial<Plan> = {}): Plan {
    return smtpPlan({
      submission: { servers: [SERVER], domain: null },
      ports: { smtp: 25, submission, submissions, https: 443 },
      probe: { concurrency: 1, rate: 0, connectTimeoutMs: 1000, dialogTimeoutMs: hostile ? 500 : 5000, ehloName: 'audit.p25s.test' },
      tls: { caFile },
      credentials: { userEnv: 'P25S_USER', passwordEnv: 'P25S_PASSWORD' },
      ...parts,
    });
  }

  /** Probes one persona on the submission port (and, when given, another on the implicit-TLS port) from the vantages, and judges P1 and P2. */
  async function audit(
    name: PersonaName,
    options: { implicit?: PersonaName; vantages?: VantageKind[]; env?: Record<string, string>; plan?: Partial<Plan> } = {},
  ): Promise<{ results: CheckResult[]; persona: PersonaServer }> {
    const persona = await startPersona(name, { address: ADDRESS, ca, serverName: SERVER, credentials: { user: USER, password: PASSWORD }, dripMs: 100 });
    const implicitPersona = options.implicit === undefined ? null : await startPersona(options.implicit, { address: ADDRESS, ca, serverName: SERVER, credentials: { user: USER, password: PASSWORD } });
    try {
      const vantages = options.vantages ?? ['outside'];
      // Without an implicit-TLS persona, ports.submissions is the persona's own port plus nothing: a closed port.
      const submissions = implicitPersona?.port ?? (await closedPort());
      const plan = planFor(persona.port, submissions, HOSTILE.has(name), options.plan);
      const observations: Observation[] = [];
      for (const vantage of vantages) {
        observations.push(dnsObservation(vantage));
        const ctx = probeContext(plan, { env: options.env ?? ENV, vantage });
        for (const probe of [submissionProbe, implicitTlsProbe]) {
          for (const task of probe.tasks({ plan, vantage, names, shard: { index: 0, count: 1 } })) observations.push(await probe.run(task, ctx));
        }
      }
      const input = { plan, observations, inbound: emptyInbound(), vantages };
      return { results: [...checkP1(input), ...checkP2(input)], persona };
    } finally {
      await persona.close();
      await implicitPersona?.close();
    }
  }

  function row(results: CheckResult[]): Status[] {
    return CHECK_ORDER.map((id) => {
      const found = results.filter((result) => result.id === id);
      expect(found, id).to.have.length(1);
      return found[0]!.status;
    });
  }

  for (const [name, expected] of Object.entries(EXPECTED) as [PersonaName, NonNullable<(typeof EXPECTED)[PersonaName]>][]) {
    it(`${name}: ${CHECK_ORDER.map((id, index) => `${id.slice(3)} ${expected.row[index]}`).join(', ')}`, async function () {
      const { results } = await audit(name);
      expect(row(results)).to.deep.equal(expected.row);
      for (const [id, summary] of Object.entries(expected.says ?? {})) {
        expect(results.find((result) => result.id === id)?.summary, id).to.equal(summary);
      }
      for (const result of results) expect(result.target, result.id).to.match(new RegExp(`^${SERVER.replace(/\./g, '\\.')}:\\d+ \\(${ADDRESS.replace(/\./g, '\\.')}\\)$`));
      // Nothing a check writes carries the password or its base64 forms.
      const text = JSON.stringify(results);
      for (const form of [PASSWORD, Buffer.from(PASSWORD).toString('base64'), Buffer.from(`\0${USER}\0${PASSWORD}`).toString('base64')]) expect(text).to.not.include(form);
    });
  }

  it('implicit-tls on ports.submissions: P1.implicit-tls passes; a closed submissions port is skip', async function () {
    const { results } = await audit('compliant-msa', { implicit: 'implicit-tls' });
    const implicit = results.filter((result) => result.id === 'P1.implicit-tls');
    expect(implicit.map((result) => [result.status, result.summary])).to.deep.equal([['pass', 'implicit TLS works: TLSv1.3, a trusted certificate, greeting and EHLO']]);
    const { results: without } = await audit('compliant-msa');
    expect(without.find((result) => result.id === 'P1.implicit-tls')).to.include({ status: 'skip' });
    expect(without.find((result) => result.id === 'P1.implicit-tls')?.summary).to.match(/^port \d+ is closed: implicit TLS is not offered/);
  });

  it('a plaintext server on the implicit-TLS port fails P1.implicit-tls', async function () {
    const { results } = await audit('compliant-msa', { implicit: 'no-starttls' });
    expect(results.find((result) => result.id === 'P1.implicit-tls')).to.include({ status: 'fail', summary: 'the TLS handshake fails' });
  });

  it('both vantages: one result per check and vantage', async function () {
    const { results } = await audit('compliant-msa', { vantages: ['inside', 'outside'] });
    for (const id of CHECK_ORDER) {
      expect(results.filter((result) => result.id === id).map((result) => `${result.vantage} ${result.status}`), id).to.deep.equal(['inside pass', 'outside pass']);
    }
  });

  it('P2.auth-works: skip naming the unset variable; fail on a refused password; skip without credentials in the plan', async function () {
    const unset = await audit('compliant-msa', { env: { P25S_USER: USER } });
    expect(unset.results.find((result) => result.id === 'P2.auth-works')).to.include({ status: 'skip', summary: 'not tested: the environment variable P25S_PASSWORD is not set' });
    const wrong = await audit('compliant-msa', { env: { P25S_USER: USER, P25S_PASSWORD: 'not the password' } });
    expect(wrong.results.find((result) => result.id === 'P2.auth-works')).to.include({ status: 'fail', summary: 'AUTH PLAIN with the plan credentials is answered 535 instead of 235' });
    expect(JSON.stringify(wrong.results)).to.not.include('not the password');
    const none = await audit('compliant-msa', { plan: { credentials: null } });
    expect(none.results.find((result) => result.id === 'P2.auth-works')).to.include({ status: 'skip', summary: 'not tested: the plan names no credentials' });
    expect(none.persona.received.some((line) => line.startsWith('AUTH'))).to.equal(false);
  });
});

/** A port on ADDRESS that nothing listens on. */
async function closedPort(): Promise<number> {
  return new Promise<number>((resolve) => {
    const server = createServer().listen(0, ADDRESS, () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}
