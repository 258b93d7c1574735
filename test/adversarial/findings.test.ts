/**
 * Issue 8: one regression test per bug the adversarial suite found, each as
 * small as the bug allows, so that a fix is seen to hold without the whole
 * hostile scan. The scan tests (hostile-scan, killed-scans, injection,
 * secrets, scope) show the same bugs as users meet them.
 */
import { expect } from 'chai';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import {
  autoconfigProbe,
  checkP3,
  checkP5,
  emptyInbound,
  guardDialer,
  implicitTlsProbe,
  observeSubmission,
  outboundSubmissionProbe,
  tcpDialer,
  type Banner,
  type Plan,
  type ProbeContext,
  type TcpObservation,
} from '@port25-audit/core';
import { jsonText, renderJson } from '@port25-audit/reporters';
import { createFixtureCa, startPersona, type PersonaServer } from '@port25-audit/fixtures';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostileClientConfigXml, startHostilePeer, startHostileWebsite, type HostilePeer, type HostileWebsite } from '../../fixtures/src/hostile/index.js';

/** Dials only this suite's loopback block. */
const dial = guardDialer(tcpDialer(), { allows: (address) => address.startsWith('127.110.') });

function plan(parts: Partial<Plan> = {}): Plan {
  return {
    version: 1,
    name: 'p25x findings',
    scope: { dynamic: [], hosts: [], exclude: [] },
    authorizedRelays: [],
    submission: { servers: [], domain: null },
    external: { mx: [], submission: [] },
    sample: { size: 16, seed: 1 },
    ports: { smtp: 25, submission: 587, submissions: 465, https: 443 },
    probe: { concurrency: 8, rate: 0, connectTimeoutMs: 1000, dialogTimeoutMs: 3000, ehloName: 'audit.p25x.test' },
    dns: { servers: [] },
    tls: { caFile: null },
    credentials: null,
    attestations: { P4: null },
    ...parts,
  };
}

function context(probePlan: Plan, vantage: 'inside' | 'outside' = 'outside'): ProbeContext {
  return { plan: probePlan, vantage, dial, now: () => new Date(), signal: new AbortController().signal, env: {} };
}

