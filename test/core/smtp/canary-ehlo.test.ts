/**
 * The outbound canary probes read the greeting AND the EHLO reply, and P3/P5
 * judge both: a transparent proxy that passes the canary's greeting through
 * still answers EHLO with its own name (RFC 5321 §4.1.1.1). Real sockets on
 * 127.30.7.0/24; the probes send EHLO and QUIT, never anything else.
 */
import { expect } from 'chai';
import {
  checkP3,
  checkP5,
  emptyInbound,
  outboundSmtpProbe,
  outboundSubmissionProbe,
  type CheckResult,
  type Plan,
  type TcpObservation,
} from '@port25-audit/core';
import { assertNoClientSentData, startPersona, type PersonaName } from '@port25-audit/fixtures';
import { eventually, probeContext, rawServer, smtpPlan, type RawServer } from './support.js';

const CANARY = 'mx.canary.p25s.test';
const EHLO_NAME = 'audit.p25s.test';
/** What each of the two probes may send: EHLO after a 220, then QUIT. */
const ONE_FINGERPRINT = [`EHLO ${EHLO_NAME}`, 'QUIT'];

interface CanaryAudit {
  observations: TcpObservation[];
  p3: CheckResult;
  p5: CheckResult;
  wallMs: number;
}

/** Probes one canary at `address:port` with both outbound probes from inside, and judges P3 and P5. */
async function auditCanary(address: string, port: number, dialogTimeoutMs = 3000): Promise<CanaryAudit> {
  const canary = { host: address, port, expect: CANARY };
  const base = smtpPlan();
  const plan: Plan = smtpPlan({ external: { mx: [canary], submission: [canary] }, probe: { ...base.probe, dialogTimeoutMs } });
  const ctx = probeContext(plan, { vantage: 'inside' });
  const taskInput = { plan, vantage: 'inside' as const, names: new Map(), shard: { index: 0, count: 1 } };
  const started = Date.now();
  const observations: TcpObservation[] = [];
  for (const probe of [outboundSmtpProbe, outboundSubmissionProbe]) {
    for (const task of probe.tasks(taskInput)) observations.push((await probe.run(task, ctx)) as TcpObservation);
  }
  const wallMs = Date.now() - started;
  const input = { plan, observations, inbound: emptyInbound(), vantages: ['inside'] as const };
  const [p3] = checkP3(input);
  const p5 = checkP5(input).find((result) => result.id === 'P5.outbound-25-blocked');
  if (p3 === undefined || p5 === undefined) throw new Error('P3 or P5 gave no result');
  return { observations, p3, p5, wallMs };
}

async function withPersona(name: PersonaName, address: string, body: (port: number) => Promise<CanaryAudit>): Promise<{ audit: CanaryAudit; received: string[] }> {
  const persona = await startPersona(name, { address, serverName: CANARY });
  try {
    const audit = await body(persona.port);
    await persona.idle();
    return { audit, received: persona.received };
  } finally {
    await persona.close();
  }
}

async function withServer(server: RawServer, body: (port: number) => Promise<CanaryAudit>): Promise<CanaryAudit> {
  try {
    const audit = await body(server.port);
    // The client has gone when its connection closes: by then the server has read all it sent.
    await eventually(() => server.closedSockets() === server.sockets.length);
    return audit;
  } finally {
    await server.close();
  }
}

