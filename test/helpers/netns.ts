/**
 * A harness for root-only tests that need a real network path: two network
 * namespaces joined by one veth pair and linked to nothing else, never to the
 * host's namespace. Traffic between them uses documentation addresses
 * (RFC 5737 198.51.100.0/24, RFC 3849 2001:db8::/32) that exist only inside
 * them. nftables rules in a namespace shape what a dial meets: DROP (silence),
 * REJECT with ICMP administratively prohibited, TCP reset.
 *
 * Safety: interfaces are created inside the namespaces (`ip -n`), never in the
 * host's; a script run inside a namespace first proves where it is
 * ({@link assertInsideNamespace}) before it opens any socket; teardown kills only
 * the processes this harness started and deletes only its own namespaces.
 *
 * @example
 * ```ts
 * before(async function () {
 *   const reason = netnsUnavailable();
 *   if (reason) this.skip(); // e.g. "needs root"
 *   pair = await createNamespacePair('p25e-');
 *   pair.firewall(pair.server, nftFilter({ drop: [25], prohibited: [587], reset: [465] }));
 * });
 * after(() => pair?.teardown());
 * const run = await pair.runNode(pair.client, 'test/x/dial-inside.ts', [pair.addresses.server.ipv4]);
 * ```
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { fileURLToPath } from 'node:url';

/** Environment variable that tells a script which namespace it must be in. */
export const NETNS_ENV = 'P25_NETNS';
/** The veth end's name inside each namespace (each namespace has its own interface names). */
export const VETH = 'p25veth';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface NamespaceAddresses {
  ipv4: string;
  ipv6: string;
}

export interface NodeRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface NodeProcess {
  child: ChildProcess;
  /** Resolves with the first stdout line that satisfies `test` (e.g. `listening`); rejects if the process exits first. */
  waitForLine(test: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Everything written to stdout and stderr so far. */
  output(): string;
}

export interface NamespacePair {
  /** Namespace that dials (the vantage). */
  client: string;
  /** Namespace that is dialled (the network under test). */
  server: string;
  addresses: { client: NamespaceAddresses; server: NamespaceAddresses };
  /** Runs a command inside a namespace and returns its stdout. */
  exec(namespace: string, command: readonly string[], input?: string): string;
  /** Loads an nftables ruleset (text, as for `nft -f`) into a namespace. */
  firewall(namespace: string, ruleset: string): void;
  /** Runs a TypeScript script (tsx) inside a namespace to its end; killed after `timeoutMs`. */
  runNode(namespace: string, script: string, args?: readonly string[], options?: { timeoutMs?: number; env?: NodeJS.ProcessEnv }): Promise<NodeRun>;
  /** Starts a TypeScript script inside a namespace in the background (a server); killed at teardown. */
  startNode(namespace: string, script: string, args?: readonly string[], options?: { env?: NodeJS.ProcessEnv }): NodeProcess;
  /** Kills the processes this pair started and deletes both namespaces. Safe to call twice. */
  teardown(): Promise<void>;
}

/** TCP ports and what a connection to them meets in a namespace's firewall. */
export interface FilterPorts {
  /** Silently dropped: the dialer times out (filtered). */
  drop?: readonly number[];
  /** Rejected with ICMP / ICMPv6 administratively prohibited (unreachable). */
  prohibited?: readonly number[];
  /** Rejected with a TCP reset (closed). */
  reset?: readonly number[];
}

/**
 * An nftables ruleset (for {@link NamespacePair.firewall}) that filters
 * incoming TCP by port, for IPv4 and IPv6 alike (`inet` table, `icmpx` rejects).
 */
export function nftFilter(ports: FilterPorts, table = 'p25e_filter'): string {
  const rule = (list: readonly number[] | undefined, verdict: string): string =>
    list && list.length > 0 ? `    tcp dport { ${list.join(', ')} } ${verdict}\n` : '';
  return (
    `table inet ${table} {\n  chain input {\n    type filter hook input priority 0; policy accept;\n` +
    rule(ports.drop, 'drop') +
    rule(ports.prohibited, 'reject with icmpx type admin-prohibited') +
    rule(ports.reset, 'reject with tcp reset') +
    '  }\n}\n'
  );
}

function run(command: string, args: readonly string[], input?: string): string {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], ...(input === undefined ? {} : { input }) });
}

