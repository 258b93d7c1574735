/**
 * How statuses combine (DESIGN.md, "Check catalogue"): a practice is the worst
 * of its checks, fail > error > warn > pass, and `skip` only when every check
 * is skip; the report's status is the same rule over the practices.
 */
import { STATUS_SEVERITY, type Status, type StatusCounts } from '../model.js';

/**
 * The worst of several statuses; `skip` never hides a tested result and an empty list is `skip`.
 *
 * @example
 * worstStatus(['pass', 'skip', 'warn']) // 'warn'
 * worstStatus(['skip', 'skip'])         // 'skip'
 */
export function worstStatus(statuses: Iterable<Status>): Status {
  let worst: Status = 'skip';
  for (const status of statuses) {
    if (STATUS_SEVERITY.indexOf(status) < STATUS_SEVERITY.indexOf(worst)) worst = status;
  }
  return worst;
}

/** Counts with every status at zero. */
export function emptyCounts(): StatusCounts {
  return { pass: 0, warn: 0, fail: 0, skip: 0, error: 0 };
}

/**
 * How many results have each status.
 *
 * @example
 * countStatuses([{ status: 'pass' }, { status: 'skip' }]) // { pass: 1, warn: 0, fail: 0, skip: 1, error: 0 }
 */
export function countStatuses(results: Iterable<{ status: Status }>): StatusCounts {
  const counts = emptyCounts();
  for (const result of results) counts[result.status] += 1;
  return counts;
}
