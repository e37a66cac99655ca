import { defineCommand, definePlugin, fail, QmpError, t, type ObjectTypeDecl } from '../../../kernel/index.js';
import { FileBlockBackend } from './file-backend.js';

export { FileBlockBackend } from './file-backend.js';

/** Where block nodes live in the object tree. */
export const BLOCKDEVS_PATH = '/blockdevs';

/** The abstract type of every block node, what a device's `drive` links to. */
export const BLOCK_NODE = 'block-node';

/** A raw image file node (`blockdev-add driver=file`); opened at realize through the broker, never during replay. */
export const blockdevFile: ObjectTypeDecl = {
  name: 'blockdev-file',
  parent: BLOCK_NODE,
  doc: 'A block node backed by a raw image file',
  props: {
    filename: { type: t.host('file', 'rw'), doc: 'Image file', settable: 'create' },
    'read-only': { type: t.bool(), default: false, doc: 'Refuse guest writes', settable: 'create' },
    'auto-read-only': { type: t.bool(), default: false, doc: 'Open the file read-only when it cannot be written (QEMU auto-read-only)', settable: 'create' },
    snapshot: { type: t.bool(), default: false, doc: 'Keep guest writes in a temporary copy-on-write overlay; the file never changes', settable: 'create' },
  },
  async realize(obj, ctx) {
    if (ctx.mode === 'replay') return;
    const filename = obj.get('filename') as string;
    obj.runtime = await FileBlockBackend.open(filename, ctx.broker, obj.get('read-only') === true, obj.get('snapshot') === true, obj.get('auto-read-only') === true);
  },
  unrealize(obj) {
    (obj.runtime as FileBlockBackend | undefined)?.close();
    obj.runtime = undefined;
  },
};

/**
 * A `raw` format node over a `file` node added before it, as libvirt builds
 * every disk (`-blockdev '{"driver":"raw","node-name":"libvirt-1-format","file":"libvirt-1-storage"}'`):
 * raw is the identity format, so the node reads and writes its file node's image.
 */
export const blockdevRaw: ObjectTypeDecl = {
  name: 'blockdev-raw',
  parent: BLOCK_NODE,
  doc: "A raw format node over a file node (QEMU's driver=raw with file=NODE)",
  props: {
    file: { type: t.str(), doc: 'Node name of the file node below', settable: 'create', link: 'blockdev-file' },
  },
  realize(obj, ctx) {
    obj.runtime = ctx.objects.get(`${BLOCKDEVS_PATH}/${obj.get('file') as string}`).runtime;
  },
  unrealize(obj) {
    obj.runtime = undefined;
  },
};

/** How the host does the I/O, which a guest cannot tell apart: QEMU's values are accepted (vmledger reads and writes synchronously). */
const HOST_IO = {
  cache: t.optional(t.object({ direct: t.optional(t.bool()), 'no-flush': t.optional(t.bool()) }, { name: 'BlockdevCacheOptions' }), 'Accepted: vmledger writes through to the file'),
  discard: t.optional(t.enum('BlockdevDiscardOptions', ['ignore', 'unmap']), 'Accepted: discard requests are not passed to the file'),
  'detect-zeroes': t.optional(t.enum('BlockdevDetectZeroesOptions', ['off', 'on', 'unmap']), 'Accepted: zeroes are written as data'),
  aio: t.optional(t.enum('BlockdevAioOptions', ['threads', 'native', 'io_uring']), 'Accepted: I/O is synchronous'),
};

const BlockdevAdd = t.object(
  {
    driver: t.field(t.enum('BlockdevDriver', ['file', 'raw']), "'file', or 'raw' over a 'file' child (inline, or the node-name of a file node)"),
    'node-name': t.field(t.str(), 'Node name'),
    filename: t.optional(t.host('file', 'rw'), "Image file (driver 'file')"),
    file: t.optional(
      t.alternate('BlockdevRefOrNull', [t.str(), t.object({ driver: t.str(), filename: t.host('file', 'rw') }, { name: 'BlockdevRef' })]),
      "The 'file' child of a 'raw' node: the node-name of a file node, or one inline",
    ),
    'read-only': t.optional(t.bool()),
    'auto-read-only': t.optional(t.bool(), 'A file that cannot be written is opened read-only'),
    snapshot: t.optional(t.bool()),
    ...HOST_IO,
  },
  { name: 'BlockdevOptions' },
);

