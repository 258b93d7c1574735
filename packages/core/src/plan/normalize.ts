/**
 * From a parsed document to the normalized {@link Plan}: validation, defaults,
 * canonical forms and concrete canaries, so every consumer sees every field.
 */
import { Port25Error } from '../errors.js';
import type { Attestation, Canary, Plan } from '../model.js';
import { parseAddress } from '../targets/addresses.js';
import { canonicalAddressOrRange, canonicalHost, canonicalHostName, canonicalResolver } from './fields.js';
import { invalidPlan, planProblemLines } from './problems.js';
import { PLAN_DEFAULTS, planInputSchema, type PlanInput } from './schema.js';

type CanaryInput = NonNullable<NonNullable<PlanInput['external']>['mx']>[number];

/**
 * A canary with its port and expected greeting made concrete: the port defaults to
 * the plan's port for its role; `expect` to the host name, or null for an address,
 * whose greeting cannot be told from an interceptor's.
 */
function normalizeCanary(canary: CanaryInput, defaultPort: number): Canary {
  const written = typeof canary === 'string' ? { host: canary } : canary;
  const host = canonicalHost(written.host);
  const isAddress = parseAddress(host) !== null;
  const expect = written.expect ?? (isAddress ? null : host);
  return { host, port: written.port ?? defaultPort, expect };
}

function normalizeAttestation(attestation: NonNullable<NonNullable<PlanInput['attestations']>['P4']>): Attestation {
  return { text: attestation.text, url: attestation.url ?? null, date: attestation.date ?? null, who: attestation.who ?? null };
}

/** -0 (YAML `-0`, JSON `-0`) as 0: JSON writes both as 0, so a normalized plan must not tell them apart. */
function unsignedZero(value: number): number {
  return value === 0 ? 0 : value;
}

/**
 * Validates a parsed plan document and returns it normalized: every field present,
 * defaults of DESIGN.md filled in, addresses and ranges in canonical text
 * (`2001:DB8::0001` → `2001:db8::1`, `::ffff:192.0.2.1` → `192.0.2.1`), host names
 * in lower case without a trailing dot, canaries as `{host, port, expect}`.
 *
 * @param input the document (from YAML or JSON); `file` names it in error lines.
 * @throws Port25Error PLAN_INVALID listing every problem, one line each:
 *   `plan.yaml: scope.dynamic[2]: "203.0.113.0/33" is not a CIDR range`.
 * @example normalizePlan({ version: 1 }, 'plan.yaml').sample // { size: 256, seed: 1 }
 */
export function normalizePlan(input: unknown, file: string): Plan {
  if (input === undefined || input === null) {
    throw new Port25Error('PLAN_INVALID', `${file}: the plan is empty`, [
      `${file}: the plan is empty; it needs at least "version: 1" (port25-audit init writes an annotated plan)`,
    ]);
  }
  const parsed = planInputSchema.safeParse(input, { reportInput: true });
  if (!parsed.success) throw invalidPlan(file, planProblemLines(parsed.error.issues, file));
  const data = parsed.data;

  const scope = data.scope ?? PLAN_DEFAULTS.scope;
  const submission = data.submission ?? PLAN_DEFAULTS.submission;
  const external = data.external ?? PLAN_DEFAULTS.external;
  const sample = data.sample ?? PLAN_DEFAULTS.sample;
  const portsInput = data.ports ?? PLAN_DEFAULTS.ports;
  const probe = data.probe ?? PLAN_DEFAULTS.probe;
  const credentials = data.credentials ?? PLAN_DEFAULTS.credentials;
  const attestation = data.attestations?.P4 ?? null;
  const ports = {
    smtp: portsInput.smtp ?? PLAN_DEFAULTS.ports.smtp,
    submission: portsInput.submission ?? PLAN_DEFAULTS.ports.submission,
    submissions: portsInput.submissions ?? PLAN_DEFAULTS.ports.submissions,
    https: portsInput.https ?? PLAN_DEFAULTS.ports.https,
  };
  const addresses = (texts: readonly string[] | null): string[] => (texts ?? []).map(canonicalAddressOrRange);

  return {
    version: 1,
    name: data.name ?? PLAN_DEFAULTS.name,
    scope: { dynamic: addresses(scope.dynamic), hosts: addresses(scope.hosts), exclude: addresses(scope.exclude) },
    authorizedRelays: addresses(data.authorizedRelays),
    submission: {
      servers: (submission.servers ?? []).map(canonicalHost),
      domain: submission.domain === null ? null : canonicalHostName(submission.domain),
    },
    external: {
      mx: (external.mx ?? []).map((canary) => normalizeCanary(canary, ports.smtp)),
      submission: (external.submission ?? []).map((canary) => normalizeCanary(canary, ports.submission)),
    },
    sample: { size: sample.size ?? PLAN_DEFAULTS.sample.size, seed: unsignedZero(sample.seed ?? PLAN_DEFAULTS.sample.seed) },
    ports,
    probe: {
      concurrency: probe.concurrency ?? PLAN_DEFAULTS.probe.concurrency,
      rate: unsignedZero(probe.rate ?? PLAN_DEFAULTS.probe.rate),
      connectTimeoutMs: probe.connectTimeoutMs ?? PLAN_DEFAULTS.probe.connectTimeoutMs,
      dialogTimeoutMs: probe.dialogTimeoutMs ?? PLAN_DEFAULTS.probe.dialogTimeoutMs,
      ehloName: canonicalHostName(probe.ehloName ?? PLAN_DEFAULTS.probe.ehloName),
    },
    dns: { servers: (data.dns?.servers ?? []).map(canonicalResolver) },
    tls: { caFile: data.tls?.caFile ?? null },
    credentials: credentials === null ? null : { userEnv: credentials.userEnv, passwordEnv: credentials.passwordEnv },
    attestations: { P4: attestation === null ? null : normalizeAttestation(attestation) },
  };
}
