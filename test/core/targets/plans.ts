import { normalizePlan, type Plan } from '@port25-audit/core';

/** A normalized plan from the fields a test cares about. */
export function planWith(fields: {
  dynamic?: string[];
  hosts?: string[];
  exclude?: string[];
  relays?: string[];
  size?: number;
  seed?: number;
  extra?: Record<string, unknown>;
}): Plan {
  return normalizePlan(
    {
      version: 1,
      scope: { dynamic: fields.dynamic ?? [], hosts: fields.hosts ?? [], exclude: fields.exclude ?? [] },
      authorizedRelays: fields.relays ?? [],
      sample: { size: fields.size ?? 256, seed: fields.seed ?? 1 },
      ...fields.extra,
    },
    'test-plan.yaml',
  );
}