function which(binary: string): boolean {
  return ['/usr/sbin', '/sbin', '/usr/bin', '/bin'].some((dir) => existsSync(`${dir}/${binary}`));
}

/** Why namespace tests cannot run here (not root, no `ip`, no `nft`), or null when they can. */
export function netnsUnavailable(): string | null {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'network namespaces need root (run the suite as root, as CI does)';
  if (!which('ip')) return 'the `ip` command (iproute2) is not installed';
  if (!which('nft')) return 'the `nft` command (nftables) is not installed';
  return null;
}

/** Our namespaces carry the pid of the process that made them: `<prefix><pid>-<random>-<role>`. */
function namespaceName(prefix: string, role: 'c' | 's', tag: string): string {
  return `${prefix}${process.pid}-${tag}-${role}`;
}

function listNamespaces(): string[] {
  return run('ip', ['netns', 'list'])
    .split('\n')
    .map((line) => line.split(' ')[0]!)
    .filter(Boolean);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Deletes namespaces of this prefix left by a test process that died without teardown. */
function removeStaleNamespaces(prefix: string): void {
  for (const name of listNamespaces()) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length).split('-')[0]);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && !processAlive(pid)) {
      try {
        run('ip', ['netns', 'del', name]);
      } catch {
        // already gone
      }
    }
  }
}

/**
 * Throws (before any socket) unless this process runs inside `expected`: `ip
 * netns identify` of its own pid must name it, and no interface but loopback
 * and the harness's veth may exist (the host's would betray the host namespace).
 */
export function assertInsideNamespace(expected: string | undefined = process.env[NETNS_ENV]): void {
  if (!expected) throw new Error(`${NETNS_ENV} is not set: refusing to open sockets outside a test namespace`);
  const identified = run('ip', ['netns', 'identify', String(process.pid)]).trim();
  if (identified !== expected) throw new Error(`running in namespace "${identified || 'host'}", expected "${expected}": refusing to open sockets`);
  const foreign = Object.keys(networkInterfaces()).filter((name) => name !== 'lo' && name !== VETH);
  if (foreign.length > 0) throw new Error(`interfaces ${foreign.join(', ')} are visible: this is not an isolated test namespace`);
}

function nodeArgs(namespace: string, script: string, args: readonly string[]): string[] {
  return ['netns', 'exec', namespace, process.execPath, '--import', 'tsx', '--conditions=source', script, ...args];
}

/**
 * Creates two namespaces `<prefix><pid>-<random>-c` (client) and `-s` (server),
 * joined by a veth pair made inside them, with 198.51.100.1/.2 and
 * 2001:db8:25e::1/::2 (no DAD, so IPv6 is usable at once) and ICMP rate limits
 * off (every probe gets its ICMP error). Loopback is up in both.
 */