describe('outbound canaries: greeting AND EHLO (P3, P5)', function () {
  after(() => assertNoClientSentData());

  it("a proxy that passes the canary's greeting through but answers EHLO itself: P5 warns, P3 fails", async function () {
    const address = '127.30.7.1';
    const server = await rawServer(address, (socket, received) => {
      socket.write(`220 ${CANARY} ESMTP\r\n`);
      socket.on('data', () => {
        const last = received.at(-1) ?? '';
        if (last.startsWith('EHLO ')) socket.write('250-proxy.isp.p25s.test Hello\r\n250-PIPELINING\r\n250 8BITMIME\r\n');
        else if (last === 'QUIT') socket.end('221 bye\r\n');
      });
    });
    const received = server.received;
    const audit = await withServer(server, (port) => auditCanary(address, port));

    expect(received).to.deep.equal([...ONE_FINGERPRINT, ...ONE_FINGERPRINT]);
    for (const observation of audit.observations) {
      expect(observation.banner).to.include({ text: `220 ${CANARY} ESMTP`, code: 220 });
      expect(observation.ehlo).to.include({ code: 250, truncated: false });
    }
    expect(audit.p5).to.include({ status: 'warn' });
    expect(audit.p5.message?.id).to.equal('p5.redirected');
    expect(audit.p5.evidence).to.include({
      expected: CANARY,
      greeting: `220 ${CANARY} ESMTP`,
      ehlo: '250-proxy.isp.p25s.test Hello\r\n250-PIPELINING\r\n250 8BITMIME',
      ehloCode: 250,
      ehloDomain: 'proxy.isp.p25s.test',
    });
    expect(audit.p5.evidence['note']).to.match(/greeting was passed through, but another server answered EHLO/);
    expect(audit.p3).to.include({ status: 'fail' });
    expect(audit.p3.message?.id).to.equal('p3.intercepted');
    expect(audit.p3.evidence).to.include({ greeting: `220 ${CANARY} ESMTP`, ehloDomain: 'proxy.isp.p25s.test' });
    expect(audit.p3.evidence['note']).to.match(/transparent proxy/);
  });

  it('the real canary: P5 fails (outbound 25 leaks), P3 passes, and the EHLO reply names the canary', async function () {
    const { audit, received } = await withPersona('compliant-msa', '127.30.7.2', (port) => auditCanary('127.30.7.2', port));
    expect(received).to.deep.equal([...ONE_FINGERPRINT, ...ONE_FINGERPRINT]);
    expect(audit.p5).to.include({ status: 'fail' });
    expect(audit.p5.message?.id).to.equal('p5.leak');
    expect(audit.p5.evidence).to.include({ ehloCode: 250, ehloDomain: CANARY, ehloTruncated: false });
    expect(audit.p5.evidence).to.not.have.property('ehloNote');
    expect(audit.p3).to.include({ status: 'pass' });
    expect(audit.p3.message?.id).to.equal('p3.reached');
    expect(audit.p3.evidence).to.not.have.property('note');
  });

  it('an intercepting relay that greets as itself: P5 warns with both greetings, P3 fails', async function () {
    const { audit, received } = await withPersona('intercepting-relay', '127.30.7.3', (port) => auditCanary('127.30.7.3', port));
    expect(received).to.deep.equal([...ONE_FINGERPRINT, ...ONE_FINGERPRINT]);
    expect(audit.p5).to.include({ status: 'warn' });
    expect(audit.p5.message?.id).to.equal('p5.redirected');
    expect(audit.p5.evidence).to.include({ expected: CANARY, ehloDomain: 'interceptor.isp.p25s.test' });
    expect(audit.p5.evidence['greeting']).to.match(/^220 interceptor\.isp\.p25s\.test /);
    expect(audit.p5.evidence['note']).to.match(/^transparent redirection/);
    expect(audit.p3).to.include({ status: 'fail' });
    expect(audit.p3.message?.id).to.equal('p3.intercepted');
    expect(audit.p3.evidence).to.not.have.property('note');
  });

  it('a tarpit after the greeting: EHLO is never answered, the evidence says so, and one deadline bounds both replies', async function () {
    const address = '127.30.7.4';
    const deadlineMs = 800;
    // Greets late, then holds the connection forever: only the probe's deadline ends it.
    const server = await rawServer(address, (socket) => {
      setTimeout(() => socket.destroyed || socket.write(`220 ${CANARY} ESMTP\r\n`), 400);
    });
    const received = server.received;
    const audit = await withServer(server, (port) => auditCanary(address, port, deadlineMs));

    expect(received).to.deep.equal([...ONE_FINGERPRINT, ...ONE_FINGERPRINT]);
    for (const observation of audit.observations) {
      expect(observation.banner).to.include({ code: 220, truncated: false });
      expect(observation.ehlo).to.include({ text: '', code: null, truncated: true });
      // The EHLO wait is what the greeting left of the one deadline, not a deadline of its own.
      expect(observation.ehlo!.ms).to.be.below(deadlineMs);
    }
    expect(audit.wallMs).to.be.below(4000);
    // The greeting is the canary's and nothing contradicts it: judged on the greeting alone.
    expect(audit.p5).to.include({ status: 'fail' });
    expect(audit.p5.message?.id).to.equal('p5.leak');
    expect(audit.p5.evidence).to.include({ ehlo: '', ehloCode: null, ehloTruncated: true, ehloDomain: null });
    expect(audit.p5.evidence['ehloNote']).to.match(/^no reply to EHLO within \d+(\.\d)? ms .*judged on the greeting alone$/);
    expect(audit.p3).to.include({ status: 'pass' });
    expect(audit.p3.evidence['ehloNote']).to.match(/^no reply to EHLO within/);
  });

  it('a 554 greeting gets no EHLO at all (RFC 5321 §3.1), and the evidence says EHLO was not sent', async function () {
    const { audit, received } = await withPersona('554-refusal', '127.30.7.5', (port) => auditCanary('127.30.7.5', port));
    expect(received).to.deep.equal([]);
    for (const observation of audit.observations) expect(observation.ehlo).to.equal(null);
    expect(audit.p5.evidence).to.include({ ehlo: null });
    expect(audit.p5.evidence['ehloNote']).to.match(/^EHLO not sent/);
  });
});
