/**
 * A network on this suite's loopback block (127.110.0.0/16) where every kind
 * of hostile peer (fixtures/src/hostile) stands among well-behaved hosts, and
 * is at once a submission server (P1/P2), a host of the sampled range (P6) and
 * an MX and submission canary (P5/P3) of one plan:
 *
 * - 127.110.0.10: the compliant-msa persona on the submission port and the
 *   implicit-tls persona on the submissions port (certificates for the address);
 * - 127.110.1.N: one hostile peer per kind, on the smtp, submission and
 *   submissions ports (all bound to the same three port numbers);
 * - 127.110.2.0/25: the dynamic range; greeters (open port 25) at .3, .9, .17,
 *   the authorized relay at .10, every other address closed;
 * - 127.110.3.25 and 127.110.3.87: the MX and the submission canary.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFixtureCa, startPersona, type FixtureCa, type PersonaServer } from '@port25-audit/fixtures';
import { startGreeter, type Greeter } from '@port25-audit/fixtures/lab';
// Until fixtures/package.json exports "./hostile", the hostile peers are imported from their source.
import { HOSTILE_PEER_KINDS, startHostilePeer, type HostilePeer, type HostilePeerKind } from '../../fixtures/src/hostile/index.js';

export const COMPLIANT_MSA = '127.110.0.10';
export const RANGE = '127.110.2.0/25';
export const RANGE_SIZE = 128;
export const OPEN_CUSTOMERS = ['127.110.2.3', '127.110.2.9', '127.110.2.17'] as const;
export const RELAY = '127.110.2.10';
export const MX_CANARY = { address: '127.110.3.25', greeting: 'mx.canary.p25x.test ESMTP canary' };
export const SUBMISSION_CANARY = { address: '127.110.3.87', greeting: 'smtp.canary.p25x.test ESMTP canary' };
export const CONNECT_TIMEOUT_MS = 1000;
export const DIALOG_TIMEOUT_MS = 3000;

/** The address of the hostile peer of each kind: 127.110.1.(index + 1). */
export function hostileAddress(kind: HostilePeerKind): string {
  return `127.110.1.${HOSTILE_PEER_KINDS.indexOf(kind) + 1}`;
}

export function customerGreeting(address: string): string {
  return `customer-${address.split('.').at(-1)}.p25x.test ESMTP`;
}

export interface HostileNetwork {
  dir: string;
  planFile: string;
  ports: { smtp: number; submission: number; submissions: number };
  ca: FixtureCa;
  peers: Map<HostilePeerKind, HostilePeer>;
  personas: PersonaServer[];
  greeters: Greeter[];
  stop(): Promise<void>;
}

/** Starts every listener, writes the plan and the CA file into a fresh folder. */
export async function startHostileNetwork(): Promise<HostileNetwork> {
  const dir = await mkdtemp(join(tmpdir(), 'p25x-hostile-'));
  const ca = createFixtureCa({ commonName: 'p25x hostile CA' });
  const peers = new Map<HostilePeerKind, HostilePeer>();
  const personas: PersonaServer[] = [];
  const greeters: Greeter[] = [];
  const stop = async (): Promise<void> => {
    const closing = [...peers.values()].map((peer) => peer.close());
    closing.push(...personas.map((persona) => persona.close()), ...greeters.map((greeter) => greeter.close()));
    const results = await Promise.allSettled(closing);
    await rm(dir, { recursive: true, force: true });
    const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  };
  try {
    // The first peer picks three free ports; every other listener binds the same numbers on its own address.
    const [first, ...rest] = HOSTILE_PEER_KINDS;
    const firstPeer = await startHostilePeer(first!, { address: hostileAddress(first!), plainPorts: [0, 0], implicitTlsPorts: [0], ca });
    peers.set(first!, firstPeer);
    const [smtp, submission] = firstPeer.plainPorts as [number, number];
    const submissions = firstPeer.implicitTlsPorts[0]!;
    for (const kind of rest) {
      peers.set(kind, await startHostilePeer(kind, { address: hostileAddress(kind), plainPorts: [smtp, submission], implicitTlsPorts: [submissions], ca, dripMs: 50 }));
    }
    personas.push(
      await startPersona('compliant-msa', { address: COMPLIANT_MSA, port: submission, ca, serverName: COMPLIANT_MSA }),
      await startPersona('implicit-tls', { address: COMPLIANT_MSA, port: submissions, ca, serverName: COMPLIANT_MSA }),
    );
    for (const address of [...OPEN_CUSTOMERS, RELAY]) greeters.push(await startGreeter(address, smtp, customerGreeting(address)));
    greeters.push(await startGreeter(MX_CANARY.address, smtp, MX_CANARY.greeting), await startGreeter(SUBMISSION_CANARY.address, submission, SUBMISSION_CANARY.greeting));

    const caFile = await ca.writeCaFile(join(dir, 'ca.pem'));
    const hostile = HOSTILE_PEER_KINDS.map(hostileAddress);
    const planFile = join(dir, 'plan.yaml');
    await writeFile(
      planFile,
      [
        'version: 1',
        'name: p25x hostile peers among normal hosts',
        `scope: { dynamic: [${RANGE}], hosts: [${hostile.join(', ')}] }`,
        `authorizedRelays: [${RELAY}]`,
        `submission: { servers: [${[COMPLIANT_MSA, ...hostile].join(', ')}] }`,
        'external:',
        `  mx: [{ host: ${MX_CANARY.address}, expect: mx.canary.p25x.test }, ${hostile.map((host) => `{ host: ${host}, port: ${smtp} }`).join(', ')}]`,
        `  submission: [{ host: ${SUBMISSION_CANARY.address}, expect: smtp.canary.p25x.test }, ${hostile.map((host) => `{ host: ${host}, port: ${submission} }`).join(', ')}]`,
        'sample: { size: 100000, seed: 8 }',
        `ports: { smtp: ${smtp}, submission: ${submission}, submissions: ${submissions} }`,
        `probe: { concurrency: 256, connectTimeoutMs: ${CONNECT_TIMEOUT_MS}, dialogTimeoutMs: ${DIALOG_TIMEOUT_MS}, ehloName: audit.p25x.test }`,
        `tls: { caFile: ${JSON.stringify(caFile)} }`,
        '',
      ].join('\n'),
    );
    return { dir, planFile, ports: { smtp, submission, submissions }, ca, peers, personas, greeters, stop };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}
