/**
 * Shared by the P4 tests: plans pointed at the P4 lab, a dialer that records
 * every connection it is asked for, and a P4 audit run through the real
 * probes (name resolution, scope guard, SRV and autoconfig probes, checkP4).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkP4,
  createScope,
  emptyInbound,
  guardDialer,
  PROBES,
  resolveNames,
  tcpDialer,
  type CheckResult,
  type Dialer,
  type Observation,
  type Plan,
  type Probe,
  type Target,
  type VantageKind,
} from '@port25-audit/core';
import { startP4Lab, type P4Lab } from '@port25-audit/fixtures/p4';

/** A normalized plan for one lab domain: nothing else to probe, short timeouts. */
export function p4Plan(lab: P4Lab, domain: string, overrides: Partial<Plan> = {}): Plan {
  const parts = lab.planParts(domain);
  return {
    version: 1,
    name: `P4 ${domain}`,
    scope: { dynamic: [], hosts: [], exclude: [] },
    authorizedRelays: [],
    submission: parts.submission,
    external: { mx: [], submission: [] },
    sample: { size: 16, seed: 1 },
    ports: { smtp: 25, submission: 587, submissions: 465, https: parts.ports.https },
    probe: { concurrency: 8, rate: 0, connectTimeoutMs: 1000, dialogTimeoutMs: 1500, ehloName: 'audit.p4.test' },
    dns: parts.dns,
    tls: parts.tls,
    credentials: null,
    attestations: { P4: null },
    ...overrides,
  };
}

/** A real TCP dialer that records every target it is asked to connect to. */
export function spyDialer(): { dial: Dialer; dialed: Target[] } {
  const dialed: Target[] = [];
  const inner = tcpDialer();
  return {
    dialed,
    dial: (target, options) => {
      dialed.push(target);
      return inner(target, options);
    },
  };
}

export function probe(id: 'srv-records' | 'autoconfig'): Probe {
  const found = PROBES.find((candidate) => candidate.id === id);
  if (found === undefined) throw new Error(`the ${id} probe is not registered`);
  return found;
}

export interface P4Audit {
  results: CheckResult[];
  observations: Observation[];
  /** Targets the scope guard let through to the socket layer. */
  dialed: Target[];
}

/**
 * Resolves the plan's names, runs the P4 probes' tasks through the plan's
 * scope guard over a recording dialer, and judges P4.
 */
export async function auditP4(plan: Plan, vantage: VantageKind = 'outside'): Promise<P4Audit> {
  const { names, observations: dns } = await resolveNames(plan, { vantage });
  const spy = spyDialer();
  const dial = guardDialer(spy.dial, createScope(plan, names));
  const observations: Observation[] = [...dns];
  const signal = new AbortController().signal;
  for (const id of ['srv-records', 'autoconfig'] as const) {
    const p4Probe = probe(id);
    for (const task of p4Probe.tasks({ plan, vantage, names, shard: { index: 0, count: 1 } })) {
      observations.push(await p4Probe.run(task, { plan, vantage, dial, now: () => new Date(), signal }));
    }
  }
  const results = checkP4({ plan, observations, inbound: emptyInbound(), vantages: [vantage] });
  return { results, observations, dialed: spy.dialed };
}

/** The results of one check. */
export function resultsOf(results: readonly CheckResult[], id: string): CheckResult[] {
  return results.filter((result) => result.id === id);
}

/** The one result of a check for a target. */
export function resultFor(results: readonly CheckResult[], id: string, target: string | RegExp): CheckResult {
  const found = results.filter((result) => result.id === id && (typeof target === 'string' ? result.target === target : target.test(result.target)));
  if (found.length !== 1) throw new Error(`expected one ${id} result for ${String(target)}, got ${found.length}: ${results.map((r) => `${r.id} ${r.target}`).join('; ')}`);
  return found[0]!;
}

/** Starts the lab in a fresh temporary folder; `stop` closes it and removes the folder. */
export async function labForTests(): Promise<{ lab: P4Lab; dir: string; stop: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'p25-p4-'));
  const lab = await startP4Lab({ dir });
  return {
    lab,
    dir,
    stop: async () => {
      await lab.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
