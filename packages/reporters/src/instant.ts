/**
 * Instants as reports show them: UTC, to the second, the same in every
 * language and on every machine, so that golden outputs do not depend on TZ.
 */

/**
 * `2025-03-01T09:00:00.000Z` → `2025-03-01 09:00:00 UTC`; a string that is
 * not a date comes back unchanged.
 */
export function utcInstant(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
