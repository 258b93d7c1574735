/**
 * Readiness of the lab's services, seen from a namespace of the lab: an SMTP
 * greeting that names the expected configuration, a TLS handshake, a DNS
 * answer, an HTTPS page. Used after `up` and after each scenario switch, so
 * that no audit starts against a daemon still loading its old configuration.
 */
import { Resolver } from 'node:dns/promises';
import { request } from 'node:https';
import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';

/** One thing that must be true before the lab is ready. */
export type ReadinessCheck =
  /** The first line from host:port contains `contains` (a 220 greeting naming the profile). */
  | { kind: 'greeting'; host: string; port: number; contains: string; tls?: boolean }
  /** `server` answers `name` with at least one record of `rrtype`. */
  | { kind: 'dns'; server: string; name: string; rrtype: 'A' | 'AAAA' | 'SRV' }
  /** GET https://servername:port/path on host answers `status`. */
  | { kind: 'https'; host: string; port: number; servername: string; path: string; status: number };

/** A short label for messages. */
export function describeCheck(check: ReadinessCheck): string {
  switch (check.kind) {
    case 'greeting':
      return `${check.tls ? 'TLS ' : ''}greeting of ${check.host}:${check.port} containing "${check.contains}"`;
    case 'dns':
      return `${check.rrtype} ${check.name} from ${check.server}`;
    case 'https':
      return `https://${check.servername}:${check.port}${check.path} (${check.host}) answering ${check.status}`;
  }
}

function firstLine(check: Extract<ReadinessCheck, { kind: 'greeting' }>, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    // Implicit TLS (RFC 8314): the greeting comes after the handshake; the lab CA is not what is checked here.
    const socket: Socket = check.tls
      ? connectTls({ host: check.host, port: check.port, rejectUnauthorized: false })
      : connectTcp({ host: check.host, port: check.port });
    let text = '';
    const done = (error: Error | null): void => {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(text.split('\r\n')[0] ?? '');
    };
    const timer = setTimeout(() => done(new Error('no greeting in time')), timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (text.includes('\n') || text.length > 512) done(null);
    });
    socket.on('error', done);
    socket.on('close', () => done(text ? null : new Error('closed without a greeting')));
  });
}

function httpsStatus(check: Extract<ReadinessCheck, { kind: 'https' }>, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: check.host, port: check.port, servername: check.servername, path: check.path, headers: { host: check.servername }, rejectUnauthorized: false, timeout: timeoutMs },
      (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** Null when the check holds now, else why not. */
export async function checkOnce(check: ReadinessCheck, timeoutMs = 1000): Promise<string | null> {
  try {
    switch (check.kind) {
      case 'greeting': {
        const line = await firstLine(check, timeoutMs);
        return line.includes(check.contains) ? null : `greeting is "${line}"`;
      }
      case 'dns': {
        const resolver = new Resolver({ timeout: timeoutMs, tries: 1 });
        resolver.setServers([check.server]);
        const answers =
          check.rrtype === 'SRV' ? await resolver.resolveSrv(check.name) : check.rrtype === 'AAAA' ? await resolver.resolve6(check.name) : await resolver.resolve4(check.name);
        return answers.length > 0 ? null : 'no records';
      }
      case 'https': {
        const status = await httpsStatus(check, timeoutMs);
        return status === check.status ? null : `status ${status}`;
      }
    }
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  }
}

/**
 * Repeats every check until all hold or `deadlineMs` passes; returns the ones
 * still failing with their last reason (empty when ready).
 */
export async function awaitReadiness(checks: readonly ReadinessCheck[], deadlineMs: number): Promise<string[]> {
  const deadline = Date.now() + deadlineMs;
  let pending = [...checks];
  let reasons = new Map<ReadinessCheck, string>();
  while (pending.length > 0) {
    reasons = new Map();
    const results = await Promise.all(pending.map(async (check) => [check, await checkOnce(check)] as const));
    for (const [check, reason] of results) if (reason !== null) reasons.set(check, reason);
    pending = pending.filter((check) => reasons.has(check));
    if (pending.length === 0 || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  return pending.map((check) => `${describeCheck(check)}: ${reasons.get(check) ?? 'not ready'}`);
}
