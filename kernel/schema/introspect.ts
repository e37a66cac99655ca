import type { CommandDecl, EventDecl } from '../command.js';
import type { Fields, Schema } from './types.js';

/** One entry of `query-qmp-schema`, in QAPI's SchemaInfo shape. */
export type SchemaInfo = { name: string; 'meta-type': string } & Record<string, unknown>;

const BUILTIN_JSON_TYPE: Record<string, string> = {
  str: 'string',
  int: 'int',
  uint64: 'int',
  size: 'int',
  number: 'number',
  bool: 'boolean',
  any: 'value',
  null: 'null',
};

/**
 * Builds QAPI introspection for every command and event: each named type
 * appears once; anonymous argument and return objects get QEMU-style
 * implicit names (`q_obj_<command>-arg`).
 */
export function introspect(commands: readonly CommandDecl[], events: readonly EventDecl[]): SchemaInfo[] {
  const out = new Map<string, SchemaInfo>();

  const nameOf = (s: Schema, implicit: string): string => {
    switch (s.kind) {
      case 'enum':
        if (!out.has(s.name))
          out.set(s.name, { name: s.name, 'meta-type': 'enum', values: [...s.values], members: s.values.map((v: string) => ({ name: v })) });
        return s.name;
      case 'array': {
        const element = nameOf(s.items, `${implicit}-element`);
        const name = `[${element}]`;
        if (!out.has(name)) out.set(name, { name, 'meta-type': 'array', 'element-type': element });
        return name;
      }
      case 'object': {
        const fields = Object.entries(s.fields as Fields);
        const name = s.name ?? (fields.length === 0 && !s.rest ? 'q_empty' : implicit);
        if (out.has(name)) return name;
        out.set(name, { name, 'meta-type': 'object', members: [] });
        const members = fields.map(([member, f]) => ({
          name: member,
          type: nameOf(f.schema, `q_obj_${name}-${member}`),
          ...(f.optional ? { default: null } : {}),
        }));
        out.set(name, { name, 'meta-type': 'object', members });
        return name;
      }
      case 'alternate': {
        if (!out.has(s.name)) {
          out.set(s.name, { name: s.name, 'meta-type': 'alternate', members: [] });
          out.set(s.name, {
            name: s.name,
            'meta-type': 'alternate',
            members: s.options.map((o: Schema, i: number) => ({ type: nameOf(o, `${s.name}-${i}`) })),
          });
        }
        return s.name;
      }
      default:
        if (!out.has(s.kind)) out.set(s.kind, { name: s.kind, 'meta-type': 'builtin', 'json-type': BUILTIN_JSON_TYPE[s.kind] });
        return s.kind;
    }
  };

  for (const c of commands) {
    const entry = {
      'arg-type': nameOf(c.args, `q_obj_${c.name}-arg`),
      'ret-type': nameOf(c.returns, `q_obj_${c.name}-ret`),
    };
    for (const name of [c.name, ...(c.aliases ?? [])]) out.set(`command:${name}`, { name, 'meta-type': 'command', ...entry });
  }
  for (const e of events) out.set(`event:${e.name}`, { name: e.name, 'meta-type': 'event', 'arg-type': nameOf(e.data, `q_obj_${e.name}-arg`) });
  return [...out.values()];
}
