/**
 * QEMU's KEY=VALUE,... syntax (util/keyval.c), as the command line uses it:
 *
 *   key-vals     = [ key-val { ',' key-val } [ ',' ] ]
 *   key-val      = key '=' val | help
 *   key          = key-fragment { '.' key-fragment }
 *   key-fragment = qapi-name | index
 *   val          = { [^,] | ',,' }
 *   help         = 'help' | '?'
 *
 * Dotted keys nest (`a.b=1` is `{a: {b: '1'}}`), a level whose keys are all
 * numbers becomes an array (`a.0=x,a.1=y`), the first key may be implied
 * (`-device DRIVER,...`), the last of repeated keys wins, and every value
 * stays a string: converting it is the schema's job (coerce.ts), never the
 * parser's, so the parser cannot guess a type wrongly. Key fragments that
 * name a property every object inherits (`constructor`, `__proto__`, ...:
 * kernel/plain-data.ts) are refused, and keys nest at most MAX_NESTING deep.
 */
import { MAX_NESTING, isReservedKey, nestingProblem, reservedKeyProblem } from '../../kernel/plain-data.js';

/** A parsed keyval tree: strings at the leaves, objects and arrays inside. */
export type KeyvalValue = string | KeyvalObject | KeyvalValue[];
/** An object level of a keyval tree. */
export interface KeyvalObject {
  [key: string]: KeyvalValue;
}

/** The result of parsing: the tree, and whether `help` (or `?`) was asked for. */
export interface KeyvalResult {
  readonly value: KeyvalObject;
  readonly help: boolean;
}

/** A keyval syntax error; `message` is QEMU's sentence for the same mistake. */
export class KeyvalError extends Error {
  override readonly name = 'KeyvalError';
}

/** QEMU limits a key fragment to 127 characters. */
const MAX_FRAGMENT = 127;
/** qapi-name or index, as keyval.c accepts them (downstream `__RFQDN_` prefixes included). */
const FRAGMENT = /^(?:__[a-z0-9.-]+_)?[A-Za-z][A-Za-z0-9_-]*$|^[0-9]+$/;

/** Reads up to the next unescaped comma; `,,` stands for one comma. Returns [text, rest-or-undefined]. */
function fetchValue(s: string, from: number): [string, number] {
  let out = '';
  let i = from;
  for (;;) {
    const comma = s.indexOf(',', i);
    if (comma < 0) return [out + s.slice(i), s.length];
    out += s.slice(i, comma);
    if (s[comma + 1] === ',') {
      out += ',';
      i = comma + 2;
      continue;
    }
    return [out, comma + 1];
  }
}

/** A key ends at '=' or ','; keys cannot contain ',,' escapes. */
function fetchKey(s: string, from: number): [string, string | undefined, number] {
  let i = from;
  while (i < s.length && s[i] !== '=' && s[i] !== ',') i++;
  return [s.slice(from, i), s[i], i];
}

const isIndex = (k: string): boolean => /^[0-9]+$/.test(k);

/** Puts `value` at the dotted `key`, with QEMU's consistency rule between leaves and inner levels. */
function put(root: Record<string, unknown>, fragments: readonly string[], value: string): void {
  let cur = root;
  for (let i = 0; i < fragments.length; i++) {
    const frag = fragments[i]!;
    const last = i === fragments.length - 1;
    const old = cur[frag];
    if (old !== undefined && (typeof old === 'string') !== last)
      throw new KeyvalError(`Parameters '${fragments.slice(0, i + 1).join('.')}.*' used inconsistently`);
    if (last) {
      cur[frag] = value; // the last of repeated keys wins, as in keyval.c
      return;
    }
    if (old === undefined) cur[frag] = {};
    cur = cur[frag] as Record<string, unknown>;
  }
}

/** Turns levels whose keys are all indexes into arrays (keyval_listify), checking for gaps. */
function listify(node: Record<string, unknown>, prefix: string): KeyvalObject | KeyvalValue[] {
  const keys = Object.keys(node);
  for (const k of keys) {
    const v = node[k];
    if (typeof v !== 'string') node[k] = listify(v as Record<string, unknown>, `${prefix}${k}.`);
  }
  const indexed = keys.filter(isIndex);
  if (indexed.length === 0) return node as KeyvalObject;
  if (indexed.length !== keys.length) throw new KeyvalError(`Parameters '${prefix}*' used inconsistently`);
  const out: KeyvalValue[] = [];
  for (let i = 0; i < keys.length; i++) {
    const v = node[String(i)];
    if (v === undefined) throw new KeyvalError(`Parameter '${prefix}${i}' missing`);
    out.push(v as KeyvalValue);
  }
  return out;
}

