/**
 * Shared setup of the SMTP tests: this room's loopback block (127.30.0.0/16),
 * a guarded dialer that can reach nothing else, a plan and a probe context.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { guardDialer, tcpDialer, type Dialer, type Plan, type ProbeContext, type Target, type VantageKind } from '@port25-audit/core';

/** Dials only inside 127.30.0.0/16: a test can never reach anything but its own fixtures. */
export const loopbackDialer: Dialer = guardDialer(tcpDialer(), { allows: (address) => address.startsWith('127.30.') });

/** A normalized plan for the SMTP tests; `parts` replace whole field groups. */
export function smtpPlan(parts: Partial<Plan> = {}): Plan {
  return {
    version: 1,
    name: 'smtp test plan',
    scope: { dynamic: [], hosts: [], exclude: [] },
    authorizedRelays: [],
    submission: { servers: [], domain: null },
    external: { mx: [], submission: [] },
    sample: { size: 16, seed: 1 },
    ports: { smtp: 25, submission: 587, submissions: 465, https: 443 },
    probe: { concurrency: 8, rate: 0, connectTimeoutMs: 2000, dialogTimeoutMs: 5000, ehloName: 'audit.p25s.test' },
    dns: { servers: [] },
    tls: { caFile: null },
    credentials: null,
    attestations: { P4: null },
    ...parts,
  };
}

export function probeContext(plan: Plan, options: { env?: Record<string, string | undefined>; vantage?: VantageKind; signal?: AbortSignal } = {}): ProbeContext {
  return {
    plan,
    vantage: options.vantage ?? 'outside',
    dial: loopbackDialer,
    now: () => new Date(),
    signal: options.signal ?? new AbortController().signal,
    env: options.env ?? {},
  };
}

export function target(address: string, port: number, host: string | null = null): Target {
  return { host, address, port, family: 'IPv4' };
}

/** A temporary directory removed by the returned function. */
export async function temporaryDirectory(): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'p25s-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** A raw TCP server for one test, recording what clients sent and whether their sockets closed. */
export interface RawServer {
  port: number;
  received: string[];
  sockets: Socket[];
  closedSockets(): number;
  close(): Promise<void>;
}

export async function rawServer(address: string, onConnection: (socket: Socket, received: string[]) => void): Promise<RawServer> {
  const received: string[] = [];
  const sockets: Socket[] = [];
  let closed = 0;
  const server: Server = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => undefined);
    socket.once('close', () => closed++);
    socket.setEncoding('latin1');
    let pending = '';
    socket.on('data', (chunk: string) => {
      pending += chunk;
      let lf: number;
      while ((lf = pending.indexOf('\n')) !== -1) {
        received.push(pending.slice(0, lf).replace(/\r$/, ''));
        pending = pending.slice(lf + 1);
      }
    });
    onConnection(socket, received);
  });
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    received,
    sockets,
    closedSockets: () => closed,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Resolves when `predicate` holds, polling; rejects after `ms`. */
export async function eventually(predicate: () => boolean, ms = 2000): Promise<void> {
  const until = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
