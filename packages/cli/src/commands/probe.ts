/**
 * `port25-audit probe smtp HOST[:PORT]` and `probe tcp HOST:PORT`: an ad-hoc
 * probe of one host, a safe swaks that never sends mail. It runs the scan's
 * own submission (or implicit-TLS) dialog and the P1/P2 checks on it, and
 * prints the transcript, the TLS parameters, the certificate and the findings.
 *
 * Scope: exactly the named host's addresses (the name is resolved, and the
 * dialer's guard allows those addresses and nothing else). Exit codes: 0 the
 * probe ran and no finding failed (`probe tcp`: the port opened), 1 a finding
 * is `fail` or `error` (`probe tcp`: the port did not open), 2 bad usage,
 * 3 runtime error (the name does not resolve), 130 interrupted.
 */
import { isIP } from 'node:net';
import type { Argv, CommandModule } from 'yargs';
import {
  checkP1,
  checkP2,
  createScope,
  emptyInbound,
  GREETING_LIMITS,
  guardDialer,
  implicitTlsProbe,
  isAbortError,
  isEhloName,
  loadTrustAnchors,
  normalizePlan,
  observeSubmission,
  Port25Error,
  readBanner,
  resolveNames,
  tcpDialer,
  targetLabel,
  type Banner,
  type CheckResult,
  type Family,
  type ImplicitTlsObservation,
  type Plan,
  type ProbeContext,
  type SubmissionObservation,
  type Target,
  type TcpOutcome,
  type VantageKind,
} from '@port25-audit/core';
import { jsonText, visibleControls } from '@port25-audit/reporters';
import { EXIT, type Io } from '../exit.js';
import type { CommandContext } from '../cli.js';

interface ProbeArgs {
  kind: 'smtp' | 'tcp';
  target: string;
  starttls: boolean;
  implicitTls: boolean;
  json: boolean;
  ca?: string;
  ehlo?: string;
  timeout?: number;
  userEnv?: string;
  passwordEnv?: string;
  dns?: string[];
  vantage: VantageKind;
}

/** Submission (RFC 6409 §3.1) and implicit TLS submission (RFC 8314 §3.3) ports, the defaults of `probe smtp`. */
const SUBMISSION_PORT = 587;
const SUBMISSIONS_PORT = 465;
/** Label of the command line where a plan file would be named in errors. */
const COMMAND_LINE = 'probe (command line)';

/** The checks each mode of `probe smtp` runs far enough to judge. */
const CLEAR_CHECKS = ['P1.port-open', 'P1.greeting', 'P1.starttls-offered', 'P2.no-cleartext-auth', 'P2.relay-refused'];
const STARTTLS_CHECKS = [...CLEAR_CHECKS, 'P1.tls-handshake', 'P1.certificate', 'P2.auth-advertised', 'P2.auth-works'];

/** `HOST[:PORT]`, `[IPv6]:PORT` or a bare IPv6 address. */
export interface HostPort {
  host: string;
  port: number | null;
}

function usage(message: string, hint?: string): Port25Error {
  return new Port25Error('USAGE', message, hint === undefined ? [] : [hint]);
}

/** A DNS name (RFC 1123 §2.1 labels) or an IP literal. */
function isHostName(host: string): boolean {
  if (isIP(host) !== 0) return true;
  const bare = host.endsWith('.') ? host.slice(0, -1) : host;
  return bare.length > 0 && bare.length <= 253 && bare.split('.').every((label) => /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(label) || /^_[A-Za-z0-9-]+$/.test(label));
}

/**
 * Reads `HOST[:PORT]`: a name or IPv4 address with an optional port, an IPv6
 * address in brackets with an optional port (RFC 3986 §3.2.2), or a bare IPv6 address.
 *
 * @throws Port25Error USAGE naming what is wrong.
 * @example parseHostPort('[2001:db8::1]:587') // { host: '2001:db8::1', port: 587 }
 */
export function parseHostPort(text: string): HostPort {
  let host = text;
  let portText: string | null = null;
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(text);
  if (bracketed !== null) {
    host = bracketed[1]!;
    portText = bracketed[2] ?? null;
    if (isIP(host) !== 6) throw usage(`${text}: only an IPv6 address goes in brackets`);
  } else if (isIP(text) === 6) {
    host = text;
  } else if (text.includes(':')) {
    const colon = text.lastIndexOf(':');
    host = text.slice(0, colon);
    portText = text.slice(colon + 1);
  }
  if (!isHostName(host)) throw usage(`${text}: ${JSON.stringify(host)} is not a host name or IP address`, 'give HOST, HOST:PORT or [IPv6]:PORT');
  if (portText === null) return { host, port: null };
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 1 && port <= 65535)) throw usage(`${text}: the port must be a number from 1 to 65535`);
  return { host, port };
}

