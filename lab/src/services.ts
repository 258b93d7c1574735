/**
 * Long-running processes of the lab inside its namespaces: dnsmasq and the
 * lab's own Node servers. They are started detached (a lab brought up by
 * `npm run lab -- up` outlives that command) with their output in the state
 * folder's logs, and the lab records their pids.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LabCertificates } from './certificates.js';
import { ADDRESSES, NAMES, interfacesOf, type LabRole } from './network.js';
import { LAB_INTERFACES_ENV, LAB_NAMESPACE_ENV } from './servers/namespace-guard.js';
import type { ReadinessCheck } from './servers/readiness.js';
import { fillTemplate } from './templates.js';

/** The repository root (the lab runs the CLI and tsx from there). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SERVE = fileURLToPath(new URL('./servers/serve.ts', import.meta.url));
const AWAIT_READY = fileURLToPath(new URL('./servers/await-ready.ts', import.meta.url));

/** The environment that tells a lab process where it must be (checked before any socket). */
export function namespaceEnvironment(namespace: string, role: LabRole): NodeJS.ProcessEnv {
  return { [LAB_NAMESPACE_ENV]: namespace, [LAB_INTERFACES_ENV]: interfacesOf(role).join(',') };
}

/** Node with tsx, running TypeScript from source (the fixtures' `source` export condition). */
export function nodeWithTsx(script: string, args: readonly string[]): string[] {
  return [process.execPath, '--import', 'tsx', '--conditions=source', script, ...args];
}

/**
 * Starts a command in a namespace, detached, its output appended to `logFile`;
 * returns its pid (`ip netns exec` replaces itself with the command, so the pid is the command's).
 */
export function spawnDetached(namespace: string, command: readonly string[], logFile: string, env: NodeJS.ProcessEnv = {}): number {
  const log = openSync(logFile, 'a');
  try {
    const child = spawn('ip', ['netns', 'exec', namespace, ...command], {
      cwd: REPO_ROOT,
      detached: true,
      stdio: ['ignore', log, log],
      env: { ...process.env, ...env },
    });
    if (child.pid === undefined) throw new Error(`could not start ${command[0]} in ${namespace}`);
    child.unref();
    return child.pid;
  } finally {
    closeSync(log);
  }
}

/** Waits until `logFile` holds a line equal to `line`; throws with the log's end after `timeoutMs` or when `pid` died. */
export async function awaitLogLine(logFile: string, line: string, pid: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
    if (text.split('\n').includes(line)) return;
    let alive = true;
    try {
      process.kill(pid, 0);
    } catch {
      alive = false;
    }
    if (!alive || Date.now() > deadline) {
      const tail = text.split('\n').slice(-15).join('\n');
      throw new Error(`${alive ? 'timed out waiting for' : 'the process exited before printing'} "${line}" (${logFile}):\n${tail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Writes dnsmasq.conf (lab/templates/dnsmasq/dnsmasq.conf) and starts dnsmasq in the foreground, detached, in the ISP namespace. */
export function startDns(namespace: string, stateDir: string): number {
  const config = join(stateDir, 'dnsmasq', 'dnsmasq.conf');
  const { internet, isp } = ADDRESSES;
  writeFileSync(
    config,
    fillTemplate('dnsmasq/dnsmasq.conf', {
      DNS_ADDRESS: isp.dns,
      DOMAIN: NAMES.domain,
      MSA_NAME: NAMES.msa,
      MSA_ADDRESS: isp.msa,
      RELAY_NAME: NAMES.relay,
      RELAY_ADDRESS: isp.relay,
      AUTOCONFIG_NAME: NAMES.autoconfig,
      AUTOCONFIG_ADDRESS: isp.autoconfig,
      MX_CANARY_NAME: NAMES.mxCanary,
      MX_CANARY_IPV4: internet.mxCanary.ipv4,
      MX_CANARY_IPV6: internet.mxCanary.ipv6,
      SUBMISSION_CANARY_NAME: NAMES.submissionCanary,
      SUBMISSION_CANARY_IPV4: internet.submissionCanary.ipv4,
      SUBMISSION_CANARY_IPV6: internet.submissionCanary.ipv6,
    }),
  );
  const log = join(stateDir, 'logs', 'dnsmasq.log');
  // --conf-file replaces /etc/dnsmasq.conf; -k keeps it in the foreground so the pid is ours.
  return spawnDetached(namespace, ['dnsmasq', '--keep-in-foreground', `--conf-file=${config}`, `--log-facility=${log}`, '--log-queries'], log);
}

/** The lab's own servers (lab/src/servers/serve.ts), by the namespace role they run in. */
export type LabServerRole = 'internet' | 'customers' | 'autoconfig';

/** Starts one of the lab's own servers in its namespace; resolves with its pid once it printed `ready`. */
export async function startLabServer(namespace: string, role: LabServerRole, stateDir: string, certificates: LabCertificates): Promise<number> {
  const log = join(stateDir, 'logs', `${role}.log`);
  const args = role === 'autoconfig' ? [role, certificates.autoconfig.chain, certificates.autoconfig.key] : [role];
  const pid = spawnDetached(namespace, nodeWithTsx(SERVE, args), log, namespaceEnvironment(namespace, role === 'autoconfig' ? 'isp' : role));
  await awaitLogLine(log, `ready ${role}`, pid);
  return pid;
}

/** What must hold, seen from the internet, once the ISP's services run with MSA profile `profile`. */
export function ispReadinessChecks(profile: string, implicitTls: boolean): ReadinessCheck[] {
  const { isp } = ADDRESSES;
  return [
    { kind: 'greeting', host: isp.msa, port: 587, contains: `(p25lab ${profile})` },
    ...(implicitTls ? [{ kind: 'greeting' as const, host: isp.msa, port: 465, contains: `(p25lab ${profile})`, tls: true }] : []),
    { kind: 'greeting', host: isp.relay, port: 25, contains: NAMES.relay },
    { kind: 'dns', server: isp.dns, name: `_submission._tcp.${NAMES.domain}`, rrtype: 'SRV' },
    { kind: 'https', host: isp.autoconfig, port: 443, servername: NAMES.autoconfig, path: '/mail/config-v1.1.xml', status: 200 },
  ];
}

/** Runs the readiness checks inside a namespace (lab/src/servers/await-ready.ts); throws with what is not ready. */
export async function awaitReadyFrom(namespace: string, role: LabRole, checks: readonly ReadinessCheck[], deadlineMs = 20_000): Promise<void> {
  const child = spawn('ip', ['netns', 'exec', namespace, ...nodeWithTsx(AWAIT_READY, [JSON.stringify(checks), String(deadlineMs)])], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...namespaceEnvironment(namespace, role) },
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`the lab's services are not ready (seen from ${namespace}):\n${stderr.trim()}`);
}
