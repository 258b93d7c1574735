/**
 * Status arithmetic the reporters share: counts per practice, the worst
 * finding, and the order in which statuses are listed.
 */
import { STATUS_SEVERITY, type CheckResult, type PracticeResult, type Status, type StatusCounts } from '@port25-audit/core';

/** The order in which counts are shown: the good news first, as in the report's `counts`. */
export const COUNT_ORDER: readonly Status[] = ['pass', 'warn', 'fail', 'error', 'skip'];

/** Counts the check results of one practice by status. */
export function countChecks(checks: readonly CheckResult[]): StatusCounts {
  const counts: StatusCounts = { pass: 0, warn: 0, fail: 0, skip: 0, error: 0 };
  for (const check of checks) counts[check.status] += 1;
  return counts;
}

/** Severity rank: 0 is the worst (fail), as in {@link STATUS_SEVERITY}. */
export function severity(status: Status): number {
  return STATUS_SEVERITY.indexOf(status);
}

/**
 * The check that stands for a practice's status: the first check with the
 * worst status, or null when the practice has no checks.
 */
export function worstCheck(practice: PracticeResult): CheckResult | null {
  let worst: CheckResult | null = null;
  for (const check of practice.checks) {
    if (worst === null || severity(check.status) < severity(worst.status)) worst = check;
  }
  return worst;
}
