import { defineCommand, fail, QmpError, t, type KernelContext } from '../../../kernel/index.js';
import type { CharBackendBase } from './char-base.js';
import { RingbufChardev } from './simple.js';
import { CHARDEVS_PATH } from './types.js';

/** QEMU's legacy socket address: `{type: 'unix', data: {path}}` or `{type: 'inet', data: {host, port}}`. */
const SocketAddressLegacy = t.object(
  {
    type: t.field(t.str(), "Address family: 'unix' or 'inet'"),
    data: t.optional(t.object({ path: t.optional(t.host('socket', 'rw'), 'Unix socket path') }, { name: 'SocketAddressData', rest: t.any() })),
  },
  { name: 'SocketAddressLegacy' },
);

/** The members every back-end kind may take, as QEMU's ChardevBackend variants name them; the host resources are marked. */
const ChardevData = t.object(
  {
    out: t.optional(t.host('file', 'rw'), "file: output file (truncated unless 'append')"),
    in: t.optional(t.host('file', 'r'), 'file: input file'),
    addr: t.optional(SocketAddressLegacy, 'socket: where to listen or connect'),
    'tls-creds': t.optional(t.str(), 'socket: id of TLS credentials'),
  },
  { name: 'ChardevCommon', rest: t.any() },
);

const ChardevBackend = t.object(
  {
    type: t.field(t.enum('ChardevBackendKind', ['null', 'stdio', 'file', 'socket', 'ringbuf', 'memory']), 'Back-end kind'),
    data: t.optional(ChardevData, 'Kind-specific options, as QEMU\'s ChardevBackend'),
  },
  { name: 'ChardevBackend' },
);

/** QEMU's nested `{addr: {type: 'unix', data: {path}}}` becomes the flat properties of `chardev-socket`. */
function socketProps(data: Record<string, any>): Record<string, unknown> {
  const addr = data.addr ?? fail("Parameter 'addr' is missing");
  const a = addr.data ?? addr;
  const common = { server: data.server ?? true, wait: data.wait ?? false, ...(data['tls-creds'] !== undefined ? { 'tls-creds': data['tls-creds'] } : {}) };
  if (addr.type === 'unix') return { path: a.path, ...common };
  if (addr.type === 'inet') return { host: a.host, port: Number(a.port), ...common };
  fail(`Unsupported socket address type '${String(addr.type)}'`);
}

/** Flat object properties from a QMP `ChardevBackend`. */
function propsFor(kind: string, data: Record<string, any>): [string, Record<string, unknown>] {
  const mux = data.mux === undefined ? {} : { mux: data.mux };
  switch (kind) {
    case 'file':
      return ['chardev-file', { path: data.out ?? fail("Parameter 'out' is missing"), append: data.append, input: data.in, ...mux }];
    case 'socket':
      return ['chardev-socket', { ...socketProps(data), ...mux }];
    case 'stdio':
      return ['chardev-stdio', { ...(data.signal === undefined ? {} : { signal: data.signal }), ...mux }];
    case 'ringbuf':
    case 'memory':
      return ['chardev-ringbuf', { size: data.size, ...mux }];
    default:
      return [`chardev-${kind}`, mux];
  }
}

function chardev(ctx: KernelContext, id: string): CharBackendBase {
  const obj = ctx.objects.find(`${CHARDEVS_PATH}/${id}`);
  if (!obj) throw new QmpError('DeviceNotFound', `Chardev '${id}' not found`);
  return obj.runtime as CharBackendBase;
}

/**
 * The ring buffer behind chardev `id`, checked by its type (configuration)
 * rather than by its runtime: during replay every chardev is a null one, and
 * a logged ringbuf-write must still replay. Undefined then: there is no guest
 * to feed and nothing to read.
 */
function ringbuf(ctx: KernelContext, id: string): RingbufChardev | undefined {
  const obj = ctx.objects.find(`${CHARDEVS_PATH}/${id}`);
  if (!obj) throw new QmpError('DeviceNotFound', `Chardev '${id}' not found`);
  if (obj.type !== 'chardev-ringbuf') fail(`${id} is not a ringbuf device`);
  return obj.runtime instanceof RingbufChardev ? obj.runtime : undefined;
}

const Format = t.enum('DataFormat', ['utf8', 'base64']);

