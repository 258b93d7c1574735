/**
 * Issue 8, part 1: every kind of hostile peer in one scan among many normal
 * hosts, from both vantages, through the real CLI in child processes.
 *
 * Each hostile peer is at once a submission server (submission and
 * implicit-tls probes), a host of the sample (inbound-smtp) and an MX and a
 * submission canary (outbound-smtp, outbound-submission). The scans must end
 * within their configured deadlines, stay bounded in memory, judge every
 * normal host right, write complete scan files, close every connection, and
 * judge each hostile peer by the step where it misbehaved (fail), never as a
 * probe that could not run (error).
 */
import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CheckResult, Report } from '@port25-audit/core';
import { renderHtml, renderJunit } from '@port25-audit/reporters';
import { HOSTILE_PEER_KINDS, SAN_FLOOD_COUNT, type HostilePeerKind } from '../../fixtures/src/hostile/index.js';
import { runCli } from '../helpers/cli.js';
import {
  COMPLIANT_MSA,
  CONNECT_TIMEOUT_MS,
  DIALOG_TIMEOUT_MS,
  MX_CANARY,
  OPEN_CUSTOMERS,
  RELAY,
  SUBMISSION_CANARY,
  customerGreeting,
  hostileAddress,
  startHostileNetwork,
  type HostileNetwork,
} from './hostile-network.js';
import { runMeasured, type MeasuredRun } from './scan-child.js';

type Line = Record<string, unknown> & { type: string };
type ObservationLine = Line & {
  probe: string;
  target: { host: string | null; address: string; port: number };
  outcome: string;
  ms: number;
  banner?: { text: string; code: number | null; ms: number } | null;
  /** The canary probes' EHLO reply, read after the greeting within the same deadline. */
  ehlo?: { ms: number } | null;
};

const VANTAGES = ['outside', 'inside'] as const;
type Vantage = (typeof VANTAGES)[number];
/** Every probe's budget: the connect timeout, then the dialog (or greeting) deadline. */
const HOST_DEADLINE_MS = CONNECT_TIMEOUT_MS + DIALOG_TIMEOUT_MS;
/** Timers fire late on a busy 2-core machine; beyond this, a host was not bounded by its deadline. */
const SCHEDULING_SLACK_MS = 1000;
const PEAK_RSS_LIMIT_MIB = 256;

/**
 * The check that must fail for each hostile peer seen from outside (the step
 * where it misbehaves), or null for a peer that works despite what it sends.
 * A reset right after accepting races the connect: the port is then closed
 * (RST = closed), or it opened and the greeting failed.
 */
const FAILS_AT: Record<HostilePeerKind, string | readonly string[] | null> = {
  tarpit: 'P1.greeting',
  'slow-drip': 'P1.greeting',
  'endless-line': 'P1.greeting',
  'multiline-100k': 'P1.greeting',
  'greeting-10mb': 'P1.greeting',
  'nul-invalid-utf8': null,
  'tls-garbage': 'P1.tls-handshake',
  'tls-stall': 'P1.tls-handshake',
  'san-flood': null,
  'half-open': 'P1.greeting',
  'never-reads': 'P1.greeting',
  'reset-on-accept': ['P1.port-open', 'P1.greeting'],
  'reset-in-greeting': 'P1.greeting',
  'reset-at-ehlo': 'P1.greeting',
  'reset-at-mail': 'P2.relay-refused',
  'reset-at-rcpt': 'P2.relay-refused',
  'reset-at-rset': 'P2.relay-refused',
  'reset-at-starttls': 'P1.tls-handshake',
  'reset-in-tls-handshake': 'P1.tls-handshake',
  'reset-after-tls': 'P2.auth-advertised',
  'reset-at-quit': null,
  injection: null,
  'auth-echo': null,
};

/** How long one observation's probe held its host: connect plus dialog, or connect plus greeting (and EHLO) read. */
function hostTimeMs(observation: ObservationLine): number {
  if (observation.probe === 'submission' || observation.probe === 'implicit-tls') return observation.ms;
  return observation.ms + (observation.banner?.ms ?? 0) + (observation.ehlo?.ms ?? 0);
}

function taskKey(probe: string, address: string, port: number): string {
  return `${probe} ${address}:${port}`;
}

