/**
 * Issue 7, part 4: full submission dialogs (greeting, EHLO, relay attempt in
 * clear, STARTTLS, TLS with certificate analysis, EHLO, relay attempt over
 * TLS, QUIT) against a loopback fixture at concurrency 50, next to swaks doing
 * the same dialog without DATA (`--tls --quit-after RCPT`), one process per
 * dialog as swaks is used.
 */
import { spawn } from 'node:child_process';
import { setMaxListeners } from 'node:events';
import { join } from 'node:path';
import {
  createScope,
  guardDialer,
  normalizePlan,
  runTasks,
  submissionProbe,
  tcpDialer,
  RELAY_PROBE_RECIPIENT,
  RELAY_PROBE_SENDER,
  type ProbeContext,
  type SubmissionObservation,
  type Task,
} from '@port25-audit/core';
import type { BenchContext } from './context.js';
import { formatNumber, median, shellLine } from './measure.js';
import { times, type Section } from './section.js';

const DIALOGS = 1000;
const CONCURRENCY = 50;
/** This room's loopback block (127.20.0.0/16). */
const FIXTURE_ADDRESS = '127.20.200.1';

interface Fixture {
  address: string;
  port: number;
  serverName: string;
  stop(): Promise<void>;
}

async function startFixture(root: string, caFile: string): Promise<Fixture> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/persona-child.ts', FIXTURE_ADDRESS, caFile], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const newline = stdout.indexOf('\n');
      if (newline >= 0) resolve(stdout.slice(0, newline));
    });
    child.once('exit', (code) => reject(new Error(`the fixture exited (${code}) before listening: ${stderr}`)));
  });
  const { address, port, serverName } = JSON.parse(line) as { address: string; port: number; serverName: string };
  return {
    address,
    port,
    serverName,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`the fixture reports: ${stderr.trim()}`))));
        child.kill('SIGTERM');
      }),
  };
}

