import { canonicalJson } from '../canonical-json.js';
import { MAX_SERIALIZED_NESTING, nestingProblem } from '../plain-data.js';

// Object keys repeat endlessly in a log: quote each once. Bounded so a stream
// of unusual keys cannot grow the cache forever.
const quoted = new Map<string, string>();

/** `JSON.stringify(s)` for strings drawn from a small set (object keys), cached. */
export function quoteName(s: string): string {
  let q = quoted.get(s);
  if (q === undefined) {
    q = JSON.stringify(s);
    if (quoted.size < 4096) quoted.set(s, q);
  }
  return q;
}

/**
 * Exactly `canonicalJson(value)` (kernel/canonical-json.ts), written with
 * loops and a key-quoting cache because the log serializes every command's
 * arguments on the hot path. A test pins the two to the same output. Bounded
 * in depth like it: deeper values throw an Error saying so.
 */
export function canonicalText(value: unknown, depth = 0): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (depth >= MAX_SERIALIZED_NESTING) throw new Error(`The value ${nestingProblem(MAX_SERIALIZED_NESTING)}`);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + canonicalText(value[i], depth + 1);
    return out + ']';
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (flatAndSorted(obj, keys)) return JSON.stringify(obj);
  if (keys.length > 1) keys.sort();
  let out = '{';
  let first = true;
  for (const k of keys) {
    const v = obj[k];
    if (v === undefined) continue;
    out += (first ? '' : ',') + quoteName(k) + ':' + canonicalText(v, depth + 1);
    first = false;
  }
  return out + '}';
}

/**
 * True when the native serializer already writes the canonical form: keys in
 * sorted order and only primitive values, as most command arguments are
 * (`{"path":..,"property":..,"value":..}`, `{}`).
 */
function flatAndSorted(obj: Record<string, unknown>, keys: readonly string[]): boolean {
  for (let i = 0; i < keys.length; i++) {
    const v = obj[keys[i]!];
    if (v !== null && typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean' && v !== undefined) return false;
    if (i > 0 && keys[i - 1]! >= keys[i]!) return false;
  }
  return true;
}

/** The reference implementation, re-exported so tests and readers see what `canonicalText` must equal. */
export { canonicalJson };

/**
 * `canonicalText(Object.fromEntries(map))`, written straight from the map when
 * its keys are in sorted order and its values primitive, as an object's
 * properties are (ObjectTree creates them sorted): the state hash serializes
 * an object at every change to it, and building the object first cost three
 * times as much. Any other map takes the general path.
 */
export function canonicalMapText(map: ReadonlyMap<string, unknown>): string {
  let out = '{';
  let previous: string | undefined;
  for (const [key, value] of map) {
    if ((previous !== undefined && previous >= key) || (typeof value === 'object' && value !== null)) return canonicalText(Object.fromEntries(map));
    previous = key;
    if (value !== undefined) out += (out.length === 1 ? '' : ',') + quoteName(key) + ':' + canonicalText(value);
  }
  return out + '}';
}
