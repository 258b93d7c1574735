/** The benchmark's results as a terminal table and as docs/performance.md. */
import type { Machine } from './machine.js';
import type { Row, Section } from './section.js';

function columns(rows: readonly Row[]): string[] {
  const names: string[] = [];
  for (const row of rows) for (const name of Object.keys(row.figures)) if (!names.includes(name)) names.push(name);
  return names;
}

function cells(section: Section): string[][] {
  const names = columns(section.rows);
  const hasRatio = section.rows.some((row) => row.ratio !== undefined);
  const header = ['', ...names, ...(hasRatio ? ['ratio'] : [])];
  return [header, ...section.rows.map((row) => [row.subject, ...names.map((name) => row.figures[name] ?? ''), ...(hasRatio ? [row.ratio ?? ''] : [])])];
}

/** One section as aligned text for the terminal. */
export function renderText(section: Section): string {
  const table = cells(section);
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return [
    section.title,
    `  goal: ${section.goal}`,
    ...(section.rows.length > 0 ? ['', ...table.map((row) => `  ${line(row)}`)] : []),
    '',
    `  ${section.verdict}`,
    '',
  ].join('\n');
}

function markdownTable(section: Section): string {
  const table = cells(section);
  const escape = (cell: string) => cell.replaceAll('|', '\\|');
  return [
    `| ${table[0]!.map(escape).join(' | ')} |`,
    `|${table[0]!.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`,
    ...table.slice(1).map((row) => `| ${row.map(escape).join(' | ')} |`),
  ].join('\n');
}

/** The static part of docs/performance.md: what the engine does to reach these figures, and why. */
const ENGINE = `## What the engine does for these figures

Measured while building it on this kind of machine (2 cores, a VM shared with
other work): CPU profiles (\`--cpu-prof\`, \`perf\`), \`--trace-gc-nvp\`,
\`strace -c\`, CPU time per probe from \`process.cpuUsage()\`. These numbers come
from those runs, not from the run above.

- **Where a closed-port probe's time goes.** Per probe, nmap's connect scan
  spends ~40 µs of CPU (user and kernel about even); its kernel part (socket,
  connect, getsockopt, epoll, close) is the same for us. Through \`net.Socket\`
  a bare connect loop cost ~60 µs, and our probe path ~100 µs: the socket's
  streams and event emitter, the \`ECONNREFUSED\` Error Node builds for every
  refused connect (with a stack trace, ~6%), garbage collection (10-16%) and a
  WeakMap whose entries every GC had to visit.
- **The connect step on the TCP handle.** The dialer now connects with Node's
  TCP handle itself (the object a \`net.Socket\` wraps), and only an open
  connection becomes a \`net.Socket\` around that handle, as \`net.Server\`
  does for accepted connections: banner, SMTP and TLS work on it unchanged. A
  refused connect costs ~30 µs instead of ~60 µs; the probe with its
  observation and JSON line ~40 µs, and a whole single-threaded census ~50 µs
  per probe plus start-up. The handle comes from \`process.binding('tcp_wrap')\`,
  kept by Node for compatibility (DEP0111, documentation-only); where it is
  missing, the dialer falls back to \`net.Socket\` (same outcomes, tested both
  ways). The attempt is kept on the request object, not in a WeakMap.
- **Threads, each with a part of the shard.** A large scan (≥ 4,096 tasks,
  the default dialer and clock) runs on one thread per core, up to 4
  (\`runScan({ workers })\` overrides; the CLI uses the default). The sample is
  already split by position for \`--shard K/N\`: part p of W is shard K + N·p of
  N·W, the parts disjoint and together exactly shard K of N, so each thread plans
  its own tasks and no task crosses a thread. The main thread probes part 0 (the
  plan's single targets, if any, fall in it) and writes the file; each worker
  thread probes another part with its own scope guard and its share of the
  concurrency and rate, and sends its finished observations as serialized lines
  every 20 ms. The main thread writes them as they come (one \`write\` of the
  string, no Buffer of ours: transferred buffers piled up outside the heap and
  took a million-host scan's peak from ~150 to ~215 MB). Interrupt stops every
  thread at once (running probes are not recorded, so resume redoes them); a
  failure on any thread stops the others and fails the scan; a kill -9 loses at
  most 20 ms of reports plus one write.
- **Resume without a set of strings.** A resumed file's tasks are kept as
  sorted 32-bit addresses per (probe, port) on a SharedArrayBuffer (4 bytes per
  sampled host, shared by every thread without a copy), plus the task keys of
  the few named targets.
- **Memory per thread.** A worker loads only the probes of its part (the TCP
  probe for sampled hosts, not the SMTP, TLS and certificate code: ~10 MB less
  per thread), runs with an 8 MB young generation (V8's default grows to 32+ MB
  under a scan's allocation rate) and an old-generation ceiling (64 MB, more
  with a larger share of the concurrency), without which V8 let promoted
  garbage reach ~40 MB per thread before compacting. The main thread probing
  one part itself saves a whole thread's start-up (~0.2 s of CPU) and its
  memory (~20-30 MB).
- **What is left.** Loading the CLI takes ~0.75 s of CPU before the first probe
  (\`@port25-audit/core\`'s index alone ~0.6 s: hundreds of module files, zod,
  yaml, node-forge), a quarter of nmap's whole census; the probes themselves
  run at about nmap's rate per core. Concurrency matters little on loopback:
  64-256 in flight cost the least CPU, 512 ~20% more. An SMTP dialog's client
  side spent over half of its CPU building a TLS context with every trust
  anchor (the system roots plus \`tls.caFile\`) anew for each connection; one
  context per scan would roughly halve it.

Timings are never asserted in tests: the machine is shared and noisy. The tests
assert what the threads and the fast path must keep: every task exactly once,
the same facts as one thread, shards, progress, interrupt and resume, SIGKILL
and resume (test/core/scan/parallel.test.ts), and the same outcomes from both
connect paths (test/core/scan/dialer-paths.test.ts).
`;

/** docs/performance.md. */
export function renderMarkdown(sections: readonly Section[], machine: Machine, meta: { date: string; command: string; rounds: number }): string {
  const parts = [
    '# Performance and scale',
    '',
    `Written by \`${meta.command}\` (bench/run.ts) on ${meta.date}; every figure below is from that run, each next to its peer measured in the same run. Do not edit by hand: run the benchmark again. In the commands, \`$WORK\` is the run's scratch directory (plans, jobs and scan files; removed afterwards); the plans are spelled out under each table.`,
    '',
    '## Machine',
    '',
    `- CPU: ${machine.cpu}, ${machine.cores} cores`,
    `- Memory: ${machine.memoryGb} GB`,
    `- Kernel: Linux ${machine.kernel}`,
    `- Node.js: ${machine.node}`,
    `- Peers: ${machine.nmap ?? 'nmap not installed'}; ${machine.swaks ?? 'swaks not installed'}`,
    `- Load average when the run started: ${machine.loadAtStart} (a shared machine: other work competes for the same cores)`,
    '',
  ];
  for (const section of sections) {
    parts.push(`## ${section.title}`, '', `**Goal:** ${section.goal}`, '', `**Result:** ${section.verdict}`, '');
    if (section.rows.length > 0) parts.push(markdownTable(section), '');
    if (section.commands.length > 0) parts.push('Commands:', '', '```sh', ...section.commands, '```', '');
    for (const note of section.notes) parts.push(`- ${note}`);
    if (section.notes.length > 0) parts.push('');
  }
  parts.push(ENGINE);
  return `${parts.join('\n').trimEnd()}\n`;
}
