/**
 * P2 — require authentication for submission (MAAWG practice 2; RFC 4954,
 * RFC 6409 §4.3). The submission probe that speaks SMTP arrives with a later
 * issue: until then every P2 check is present and says it was not tested.
 */
import type { CheckResult } from '../model.js';
import { skipped, type CheckInput, type PracticeCheck } from './check-input.js';
import { hostPort } from './target-label.js';

const CHECKS = ['P2.auth-advertised', 'P2.no-cleartext-auth', 'P2.relay-refused', 'P2.auth-works'] as const;

/**
 * Every P2 check, each `skip`: the submission probe is not part of this version.
 *
 * @example
 * checkP2(input).length // 4
 */
export const checkP2: PracticeCheck = (input: CheckInput): CheckResult[] => {
  const port = input.plan.ports.submission;
  const target = input.plan.submission.servers.map((server) => hostPort(server, port)).join(', ') || 'submission.servers';
  return CHECKS.map((id) => skipped(id, { target, port }, 'skip.probe-not-in-version', { probe: 'submission' }));
};