/** blockdev-add, blockdev-del, query-block. */
export const BLOCK_COMMANDS = [
  defineCommand({
    name: 'blockdev-add',
    args: BlockdevAdd,
    returns: t.empty(),
    phases: 'any',
    kind: 'change',
    effects: ['configuration'],
    doc: 'Open a raw image as a block node at /blockdevs/<node-name>',
    example: '-> { "execute": "blockdev-add", "arguments": { "driver": "file", "node-name": "disk0", "filename": "/srv/disk.img" } }\n<- { "return": {} }',
    async handler(args, ctx) {
      const path = `${BLOCKDEVS_PATH}/${args['node-name']}`;
      if (ctx.objects.has(path)) fail(`Duplicate nodes with node-name='${args['node-name']}'`);
      if (args.driver === 'raw' && typeof args.file === 'string') {
        const below = ctx.objects.find(`${BLOCKDEVS_PATH}/${args.file}`);
        if (!below || below.type !== 'blockdev-file') fail(`Cannot find device='' nor node-name='${args.file}'`);
        // The raw node is the file node's image: it cannot promise less than the file node gives.
        if (args['read-only'] && below.get('read-only') !== true && below.get('snapshot') !== true)
          fail(`raw node '${args['node-name']}' is read-only but its file node '${args.file}' is writable: open the file node with read-only=on`);
        await ctx.objects.add(path, 'blockdev-raw', { file: args.file }, ctx);
      } else {
        const filename = args.driver === 'raw' ? ((args.file as { filename?: string } | undefined)?.filename ?? fail("Parameter 'file' is missing")) : (args.filename ?? fail("Parameter 'filename' is missing"));
        await ctx.objects.add(path, 'blockdev-file', { filename, 'read-only': args['read-only'], 'auto-read-only': args['auto-read-only'], snapshot: args.snapshot }, ctx);
      }
      await ctx.objects.realize(path, ctx);
      return {};
    },
  }),
  defineCommand({
    name: 'blockdev-del',
    args: t.object({ 'node-name': t.str() }),
    returns: t.empty(),
    phases: 'any',
    kind: 'change',
    effects: ['configuration'],
    doc: 'Close a block node no device uses',
    async handler(args, ctx) {
      const path = `${BLOCKDEVS_PATH}/${args['node-name']}`;
      const obj = ctx.objects.find(path);
      if (!obj) throw new QmpError('GenericError', `Failed to find node with node-name='${args['node-name']}'`);
      if ((obj.runtime as FileBlockBackend | undefined)?.users) fail(`Node '${args['node-name']}' is busy: it is attached to a device`);
      const above = ctx.objects.children(BLOCKDEVS_PATH).find((o) => o.type === 'blockdev-raw' && o.get('file') === args['node-name']);
      if (above) fail(`Node '${args['node-name']}' is busy: node '${above.name}' is on top of it`);
      await ctx.objects.remove(path, ctx);
      return {};
    },
  }),
  defineCommand({
    name: 'query-block',
    args: t.empty(),
    returns: t.array(t.any()),
    phases: 'any',
    kind: 'query',
    doc: 'List block nodes with their image and whether a device uses them',
    example: '-> { "execute": "query-block" }\n<- { "return": [ { "device": "", "qdev": "", "inserted": { "node-name": "disk0", "file": "/srv/disk.img", "ro": false, "drv": "file" } } ] }',
    handler(_args, ctx) {
      if (!ctx.objects.has(BLOCKDEVS_PATH)) return [];
      return ctx.objects.children(BLOCKDEVS_PATH).map((o) => {
        const b = o.runtime as FileBlockBackend | undefined;
        const raw = o.type === 'blockdev-raw';
        const filename = (raw ? ctx.objects.get(`${BLOCKDEVS_PATH}/${o.get('file') as string}`) : o).get('filename');
        return {
          device: '',
          locked: false,
          removable: false,
          type: 'unknown',
          inserted: {
            'node-name': o.name,
            file: filename,
            ro: b?.readOnly ?? o.get('read-only') === true,
            drv: raw ? 'raw' : 'file',
            'backing_file_depth': 0,
            image: { filename, format: 'raw', 'virtual-size': b?.size ?? 0 },
          },
          'in-use': (b?.users ?? 0) > 0,
        };
      });
    },
  }),
];

/** The `file` and `raw` block drivers and their commands. */
export const blockPlugin = definePlugin({
  name: 'block',
  version: '0.1.0',
  setup(host) {
    host.type({ name: BLOCK_NODE, parent: 'object', abstract: true, doc: 'A block node: what a disk device reads and writes (drive=NODE)' });
    host.type(blockdevFile);
    host.type(blockdevRaw);
    for (const cmd of BLOCK_COMMANDS) host.command(cmd);
  },
});

export default blockPlugin;