describe('adversarial findings: one regression test per bug', function () {
  this.timeout(30_000);

  describe('TLS: the trust store is built once per scan, not once per session', function () {
    let persona: PersonaServer;
    const cjsTls = createRequire(import.meta.url)('node:tls') as typeof import('node:tls');
    const original = cjsTls.createSecureContext;
    let created = 0;

    before(async function () {
      persona = await startPersona('implicit-tls', { address: '127.110.5.1', ca: createFixtureCa(), serverName: '127.110.5.1' });
      cjsTls.createSecureContext = (options) => {
        created++;
        return original(options);
      };
      // The core imports node:tls as an ES module: let its namespace see the counting function too.
      syncBuiltinESMExports();
    });
    after(async function () {
      cjsTls.createSecureContext = original;
      syncBuiltinESMExports();
      await persona.close();
    });

    it('fetches autoconfig 6 times (12 HTTPS requests) with at most 2 secure contexts', async function () {
      // The autoconfig client (net/autoconfig-http.ts) made the same trust store per request: 24 plans of the scope
      // property test took 9 s instead of 2.
      const ca = createFixtureCa();
      const dir = await mkdtemp(join(tmpdir(), 'p25x-findings-'));
      let site: HostileWebsite | undefined;
      try {
        site = await startHostileWebsite({ address: '127.110.5.4', ca, names: ['autoconfig.ac.p25x.test', 'ac.p25x.test'], xml: hostileClientConfigXml('ac.p25x.test') });
        const probePlan = plan({ submission: { servers: [], domain: 'ac.p25x.test' }, ports: { smtp: 25, submission: 587, submissions: 465, https: site.port }, tls: { caFile: await ca.writeCaFile(join(dir, 'ca.pem')) } });
        const names = new Map([['autoconfig.ac.p25x.test', { addresses: [{ address: site.address, family: 'IPv4' as const }] }]]);
        const target = { host: 'autoconfig.ac.p25x.test', address: site.address, port: site.port, family: 'IPv4' as const };
        await autoconfigProbe.run({ probe: 'autoconfig', target, names } as never, context(probePlan));
        created = 0;
        const observations = await Promise.all(Array.from({ length: 6 }, () => autoconfigProbe.run({ probe: 'autoconfig', target, names } as never, context(probePlan))));
        expect(observations.map((observation) => observation.outcome)).to.deep.equal(Array(6).fill('published'));
        expect(created, 'SecureContexts created for 12 requests').to.be.at.most(2);
      } finally {
        await site?.close();
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('runs 12 implicit-TLS sessions with at most 2 secure contexts (each parses ~150 roots: ~60 ms of blocked event loop)', async function () {
      created = 0;
      // Found in the hostile scan: 46 TLS sessions stalled the scanner's event loop for ~3 s, so that every
      // greeting timer of every other host fired before its data was read, and normal hosts were judged wrong.
      const probePlan = plan({ ports: { smtp: 25, submission: 587, submissions: persona.port, https: 443 } });
      const target = { host: null, address: persona.address, port: persona.port, family: 'IPv4' as const };
      const observations = await Promise.all(Array.from({ length: 12 }, () => implicitTlsProbe.run({ probe: 'implicit-tls', target }, context(probePlan))));
      expect(observations.map((observation) => observation.outcome)).to.deep.equal(Array(12).fill('completed'));
      expect(created, 'SecureContexts created for 12 sessions').to.be.at.most(2);
    });
  });

  describe('TCP: a peer that resets right after accepting is not "a probe that could not run"', function () {
    let peer: HostilePeer;
    before(async function () {
      peer = await startHostilePeer('reset-on-accept', { address: '127.110.5.2', plainPorts: [0] });
    });
    after(async function () {
      await peer.close();
    });

    it('classifies 20 dials as open or closed (RST = closed, DESIGN), never error', async function () {
      // ECONNRESET while connecting is the peer's RST after its SYN-ACK: it says something about the server.
      const outcomes = new Set<string>();
      const codes = new Set<string>();
      for (let i = 0; i < 20; i++) {
        const connection = await tcpDialer()({ host: null, address: peer.address, port: peer.plainPorts[0]!, family: 'IPv4' }, { timeoutMs: 1000 });
        outcomes.add(connection.outcome);
        if (connection.outcome === 'open') connection.socket.destroy();
        else codes.add(connection.errorCode);
      }
      expect([...outcomes].filter((outcome) => outcome !== 'open' && outcome !== 'closed'), `error codes ${[...codes].join(', ')}`).to.deep.equal([]);
    });

    it('judges such a canary as blocked or open from inside, never as error', async function () {
      const probePlan = plan({ external: { mx: [], submission: [{ host: peer.address, port: peer.plainPorts[0]!, expect: null }] } });
      const task = { probe: 'outbound-submission' as const, target: { host: null, address: peer.address, port: peer.plainPorts[0]!, family: 'IPv4' as const }, expect: null };
      const observation = (await outboundSubmissionProbe.run(task, context(probePlan, 'inside'))) as TcpObservation;
      const [result] = checkP3({ plan: probePlan, observations: [observation], inbound: emptyInbound(), vantages: ['inside'] });
      expect(result!.status, `${result!.summary} (${observation.errorCode ?? observation.outcome})`).to.not.equal('error');
    });
  });

  describe('credentials: a server that echoes them back does not get them into the evidence', function () {
    let peer: HostilePeer;
    const credentials = { user: 'p25x-user', password: 'p25xEchoPw42' };
    const base64 = (text: string): string => Buffer.from(text).toString('base64');
    let dir: string;
    let caFile: string;

    before(async function () {
      const ca = createFixtureCa();
      dir = await mkdtemp(join(tmpdir(), 'p25x-findings-'));
      caFile = await ca.writeCaFile(join(dir, 'ca.pem'));
      peer = await startHostilePeer('auth-echo', { address: '127.110.5.5', plainPorts: [0], ca });
    });
    after(async function () {
      await peer.close();
      await rm(dir, { recursive: true, force: true });
    });

    it('redacts the password and its base64 forms in the AUTH replies kept as evidence, as in the transcript', async function () {
      // The transcript was redacted, but `auth.reply` (lines and text) kept the server's echo verbatim:
      // the scan file, and every report format after it, carried the password.
      const probePlan = plan({ ports: { smtp: 25, submission: peer.plainPorts[0]!, submissions: 465, https: 443 }, tls: { caFile }, credentials: { userEnv: 'P25X_USER', passwordEnv: 'P25X_PASSWORD' } });
      const target = { host: null, address: peer.address, port: peer.plainPorts[0]!, family: 'IPv4' as const };
      const observation = await observeSubmission({ probe: 'submission', target }, { ...context(probePlan), env: { P25X_USER: credentials.user, P25X_PASSWORD: credentials.password } });
      expect(observation.auth).to.include({ attempted: true, mechanism: 'LOGIN' });
      const text = JSON.stringify(observation);
      for (const secret of [credentials.password, base64(credentials.password), base64(`\0${credentials.user}\0${credentials.password}`)]) {
        expect(text, secret).to.not.contain(secret);
      }
    });
  });

  describe('JSON printed to a terminal: what a peer sent stays data, never control', function () {
    // JSON.stringify escapes C0 controls only: an 8-bit CSI (U+009B), DEL, bidi overrides and U+2028 went to the
    // terminal raw from `report --format json` and `probe smtp --json`.
    const greeting = '220 mx \u009b2J\u009b31mred \u007f \u202egnp.exe\u202c \u2028next \u2029para \ufeff\ufffe';
    const active = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff]/;

    it('jsonText escapes them as \\uXXXX and JSON.parse gives the same value back', function () {
      const value = { observations: [{ banner: { text: greeting } }] };
      const text = jsonText(value);
      expect(text.match(active)).to.equal(null);
      expect(text).to.contain('\\u009b2J').and.to.contain('\\u202egnp.exe');
      expect(JSON.parse(text)).to.deep.equal(value);
    });

    it('renderJson writes reports the same way', function () {
      const report = {
        schemaVersion: 1 as const,
        tool: { name: 'port25-audit' as const, version: '0.0.0' },
        generatedAt: '2025-03-01T12:00:00.000Z',
        plan: { name: 'p25x', digest: `sha256:${'0'.repeat(64)}` },
        vantages: [],
        status: 'fail' as const,
        practices: [{ id: 'P6' as const, title: 'Inbound', references: [], status: 'fail' as const, checks: [{ id: 'P6.inbound-25-blocked', target: '127.110.5.9', vantage: 'outside' as const, status: 'fail' as const, summary: 'open', evidence: { greeting } }] }],
        counts: { pass: 0, warn: 0, fail: 1, skip: 0, error: 0 },
      };
      const text = renderJson(report);
      expect(text.match(active)).to.equal(null);
      expect(JSON.parse(text)).to.deep.equal(report);
    });
  });

  describe('checks: an open port that sent nothing is no greeting (P3, P5)', function () {
    // readBanner always returns a Banner, empty when nothing came: "no banner" never happened, so a tarpit
    // canary passed P3 (address canaries) or was called "intercepted"/"redirected" (named canaries).
    const silent: Banner = { text: '', code: null, truncated: true, ms: 3000 };
    const target = { host: null, address: '127.110.5.3', port: 587, family: 'IPv4' as const };

    function observed(probe: TcpObservation['probe'], port: number, expectText: string | null): TcpObservation {
      return { type: 'observation', probe, target: { ...target, port }, vantage: 'inside', startedAt: '2025-03-01T10:00:00.000Z', ms: 1, outcome: 'open', banner: silent, expect: expectText };
    }

    for (const expectText of [null, 'smtp.canary.p25x.test']) {
      it(`P3 fails a silent canary${expectText === null ? ' given as an address' : ' with an expected greeting'}: "no greeting came"`, function () {
        const probePlan = plan({ external: { mx: [], submission: [{ host: target.address, port: 587, expect: expectText }] } });
        const [result] = checkP3({ plan: probePlan, observations: [observed('outbound-submission', 587, expectText)], inbound: emptyInbound(), vantages: ['inside'] });
        expect([result!.status, result!.message?.id]).to.deep.equal(['fail', 'p3.no-greeting']);
      });
    }

    it('P5 warns on a silent MX canary with an expected greeting: open, but neither the canary nor a redirect confirmed', function () {
      const probePlan = plan({ external: { mx: [{ host: target.address, port: 25, expect: 'mx.canary.p25x.test' }], submission: [] } });
      const results = checkP5({ plan: probePlan, observations: [observed('outbound-smtp', 25, 'mx.canary.p25x.test')], inbound: emptyInbound(), vantages: ['inside'] });
      const blocked = results.find((result) => result.id === 'P5.outbound-25-blocked')!;
      expect([blocked.status, blocked.message?.id]).to.deep.equal(['warn', 'p5.open-no-greeting']);
    });
  });
});