/** The plan an ad-hoc probe runs under: the one host as the only submission server, its port remapped. */
function adHocPlan(args: ProbeArgs, host: string, port: number): Plan {
  const timeoutMs = args.timeout;
  const credentials =
    args.userEnv === undefined && args.passwordEnv === undefined ? null : { userEnv: args.userEnv!, passwordEnv: args.passwordEnv! };
  return normalizePlan(
    {
      version: 1,
      name: `probe ${host}`,
      submission: { servers: [host] },
      ports: { submission: port, submissions: port },
      probe: {
        concurrency: 1,
        ...(timeoutMs === undefined ? {} : { connectTimeoutMs: timeoutMs, dialogTimeoutMs: timeoutMs }),
        ...(args.ehlo === undefined ? {} : { ehloName: args.ehlo }),
      },
      dns: { servers: args.dns ?? [] },
      tls: { caFile: args.ca ?? null },
      credentials,
    },
    COMMAND_LINE,
  );
}

/** Checks the options before anything is resolved or dialled; every problem is a usage error (exit 2). */
async function validate(args: ProbeArgs): Promise<void> {
  if (args.kind === 'tcp' && (args.starttls || args.implicitTls)) throw usage('--starttls and --implicit-tls are options of probe smtp, not probe tcp');
  if (args.starttls && args.implicitTls) throw usage('give --starttls (port 587) or --implicit-tls (port 465), not both');
  if (args.timeout !== undefined && !(Number.isSafeInteger(args.timeout) && args.timeout > 0)) {
    throw usage(`--timeout ${String(args.timeout)}: give the deadline in milliseconds, a positive whole number`);
  }
  if (args.ehlo !== undefined && !isEhloName(args.ehlo)) {
    throw usage(`--ehlo ${JSON.stringify(args.ehlo)}: not a domain or address literal`, 'give a host name such as audit.example.net, or [192.0.2.1]');
  }
  if ((args.userEnv === undefined) !== (args.passwordEnv === undefined)) {
    throw usage('--user-env and --password-env go together', 'name both environment variables, e.g. --user-env P25_USER --password-env P25_PASSWORD');
  }
  if (args.ca !== undefined) {
    try {
      await loadTrustAnchors(args.ca);
    } catch (error) {
      if (error instanceof Port25Error) throw usage(`--ca: ${error.message.replace(/^tls\.caFile: /, '')}`, 'give a PEM file with one or more CA certificates');
      throw error;
    }
  }
}

/** The addresses of the host, resolved as a scan resolves a submission server; a name that does not resolve is a runtime error. */
async function hostTargets(plan: Plan, host: string, vantage: VantageKind): Promise<{ targets: Target[]; scopeNames: Awaited<ReturnType<typeof resolveNames>>['names'] }> {
  if (isIP(host) !== 0) {
    const family: Family = isIP(host) === 6 ? 'IPv6' : 'IPv4';
    return { targets: [{ host: null, address: host, port: plan.ports.submission, family }], scopeNames: new Map() };
  }
  const resolved = await resolveNames(plan, { vantage });
  const dns = resolved.observations.find((observation) => observation.name === plan.submission.servers[0]);
  if (dns === undefined || dns.outcome !== 'resolved') {
    const code = dns?.errorCode ?? 'EDNS';
    throw new Port25Error('RUNTIME', `${host} did not resolve (${code})`, [
      plan.dns.servers.length > 0 ? `asked ${plan.dns.servers.join(', ')}; check the name and the --dns server` : 'check the name, or give --dns SERVER to ask another resolver',
    ]);
  }
  const targets = dns.addresses.map(({ address, family }) => ({ host: plan.submission.servers[0]!, address, port: plan.ports.submission, family }));
  return { targets, scopeNames: resolved.names };
}

/** What `probe tcp` observes of one address. */
interface TcpProbeObservation {
  type: 'observation';
  probe: 'tcp';
  target: Target;
  startedAt: string;
  ms: number;
  outcome: TcpOutcome;
  errorCode?: string;
  banner?: Banner;
}

async function probeTcp(target: Target, ctx: ProbeContext): Promise<TcpProbeObservation> {
  const startedAt = ctx.now().toISOString();
  const connection = await ctx.dial(target, { timeoutMs: ctx.plan.probe.connectTimeoutMs, signal: ctx.signal });
  const observation: TcpProbeObservation = { type: 'observation', probe: 'tcp', target, startedAt, ms: connection.ms, outcome: connection.outcome };
  if (connection.outcome !== 'open') return { ...observation, errorCode: connection.errorCode };
  try {
    // Nothing is sent: whatever the peer says first, bounded.
    observation.banner = await readBanner(connection.socket, { ...GREETING_LIMITS, timeoutMs: Math.min(GREETING_LIMITS.timeoutMs, ctx.plan.probe.dialogTimeoutMs), signal: ctx.signal });
  } finally {
    connection.socket.destroy();
  }
  return observation;
}

