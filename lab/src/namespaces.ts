/**
 * Network namespace operations through iproute2, synchronous so that teardown
 * can run from an `exit` handler. Everything here acts on namespaces by exact
 * name and on processes by pid, after checking the pid lives in a lab namespace.
 */
import { execFileSync, type ExecFileSyncOptions } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

/** No lab command may block teardown for longer (a signal handler only runs once a synchronous command returns). */
const COMMAND_TIMEOUT_MS = 60_000;

/** Runs a command and returns its stdout; throws with its stderr on failure. */
export function run(command: string, args: readonly string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}): string {
  const settings: ExecFileSyncOptions = { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], timeout: COMMAND_TIMEOUT_MS, killSignal: 'SIGKILL' };
  if (options.input !== undefined) settings.input = options.input;
  if (options.env !== undefined) settings.env = options.env;
  try {
    return execFileSync(command, args, settings) as unknown as string;
  } catch (error) {
    const failed = error as { stderr?: Buffer | string; status?: number | null };
    const stderr = String(failed.stderr ?? '').trim();
    throw new Error(`${command} ${args.join(' ')} failed (exit ${failed.status ?? '?'})${stderr ? `: ${stderr}` : ''}`);
  }
}

/** Runs a command inside a namespace (`ip netns exec`). */
export function runIn(namespace: string, command: string, args: readonly string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}): string {
  return run('ip', ['netns', 'exec', namespace, command, ...args], options);
}

/**
 * Starts a daemon inside a namespace (`postfix start`, `dovecot`): its output
 * goes to `logFile`, not to a pipe, because a daemon keeps the descriptors it
 * inherited and a pipe would never close. Throws with the log's end on failure.
 */
export function startDaemonIn(namespace: string, command: string, args: readonly string[], logFile: string): void {
  const log = openSync(logFile, 'a');
  try {
    execFileSync('ip', ['netns', 'exec', namespace, command, ...args], { stdio: ['ignore', log, log], timeout: COMMAND_TIMEOUT_MS, killSignal: 'SIGKILL' });
  } catch (error) {
    const tail = readFileSync(logFile, 'utf8').split('\n').slice(-10).join('\n');
    throw new Error(`${command} ${args.join(' ')} failed in ${namespace} (${(error as Error).message.split('\n')[0]}):\n${tail}`);
  } finally {
    closeSync(log);
  }
}

/** `ip -n NS ...`: configures links, addresses and routes of a namespace without entering it. */
export function ipIn(namespace: string, args: readonly string[]): void {
  run('ip', ['-n', namespace, ...args]);
}

/** The names of every network namespace that `ip netns` knows. */
export function namespaceNames(): string[] {
  return run('ip', ['netns', 'list'])
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter(Boolean);
}

/** The pids of the processes running in a namespace (empty when it does not exist). */
export function pidsIn(namespace: string): number[] {
  try {
    return run('ip', ['netns', 'pids', namespace])
      .split('\n')
      .map(Number)
      .filter((pid) => Number.isInteger(pid) && pid > 0);
  } catch {
    return [];
  }
}

/** The namespace a process runs in, by name ('' for the host's or an unnamed one). */
export function namespaceOf(pid: number): string {
  try {
    return run('ip', ['netns', 'identify', String(pid)]).trim();
  } catch {
    return '';
  }
}

/** Blocks for `ms` (teardown runs from `exit` handlers, where nothing asynchronous runs). */
export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Ends every process that runs in the given namespaces: SIGTERM, up to
 * `graceMs` to exit, then SIGKILL. Only pids that `ip netns pids` lists for a
 * lab namespace are signalled: the lab started every process in its namespaces,
 * and a recycled pid elsewhere is never touched.
 */
export function endProcessesIn(namespaces: readonly string[], graceMs = 2000): void {
  const signal = (pids: number[], name: NodeJS.Signals): void => {
    for (const pid of pids) {
      try {
        process.kill(pid, name);
      } catch {
        // exited meanwhile
      }
    }
  };
  const inLab = (): number[] => namespaces.flatMap(pidsIn).filter((pid) => pid !== process.pid);
  signal(inLab(), 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (inLab().some(alive) && Date.now() < deadline) sleepSync(50);
  signal(inLab(), 'SIGKILL');
  const killDeadline = Date.now() + 2000;
  while (inLab().length > 0 && Date.now() < killDeadline) sleepSync(20);
}

/** Deletes namespaces by exact name; those already gone are ignored. */
export function deleteNamespaces(namespaces: readonly string[]): void {
  const existing = new Set(namespaceNames());
  for (const namespace of namespaces) {
    if (!existing.has(namespace)) continue;
    try {
      run('ip', ['netns', 'del', namespace]);
    } catch {
      // raced with another teardown
    }
  }
}
