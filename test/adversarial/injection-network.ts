/**
 * A network on 127.110.6.0/24 where everything a peer can say carries
 * injection payloads, and one plan that reaches all of it from both vantages,
 * with credentials in the environment:
 *
 * - 127.110.6.1: the `injection` peer (greeting, EHLO lines, certificate subject
 *   and SANs with markup, ANSI, formulas, JSON-breaking text), as submission
 *   server, sampled host and both canaries;
 * - 127.110.6.2: the `auth-echo` peer, which echoes every form of the
 *   credentials it is sent in its replies;
 * - 127.110.6.10: the compliant-msa persona, which accepts the credentials (235);
 * - 127.110.6.53: DNS for `inj.p25x.test`, whose SRV targets carry markup, a
 *   formula and an escape sequence, and point elsewhere;
 * - 127.110.6.80: the autoconfig site of `inj.p25x.test`, a hostile document.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFixtureCa, startPersona, type PersonaServer } from '@port25-audit/fixtures';
import { startZoneServer, type ZoneServer } from '@port25-audit/fixtures/p4';
import {
  ELSEWHERE_HOST,
  hostileClientConfigXml,
  startHostilePeer,
  startHostileWebsite,
  type HostilePeer,
  type HostileWebsite,
} from '../../fixtures/src/hostile/index.js';

export const DOMAIN = 'inj.p25x.test';
export const INJECTION = '127.110.6.1';
export const AUTH_ECHO = '127.110.6.2';
export const MSA = '127.110.6.10';
export const DNS = '127.110.6.53';
export const WEB = '127.110.6.80';
/** Credentials the compliant MSA accepts; the password has no character any format would escape, so a leak is found verbatim. */
export const CREDENTIALS = { user: 'p25x-auditor', password: 'p25xPw7Qz9KtVb' };
/** SRV targets a hostile zone publishes: markup, a formula, an escape sequence, a host elsewhere. */
export const SRV_TARGETS = ['<script>alert(1)</script>.p25x.test', '=cmd|calc!A0.p25x.test', '\u001b[2J\u001b[31mred.p25x.test'];

export interface InjectionNetwork {
  dir: string;
  planFile: string;
  ports: { smtp: number; submission: number; submissions: number; https: number };
  injection: HostilePeer;
  authEcho: HostilePeer;
  msa: PersonaServer;
  dns: ZoneServer;
  web: HostileWebsite;
  stop(): Promise<void>;
}

export async function startInjectionNetwork(): Promise<InjectionNetwork> {
  const dir = await mkdtemp(join(tmpdir(), 'p25x-injection-'));
  const ca = createFixtureCa({ commonName: 'p25x injection CA' });
  const closers: (() => Promise<void>)[] = [];
  const stop = async (): Promise<void> => {
    const results = await Promise.allSettled(closers.map((close) => close()));
    await rm(dir, { recursive: true, force: true });
    const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  };
  try {
    const injection = await startHostilePeer('injection', { address: INJECTION, plainPorts: [0, 0], implicitTlsPorts: [0], ca });
    closers.push(() => injection.close());
    const [smtp, submission] = injection.plainPorts as [number, number];
    const submissions = injection.implicitTlsPorts[0]!;
    const authEcho = await startHostilePeer('auth-echo', { address: AUTH_ECHO, plainPorts: [smtp, submission], implicitTlsPorts: [submissions], ca });
    closers.push(() => authEcho.close());
    const msa = await startPersona('compliant-msa', { address: MSA, port: submission, ca, serverName: MSA, credentials: CREDENTIALS });
    closers.push(() => msa.close());
    const web = await startHostileWebsite({ address: WEB, ca, names: [`autoconfig.${DOMAIN}`, DOMAIN], xml: hostileClientConfigXml(DOMAIN) });
    closers.push(() => web.close());
    const dns = await startZoneServer(
      {
        [`autoconfig.${DOMAIN}`]: { A: [WEB] },
        [DOMAIN]: { A: [WEB] },
        [`_submission._tcp.${DOMAIN}`]: { SRV: [{ port: 587, target: SRV_TARGETS[0]! }, { port: 25, target: SRV_TARGETS[1]! }, { port: 2525, target: SRV_TARGETS[2]! }] },
        [`_submissions._tcp.${DOMAIN}`]: { SRV: [{ port: 465, target: ELSEWHERE_HOST }] },
      },
      { host: DNS },
    );
    closers.push(() => dns.close());

    const caFile = await ca.writeCaFile(join(dir, 'ca.pem'));
    const planFile = join(dir, 'plan.yaml');
    await writeFile(
      planFile,
      [
        'version: 1',
        'name: p25x injection and secrets',
        `scope: { hosts: [${INJECTION}] }`,
        `submission: { servers: [${MSA}, ${INJECTION}, ${AUTH_ECHO}], domain: ${DOMAIN} }`,
        'external:',
        `  mx: [{ host: ${INJECTION}, expect: mx.canary.p25x.test }]`,
        `  submission: [{ host: ${INJECTION}, port: ${submission}, expect: smtp.canary.p25x.test }]`,
        `ports: { smtp: ${smtp}, submission: ${submission}, submissions: ${submissions}, https: ${web.port} }`,
        'probe: { concurrency: 32, connectTimeoutMs: 1000, dialogTimeoutMs: 3000, ehloName: audit.p25x.test }',
        `dns: { servers: ["${dns.server}"] }`,
        `tls: { caFile: ${JSON.stringify(caFile)} }`,
        'credentials: { userEnv: P25_USER, passwordEnv: P25_PASSWORD }',
        '',
      ].join('\n'),
    );
    return { dir, planFile, ports: { smtp, submission, submissions, https: web.port }, injection, authEcho, msa, dns, web, stop };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}
