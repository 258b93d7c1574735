/**
 * Where a lab instance keeps its configuration, queues, logs, certificates and
 * its state file: one folder per instance under the system's temp folder,
 * found again by name so that `down`, `audit` and the next `up` (after a crash)
 * know what is running.
 */
import { lstatSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LabInstance } from './network.js';
import type { MsaProfile } from './scenarios.js';

/** What a running lab records about itself. */
export interface LabState {
  version: 1;
  instance: string;
  namespaces: LabInstance['namespaces'];
  dir: string;
  startedAt: string;
  /** The scenario applied last, or null while the lab is coming up. */
  scenario: string | null;
  /** The Postfix profile in effect, or null before Postfix started. */
  msaProfile: MsaProfile | null;
  /** Pids of the processes the lab started directly, by service (Postfix's master is in its own pid file). */
  pids: Record<string, number>;
  /** The lab customer's SASL login, for the audit's `credentials` (made at `up`; this file is mode 0600). */
  credentials: { user: string; password: string };
}

/** The state folder of an instance: `<tmp>/p25lab-<id>`. */
export function stateDir(instance: LabInstance): string {
  return join(tmpdir(), `p25lab-${instance.id}`);
}

/** Sub-folders and files of a state folder. */
export function statePaths(dir: string) {
  return {
    stateFile: join(dir, 'state.json'),
    logs: join(dir, 'logs'),
    tls: join(dir, 'tls'),
    caFile: join(dir, 'tls', 'ca.pem'),
    postfix: join(dir, 'postfix'),
    dovecot: join(dir, 'dovecot'),
    dnsmasq: join(dir, 'dnsmasq'),
    nft: join(dir, 'router.nft'),
    services: join(dir, 'services.json'),
  };
}

/**
 * Refuses a state folder that this lab cannot own: a symbolic link, not a
 * folder, or not root's (someone else could have planted it in /tmp).
 */
function checkOwnFolder(dir: string): boolean {
  let stat;
  try {
    stat = lstatSync(dir);
  } catch {
    return false;
  }
  if (stat.isSymbolicLink() || !stat.isDirectory() || stat.uid !== 0) {
    throw new Error(`${dir} exists but is not a folder owned by root: remove it by hand before running the lab`);
  }
  return true;
}

/** Creates the (empty) state folder of an instance; it must not exist. */
export function createStateDir(instance: LabInstance): string {
  const dir = stateDir(instance);
  mkdirSync(dir, { mode: 0o755 });
  for (const sub of ['logs', 'tls', 'postfix', 'dovecot', 'dnsmasq']) mkdirSync(join(dir, sub), { mode: 0o755 });
  return dir;
}

/** Deletes the state folder of an instance (after its processes ended). */
export function removeStateDir(instance: LabInstance): void {
  const dir = stateDir(instance);
  if (checkOwnFolder(dir)) rmSync(dir, { recursive: true, force: true });
}

/** The state of an instance, or null when no state file exists (never started, or torn down). */
export function readState(instance: LabInstance): LabState | null {
  const dir = stateDir(instance);
  if (!checkOwnFolder(dir)) return null;
  try {
    return JSON.parse(readFileSync(statePaths(dir).stateFile, 'utf8')) as LabState;
  } catch {
    return null;
  }
}

/** Writes the state file (mode 0600: it holds the lab customer's password). */
export function writeState(state: LabState): void {
  writeFileSync(statePaths(state.dir).stateFile, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}
