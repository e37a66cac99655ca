import { MAX_SERIALIZED_NESTING, nestingProblem } from './plain-data.js';

/**
 * JSON with object keys sorted, so equal values always serialize (and hash)
 * the same. Depth-bounded: a value nested deeper than
 * `MAX_SERIALIZED_NESTING` (a cycle among them) throws an Error saying so
 * instead of overflowing the stack.
 */
export function canonicalJson(value: unknown, depth = 0): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (depth >= MAX_SERIALIZED_NESTING) throw new Error(`The value ${nestingProblem(MAX_SERIALIZED_NESTING)}`);
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v, depth + 1)).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k], depth + 1)}`).join(',')}}`;
}
