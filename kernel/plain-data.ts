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

interface Frame {
  readonly value: unknown;
  readonly depth: number;
  readonly parent: Frame | undefined;
  readonly key: string;
}

function pathOf(frame: Frame): string {
  const keys: string[] = [];
  for (let f: Frame | undefined = frame; f?.parent; f = f.parent) keys.push(f.key);
  return keys.reverse().join('.');
}

function at(frame: Frame, problem: string): string {
  const path = pathOf(frame);
  return path ? `${problem} (at '${path}')` : problem;
}

/**
 * Why `value` is not plain data, or undefined when it is: "key '__proto__'
 * is reserved (at 'a.b')", "nests deeper than 1024 levels", "holds a bigint
 * (at 'size')". Iterative, so a value of any depth (a cycle included) is
 * answered rather than overflowing the stack.
 */
export function plainDataProblem(value: unknown, maxDepth = MAX_NESTING): string | undefined {
  const stack: Frame[] = [{ value, depth: 0, parent: undefined, key: '' }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    const v = frame.value;
    switch (typeof v) {
      case 'string':
      case 'boolean':
        continue;
      case 'number':
        if (!Number.isFinite(v)) return at(frame, `holds ${v}, which JSON cannot express`);
        continue;
      case 'object':
        break;
      default:
        return at(frame, `holds ${typeof v === 'undefined' ? 'an undefined value' : `a ${typeof v}`}`);
    }
    if (v === null) continue;
    const depth = frame.depth + 1;
    if (depth > maxDepth) return nestingProblem(maxDepth);
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) stack.push({ value: v[i], depth, parent: frame, key: String(i) });
      continue;
    }
    const proto: unknown = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) return at(frame, `holds a ${(v as object).constructor?.name ?? 'non-plain'} object, not plain data`);
    for (const key of Object.keys(v)) {
      const child = (v as Record<string, unknown>)[key];
      if (isReservedKey(key)) return at({ value: child, depth, parent: frame, key }, reservedKeyProblem(key));
      // Absent members: canonical JSON and the wire both leave them out.
      if (child !== undefined) stack.push({ value: child, depth, parent: frame, key });
    }
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
