import type { Fields, HostMark, Schema } from './types.js';

/** A member that names a host resource: where it is (`backend.data.out`, `[]` for array items) and what it names. */
export interface HostField {
  readonly path: string;
  readonly mark: HostMark;
}

/** A host resource a value names: the member, its mark and the string it holds. */
export interface HostValue extends HostField {
  readonly value: string;
}

const join = (path: string, key: string): string => (path ? `${path}.${key}` : key);

/** Every member of a schema declared with `t.host`, however deep (objects, arrays, alternates). */
export function hostFields(schema: Schema, path = ''): HostField[] {
  switch (schema.kind) {
    case 'str':
      return schema.host ? [{ path, mark: schema.host }] : [];
    case 'array':
      return hostFields(schema.items, `${path}[]`);
    case 'object':
      return Object.entries(schema.fields as Fields).flatMap(([k, f]) => hostFields(f.schema, join(path, k)));
    case 'alternate':
      return schema.options.flatMap((o: Schema) => hostFields(o, path));
    default:
      return [];
  }
}

/** The host resources `value` names, by the marks in `schema`. */
export function hostValues(schema: Schema | undefined, value: unknown, path = ''): HostValue[] {
  if (!schema || value === undefined || value === null) return [];
  switch (schema.kind) {
    case 'str':
      return schema.host && typeof value === 'string' ? [{ path, mark: schema.host, value }] : [];
    case 'array':
      return Array.isArray(value) ? value.flatMap((v) => hostValues(schema.items, v, `${path}[]`)) : [];
    case 'object':
      if (typeof value !== 'object' || Array.isArray(value)) return [];
      return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => hostValues((schema.fields as Fields)[k]?.schema ?? schema.rest, v, join(path, k)));
    case 'alternate':
      return schema.options.flatMap((o: Schema) => hostValues(o, value, path));
    default:
      return [];
  }
}
