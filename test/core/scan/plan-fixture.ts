import type { Plan } from '@port25-audit/core';

/** A deep-partial plan: every part a test names replaces the default's. */
export type PlanParts = { [K in keyof Plan]?: Plan[K] extends unknown[] ? Plan[K] : Plan[K] extends object ? Partial<Plan[K]> : Plan[K] };

/**
 * A normalized plan for tests, everything in this room's loopback block
 * (127.20.0.0/16), with short timeouts; `parts` override field groups.
 */
export function testPlan(parts: PlanParts = {}): Plan {
  return {
    version: 1,
    name: parts.name ?? 'test plan',
    scope: { dynamic: [], hosts: [], exclude: [], ...parts.scope },
    authorizedRelays: parts.authorizedRelays ?? [],
    submission: { servers: [], domain: null, ...parts.submission },
    external: { mx: [], submission: [], ...parts.external },
    sample: { size: 256, seed: 1, ...parts.sample },
    ports: { smtp: 9, submission: 587, submissions: 465, https: 443, ...parts.ports },
    probe: { concurrency: 32, rate: 0, connectTimeoutMs: 2000, dialogTimeoutMs: 2000, ehloName: 'audit.test.example', ...parts.probe },
    dns: { servers: [], ...parts.dns },
    tls: { caFile: null, ...parts.tls },
    credentials: parts.credentials ?? null,
    attestations: { P4: null, ...parts.attestations },
  };
}
