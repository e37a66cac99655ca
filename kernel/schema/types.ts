/**
 * The schema DSL: every command argument, return value, property and event
 * payload is declared once with these builders. From one declaration come
 * the static TypeScript type (`Static<S>`), runtime validation, QAPI
 * introspection, keyval conversion for the command line and help text.
 *
 * Why our own DSL rather than JSON Schema (TypeBox): the things we derive
 * are QAPI-shaped (builtin `size`, named enums, optional members, QEMU's
 * exact error sentences, keyval conversion by type), and a JSON Schema
 * would need a second translation layer for each of them.
 */

/** A builtin scalar, named as QAPI names them. */
export type ScalarKind = 'str' | 'int' | 'uint64' | 'size' | 'number' | 'bool' | 'any' | 'null';

export interface ScalarSchema<K extends ScalarKind = ScalarKind> {
  readonly kind: K;
  readonly doc?: string;
  /** The string names a host resource (declared with `t.host`). */
  readonly host?: HostMark;
  /** Bounds of a number, inclusive: validation refuses values outside them. */
  readonly range?: NumberRange;
}
/** Inclusive bounds of a numeric parameter (`count` of at most 1000 entries). */
export interface NumberRange {
  readonly min?: number;
  readonly max?: number;
}

/**
 * What kind of host resource a string names, and how it may be used:
 * `file` (a path read, or read and written), `dir` (a folder whose files are
 * read), `socket` (a Unix socket path, listened on or connected to),
 * `endpoint` (a monitor endpoint: `unix:PATH`, `tcp:HOST:PORT`, ...).
 * Every such value is opened through the kernel's broker; the mark lets
 * tests and `--confine` find them all from the schema.
 */
export interface HostMark {
  readonly resource: 'file' | 'dir' | 'socket' | 'endpoint';
  readonly access: 'r' | 'rw';
}
export interface EnumSchema<V extends string = string> {
  readonly kind: 'enum';
  readonly name: string;
  readonly values: readonly V[];
  readonly doc?: string;
}
export interface ArraySchema<I extends Schema = Schema> {
  readonly kind: 'array';
  readonly items: I;
  readonly doc?: string;
}
/** A member of an object; `optional` members may be absent. */
export interface Field<S extends Schema = Schema, O extends boolean = boolean> {
  readonly schema: S;
  readonly optional: O;
  readonly doc?: string;
}
export type Fields = Readonly<Record<string, Field>>;
export interface ObjectSchema<F extends Fields = Fields> {
  readonly kind: 'object';
  readonly name?: string;
  readonly fields: F;
  /** Members not declared are accepted and must match this schema (a dictionary). */
  readonly rest?: Schema;
  readonly doc?: string;
}
/** One of several schemas, chosen by JSON type (QAPI's "alternate"). */
export interface AlternateSchema<O extends readonly Schema[] = readonly Schema[]> {
  readonly kind: 'alternate';
  readonly name: string;
  readonly options: O;
  readonly doc?: string;
}

export type Schema = ScalarSchema | EnumSchema | ArraySchema<any> | ObjectSchema<any> | AlternateSchema<any>;

type ScalarType = {
  str: string;
  int: number;
  uint64: number;
  size: number;
  number: number;
  bool: boolean;
  any: unknown;
  null: null;
};

type Simplify<T> = { [K in keyof T]: T[K] } & {};
type RequiredKeys<F extends Fields> = { [K in keyof F]: F[K]['optional'] extends true ? never : K }[keyof F];
type OptionalKeys<F extends Fields> = { [K in keyof F]: F[K]['optional'] extends true ? K : never }[keyof F];

/**
 * The TypeScript type a schema describes. The general types (`Schema`, a
 * plain `ObjectSchema`) map straight to `unknown` and a record, so code that
 * handles any command does not make the compiler expand every schema.
 */
export type Static<S> = Schema extends S
  ? unknown
  : ObjectSchema extends S
    ? Record<string, unknown>
    : StaticOf<S>;

