import { QmpError } from '../errors.js';
import { jsonTypeName, type Field, type Fields, type Schema, type Static } from './types.js';

/** Each object schema's members as a list, made once: every command's arguments are checked against one. */
const memberLists = new WeakMap<Fields, ReadonlyArray<readonly [string, Field]>>();

function members(fields: Fields): ReadonlyArray<readonly [string, Field]> {
  let list = memberLists.get(fields);
  if (list === undefined) {
    list = Object.entries(fields);
    memberLists.set(fields, list);
  }
  return list;
}

function invalidType(path: string, s: Schema): QmpError {
  return new QmpError('GenericError', `Invalid parameter type for '${path}', expected: ${jsonTypeName(s)}`);
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function matches(s: Schema, v: unknown): boolean {
  switch (s.kind) {
    case 'str':
    case 'enum':
      return typeof v === 'string';
    case 'int':
    case 'size':
    case 'uint64':
      return typeof v === 'number' && Number.isInteger(v);
    case 'number':
      return typeof v === 'number';
    case 'bool':
      return typeof v === 'boolean';
    case 'null':
      return v === null;
    case 'array':
      return Array.isArray(v);
    case 'object':
      return typeof v === 'object' && v !== null && !Array.isArray(v);
    case 'any':
      return true;
    case 'alternate':
      return s.options.some((o: Schema) => matches(o, v));
  }
}

/**
 * Checks `value` against `schema` and returns it, throwing the QMP error
 * QEMU would give (`Parameter 'driver' is missing`, `Parameter 'x' is
 * unexpected`, `Invalid parameter type for 'size', expected: integer`).
 * `path` names the value in messages; members join it with dots.
 */
export function validate<S extends Schema>(schema: S, value: unknown, path = ''): Schema extends S ? unknown : Static<S> {
  check(schema, value, path);
  return value as Schema extends S ? unknown : Static<S>;
}

/** Refuses a number outside its declared range, saying what the range is. */
function checkRange(s: Schema, v: number, path: string): void {
  const range = 'range' in s ? s.range : undefined;
  if (!range || ((range.min === undefined || v >= range.min) && (range.max === undefined || v <= range.max))) return;
  const bounds =
    range.min !== undefined && range.max !== undefined ? `from ${range.min} to ${range.max}` : range.min !== undefined ? `of at least ${range.min}` : `of at most ${range.max}`;
  throw new QmpError('GenericError', `Parameter '${path}' expects a value ${bounds}`);
}

function check(s: Schema, v: unknown, path: string): void {
  if (!matches(s, v)) throw invalidType(path || 'arguments', s);
  switch (s.kind) {
    case 'int':
      if (!Number.isSafeInteger(v)) throw new QmpError('GenericError', `Parameter '${path}' is out of range`);
      return checkRange(s, v as number, path);
    case 'number':
      return checkRange(s, v as number, path);
    case 'size':
    case 'uint64':
      if ((v as number) < 0 || !Number.isSafeInteger(v))
        throw new QmpError('GenericError', `Parameter '${path}' expects a non-negative integer below 2^53`);
      return checkRange(s, v as number, path);
    case 'enum':
      if (!s.values.includes(v as string))
        throw new QmpError('GenericError', `Parameter '${path}' does not accept value '${v}'`);
      return;
    case 'array':
      (v as unknown[]).forEach((item, i) => check(s.items, item, `${path}[${i}]`));
      return;
    case 'object': {
      const obj = v as Record<string, unknown>;
      for (const [key, field] of members(s.fields as Fields)) {
        if (obj[key] === undefined) {
          if (!field.optional) throw new QmpError('GenericError', `Parameter '${join(path, key)}' is missing`);
        } else check(field.schema, obj[key], join(path, key));
      }
      for (const key of Object.keys(obj)) {
        // Own members only: `constructor` is "in" every object.
        if (Object.hasOwn(s.fields, key)) continue;
        if (!s.rest) throw new QmpError('GenericError', `Parameter '${join(path, key)}' is unexpected`);
        check(s.rest, obj[key], join(path, key));
      }
      return;
    }
    case 'alternate': {
      const chosen = s.options.find((o: Schema) => matches(o, v))!;
      check(chosen, v, path);
      return;
    }
  }
}
