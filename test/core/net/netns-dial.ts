/**
 * Runs inside the client namespace of a netns test: verifies its namespace
 * first, then dials the server namespace through the real dialer and prints
 * one JSON object with what each case met. Argument: a JSON of
 * `{ server: {ipv4, ipv6}, ports: {drop, prohibited, reset, greeter} }`.
 */
import { runScan, tcpDialer, type Connection, type Plan, type Target } from '@port25-audit/core';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertInsideNamespace } from '../../helpers/netns.js';

assertInsideNamespace();

const { server, ports } = JSON.parse(process.argv[2]!) as {
  server: { ipv4: string; ipv6: string };
  ports: { drop: number; prohibited: number; reset: number; greeter: number };
};
const dial = tcpDialer();
const target = (address: string, port: number): Target => ({ host: null, address, port, family: address.includes(':') ? 'IPv6' : 'IPv4' });
const summary = (c: Connection): { outcome: string; errorCode: string | null; ms: number } => {
  if (c.outcome === 'open') c.socket.destroy();
  return { outcome: c.outcome, errorCode: c.outcome === 'open' ? null : c.errorCode, ms: c.ms };
};
const sockets = (): number => process.getActiveResourcesInfo().filter((name) => name === 'TCPSocketWrap').length;

const results: Record<string, unknown> = {};
for (const family of ['ipv4', 'ipv6'] as const) {
  const address = server[family];
  results[`drop-${family}`] = summary(await dial(target(address, ports.drop), { timeoutMs: 300 }));
  results[`prohibited-${family}`] = summary(await dial(target(address, ports.prohibited), { timeoutMs: 3000 }));
  results[`reset-${family}`] = summary(await dial(target(address, ports.reset), { timeoutMs: 3000 }));
}
// No route: the client namespace knows only its own /24 and /64.
results['noroute-ipv4'] = summary(await dial(target('203.0.113.9', 25), { timeoutMs: 3000 }));
results['noroute-ipv6'] = summary(await dial(target('2001:db8:ffff::9', 25), { timeoutMs: 3000 }));

// An abort while the SYN goes unanswered ends the dial at once.
const controller = new AbortController();
setTimeout(() => controller.abort(), 100);
results['abort'] = summary(await dial(target(server.ipv4, ports.drop), { timeoutMs: 10_000, signal: controller.signal }));

// Many timeouts at once leave no socket behind.
await Promise.all(Array.from({ length: 50 }, () => dial(target(server.ipv4, ports.drop), { timeoutMs: 200 })));
await new Promise((resolve) => setTimeout(resolve, 50));
results['socketsLeft'] = sockets();

// A whole scan from this vantage: the greeter opens, the filtered port times out.
const dir = mkdtempSync(join(tmpdir(), 'p25e-netns-'));
try {
  const plan: Plan = {
    version: 1,
    name: 'netns',
    scope: { dynamic: [], hosts: [server.ipv4, server.ipv6], exclude: [] },
    authorizedRelays: [],
    submission: { servers: [], domain: null },
    external: { mx: [], submission: [] },
    sample: { size: 256, seed: 1 },
    ports: { smtp: ports.greeter, submission: 587, submissions: 465, https: 443 },
    probe: { concurrency: 4, rate: 0, connectTimeoutMs: 1000, dialogTimeoutMs: 1000, ehloName: 'audit.test.example' },
    dns: { servers: [] },
    tls: { caFile: null },
    credentials: null,
    attestations: { P4: null },
  };
  const out = join(dir, 'scan.ndjson');
  await runScan({ plan, digest: 'sha256:netns', vantage: { kind: 'outside', label: 'netns', host: 'netns' }, shard: { index: 0, count: 1 }, out });
  results['scan'] = readFileSync(out, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

process.stdout.write(`${JSON.stringify(results)}\n`);
