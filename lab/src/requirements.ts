/**
 * What the namespace lab needs from the machine: Linux, root, iproute2,
 * nftables, Debian's Postfix, Dovecot and dnsmasq, and a built CLI.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './services.js';

/** Why the lab cannot run here: `platform`/`root` are properties of the machine, `missing` is something to install or build. */
export interface LabUnavailable {
  kind: 'platform' | 'root' | 'missing';
  reason: string;
}

/** Debian packages and the binaries the lab runs from each. */
export const LAB_PACKAGES: readonly { binary: string; debian: string }[] = [
  { binary: 'ip', debian: 'iproute2' },
  { binary: 'nft', debian: 'nftables' },
  { binary: 'postfix', debian: 'postfix' },
  { binary: 'dovecot', debian: 'dovecot-core' },
  { binary: 'dnsmasq', debian: 'dnsmasq-base' },
];

/** The exact commands that install the lab's packages without starting any system service (docs/lab.md). */
export const INSTALL_HINT =
  "echo 'postfix postfix/main_mailer_type select No configuration' | debconf-set-selections && " +
  'DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends iproute2 nftables postfix dovecot-core dnsmasq-base';

/** The facts about a machine the lab depends on (injected in tests). */
export interface MachineFacts {
  platform: NodeJS.Platform;
  uid: number | undefined;
  exists(path: string): boolean;
}

/** This machine. */
export function thisMachine(): MachineFacts {
  return { platform: process.platform, uid: process.getuid?.(), exists: existsSync };
}

/** The CLI the lab runs (`node packages/cli/bin/port25-audit.js`) needs its build in dist/. */
export const CLI_ENTRY = join(REPO_ROOT, 'packages', 'cli', 'bin', 'port25-audit.js');
const CLI_BUILD = join(REPO_ROOT, 'packages', 'cli', 'dist', 'index.js');

/**
 * Null when the lab can run here; otherwise why not, with what to do.
 *
 * @example const unavailable = labUnavailable(); if (unavailable) console.error(unavailable.reason)
 */
export function labUnavailable(machine: MachineFacts = thisMachine()): LabUnavailable | null {
  if (machine.platform !== 'linux') return { kind: 'platform', reason: 'the namespace lab needs Linux (network namespaces)' };
  if (machine.uid !== 0) return { kind: 'root', reason: 'the namespace lab needs root (ip netns, nft, Postfix); run it with sudo or as root' };
  const onPath = (binary: string): boolean => ['/usr/sbin', '/sbin', '/usr/bin', '/bin'].some((dir) => machine.exists(join(dir, binary)));
  const missing = LAB_PACKAGES.filter((entry) => !onPath(entry.binary));
  if (missing.length > 0) {
    const names = missing.map((entry) => `${entry.binary} (Debian package ${entry.debian})`).join(', ');
    return { kind: 'missing', reason: `the namespace lab needs ${names}; install with: ${INSTALL_HINT}` };
  }
  if (!machine.exists(CLI_BUILD)) return { kind: 'missing', reason: 'the CLI is not built (packages/cli/dist): run `npm run build` first' };
  return null;
}

/**
 * What a test suite does when the lab cannot run: skip it, except in CI
 * (`CI=true`) as root, where CI was meant to install what is missing: fail.
 *
 * @example if (whenLabUnavailable(unavailable) === 'skip') this.skip(); else throw new Error(unavailable.reason);
 */
export function whenLabUnavailable(unavailable: LabUnavailable, env: NodeJS.ProcessEnv = process.env): 'skip' | 'fail' {
  return env['CI'] === 'true' && unavailable.kind === 'missing' ? 'fail' : 'skip';
}