// ---------------------------------------------------------------- text output

/** Text a peer sent, made safe for a terminal: controls shown as escapes, one line. */
function shown(text: string): string {
  return visibleControls(text).replace(/\n/g, '\\x0A').replace(/\t/g, '\\x09');
}

function section(lines: string[], title: string, rows: string[]): void {
  if (rows.length === 0) return;
  lines.push(title, ...rows.map((row) => `  ${row}`));
}

function field(name: string, value: string): string {
  return `${name.padEnd(11)} ${value}`;
}

function smtpText(observation: SubmissionObservation | ImplicitTlsObservation, findings: readonly CheckResult[], mode: string): string {
  const lines: string[] = [];
  const connect = observation.connect;
  lines.push(`${targetLabel(observation.target)}: ${mode}`);
  lines.push(`  ${field('connect', `${connect.outcome} in ${connect.ms} ms${connect.errorCode === null ? '' : ` (${connect.errorCode})`}`)}`);
  const transcript = observation.transcript.lines.map(shown);
  if (observation.transcript.omitted > 0) transcript.push(`… ${observation.transcript.omitted} more lines not kept`);
  section(lines, 'Transcript', transcript);
  const tls = observation.tls;
  if (tls !== null) {
    section(lines, 'TLS', [
      field('protocol', tls.protocol ?? 'unknown'),
      field('cipher', shown(tls.cipherStandardName ?? tls.cipher ?? 'unknown')),
      field('SNI', tls.serverName ?? '(none: an address)'),
      field('handshake', `${tls.ms} ms`),
    ]);
  }
  const certificate = observation.certificate;
  const leaf = certificate?.chain[0];
  if (certificate !== null && leaf !== undefined) {
    section(lines, 'Certificate', [
      field('subject', shown(leaf.subject)),
      field('names', shown(leaf.subjectAltNames.join(', ') || '(none)')),
      field('issuer', shown(leaf.issuer)),
      field('valid', `${leaf.notBefore} to ${leaf.notAfter} (${leaf.daysLeft} days left)`),
      field('key', `${leaf.key.type}${leaf.key.bits === null ? '' : ` ${leaf.key.bits}`}${leaf.key.curve === null ? '' : ` ${leaf.key.curve}`}`),
      field('signature', shown(leaf.signatureAlgorithm.name)),
      field('sha256', leaf.fingerprintSha256),
      field('chain', certificate.chainValid ? `verified (${certificate.chain.length} certificates)` : `NOT verified: ${shown(certificate.chainError ?? 'unknown')}`),
      field('name', `${certificate.nameMatches ? 'matches' : 'does NOT match'} ${certificate.nameChecked}`),
    ]);
  }
  if (observation.failure !== null && observation.failure.step !== 'quit') {
    section(lines, 'Stopped', [`at ${observation.failure.step} (${observation.failure.kind}): ${shown(observation.failure.message)}`]);
  }
  const width = Math.max(...findings.map((finding) => finding.id.length));
  section(lines, 'Findings', findings.map((finding) => `${finding.status.toUpperCase().padEnd(5)} ${finding.id.padEnd(width)}  ${shown(finding.summary)}`));
  return `${lines.join('\n')}\n`;
}

function tcpText(observation: TcpProbeObservation): string {
  const lines = [`${targetLabel(observation.target)}: ${observation.outcome} in ${observation.ms} ms${observation.errorCode === undefined ? '' : ` (${observation.errorCode})`}`];
  const banner = observation.banner;
  if (banner !== undefined) {
    const text = banner.text === '' ? '(nothing within the deadline)' : banner.text.split(/\r?\n/).map(shown).join('\n  ');
    lines.push(`  ${banner.truncated ? 'first bytes (cut)' : 'first reply'}:`, `  ${text}`);
  }
  return `${lines.join('\n')}\n`;
}

function write(io: Io, text: string): void {
  io.stdout.write(text);
}

// ---------------------------------------------------------------- the command