/**
 * Parses `params` (`driver,id=d0,a.b=1`). `impliedKey` names the key a
 * first element without `=` stands for (`driver` for `-device`).
 * Throws KeyvalError with QEMU's message on malformed input.
 */
export function parseKeyval(params: string, impliedKey?: string): KeyvalResult {
  const root: Record<string, unknown> = {};
  let help = false;
  let pos = 0;
  let first = true;
  while (pos < params.length) {
    const [key, sep, afterKey] = fetchKey(params, pos);
    if (sep !== '=') {
      // No '=': the element is `help`, the implied key's value, or an error.
      const [whole, next] = fetchValue(params, pos);
      if (whole === 'help' || whole === '?') {
        help = true;
        pos = next;
        first = false;
        continue;
      }
      if (first && impliedKey && whole !== '') {
        put(root, impliedKey.split('.'), whole);
        pos = next;
        first = false;
        continue;
      }
      if (key === '') throw new KeyvalError(`Invalid parameter ''`);
      throw new KeyvalError(`Expected '=' after parameter '${key}'`);
    }
    const fragments = key.split('.');
    if (fragments.length > MAX_NESTING) throw new KeyvalError(`Parameter '${fragments.slice(0, 3).join('.')}...' ${nestingProblem(MAX_NESTING)}`);
    for (const frag of fragments) {
      if (isReservedKey(frag)) throw new KeyvalError(`Invalid parameter '${key}': ${reservedKeyProblem(frag)}`);
      if (frag.length > MAX_FRAGMENT)
        throw new KeyvalError(`Parameter${fragments.length > 1 ? ' fragment' : ''} '${frag.slice(0, MAX_FRAGMENT)}' is too long`);
      if (!FRAGMENT.test(frag)) throw new KeyvalError(`Invalid parameter '${key}'`);
    }
    const [value, next] = fetchValue(params, afterKey + 1);
    put(root, fragments, value);
    pos = next;
    first = false;
  }
  const value = listify(root, '');
  if (Array.isArray(value)) throw new KeyvalError(`Parameters '*' used inconsistently`);
  return { value, help };
}

/** True when an option argument is written as JSON (`-device '{"driver": ...}'`) rather than keyval. */
export function isJsonForm(arg: string): boolean {
  return arg.trimStart().startsWith('{');
}

/** Escapes a value for keyval output: every comma doubled. */
export function escapeKeyvalValue(v: string): string {
  return v.replaceAll(',', ',,');
}

/**
 * Flattens a JSON-like object back into keyval text (`a.b=1,c.0=x`), or
 * returns undefined when it cannot be said in keyval (empty objects or
 * arrays, null, keys that are not keyval names).
 */
export function formatKeyval(obj: Record<string, unknown>, impliedKey?: string): string | undefined {
  const parts: string[] = [];
  const walk = (v: unknown, key: string): boolean => {
    if (v === undefined) return true;
    if (typeof v === 'string' || typeof v === 'number') {
      parts.push(`${key}=${escapeKeyvalValue(String(v))}`);
      return true;
    }
    if (typeof v === 'boolean') {
      parts.push(`${key}=${v ? 'on' : 'off'}`);
      return true;
    }
    if (Array.isArray(v)) return v.length > 0 && v.every((item, i) => walk(item, `${key}.${i}`));
    if (v && typeof v === 'object') {
      const entries = Object.entries(v);
      return entries.length > 0 && entries.every(([k, x]) => FRAGMENT.test(k) && walk(x, `${key}.${k}`));
    }
    return false;
  };
  let head: string | undefined;
  for (const [k, v] of Object.entries(obj)) {
    if (k === impliedKey && typeof v === 'string' && !v.includes('=') && v !== 'help' && v !== '?') {
      head = escapeKeyvalValue(v);
      continue;
    }
    if (!FRAGMENT.test(k) || !walk(v, k)) return undefined;
  }
  return [head, ...parts].filter((p) => p !== undefined).join(',');
}
