import { defineCommand } from '../command.js';
import type { KernelContext } from '../context.js';
import { QmpError } from '../errors.js';
import { phasesBefore, phasesFrom } from '../phase.js';
import { validate } from '../schema/validate.js';
import { t } from '../schema/types.js';
import { GLOBALS_PATH } from './base-types.js';
import { checkId } from './qom.js';

/** Where user devices with an id live. */
export const PERIPHERAL_PATH = '/machine/peripheral';
/** Where user devices without an id live. */
export const PERIPHERAL_ANON_PATH = '/machine/peripheral-anon';

/** `-global` values that apply to a device of `type`, for properties the user did not give. */
function globalsFor(type: string, ctx: KernelContext): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!ctx.objects.has(GLOBALS_PATH)) return out;
  for (const g of ctx.objects.children(GLOBALS_PATH))
    if (ctx.types.isA(type, g.get('driver') as string)) out[g.get('property') as string] = g.get('value');
  return out;
}

function anonPath(ctx: KernelContext): string {
  let n = 0;
  while (ctx.objects.has(`${PERIPHERAL_ANON_PATH}/device[${n}]`)) n++;
  return `${PERIPHERAL_ANON_PATH}/device[${n}]`;
}

/** Finds a user device by id or by absolute path. */
export function devicePath(id: string, ctx: KernelContext): string {
  const path = id.startsWith('/') ? id : `${PERIPHERAL_PATH}/${id}`;
  const obj = ctx.objects.find(path);
  if (!obj || !ctx.types.isA(obj.type, 'device')) throw new QmpError('DeviceNotFound', `Device '${id}' not found`);
  return path;
}

/** Cold-plug and hot-plug of devices, and `-global` defaults. */
export function deviceCommands() {
  return [
    defineCommand({
      name: 'device_add',
      args: t.object(
        { driver: t.field(t.str(), 'Device type'), id: t.optional(t.str(), 'Device id'), bus: t.optional(t.str(), 'Bus to plug into') },
        { rest: t.any() },
      ),
      returns: t.empty(),
      phases: phasesFrom('machine-created'),
      kind: 'change',
      effects: ['configuration'],
      doc: 'Add a device: cold-plugged until machine-ready (realized with the machine), afterwards hot-plugged if its type allows',
      example: '-> { "execute": "device_add", "arguments": { "driver": "virtio-blk-device", "id": "disk0", "drive": "hd0" } }\n<- { "return": {} }',
      async handler({ driver, id, bus, ...props }, ctx) {
        if (!ctx.types.has(driver) || !ctx.types.isA(driver, 'device') || ctx.types.get(driver).abstract)
          throw new QmpError('GenericError', `'${driver}' is not a valid device model name`);
        const hot = ctx.phase === 'machine-ready';
        if (hot && !ctx.types.hotpluggable(driver))
          throw new QmpError('GenericError', `Device '${driver}' can not be hotplugged on this machine`);
        if (bus !== undefined) {
          if (!ctx.types.props(driver).has('bus')) throw new QmpError('GenericError', `Bus '${bus}' not found`);
          (props as Record<string, unknown>).bus = bus;
        }
        if (id !== undefined) checkId(id);
        const path = id !== undefined ? `${PERIPHERAL_PATH}/${id}` : anonPath(ctx);
        if (id !== undefined && ctx.objects.has(path)) throw new QmpError('GenericError', `Duplicate device ID '${id}' for device`);
        await ctx.objects.add(path, driver, { ...globalsFor(driver, ctx), ...props }, ctx);
        if (hot) await ctx.objects.realize(path, ctx);
        return {};
      },
    }),
    defineCommand({
      name: 'device_del',
      args: t.object({ id: t.field(t.str(), 'Device id or QOM path') }),
      returns: t.empty(),
      phases: phasesFrom('machine-created'),
      kind: 'change',
      effects: ['configuration'],
      doc: 'Remove a device; once the machine is ready only hot-pluggable devices can go. Emits DEVICE_DELETED',
      async handler({ id }, ctx) {
        const path = devicePath(id, ctx);
        const obj = ctx.objects.get(path);
        if (ctx.phase === 'machine-ready' && !ctx.types.hotpluggable(obj.type))
          throw new QmpError('GenericError', `Device '${id}' does not support hotplugging`);
        await ctx.objects.remove(path, ctx);
        ctx.emit('DEVICE_DELETED', { ...(id.startsWith('/') ? {} : { device: id }), path });
        return {};
      },
    }),
    defineCommand({
      name: 'global-set',
      args: t.object({ driver: t.str(), property: t.str(), value: t.any() }),
      returns: t.empty(),
      phases: phasesBefore('machine-ready'),
      kind: 'change',
      effects: ['configuration'],
      doc: 'Set a default property value for every device of a type created afterwards (-global driver.property=value)',
      async handler({ driver, property, value }, ctx) {
        if (!ctx.types.has(driver)) throw new QmpError('GenericError', `-global: unknown driver '${driver}'`);
        const prop = ctx.types.props(driver).get(property);
        if (!prop) throw new QmpError('GenericError', `Property '${driver}.${property}' not found`);
        validate(prop.type, value, property);
        const path = `${GLOBALS_PATH}/${driver}.${property}`;
        if (ctx.objects.has(path)) await ctx.objects.remove(path, ctx);
        await ctx.objects.add(path, 'global-property', { driver, property, value }, ctx);
        return {};
      },
    }),
  ];
}
