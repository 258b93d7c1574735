/**
 * The exit code of `report` and `audit` (DESIGN "Exit codes"), decided from the
 * report alone so that every format gates a CI job the same way.
 */
import type { Report } from '@port25-audit/core';

/** Which practice status makes `report` and `audit` exit 1 (`--fail-on`). */
export type FailOn = 'fail' | 'warn' | 'never';

/** The `--fail-on` words, for the CLI's choices. */
export const FAIL_ON_CHOICES: readonly FailOn[] = ['fail', 'warn', 'never'];

export interface ExitCodeOptions {
  /** Default `fail`: exit 1 on a `fail` or `error` practice; `warn` adds `warn`; `never` always exits 0. */
  failOn?: FailOn;
  /** `--require-tested`: a practice that was not tested at all (`skip`) counts as a failure. */
  requireTested?: boolean;
}

/**
 * 1 when a practice is `fail` or `error`; also on `warn` with failOn `warn`;
 * also on `skip` with requireTested; never with failOn `never`. Otherwise 0.
 *
 * @example exitCodeFor(report, { failOn: 'warn', requireTested: true })
 */
export function exitCodeFor(report: Report, options: ExitCodeOptions = {}): 0 | 1 {
  const failOn = options.failOn ?? 'fail';
  if (failOn === 'never') return 0;
  for (const practice of report.practices) {
    if (practice.status === 'fail' || practice.status === 'error') return 1;
    if (practice.status === 'warn' && failOn === 'warn') return 1;
    if (practice.status === 'skip' && options.requireTested === true) return 1;
  }
  return 0;
}
