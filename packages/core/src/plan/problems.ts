/**
 * Plan problems as users read them: one line each,
 * `plan.yaml: scope.dynamic[2]: "203.0.113.0/33" is not a CIDR range`.
 */
import type * as z from 'zod';
import { Port25Error } from '../errors.js';

/** At most this many problem lines; a hostile or broken file must not flood the terminal. */
export const PROBLEM_LINE_LIMIT = 100;

const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** `scope.dynamic[2]`, `external.mx[1].host`, `["odd key"]`. */
export function formatPlanPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (typeof segment === 'string' && PLAIN_KEY.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(String(segment))}]`;
  }
  return text;
}

/** One problem line: the file as the user gave it, the path inside the document, the reason. */
export function problemLine(file: string, path: readonly PropertyKey[], reason: string): string {
  return path.length === 0 ? `${file}: ${reason}` : `${file}: ${formatPlanPath(path)}: ${reason}`;
}

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions). */
function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const columns = b.length + 1;
  const cost = Array.from({ length: rows }, (_, i) => Array.from({ length: columns }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i += 1) {
    for (let j = 1; j < columns; j += 1) {
      const substitution = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(cost[i - 1]![j]! + 1, cost[i]![j - 1]! + 1, cost[i - 1]![j - 1]! + substitution);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, cost[i - 2]![j - 2]! + 1);
      cost[i]![j] = best;
    }
  }
  return cost[a.length]![b.length]!;
}

/**
 * The known key a typo most likely meant: case, `_` and `-` ignored, then at most
 * one edit per four characters (none for keys shorter than three).
 */
export function closestKey(key: string, known: readonly string[]): string | null {
  const fold = (text: string): string => text.toLowerCase().replace(/[-_]/g, '');
  // Keys longer than any plan key are not typos of one; this also bounds the edit-distance table.
  if (key.length > 64) return null;
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = editDistance(fold(key), fold(candidate));
    const limit = candidate.length < 3 ? 0 : Math.min(3, Math.max(1, Math.floor(candidate.length / 4)));
    if (distance <= limit && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/**
 * Reasons for unknown keys, one per key in order: a suggestion when a known key is
 * near, the section a key belongs to when it is at the wrong level, else the known keys.
 */
export function unknownKeyReasons(keys: readonly string[], known: readonly string[], sections?: ReadonlyMap<string, readonly string[]>): string[] {
  // Only the lines shown are worth a suggestion; the rest default to "is not a known key" (see collect()).
  return keys.slice(0, PROBLEM_LINE_LIMIT).map((key) => {
    const suggestion = closestKey(key, known);
    if (suggestion !== null) return `is not a known key; did you mean "${suggestion}"?`;
    const homes = sections?.get(key);
    if (homes !== undefined && homes.length > 0) {
      return `is not a known key here; "${key}" belongs under ${homes.map((home) => `"${home}"`).join(' or ')} (check the indentation)`;
    }
    return `is not a known key (known keys: ${known.join(', ')})`;
  });
}

function hasRootTypeError(issues: readonly z.core.$ZodIssue[]): boolean {
  return issues.some((issue) => issue.code === 'invalid_type' && issue.path.length === 0);
}

function collect(issue: z.core.$ZodIssue, prefix: readonly PropertyKey[], file: string, lines: string[]): void {
  const path = [...prefix, ...issue.path];
  if (issue.code === 'unrecognized_keys') {
    // mapping() in schema.ts gives one reason line per key, in the order of `keys`.
    const reasons = issue.message.split('\n');
    issue.keys.forEach((key, index) => lines.push(problemLine(file, [...path, key], reasons[index] ?? 'is not a known key')));
    return;
  }
  if (issue.code === 'invalid_union') {
    // The branch the value was meant for is the one that got past the type check (e.g. {host, port} for a canary).
    const meant = issue.errors.filter((branch) => !hasRootTypeError(branch));
    if (meant.length === 1) {
      for (const inner of meant[0]!) collect(inner, path, file, lines);
      return;
    }
  }
  for (const line of issue.message.split('\n')) lines.push(problemLine(file, path, line));
}

/** Problem lines of zod issues, deduplicated, in schema order. */
export function planProblemLines(issues: readonly z.core.$ZodIssue[], file: string): string[] {
  const lines: string[] = [];
  for (const issue of issues) collect(issue, [], file, lines);
  return [...new Set(lines)];
}

function capped(file: string, lines: readonly string[]): string[] {
  if (lines.length <= PROBLEM_LINE_LIMIT) return [...lines];
  return [...lines.slice(0, PROBLEM_LINE_LIMIT), `${file}: … and ${lines.length - PROBLEM_LINE_LIMIT} more problems`];
}

/** The error for a plan that does not validate; details are capped at {@link PROBLEM_LINE_LIMIT} lines. */
export function invalidPlan(file: string, lines: readonly string[]): Port25Error {
  const count = lines.length;
  const message = `${file}: the plan is not valid (${count} problem${count === 1 ? '' : 's'})`;
  return new Port25Error('PLAN_INVALID', message, capped(file, lines));
}

/** The error for a plan file that cannot be read or parsed. */
export function unreadablePlan(file: string, lines: readonly string[], cause?: unknown): Port25Error {
  const message = lines.length === 1 ? lines[0]! : `${file}: cannot be parsed (${lines.length} problems)`;
  return new Port25Error('PLAN_UNREADABLE', message, capped(file, lines), cause === undefined ? {} : { cause });
}