type StaticOf<S> = S extends ScalarSchema<infer K>
  ? ScalarType[K]
  : S extends EnumSchema<infer V>
    ? V
    : S extends ArraySchema<infer I>
      ? Static<I>[]
      : S extends ObjectSchema<infer F>
        ? Simplify<
            { [K in RequiredKeys<F>]: Static<F[K]['schema']> } & { [K in OptionalKeys<F>]?: Static<F[K]['schema']> }
          >
        : S extends AlternateSchema<infer O>
          ? Static<O[number]>
          : never;

type FieldInput = Schema | Field;
type ToField<X> = X extends Field ? X : X extends Schema ? Field<X, false> : never;
type ToFields<M extends Record<string, FieldInput>> = { readonly [K in keyof M]: ToField<M[K]> };

function toField(x: FieldInput): Field {
  return 'schema' in x ? x : { schema: x, optional: false };
}

const scalar =
  <K extends ScalarKind>(kind: K) =>
  (doc?: string): ScalarSchema<K> => (doc ? { kind, doc } : { kind });

const numeric =
  <K extends 'int' | 'uint64' | 'size' | 'number'>(kind: K) =>
  (doc?: string, range?: NumberRange): ScalarSchema<K> => ({ kind, ...(doc ? { doc } : {}), ...(range ? { range } : {}) });

/** Builders for schemas: `t.object({ id: t.str(), size: t.optional(t.size()) })`. */
export const t = {
  str: scalar('str'),
  /** An integer; `range` bounds it (`t.int('How many', { min: 1, max: 1000 })`). */
  int: numeric('int'),
  uint64: numeric('uint64'),
  /** A byte count; the command line accepts suffixes (128M, 2G). */
  size: numeric('size'),
  number: numeric('number'),
  bool: scalar('bool'),
  any: scalar('any'),
  null: scalar('null'),
  /** A string naming a host resource: `t.host('file', 'r', 'Firmware image')`. */
  host(resource: HostMark['resource'], access: HostMark['access'], doc?: string): ScalarSchema<'str'> {
    return { kind: 'str', host: { resource, access }, ...(doc ? { doc } : {}) };
  },
  enum<const V extends string>(name: string, values: readonly V[], doc?: string): EnumSchema<V> {
    return { kind: 'enum', name, values, doc };
  },
  array<I extends Schema>(items: I, doc?: string): ArraySchema<I> {
    return { kind: 'array', items, doc };
  },
  object<M extends Record<string, FieldInput>>(
    fields: M,
    opts: { name?: string; doc?: string; rest?: Schema } = {},
  ): ObjectSchema<ToFields<M>> {
    const out: Record<string, Field> = {};
    for (const [k, v] of Object.entries(fields)) out[k] = toField(v);
    return { kind: 'object', fields: out as ToFields<M>, ...opts };
  },
  alternate<const O extends readonly Schema[]>(name: string, options: O, doc?: string): AlternateSchema<O> {
    return { kind: 'alternate', name, options, doc };
  },
  /** Marks an object member as optional. */
  optional<S extends Schema>(schema: S, doc?: string): Field<S, true> {
    return { schema, optional: true, doc };
  },
  /** A required member with documentation. */
  field<S extends Schema>(schema: S, doc: string): Field<S, false> {
    return { schema, optional: false, doc };
  },
  /** The empty argument or return object. */
  empty(): ObjectSchema<{}> {
    return { kind: 'object', fields: {} };
  },
};

/** The JSON type name QEMU uses in "expected: ..." messages. */
export function jsonTypeName(s: Schema): string {
  switch (s.kind) {
    case 'str':
    case 'enum':
      return 'string';
    case 'int':
    case 'uint64':
    case 'size':
      return 'integer';
    case 'number':
      return 'number';
    case 'bool':
      return 'boolean';
    case 'null':
      return 'null';
    case 'array':
      return 'array';
    case 'object':
      return 'object';
    case 'any':
      return 'value';
    case 'alternate':
      return s.options.map(jsonTypeName).join(' or ');
  }
}
