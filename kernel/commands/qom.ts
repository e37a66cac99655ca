import { defineCommand } from '../command.js';
import { QmpError } from '../errors.js';
import type { ObjectTree } from '../objects/object-tree.js';
import type { TypeRegistry } from '../objects/type-registry.js';
import { describeSchema } from '../schema/help.js';
import { t } from '../schema/types.js';

const ObjectPropertyInfo = t.object(
  { name: t.str(), type: t.str(), description: t.optional(t.str()), 'default-value': t.optional(t.any()) },
  { name: 'ObjectPropertyInfo' },
);
const ObjectTypeInfo = t.object(
  { name: t.str(), abstract: t.optional(t.bool()), parent: t.optional(t.str()) },
  { name: 'ObjectTypeInfo' },
);

/** Where `object-add` puts objects. */
export const OBJECTS_PATH = '/objects';

function propertyType(types: TypeRegistry, typeName: string, prop: string): string {
  const decl = types.props(typeName).get(prop)!;
  return decl.link ? `link<${decl.link}>` : describeSchema(decl.type);
}

/** The properties and children of an object, as `qom-list` shows them. */
export function listObject(objects: ObjectTree, types: TypeRegistry, path: string) {
  const obj = objects.get(path);
  const props = obj.type === 'container' ? [] : [...types.props(obj.type).keys()].map((name) => ({ name, type: propertyType(types, obj.type, name) }));
  const children = objects.children(path).map((c) => ({ name: c.name, type: `child<${c.type}>` }));
  return [{ name: 'type', type: 'string' }, ...props, ...children];
}

/** QOM inspection and `object-add`/`object-del`. */
export function qomCommands() {
  return [
    defineCommand({
      name: 'qom-list',
      args: t.object({ path: t.str() }),
      returns: t.array(ObjectPropertyInfo),
      phases: 'any',
      kind: 'query',
      doc: 'The properties and children of the object at a path',
      example: '-> { "execute": "qom-list", "arguments": { "path": "/machine" } }\n<- { "return": [ { "name": "type", "type": "string" }, ... ] }',
      handler: ({ path }, ctx) => listObject(ctx.objects, ctx.types, path),
    }),
    defineCommand({
      name: 'qom-get',
      args: t.object({ path: t.str(), property: t.str() }),
      returns: t.any(),
      phases: 'any',
      kind: 'query',
      doc: 'Read one property',
      handler({ path, property }, ctx) {
        const obj = ctx.objects.get(path);
        if (property === 'type') return obj.type;
        if (property === 'realized') return obj.realized;
        if (!ctx.types.props(obj.type).has(property)) throw new QmpError('GenericError', `Property '${property}' not found`);
        return obj.get(property) ?? null;
      },
    }),
    defineCommand({
      name: 'qom-set',
      args: t.object({ path: t.str(), property: t.str(), value: t.any() }),
      returns: t.empty(),
      phases: 'any',
      kind: 'change',
      effects: ['configuration'],
      doc: 'Write one property, when its declaration allows it',
      handler({ path, property, value }, ctx) {
        ctx.objects.set(path, property, value, ctx);
        return {};
      },
    }),
    defineCommand({
      name: 'qom-list-types',
      args: t.object({ implements: t.optional(t.str()), abstract: t.optional(t.bool()) }),
      returns: t.array(ObjectTypeInfo),
      phases: 'any',
      kind: 'query',
      doc: 'Every registered type, optionally those implementing a type or interface',
      handler({ implements: impl, abstract }, ctx) {
        return ctx.types
          .list({ implements: impl, abstract: abstract ? undefined : false })
          .map((d) => ({
            name: d.name,
            ...(d.abstract ? { abstract: true } : {}),
            ...(d.name !== 'object' ? { parent: d.parent ?? 'object' } : {}),
          }));
      },
    }),
    defineCommand({
      name: 'device-list-properties',
      args: t.object({ typename: t.str() }),
      returns: t.array(ObjectPropertyInfo),
      phases: 'any',
      kind: 'query',
      doc: 'The properties a device or object type accepts, with types, defaults and docs',
      handler({ typename }, ctx) {
        if (!ctx.types.has(typename)) throw new QmpError('DeviceNotFound', `Device '${typename}' not found`);
        if (ctx.types.get(typename).abstract) throw new QmpError('GenericError', `Parameter 'typename' expects a non-abstract type`);
        return [...ctx.types.props(typename).values()].map((p) => ({
          name: p.name,
          type: propertyType(ctx.types, typename, p.name),
          ...(p.doc ? { description: p.doc } : {}),
          ...(p.default !== undefined ? { 'default-value': p.default } : {}),
        }));
      },
    }),
    defineCommand({
      name: 'object-add',
      args: t.object({ 'qom-type': t.str(), id: t.str() }, { rest: t.any() }),
      returns: t.empty(),
      phases: 'any',
      kind: 'change',
      effects: ['configuration'],
      doc: 'Create a user-creatable object (a backend: memory, rng, secret...) at /objects/<id>',
      example: '-> { "execute": "object-add", "arguments": { "qom-type": "rng-random", "id": "rng0", "filename": "/dev/urandom" } }\n<- { "return": {} }',
      async handler({ 'qom-type': type, id, ...props }, ctx) {
        if (!ctx.types.isA(type, 'user-creatable')) throw new QmpError('GenericError', `Invalid parameter 'qom-type': '${type}' is not a user-creatable object type`);
        checkId(id);
        const path = `${OBJECTS_PATH}/${id}`;
        await ctx.objects.add(path, type, props, ctx);
        await ctx.objects.realize(path, ctx);
        return {};
      },
    }),
    defineCommand({
      name: 'object-del',
      args: t.object({ id: t.str() }),
      returns: t.empty(),
      phases: 'any',
      kind: 'change',
      effects: ['configuration'],
      doc: 'Delete an object created with object-add',
      async handler({ id }, ctx) {
        const path = `${OBJECTS_PATH}/${id}`;
        if (!ctx.objects.has(path)) throw new QmpError('GenericError', `object '${id}' not found`);
        await ctx.objects.remove(path, ctx);
        return {};
      },
    }),
  ];
}

/** QEMU's id rule: a letter, then letters, digits, '-', '.', '_'. */
export function checkId(id: string): void {
  if (!/^[A-Za-z][A-Za-z0-9_.-]*$/.test(id))
    throw new QmpError('GenericError', `Parameter 'id' expects an identifier (a letter, then letters, digits, '-', '.', '_'): '${id}'`);
}