/** The tasks each vantage must hold exactly once, worked out from the network, not from the scanner. */
function expectedTasks(network: HostileNetwork, vantage: Vantage): string[] {
  const { smtp, submission, submissions } = network.ports;
  const hostile = HOSTILE_PEER_KINDS.map(hostileAddress);
  const servers = [COMPLIANT_MSA, ...hostile];
  const tasks = [
    ...servers.map((address) => taskKey('submission', address, submission)),
    ...servers.map((address) => taskKey('implicit-tls', address, submissions)),
    taskKey('relay-smtp', RELAY, smtp),
  ];
  if (vantage === 'outside') {
    // The dynamic range minus the relay, then the hostile hosts of scope.hosts.
    for (let last = 0; last < 128; last++) if (`127.110.2.${last}` !== RELAY) tasks.push(taskKey('inbound-smtp', `127.110.2.${last}`, smtp));
    tasks.push(...hostile.map((address) => taskKey('inbound-smtp', address, smtp)));
  } else {
    tasks.push(...[MX_CANARY.address, ...hostile].map((address) => taskKey('outbound-smtp', address, smtp)));
    tasks.push(...[SUBMISSION_CANARY.address, ...hostile].map((address) => taskKey('outbound-submission', address, submission)));
  }
  return tasks.sort();
}

async function readLines(path: string): Promise<Line[]> {
  const text = await readFile(path, 'utf8');
  expect(text.endsWith('\n'), `${path} ends with a newline`).to.equal(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) => JSON.parse(line) as Line);
}