export async function createNamespacePair(prefix: string): Promise<NamespacePair> {
  if (!/^[a-z0-9-]{1,16}$/.test(prefix)) throw new Error(`namespace prefix ${prefix} must be short lowercase letters, digits and dashes`);
  const reason = netnsUnavailable();
  if (reason !== null) throw new Error(reason);
  removeStaleNamespaces(prefix);

  const tag = randomBytes(3).toString('hex');
  const client = namespaceName(prefix, 'c', tag);
  const server = namespaceName(prefix, 's', tag);
  const addresses = {
    client: { ipv4: '198.51.100.1', ipv6: '2001:db8:25e::1' },
    server: { ipv4: '198.51.100.2', ipv6: '2001:db8:25e::2' },
  };
  const children = new Set<ChildProcess>();
  let torn = false;

  const teardownSync = (): void => {
    if (torn) return;
    torn = true;
    for (const child of children) {
      // Only processes this harness started, by their own pid.
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(child.pid, 'SIGKILL');
        } catch {
          // exited meanwhile
        }
      }
    }
    for (const namespace of [client, server]) {
      try {
        run('ip', ['netns', 'del', namespace]);
      } catch {
        // never created, or already gone
      }
    }
    process.removeListener('exit', teardownSync);
  };
  process.on('exit', teardownSync);

  try {
    run('ip', ['netns', 'add', client]);
    run('ip', ['netns', 'add', server]);
    // The pair is born inside the client namespace with its peer inside the server's: it never exists in the host's.
    run('ip', ['-n', client, 'link', 'add', VETH, 'type', 'veth', 'peer', 'name', VETH, 'netns', server]);
    for (const [namespace, own] of [
      [client, addresses.client],
      [server, addresses.server],
    ] as const) {
      run('ip', ['-n', namespace, 'link', 'set', 'lo', 'up']);
      run('ip', ['-n', namespace, 'addr', 'add', `${own.ipv4}/24`, 'dev', VETH]);
      run('ip', ['-n', namespace, 'addr', 'add', `${own.ipv6}/64`, 'dev', VETH, 'nodad']);
      run('ip', ['-n', namespace, 'link', 'set', VETH, 'up']);
      run('ip', ['netns', 'exec', namespace, 'sysctl', '-q', '-w', 'net.ipv4.icmp_ratelimit=0', 'net.ipv6.icmp.ratelimit=0']);
    }
  } catch (error) {
    teardownSync();
    throw error;
  }

  const exec = (namespace: string, command: readonly string[], input?: string): string => run('ip', ['netns', 'exec', namespace, ...command], input);

  const spawnNode = (namespace: string, script: string, args: readonly string[], env: NodeJS.ProcessEnv | undefined): ChildProcess => {
    if (torn) throw new Error('the namespace pair was torn down');
    const child = spawn('ip', nodeArgs(namespace, script, args), {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env, [NETNS_ENV]: namespace },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    child.on('exit', () => children.delete(child));
    return child;
  };

  return {
    client,
    server,
    addresses,
    exec,
    firewall(namespace, ruleset) {
      exec(namespace, ['nft', '-f', '-'], ruleset);
    },
    runNode(namespace, script, args = [], options = {}) {
      const child = spawnNode(namespace, script, args, options.env);
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      return new Promise<NodeRun>((resolve) => {
        const timer = setTimeout(() => {
          stderr += `\n[netns harness] killed after ${options.timeoutMs ?? 30_000} ms`;
          if (child.pid !== undefined) child.kill('SIGKILL');
        }, options.timeoutMs ?? 30_000);
        child.on('close', (code, signal) => {
          clearTimeout(timer);
          resolve({ code, signal, stdout, stderr });
        });
      });
    },
    startNode(namespace, script, args = [], options = {}) {
      const child = spawnNode(namespace, script, args, options.env);
      let output = '';
      let partial = '';
      const lines: string[] = [];
      const waiters = new Set<() => void>();
      child.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        partial += chunk.toString();
        const complete = partial.split('\n');
        partial = complete.pop()!;
        lines.push(...complete);
        for (const wake of waiters) wake();
      });
      child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.on('exit', () => {
        for (const wake of waiters) wake();
      });
      return {
        child,
        output: () => output,
        waitForLine(test, timeoutMs = 30_000) {
          return new Promise<string>((resolve, reject) => {
            const timer = setTimeout(() => finish(new Error(`no matching line within ${timeoutMs} ms: ${output}`)), timeoutMs);
            const check = (): void => {
              const found = lines.find(test);
              if (found !== undefined) finish(null, found);
              else if (child.exitCode !== null || child.signalCode !== null) finish(new Error(`process exited before the line: ${output}`));
            };
            const finish = (error: Error | null, line?: string): void => {
              clearTimeout(timer);
              waiters.delete(check);
              if (error) reject(error);
              else resolve(line!);
            };
            waiters.add(check);
            check();
          });
        },
      };
    },
    async teardown() {
      const running = [...children];
      teardownSync();
      await Promise.all(
        running.map((child) =>
          child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((resolve) => child.once('exit', () => resolve())),
        ),
      );
    },
  };
}