/** chardev-add, chardev-remove, query-chardev, ringbuf-read, ringbuf-write. */
export const CHARDEV_COMMANDS = [
  defineCommand({
    name: 'chardev-add',
    args: t.object({ id: t.field(t.str(), 'Chardev id'), backend: ChardevBackend }),
    returns: t.empty(),
    phases: 'any',
    kind: 'change',
    effects: ['configuration'],
    doc: 'Add a character device back-end at /chardevs/<id>',
    example:
      '-> { "execute": "chardev-add", "arguments": { "id": "serial0", "backend": { "type": "socket", "data": { "addr": { "type": "unix", "data": { "path": "/tmp/s" } }, "server": true, "wait": false } } } }\n<- { "return": {} }',
    async handler({ id, backend }, ctx) {
      if (!/^[A-Za-z][A-Za-z0-9_.-]*$/.test(id)) fail(`Parameter 'id' expects an identifier`);
      const path = `${CHARDEVS_PATH}/${id}`;
      if (ctx.objects.has(path)) fail(`attempt to add duplicate property '${id}' to object (type 'container')`);
      const [type, props] = propsFor(backend.type, (backend.data ?? {}) as Record<string, unknown>);
      await ctx.objects.add(path, type, props, ctx);
      try {
        await ctx.objects.realize(path, ctx);
      } catch (e) {
        throw e instanceof QmpError ? e : new QmpError('GenericError', `chardev '${id}': ${(e as Error).message}`);
      }
      return {};
    },
  }),
  defineCommand({
    name: 'chardev-remove',
    args: t.object({ id: t.str() }),
    returns: t.empty(),
    phases: 'any',
    kind: 'change',
    effects: ['configuration'],
    doc: 'Remove a character device back-end that no device uses',
    async handler({ id }, ctx) {
      if (chardev(ctx, id)?.frontendOpen) fail(`Chardev '${id}' is busy`);
      await ctx.objects.remove(`${CHARDEVS_PATH}/${id}`, ctx);
      return {};
    },
  }),
  defineCommand({
    name: 'query-chardev',
    args: t.empty(),
    returns: t.array(t.object({ label: t.str(), filename: t.str(), 'frontend-open': t.bool() }, { name: 'ChardevInfo' })),
    phases: 'any',
    kind: 'query',
    doc: 'List the character devices',
    example: '-> { "execute": "query-chardev" }\n<- { "return": [ { "label": "serial0", "filename": "stdio", "frontend-open": true } ] }',
    handler(_args, ctx) {
      if (!ctx.objects.has(CHARDEVS_PATH)) return [];
      return ctx.objects.children(CHARDEVS_PATH).map((o) => {
        const c = o.runtime as CharBackendBase | undefined;
        return { label: o.name, filename: c?.describe() ?? 'null', 'frontend-open': c?.frontendOpen ?? false };
      });
    },
  }),
  defineCommand({
    name: 'ringbuf-read',
    args: t.object({ device: t.str(), size: t.int(), format: t.optional(Format) }),
    returns: t.str(),
    phases: 'any',
    kind: 'query',
    doc: 'Take up to size bytes of what the device wrote into a ringbuf chardev',
    example: '-> { "execute": "ringbuf-read", "arguments": { "device": "foo", "size": 1000, "format": "utf8" } }\n<- { "return": "abcdefgh" }',
    handler({ device, size, format }, ctx) {
      if (size < 0) fail("size must be greater than zero");
      const data = ringbuf(ctx, device)?.read(size) ?? new Uint8Array(0);
      return format === 'base64' ? Buffer.from(data).toString('base64') : new TextDecoder().decode(data);
    },
  }),
  defineCommand({
    name: 'ringbuf-write',
    args: t.object({ device: t.str(), data: t.str(), format: t.optional(Format) }),
    returns: t.empty(),
    phases: 'any',
    kind: 'change',
    effects: ['guest-io'],
    doc: 'Send data to the device behind a ringbuf chardev',
    example: '-> { "execute": "ringbuf-write", "arguments": { "device": "foo", "data": "abcdefgh", "format": "utf8" } }\n<- { "return": {} }',
    handler({ device, data, format }, ctx) {
      const bytes = format === 'base64' ? new Uint8Array(Buffer.from(data, 'base64')) : new TextEncoder().encode(data);
      ringbuf(ctx, device)?.inject(bytes);
      return {};
    },
  }),
];
