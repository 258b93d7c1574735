/**
 * Runs inside the client namespace of an IPv6 netns test: the outbound-smtp
 * probe, with the real dialer and the kernel's route lookup, against the
 * canary addresses in argv[2] (JSON `[{ "address", "port" }]`). Proves where
 * it runs before it opens any socket, then prints the observations as JSON.
 */
import { createScope, guardDialer, normalizePlan, outboundSmtpProbe, tcpDialer, type TaskInput } from '@port25-audit/core';
import { assertInsideNamespace } from '../../helpers/netns.js';

assertInsideNamespace();
const canaries = JSON.parse(process.argv[2] ?? '[]') as { address: string; port: number }[];
const plan = normalizePlan(
  {
    version: 1,
    external: { mx: canaries.map(({ address, port }) => ({ host: address, port, expect: 'mx.canary.example' })) },
    probe: { connectTimeoutMs: 1000, dialogTimeoutMs: 1000 },
  },
  'netns-probe',
);
const input: TaskInput = { plan, vantage: 'inside', names: new Map(), shard: { index: 0, count: 1 } };
const ctx = { plan, vantage: 'inside' as const, dial: guardDialer(tcpDialer(), createScope(plan, input.names)), now: () => new Date(), signal: new AbortController().signal };
const observations = await Promise.all([...outboundSmtpProbe.tasks(input)].map((task) => outboundSmtpProbe.run(task, ctx)));
process.stdout.write(`${JSON.stringify(observations)}\n`);
