/**
 * Converts keyval strings into typed values by the schema of what they
 * configure, so `-object memory-backend-ram,id=r,size=128M` and
 * `-object '{"qom-type":"memory-backend-ram","id":"r","size":134217728}'`
 * become the same typed command. The schema is the command's argument
 * schema, and for commands that create or configure a typed object
 * (`device_add`, `object-add`, `machine-set`, `global-set`) the property
 * declarations of the named type in the type registry: no second list.
 */
import { QmpError } from '../../kernel/errors.js';
import type { ObjectSchema, Schema } from '../../kernel/schema/types.js';
import type { TypeRegistry } from '../../kernel/objects/type-registry.js';
import type { KeyvalValue } from './keyval.js';

const SIZE_SUFFIX: Readonly<Record<string, number>> = { '': 1, b: 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40, p: 2 ** 50, e: 2 ** 60 };
const BOOL_WORDS: Readonly<Record<string, boolean>> = { on: true, yes: true, true: true, y: true, off: false, no: false, false: false, n: false };

function bad(path: string, what: string): QmpError {
  return new QmpError('GenericError', `Parameter '${path}' expects ${what}`);
}

/**
 * Parses a size as qemu_strtosz does: a number, optionally with a fraction,
 * and a binary suffix (B, K, M, G, T, P, E). `defaultSuffix` is for
 * options like `-m 512` that mean mebibytes.
 */
export function parseSize(text: string, path = 'size', defaultSuffix = ''): number {
  const m = /^\s*(0x[0-9a-f]+|[0-9]+(?:\.[0-9]+)?)\s*([bkmgtpe]?)\s*$/i.exec(text);
  if (!m) throw bad(path, 'a non-negative number below 2^64 (optional suffix K, M, G, T, P or E)');
  const hex = m[1]!.toLowerCase().startsWith('0x');
  const suffix = (m[2] || defaultSuffix).toLowerCase();
  if (hex && m[2]) throw bad(path, 'a non-negative number below 2^64 (hex values take no suffix)');
  const n = hex ? Number.parseInt(m[1]!, 16) : Number(m[1]) * SIZE_SUFFIX[suffix]!;
  if (!Number.isInteger(n)) throw bad(path, 'a whole number of bytes');
  if (!Number.isSafeInteger(n)) throw bad(path, 'a size below 2^53');
  return n;
}

/** Parses an integer (decimal, or hex with 0x, optionally negative). */
export function parseInteger(text: string, path: string): number {
  if (!/^-?(?:0x[0-9a-f]+|[0-9]+)$/i.test(text.trim())) throw bad(path, 'integer');
  const t = text.trim();
  const neg = t.startsWith('-');
  const body = neg ? t.slice(1) : t;
  const n = body.toLowerCase().startsWith('0x') ? Number.parseInt(body, 16) : Number(body);
  if (!Number.isSafeInteger(n)) throw new QmpError('GenericError', `Parameter '${path}' is out of range`);
  return neg ? -n : n;
}

/** Parses a boolean the way QEMU's keyval visitor does (on/off, yes/no, true/false). */
export function parseBool(text: string, path: string): boolean {
  const b = BOOL_WORDS[text.toLowerCase()];
  if (b === undefined) throw bad(path, "'on' or 'off'");
  return b;
}

type ScalarConverter = (text: string, path: string) => unknown;

/** How each scalar kind reads its keyval text. */
const SCALARS: Readonly<Record<string, ScalarConverter>> = {
  str: (s) => s,
  any: (s) => s,
  int: parseInteger,
  uint64: parseInteger,
  size: (s, p) => parseSize(s, p),
  number: (s, p) => {
    const n = Number(s);
    if (s.trim() === '' || Number.isNaN(n)) throw bad(p, 'number');
    return n;
  },
  bool: parseBool,
  null: (s, p) => {
    if (s !== '') throw bad(p, 'an empty value (null)');
    return null;
  },
};

const join = (path: string, key: string): string => (path ? `${path}.${key}` : key);

/**
 * Converts a keyval value by `schema`. Strings become the schema's scalar;
 * objects and arrays recurse. Members the schema does not know are left as
 * they are, so the dispatcher's validation can name them.
 */
export function coerceValue(schema: Schema | undefined, v: KeyvalValue, path: string): unknown {
  if (!schema) return v;
  if (typeof v === 'string') {
    if (schema.kind === 'enum') {
      if (!schema.values.includes(v)) throw new QmpError('GenericError', `Parameter '${path}' does not accept value '${v}'`);
      return v;
    }
    if (schema.kind === 'alternate') return coerceAlternate(schema.options, v, path);
    const conv = SCALARS[schema.kind];
    if (!conv) throw new QmpError('GenericError', `Invalid parameter type for '${path}', expected: ${schema.kind}`);
    return conv(v, path);
  }
  if (Array.isArray(v)) {
    const items = schema.kind === 'array' ? schema.items : undefined;
    return v.map((x, i) => coerceValue(items, x, `${path}[${i}]`));
  }
  if (schema.kind !== 'object') return v;
  return coerceObject(schema, v, path);
}

/** An alternate takes a string as its string branch if it has one, else the first branch that parses. */
function coerceAlternate(options: readonly Schema[], v: string, path: string): unknown {
  const str = options.find((o) => o.kind === 'str' || (o.kind === 'enum' && o.values.includes(v)));
  if (str) return v;
  for (const o of options) {
    try {
      return coerceValue(o, v, path);
    } catch {
      // try the next branch
    }
  }
  throw bad(path, options.map((o) => o.kind).join(' or '));
}