/** Runs `count` commands, `concurrency` at a time; the wall time of each, in ms. */
async function runProcesses(command: readonly string[], count: number, concurrency: number): Promise<{ ms: number[]; codes: Map<number | null, number> }> {
  const ms: number[] = [];
  const codes = new Map<number | null, number>();
  let next = 0;
  const one = async (): Promise<void> => {
    while (next < count) {
      next++;
      const started = performance.now();
      const code = await new Promise<number | null>((resolve, reject) => {
        const child = spawn(command[0]!, command.slice(1), { stdio: 'ignore' });
        child.once('error', reject);
        child.once('exit', (exitCode) => resolve(exitCode));
      });
      ms.push(performance.now() - started);
      codes.set(code, (codes.get(code) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, one));
  return { ms, codes };
}

/** What one observation must show for the dialog to count as complete. */
function checkDialog(observation: SubmissionObservation): string | null {
  if (observation.failure !== null) return `failed at ${observation.failure.step}: ${observation.failure.message}`;
  if (observation.tls === null || observation.certificate === null) return 'no TLS or no certificate';
  if (!observation.certificate.trusted) return 'the fixture certificate was not trusted';
  if (observation.relayBeforeTls?.mailFrom?.code !== 530 && (observation.relayBeforeTls?.mailFrom?.code ?? 0) < 500) return 'relay before TLS not refused';
  if (observation.relayAfterTls === null) return 'no relay attempt over TLS';
  return null;
}

/** Part 4. */
export async function benchSmtp(context: BenchContext): Promise<Section> {
  const { root, work, log } = context;
  // One round: a thousand dialogs give a stable median by themselves, and swaks' thousand Perl processes are most of the benchmark's time.
  const rounds = 1;
  const caFile = join(work, 'fixture-ca.pem');
  const fixture = await startFixture(root, caFile);
  try {
    const plan = normalizePlan(
      {
        version: 1,
        name: 'bench: submission dialogs',
        submission: { servers: [fixture.serverName] },
        ports: { submission: fixture.port },
        tls: { caFile },
        probe: { concurrency: CONCURRENCY },
      },
      'bench',
    );
    const names = new Map([[fixture.serverName, { addresses: [{ address: fixture.address, family: 'IPv4' as const }] }]]);
    // As runScan does: every dialog in flight watches the one signal.
    const signal = new AbortController().signal;
    setMaxListeners(0, signal);
    const ctx: ProbeContext = { plan, vantage: 'outside', dial: guardDialer(tcpDialer(), createScope(plan, names)), now: () => new Date(), signal };
    const task: Task = { probe: 'submission', target: { host: fixture.serverName, address: fixture.address, port: fixture.port, family: 'IPv4' } };
    const swaks = [
      'swaks', '--server', fixture.address, '--port', String(fixture.port), '--ehlo', plan.probe.ehloName,
      '--from', RELAY_PROBE_SENDER, '--to', RELAY_PROBE_RECIPIENT,
      '--tls', '--tls-verify', '--tls-ca-path', caFile, '--tls-sni', fixture.serverName,
      '--quit-after', 'RCPT', '--silent', '3',
    ];

    const ours: { seconds: number; ms: number[] }[] = [];
    const peer: { seconds: number; ms: number[]; codes: Map<number | null, number> }[] = [];
    for (let round = 1; round <= rounds; round++) {
      log(`smtp round ${round}/${rounds}: ${DIALOGS} submission probes, then ${DIALOGS} swaks dialogs, ${CONCURRENCY} at a time`);
      const ms: number[] = [];
      const problems = new Map<string, number>();
      const started = performance.now();
      await runTasks(Array.from({ length: DIALOGS }, () => task), { concurrency: CONCURRENCY, rate: 0 }, async (one) => {
        const begun = performance.now();
        const observation = (await submissionProbe.run(one, ctx)) as SubmissionObservation;
        ms.push(performance.now() - begun);
        const problem = checkDialog(observation);
        if (problem !== null) problems.set(problem, (problems.get(problem) ?? 0) + 1);
      });
      ours.push({ seconds: (performance.now() - started) / 1000, ms });
      if (problems.size > 0) throw new Error(`incomplete submission dialogs: ${JSON.stringify([...problems])}`);

      const swaksStarted = performance.now();
      const run = await runProcesses(swaks, DIALOGS, CONCURRENCY);
      peer.push({ seconds: (performance.now() - swaksStarted) / 1000, ...run });
    }
    await fixture.stop();

    const oursSeconds = median(ours.map((run) => run.seconds));
    const peerSeconds = median(peer.map((run) => run.seconds));
    const oursMedian = median(ours.flatMap((run) => run.ms));
    const peerMedian = median(peer.flatMap((run) => run.ms));
    // swaks exits 0 only when every step it was asked for succeeded; the fixture refuses MAIL FROM without AUTH, as it should.
    const codes = [...(peer.at(-1)?.codes ?? new Map())].map(([code, n]) => `exit ${code} × ${n}`).join(', ');
    return {
      id: 'smtp',
      title: `4. SMTP dialogs: ${formatNumber(DIALOGS)} full submission probes against a loopback fixture (compliant-msa), concurrency ${CONCURRENCY}`,
      goal: 'probes/s and the median time per probe, next to swaks doing the same dialog without DATA',
      verdict: `${formatNumber(DIALOGS / oursSeconds)} probes/s, median ${oursMedian.toFixed(1)} ms per probe; swaks ${formatNumber(DIALOGS / peerSeconds)} dialogs/s, median ${peerMedian.toFixed(1)} ms: port25-audit ${times(peerSeconds / oursSeconds)} swaks' throughput.`,
      rows: [
        { subject: 'swaks --tls --quit-after RCPT, one process per dialog (peer)', figures: { 'dialogs/s': formatNumber(DIALOGS / peerSeconds), 'median per dialog': `${peerMedian.toFixed(1)} ms`, 'wall time': `${peerSeconds.toFixed(2)} s` } },
        {
          subject: 'port25-audit submission probe (runScan\'s scheduler)',
          figures: { 'dialogs/s': formatNumber(DIALOGS / oursSeconds), 'median per dialog': `${oursMedian.toFixed(1)} ms`, 'wall time': `${oursSeconds.toFixed(2)} s` },
          ratio: `${times(peerSeconds / oursSeconds)} swaks`,
        },
      ],
      commands: [
        `runTasks(${DIALOGS} × task, { concurrency: ${CONCURRENCY} }, (task) => submissionProbe.run(task, ctx))   # bench/smtp.ts, ctx: the plan below, scope-guarded dialer`,
        `${shellLine(swaks)}   # ${DIALOGS} times, ${CONCURRENCY} at a time`,
      ],
      notes: [
        `One round of ${formatNumber(DIALOGS)} dialogs each (medians over the dialogs). The fixture is the \`compliant-msa\` persona (fixtures/src/personas.ts) in its own process on ${fixture.address}: STARTTLS with a certificate from a fixture CA (the plan's tls.caFile, swaks' --tls-ca-path), AUTH only after TLS, relaying refused at MAIL FROM (530). The persona fails the run if any client sends DATA.`,
        'Each port25-audit dialog: greeting, EHLO, MAIL FROM/RCPT TO in clear (refused), RSET, STARTTLS, TLS handshake, certificate chain verified and analysed (names, dates, key, signature algorithm), EHLO, MAIL FROM/RCPT TO over TLS (refused), QUIT; every dialog is checked complete. swaks: EHLO, STARTTLS, verified TLS, EHLO, MAIL FROM (refused, so it stops there) and QUIT; it exits non-zero for the refusal (' + codes + ').',
        'Per-dialog time is from the start of the dialog to its end (ours) and from spawning swaks to its exit (swaks: a Perl process per dialog, as swaks is used). The probes run in the benchmark\'s own process; the fixture answers from another.',
      ],
    };
  } catch (error) {
    await fixture.stop().catch(() => {});
    throw error;
  }
}