describe('adversarial: hostile peers among normal hosts, one scan per vantage', function () {
  this.timeout(90_000);
  let network: HostileNetwork;
  const runs = {} as Record<Vantage, MeasuredRun>;
  const lines = {} as Record<Vantage, Line[]>;
  let report: Report;

  before(async function () {
    network = await startHostileNetwork();
    // Both vantages at once, as two machines would: each child's peak memory is its own.
    await Promise.all(
      VANTAGES.map(async (vantage) => {
        runs[vantage] = await runMeasured(['scan', '--plan', network.planFile, '--vantage', vantage, '--out', `${vantage}.ndjson`], {
          cwd: network.dir,
          tag: vantage,
        });
      }),
    );
    for (const vantage of VANTAGES) {
      expect(runs[vantage].code, runs[vantage].stderr).to.equal(0);
      lines[vantage] = await readLines(join(network.dir, `${vantage}.ndjson`));
    }
    const rendered = await runCli(['report', 'outside.ndjson', 'inside.ndjson', '--format', 'json', '--fail-on', 'never'], { cwd: network.dir });
    expect(rendered.code, rendered.stderr).to.equal(0);
    report = JSON.parse(rendered.stdout) as Report;
  });

  after(async function () {
    await network?.stop();
  });

  function observations(vantage: Vantage): ObservationLine[] {
    return lines[vantage].filter((line): line is ObservationLine => line.type === 'observation');
  }

  function checks(id: string, target: string, vantage: Vantage = 'outside'): CheckResult[] {
    return report.practices.flatMap((practice) => practice.checks).filter((check) => check.id === id && check.target === target && check.vantage === vantage);
  }

  it('ends each scan within its configured deadlines (prints the slowest host against its deadline)', function () {
    for (const vantage of VANTAGES) {
      const slowest = observations(vantage).reduce((worst, observation) => (hostTimeMs(observation) > hostTimeMs(worst) ? observation : worst));
      const took = Math.round(hostTimeMs(slowest));
      const header = lines[vantage][0] as unknown as { startedAt: string };
      const end = lines[vantage].at(-1) as unknown as { finishedAt: string };
      const scanMs = Date.parse(end.finishedAt) - Date.parse(header.startedAt);
      console.log(
        `      ${vantage}: slowest host ${slowest.probe} ${slowest.target.address}:${slowest.target.port} took ${took} ms against its deadline of ${HOST_DEADLINE_MS} ms ` +
          `(connect ${CONNECT_TIMEOUT_MS} + dialog ${DIALOG_TIMEOUT_MS}); the scan took ${scanMs} ms, the process ${runs[vantage].wallMs} ms`,
      );
      expect(took, `${slowest.probe} ${slowest.target.address}`).to.be.at.most(HOST_DEADLINE_MS + SCHEDULING_SLACK_MS);
      // Every task runs at once (concurrency 256): the scan is one deadline, plus writing its file.
      expect(scanMs).to.be.at.most(HOST_DEADLINE_MS + 2 * SCHEDULING_SLACK_MS);
      // The process adds its start-up (about 2 s on 2 busy cores): a generous bound that proves it does not hang.
      expect(runs[vantage].wallMs).to.be.below(30_000);
    }
  });

  it(`stays bounded in memory: each scan's peak RSS is below ${PEAK_RSS_LIMIT_MIB} MiB (prints it)`, function () {
    for (const vantage of VANTAGES) {
      console.log(`      ${vantage}: peak RSS ${runs[vantage].peakRssMiB} MiB (a 10 MB greeting and a 100,000-line reply among the peers)`);
      expect(runs[vantage].peakRssMiB).to.be.a('number').and.below(PEAK_RSS_LIMIT_MIB);
    }
  });

  it('writes complete scan files: the header, every task exactly once, the end line last with the counts', function () {
    for (const vantage of VANTAGES) {
      const all = lines[vantage];
      expect(all[0]).to.include({ type: 'scan', schemaVersion: 1 });
      expect(all.filter((line) => line.type === 'scan')).to.have.length(1);
      expect(all.at(-1)!.type).to.equal('end');
      const seen = observations(vantage).map((o) => taskKey(o.probe, o.target.address, o.target.port));
      expect(seen.slice().sort(), `${vantage} tasks`).to.deep.equal(expectedTasks(network, vantage));
      const counts: Record<string, number> = {};
      for (const observation of observations(vantage)) counts[observation.outcome] = (counts[observation.outcome] ?? 0) + 1;
      expect((all.at(-1) as unknown as { counts: Record<string, number> }).counts).to.deep.equal(counts);
    }
  });

  it('judges every normal host right: the compliant MSA, the open and closed customers, the relay, both canaries', function () {
    const outside = observations('outside');
    const { smtp, submission, submissions } = network.ports;
    for (const probe of ['submission', 'implicit-tls'] as const) {
      for (const vantage of VANTAGES) {
        const msa = observations(vantage).find((o) => o.probe === probe && o.target.address === COMPLIANT_MSA)!;
        expect(msa.outcome, `${vantage} ${probe} ${JSON.stringify(msa['failure'])}`).to.equal('completed');
        expect((msa['certificate'] as { trusted: boolean }).trusted).to.equal(true);
      }
    }
    for (const id of ['P1.port-open', 'P1.greeting', 'P1.starttls-offered', 'P1.tls-handshake', 'P1.certificate', 'P2.auth-advertised', 'P2.no-cleartext-auth', 'P2.relay-refused']) {
      for (const vantage of VANTAGES) expect(checks(id, `${COMPLIANT_MSA}:${submission}`, vantage).map((c) => c.status), `${id} ${vantage}`).to.deep.equal(['pass']);
    }
    expect(checks('P1.implicit-tls', `${COMPLIANT_MSA}:${submissions}`).map((c) => c.status)).to.deep.equal(['pass']);

    const inRange = outside.filter((o) => o.probe === 'inbound-smtp' && o.target.address.startsWith('127.110.2.'));
    expect(inRange).to.have.length(127);
    for (const observation of inRange) {
      const address = observation.target.address;
      if ((OPEN_CUSTOMERS as readonly string[]).includes(address)) {
        expect(observation.outcome, address).to.equal('open');
        expect(observation.banner, address).to.deep.include({ text: `220 ${customerGreeting(address)}`, code: 220, truncated: false });
      } else {
        expect(observation.outcome, address).to.equal('closed');
      }
    }
    for (const vantage of VANTAGES) {
      const relay = observations(vantage).find((o) => o.probe === 'relay-smtp')!;
      expect(relay.outcome).to.equal('open');
      expect(relay.banner).to.deep.include({ text: `220 ${customerGreeting(RELAY)}`, code: 220 });
    }
    expect(checks('P6.authorized-exceptions', `${RELAY}:${smtp}`).map((c) => c.status)).to.deep.equal(['pass']);
    expect(checks('P5.relay-reachable', `${RELAY}:${smtp}`, 'inside').map((c) => c.status)).to.deep.equal(['pass']);

    // From inside, the MX canary leaks (nothing blocks loopback) and the submission canary is reached.
    expect(checks('P5.outbound-25-blocked', `${MX_CANARY.address}:${smtp}`, 'inside').map((c) => [c.status, c.summary])).to.deep.equal([
      ['fail', `port ${smtp} opens and the canary greets: outbound SMTP is not blocked`],
    ]);
    expect(checks('P3.outbound-587', `${SUBMISSION_CANARY.address}:${submission}`, 'inside').map((c) => c.status)).to.deep.equal(['pass']);

    const p6 = report.practices.find((practice) => practice.id === 'P6')!.checks.find((check) => check.id === 'P6.inbound-25-blocked')!;
    const openHosts = p6.evidence['openHosts'] as { address: string; greeting: string }[];
    for (const address of OPEN_CUSTOMERS) {
      expect(openHosts.find((host) => host.address === address)?.greeting).to.equal(`220 ${customerGreeting(address)}`);
    }
  });

  it('judges each hostile peer as failing where it misbehaved, and never as a probe that could not run (error)', function () {
    const { submission } = network.ports;
    for (const kind of HOSTILE_PEER_KINDS) {
      const address = hostileAddress(kind);
      const mine = report.practices.flatMap((practice) => practice.checks).filter((check) => check.address === address);
      expect(mine.length, kind).to.be.above(0);
      const errors = mine.filter((check) => check.status === 'error').map((check) => `${check.vantage} ${check.id}: ${check.summary}`);
      expect(errors, `${kind} at ${address}`).to.deep.equal([]);
      const failing = FAILS_AT[kind];
      const p1p2 = mine.filter((check) => check.vantage === 'outside' && check.target === `${address}:${submission}`);
      if (failing === null) {
        expect(p1p2.filter((check) => check.status === 'fail').map((check) => `${check.id}: ${check.summary}`), kind).to.deep.equal([]);
      } else {
        const either = typeof failing === 'string' ? [failing] : failing;
        const failed = p1p2.filter((check) => either.includes(check.id) && check.status === 'fail');
        expect(failed.length, `${kind}: ${either.join(' or ')} fails; ${p1p2.map((check) => `${check.id} ${check.status}`).join(', ')}`).to.equal(1);
      }
    }
  });

  it(`keeps all ${SAN_FLOOD_COUNT} names of a flooding certificate in JSON, and lists the first 100 in HTML and JUnit`, function () {
    const target = `${hostileAddress('san-flood')}:${network.ports.submission}`;
    const certificate = checks('P1.certificate', target)[0]!;
    expect(certificate.status).to.equal('pass');
    expect(JSON.stringify(certificate.evidence).match(/"DNS:a[0-9a-z]+\.t"/g)).to.have.length(SAN_FLOOD_COUNT - 1);
    const more = `and ${SAN_FLOOD_COUNT - 100} more (${SAN_FLOOD_COUNT} in all`;
    const html = renderHtml(report);
    const junit = renderJunit(report);
    expect(html).to.contain(more);
    expect(junit).to.contain(more);
    // One flooding peer seen four times (two vantages, two ports) must not make a report of megabytes.
    console.log(`      report sizes: JSON ${JSON.stringify(report).length} bytes, HTML ${html.length}, JUnit ${junit.length}`);
    expect(html.length).to.be.below(3 * 1024 * 1024);
    expect(junit.length).to.be.below(2 * 1024 * 1024);
  });

  it('fails a canary that accepts and never greets: a tarpit confirms neither the canary nor a working port', function () {
    const { smtp, submission } = network.ports;
    const tarpit = hostileAddress('tarpit');
    expect(checks('P3.outbound-587', `${tarpit}:${submission}`, 'inside').map((c) => [c.status, c.summary])).to.deep.equal([
      ['fail', `port ${submission} opens but no greeting came: the canary was not reached`],
    ]);
    // A port-25 leak all the same: the connection opened.
    expect(checks('P5.outbound-25-blocked', `${tarpit}:${smtp}`, 'inside').map((c) => c.status)).to.deep.equal(['fail']);
  });

  it('closes every connection it opened, and never sends DATA (the peers refuse to stop otherwise)', async function () {
    // A peer learns of the close when the FIN or RST arrives; give the last ones a moment.
    for (let waited = 0; waited < 2000; waited += 50) {
      if ([...network.peers.values()].every((peer) => peer.kind === 'never-reads' || peer.openConnections === 0)) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    for (const peer of network.peers.values()) {
      expect(peer.connections, peer.kind).to.be.above(0);
      if (peer.kind !== 'never-reads') expect(peer.openConnections, `${peer.kind} connections left open`).to.equal(0);
      expect(peer.received.filter((line) => /^(DATA|BDAT)\b/i.test(line)), peer.kind).to.deep.equal([]);
    }
  });
});