/** Converts the members of an object by its declared fields (and `rest`). */
export function coerceObject(schema: ObjectSchema, v: Record<string, KeyvalValue>, path: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = coerceValue(schema.fields[k]?.schema ?? schema.rest, x, join(path, k));
  return out;
}

/** The object schema made of a type's property declarations (ancestors included). */
export function propsSchema(types: TypeRegistry, typeName: string): ObjectSchema {
  const fields: Record<string, { schema: Schema; optional: true }> = {};
  for (const [name, p] of types.props(typeName)) fields[name] = { schema: p.type, optional: true };
  return { kind: 'object', fields };
}

/** What a coercion can know beyond the registry: the machine type chosen so far on the command line. */
export interface CoerceContext {
  readonly types: TypeRegistry;
  /** The machine type in effect (chosen by an earlier option or already live in the kernel). */
  machineType?: string;
  /** The type of the object at a QOM path (created earlier in the same feed, or live), for `qom-set` values. */
  pathType?(path: string): string | undefined;
}

/** Finds the declaration of a machine property on the machine in effect, or on any machine type. */
function machinePropSchema(cx: CoerceContext, prop: string): Schema | undefined {
  const { types } = cx;
  if (cx.machineType && types.has(cx.machineType)) return types.props(cx.machineType).get(prop)?.type;
  for (const d of types.list({ implements: 'machine' })) {
    const p = types.props(d.name).get(prop);
    if (p) return p.type;
  }
  return undefined;
}

/**
 * For commands whose extra members are properties of a type, which type
 * (read from the raw arguments); commands not listed use their own schema.
 */
const TYPED_BY: Readonly<Record<string, (raw: Record<string, KeyvalValue>, cx: CoerceContext) => (prop: string) => Schema | undefined>> = {
  device_add: (raw, cx) => propsOf(cx, raw['driver']),
  'object-add': (raw, cx) => propsOf(cx, raw['qom-type']),
  'machine-set': (raw, cx) => {
    if (typeof raw['type'] === 'string') cx.machineType = raw['type'];
    return (prop) => machinePropSchema(cx, prop);
  },
  'qom-set': (raw, cx) => {
    const type = typeof raw['path'] === 'string' ? cx.pathType?.(raw['path']) : undefined;
    const prop = propsOf(cx, type)(String(raw['property'] ?? ''));
    return (name) => (name === 'value' ? prop : undefined);
  },
  'global-set': (raw, cx) => {
    const prop = propsOf(cx, raw['driver'])(String(raw['property'] ?? ''));
    return (name) => (name === 'value' ? prop : undefined);
  },
};

function propsOf(cx: CoerceContext, typeName: KeyvalValue | undefined): (prop: string) => Schema | undefined {
  if (typeof typeName !== 'string' || !cx.types.has(typeName)) return () => undefined;
  const props = cx.types.props(typeName);
  return (prop) => props.get(prop)?.type;
}

/** A member's schema: the command's own declaration, unless it says `any` and the target type knows better. */
function memberSchema(argsSchema: ObjectSchema | undefined, byType: ((prop: string) => Schema | undefined) | undefined, k: string): Schema | undefined {
  const declared = argsSchema?.fields[k]?.schema;
  if (declared && declared.kind !== 'any') return declared;
  return byType?.(k) ?? declared ?? argsSchema?.rest;
}

/**
 * The schema of each argument member of `command`: its own declaration, or
 * for commands that create or configure a typed object the property of that
 * type (`-object rng-random,filename=...` -> rng-random's `filename`).
 */
export function argumentSchemas(command: string, argsSchema: ObjectSchema | undefined, args: Record<string, unknown>, cx: CoerceContext): (member: string) => Schema | undefined {
  const byType = TYPED_BY[command]?.(args as Record<string, KeyvalValue>, cx);
  return (k) => memberSchema(argsSchema, byType, k);
}

/**
 * Converts the keyval arguments of `command` into typed arguments: members
 * the command declares by its schema, the others by the target type's
 * property declarations. Unknown members stay strings for the dispatcher
 * to reject by name.
 */
export function coerceArgs(
  command: string,
  argsSchema: ObjectSchema | undefined,
  raw: Record<string, KeyvalValue>,
  cx: CoerceContext,
): Record<string, unknown> {
  const byType = TYPED_BY[command]?.(raw, cx);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    out[k] = coerceValue(memberSchema(argsSchema, byType, k), v, k);
  }
  return out;
}

/**
 * Config files are JSON-typed already, but a hand-written `size: 128M` or
 * `enabled: on` should still mean what it says: converts only strings that
 * stand where the schema wants a number or a boolean; everything else is
 * left for the dispatcher to validate.
 */
export function coerceLoose(command: string, argsSchema: ObjectSchema | undefined, args: Record<string, unknown>, cx: CoerceContext): Record<string, unknown> {
  const rawish = args as Record<string, KeyvalValue>;
  const byType = TYPED_BY[command]?.(rawish, cx);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(args)) {
    out[k] = loose(memberSchema(argsSchema, byType, k), v, k);
  }
  return out;
}

const LOOSE_KINDS = new Set(['int', 'uint64', 'size', 'number', 'bool']);

function loose(schema: Schema | undefined, v: unknown, path: string): unknown {
  if (!schema) return v;
  if (typeof v === 'string' && LOOSE_KINDS.has(schema.kind)) return coerceValue(schema, v, path);
  if (schema.kind === 'alternate' && typeof v === 'string') return coerceValue(schema, v, path);
  if (Array.isArray(v) && schema.kind === 'array') return v.map((x, i) => loose(schema.items, x, `${path}[${i}]`));
  if (v && typeof v === 'object' && !Array.isArray(v) && schema.kind === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = loose(schema.fields[k]?.schema ?? schema.rest, x, join(path, k));
    return out;
  }
  return v;
}
