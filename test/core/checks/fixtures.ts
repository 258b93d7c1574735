/**
 * Hand-built plans, observations and report validation for the checks and merge tests.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import * as ajvFormats from 'ajv-formats';
import { expect } from 'chai';
import {
  emptyInbound,
  type Banner,
  type Canary,
  type CheckInput,
  type CheckResult,
  type DnsObservation,
  type Family,
  type Observation,
  type Plan,
  type Report,
  type ScanEnd,
  type ScanHeader,
  type TcpObservation,
  type TcpOutcome,
  type VantageKind,
} from '@port25-audit/core';

export const DIGEST = `sha256:${'ab'.repeat(32)}`;
export const OTHER_DIGEST = `sha256:${'cd'.repeat(32)}`;
export const STARTED = '2025-03-01T10:00:00.000Z';

/** A complete normalized plan; `overrides` replace whole top-level sections. */
export function planWith(overrides: Partial<Plan> = {}): Plan {
  return {
    version: 1,
    name: 'Example ISP',
    scope: { dynamic: [], hosts: [], exclude: [] },
    authorizedRelays: [],
    submission: { servers: [], domain: null },
    external: { mx: [], submission: [] },
    sample: { size: 256, seed: 1 },
    ports: { smtp: 25, submission: 587, submissions: 465, https: 443 },
    probe: { concurrency: 256, rate: 0, connectTimeoutMs: 3000, dialogTimeoutMs: 15000, ehloName: 'audit.example.net' },
    dns: { servers: [] },
    tls: { caFile: null },
    credentials: null,
    attestations: { P4: null },
    ...overrides,
  };
}

export function canary(host: string, port: number, expectText: string | null): Canary {
  return { host, port, expect: expectText };
}

export function banner(text: string, code: number | null = 220): Banner {
  return { text, code, truncated: false, ms: 3 };
}

export function familyOf(address: string): Family {
  return address.includes(':') ? 'IPv6' : 'IPv4';
}

/** A TCP observation as the probes write it. */
export function tcp(
  probe: TcpObservation['probe'],
  vantage: VantageKind,
  target: { host?: string | null; address: string; port: number },
  outcome: TcpOutcome,
  extra: { banner?: Banner | null; errorCode?: string; expect?: string | null } = {},
): TcpObservation {
  return {
    type: 'observation',
    probe,
    target: { host: target.host ?? null, address: target.address, port: target.port, family: familyOf(target.address) },
    vantage,
    startedAt: STARTED,
    ms: 12,
    outcome,
    ...(outcome === 'open' ? { banner: extra.banner ?? null } : {}),
    ...(extra.errorCode === undefined ? {} : { errorCode: extra.errorCode }),
    ...(extra.expect === undefined ? {} : { expect: extra.expect }),
  };
}

/** A DNS observation of a plan name. */
export function dns(name: string, vantage: VantageKind, addresses: string[] | { errorCode: string }): DnsObservation {
  const failed = !Array.isArray(addresses);
  return {
    type: 'observation',
    probe: 'dns',
    target: { host: name, address: '', port: 0, family: 'IPv4' },
    vantage,
    startedAt: STARTED,
    ms: 2,
    outcome: failed ? 'error' : 'resolved',
    name,
    addresses: failed ? [] : addresses.map((address) => ({ address, family: familyOf(address) })),
    ...(failed ? { errorCode: addresses.errorCode } : {}),
  };
}

export function input(plan: Plan, observations: Observation[], vantages: VantageKind[], extra: Partial<CheckInput> = {}): CheckInput {
  return { plan, observations, inbound: emptyInbound(), vantages, ...extra };
}

/** The results of one check id. */
export function only(results: CheckResult[], id: string): CheckResult[] {
  return results.filter((result) => result.id === id);
}

/** The single result of one check id. */
export function one(results: CheckResult[], id: string): CheckResult {
  const found = only(results, id);
  expect(found, `results of ${id}`).to.have.length(1);
  return found[0]!;
}

const REPORT_SCHEMA_FILE = fileURLToPath(new URL('../../../packages/core/schema/report.schema.json', import.meta.url));
// ajv-formats is CommonJS: under NodeNext its plugin function is the namespace's `default`.
const addFormats = (ajvFormats as unknown as { default: (ajv: Ajv2020) => Ajv2020 }).default;
const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
addFormats(ajv);
const validate = ajv.compile(JSON.parse(readFileSync(REPORT_SCHEMA_FILE, 'utf8')) as object);

/** Asserts that a report (as JSON text round-trips it) validates against the committed report schema. */
export function expectValidReport(report: Report): void {
  const json = JSON.parse(JSON.stringify(report)) as unknown;
  const valid = validate(json);
  expect(valid, ajv.errorsText(validate.errors)).to.equal(true);
}

/** Asserts that a value does NOT validate against the committed report schema. */
export function expectInvalidReport(value: unknown): void {
  expect(validate(value), 'expected the report schema to refuse this value').to.equal(false);
}

/** A scan header as `port25-audit scan` writes it. */
export function header(
  plan: Plan,
  vantage: { kind: VantageKind; label?: string; host?: string },
  options: { shard?: { index: number; count: number }; startedAt?: string; digest?: string } = {},
): ScanHeader {
  return {
    type: 'scan',
    schemaVersion: 1,
    tool: { name: 'port25-audit', version: '0.1.0' },
    plan,
    planDigest: options.digest ?? DIGEST,
    vantage: { kind: vantage.kind, label: vantage.label ?? vantage.kind, host: vantage.host ?? `${vantage.kind}-host` },
    shard: options.shard ?? { index: 0, count: 1 },
    startedAt: options.startedAt ?? STARTED,
  };
}

/** The end line of a scan file. */
export function end(finishedAt = '2025-03-01T10:05:00.000Z', counts: Record<string, number> = {}): ScanEnd {
  return { type: 'end', finishedAt, counts };
}
