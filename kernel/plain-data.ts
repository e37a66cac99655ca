/**
 * What may cross the dispatcher as a command's arguments or result: plain
 * JSON data (null, booleans, finite numbers, strings, arrays, plain
 * objects), nested a bounded number of levels, and without keys that name a
 * property every JavaScript object inherits. Every transport checks its
 * input against the same rule while parsing, and the dispatcher checks again
 * for whatever reaches it another way (a plugin, a replayed log).
 *
 * Why reserved keys are refused rather than kept as data: assigning
 * `obj['__proto__'] = v` replaces the prototype instead of adding a member
 * (the member vanishes and its contents become inherited values), and
 * `constructor`, `toString` and the rest resolve to inherited functions on
 * any object that lacks them. No QAPI name is one of them, so refusing them
 * everywhere costs nothing and closes the whole class.
 */

/** How deeply arguments may nest: QEMU's MAX_NESTING for JSON, and the QMP parser's limit. */
export const MAX_NESTING = 1024;

/**
 * How deeply anything the kernel serializes may nest: arguments, plus room
 * for a result that wraps them (`x-query-log` returns logged arguments
 * inside its entries).
 */
export const MAX_SERIALIZED_NESTING = 2 * MAX_NESTING;

/** The names every plain object inherits: `__proto__`, `constructor`, `toString`, `valueOf`, `hasOwnProperty`, ... */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));

/** True for a key that must never become a member of parsed data. */
export function isReservedKey(key: string): boolean {
  return RESERVED_KEYS.has(key);
}

/** The sentence every transport uses for a reserved key. */
export function reservedKeyProblem(key: string): string {
  return `key '${key}' is reserved`;
}

/** The sentence for data nested too deeply. */
export function nestingProblem(limit: number): string {
  return `nests deeper than ${limit} levels`;
}

/** A problem found below some members; their keys are collected on the way back up (not for nesting: that path is the problem). */
interface Found {
  readonly text: string;
  readonly path?: string[];
}

/**
 * Why `value` is not plain data, or undefined when it is: "key '__proto__'
 * is reserved (at 'a.b.__proto__')", "nests deeper than 1024 levels", "holds
 * a bigint (at 'size')". Recursive but bounded by `maxDepth` (a cycle too is
 * answered as too deep), so it never overflows the stack; recursion rather
 * than an explicit stack because the dispatcher runs it on every command's
 * arguments, and for the usual flat object it allocates nothing.
 */
export function plainDataProblem(value: unknown, maxDepth = MAX_NESTING): string | undefined {
  const found = check(value, 0, maxDepth);
  if (!found) return undefined;
  return found.path?.length ? `${found.text} (at '${found.path.reverse().join('.')}')` : found.text;
}

function check(v: unknown, depth: number, maxDepth: number): Found | undefined {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return undefined;
    case 'number':
      return Number.isFinite(v) ? undefined : { text: `holds ${v}, which JSON cannot express`, path: [] };
    case 'object':
      break;
    default:
      return { text: `holds ${v === undefined ? 'an undefined value' : `a ${typeof v}`}`, path: [] };
  }
  if (v === null) return undefined;
  if (depth >= maxDepth) return { text: nestingProblem(maxDepth) };
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const found = check(v[i], depth + 1, maxDepth);
      if (found) return found.path?.push(String(i)), found;
    }
    return undefined;
  }
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return { text: `holds a ${(v as object).constructor?.name ?? 'non-plain'} object, not plain data`, path: [] };
  const obj = v as Record<string, unknown>;
  for (const key in obj) {
    if (RESERVED_KEYS.has(key)) return { text: reservedKeyProblem(key), path: [key] };
    const child = obj[key];
    // Absent members: canonical JSON and the wire both leave them out.
    if (child === undefined || typeof child === 'string') continue;
    const found = check(child, depth + 1, maxDepth);
    if (found) return found.path?.push(key), found;
  }
  return undefined;
}

/** `JSON.parse`, refusing what is not plain data (reserved keys, excessive nesting) with an Error naming it. */
export function parseJson(text: string): unknown {
  const value: unknown = JSON.parse(text);
  const problem = plainDataProblem(value);
  if (problem) throw new Error(`JSON ${problem}`);
  return value;
}