async function runProbe(args: ProbeArgs, io: Io, interrupt: AbortSignal): Promise<number> {
  await validate(args);
  const parsed = parseHostPort(args.target);
  if (args.kind === 'tcp' && parsed.port === null) throw usage(`probe tcp ${args.target}: name the port, HOST:PORT`);
  const port = parsed.port ?? (args.implicitTls ? SUBMISSIONS_PORT : SUBMISSION_PORT);
  const plan = adHocPlan(args, parsed.host, port);
  const { targets, scopeNames } = await hostTargets(plan, parsed.host, args.vantage);
  // Scope: the named host's addresses, nothing else.
  const dial = guardDialer(tcpDialer(), createScope(plan, scopeNames));
  const ctx: ProbeContext = { plan, vantage: args.vantage, dial, now: () => new Date(), signal: interrupt, env: io.env };

  if (args.kind === 'tcp') {
    const observations: TcpProbeObservation[] = [];
    for (const target of targets) observations.push(await probeTcp(target, ctx));
    if (interrupt.aborted) return EXIT.interrupted;
    if (args.json) write(io, jsonText({ observations }));
    else for (const observation of observations) write(io, tcpText(observation));
    return observations.every((observation) => observation.outcome === 'open') ? EXIT.ok : EXIT.failed;
  }

  const observations: (SubmissionObservation | ImplicitTlsObservation)[] = [];
  for (const target of targets) {
    observations.push(
      args.implicitTls
        ? ((await implicitTlsProbe.run({ probe: 'implicit-tls', target }, ctx)) as ImplicitTlsObservation)
        : await observeSubmission({ probe: 'submission', target }, ctx, { starttls: args.starttls }),
    );
  }
  const input = { plan, observations, inbound: emptyInbound(), vantages: [args.vantage] };
  const wanted = args.implicitTls ? ['P1.implicit-tls'] : args.starttls ? STARTTLS_CHECKS : CLEAR_CHECKS;
  const findings = [...checkP1(input), ...checkP2(input)].filter((finding) => wanted.includes(finding.id));
  if (args.json) {
    write(io, jsonText({ observations, findings }));
  } else {
    const mode = args.implicitTls ? 'implicit TLS (RFC 8314)' : args.starttls ? 'STARTTLS' : 'in clear (add --starttls to go on over TLS)';
    observations.forEach((observation, index) => {
      if (index > 0) write(io, '\n');
      const own = findings.filter((finding) => finding.address === observation.target.address);
      write(io, smtpText(observation, own, mode));
    });
  }
  return findings.some((finding) => finding.status === 'fail' || finding.status === 'error') ? EXIT.failed : EXIT.ok;
}

/** `port25-audit probe`: an ad-hoc SMTP or TCP probe of one host. */
export const probeCommand = ({ io, outcome, interrupt }: CommandContext): CommandModule<object, ProbeArgs> => ({
  command: 'probe <kind> <target>',
  describe: 'Probe one host ad hoc: the SMTP dialog with transcript, certificate and findings (never sends mail), or a TCP connect',
  builder: (y) =>
    y
      .positional('kind', { choices: ['smtp', 'tcp'] as const, describe: 'smtp: the submission dialog; tcp: connect and read what the peer says first' })
      .positional('target', { type: 'string', demandOption: true, describe: 'HOST[:PORT] (smtp: port 587 by default, 465 with --implicit-tls), [IPv6]:PORT' })
      .option('starttls', { type: 'boolean', default: false, describe: 'smtp: go on over STARTTLS (certificate, AUTH after TLS, the plan-free P1/P2 checks)' })
      .option('implicit-tls', { type: 'boolean', default: false, describe: 'smtp: TLS from the first byte (RFC 8314, port 465)' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the observations and findings as JSON' })
      .option('ca', { type: 'string', describe: 'PEM file of CA certificates trusted besides the system roots (plan: tls.caFile)' })
      .option('ehlo', { type: 'string', describe: 'Name to give in EHLO (plan: probe.ehloName)' })
      .option('timeout', { type: 'number', describe: 'Deadline in ms for the connect and for the whole dialog (plan: probe.*TimeoutMs)' })
      .option('user-env', { type: 'string', describe: 'Environment variable holding the user name for AUTH (plan: credentials.userEnv)' })
      .option('password-env', { type: 'string', describe: 'Environment variable holding the password for AUTH (plan: credentials.passwordEnv)' })
      .option('dns', { type: 'string', array: true, describe: 'Resolver host[:port] to ask instead of the system resolver (plan: dns.servers)' })
      .option('vantage', { choices: ['inside', 'outside'] as const, default: 'outside' as const, describe: 'Where this machine stands, for the findings' })
      .example('$0 probe smtp smtp.example.net --starttls', 'the whole submission dialog on port 587')
      .example('$0 probe smtp smtp.example.net:465 --implicit-tls --json', 'implicit TLS, as JSON')
      .example('P25_PASSWORD=… $0 probe smtp smtp.example.net --starttls --user-env P25_USER --password-env P25_PASSWORD', 'also try AUTH')
      .example('$0 probe tcp mx.example.org:25', 'does port 25 open?') as unknown as Argv<ProbeArgs>,
  handler: async (args) => {
    try {
      outcome.code = await runProbe(args, io, interrupt);
    } catch (error) {
      if (interrupt.aborted && isAbortError(error)) {
        outcome.code = EXIT.interrupted;
        return;
      }
      throw error;
    }
    if (interrupt.aborted) outcome.code = EXIT.interrupted;
  },
});
