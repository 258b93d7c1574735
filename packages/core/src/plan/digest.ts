/**
 * One digest per plan meaning: canonical JSON (RFC 8785 JCS style: keys sorted
 * by UTF-16 code units, ECMAScript number and string serialization, no spaces),
 * hashed with SHA-256. Scan files carry it so `report` and `--resume` can tell
 * whether scans belong to the same plan.
 */
import { createHash } from 'node:crypto';
import type { Plan } from '../model.js';

function canonical(value: unknown, ancestors: Set<object>): string | undefined {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      // JSON has no NaN or Infinity; JSON.stringify writes null for them, and so do we.
      return JSON.stringify(value);
    case 'bigint':
      throw new TypeError('canonicalJson: a BigInt has no JSON form');
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    default:
      break;
  }
  const object = value as { toJSON?: () => unknown };
  if (typeof object.toJSON === 'function') return canonical(object.toJSON(), ancestors);
  if (ancestors.has(object)) throw new TypeError('canonicalJson: the value contains a cycle');
  ancestors.add(object);
  try {
    if (Array.isArray(object)) return `[${object.map((item) => canonical(item, ancestors) ?? 'null').join(',')}]`;
    const members: string[] = [];
    // RFC 8785 §3.2.3: members sorted by the UTF-16 code units of their names (the default sort).
    for (const key of Object.keys(object).sort()) {
      const member = canonical((object as Record<string, unknown>)[key], ancestors);
      if (member !== undefined) members.push(`${JSON.stringify(key)}:${member}`);
    }
    return `{${members.join(',')}}`;
  } finally {
    ancestors.delete(object);
  }
}

/**
 * Serializes a JSON value canonically: object keys sorted recursively, no
 * whitespace, members whose value is undefined left out (as JSON.stringify does).
 *
 * @throws TypeError for BigInt, cycles, or a top-level value with no JSON form.
 * @example canonicalJson({ b: 1, a: [true, null] }) // '{"a":[true,null],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  const text = canonical(value, new Set());
  if (text === undefined) throw new TypeError(`canonicalJson: ${typeof value} has no JSON form`);
  return text;
}

/**
 * The digest of a normalized plan, `sha256:<64 hex digits>`: plans that mean the
 * same (whatever their key order, YAML or JSON, or spelling of defaults) share it.
 *
 * @example planDigest(normalizePlan({ version: 1 }, 'plan.yaml')) // 'sha256:…'
 */
export function planDigest(plan: Plan): string {
  return `sha256:${createHash('sha256').update(canonicalJson(plan), 'utf8').digest('hex')}`;
}
