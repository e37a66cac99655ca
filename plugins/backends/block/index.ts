import { defineCommand, definePlugin, fail, QmpError, t, type ObjectTypeDecl } from '../../../kernel/index.js';
import { FileBlockBackend } from './file-backend.js';

export { FileBlockBackend } from './file-backend.js';

/** Where block nodes live in the object tree. */
export const BLOCKDEVS_PATH = '/blockdevs';

/** A raw image file node (`blockdev-add driver=file`); opened at realize through the broker, never during replay. */
export const blockdevFile: ObjectTypeDecl = {
  name: 'blockdev-file',
  parent: 'object',
  doc: 'A block node backed by a raw image file',
  props: {
    filename: { type: t.host('file', 'rw'), doc: 'Image file', settable: 'create' },
    'read-only': { type: t.bool(), default: false, doc: 'Refuse guest writes', settable: 'create' },
    snapshot: { type: t.bool(), default: false, doc: 'Keep guest writes in a temporary copy-on-write overlay; the file never changes', settable: 'create' },
  },
  async realize(obj, ctx) {
    if (ctx.mode === 'replay') return;
    const filename = obj.get('filename') as string;
    obj.runtime = await FileBlockBackend.open(filename, ctx.broker, obj.get('read-only') === true, obj.get('snapshot') === true);
  },
  unrealize(obj) {
    (obj.runtime as FileBlockBackend | undefined)?.close();
    obj.runtime = undefined;
  },
};

const BlockdevAdd = t.object(
  {
    driver: t.field(t.enum('BlockdevDriver', ['file', 'raw']), "'file', or 'raw' over a 'file' child"),
    'node-name': t.field(t.str(), 'Node name'),
    filename: t.optional(t.host('file', 'rw'), "Image file (driver 'file')"),
    file: t.optional(t.object({ driver: t.str(), filename: t.host('file', 'rw') }, { name: 'BlockdevRef' }), "The 'file' child of a 'raw' node"),
    'read-only': t.optional(t.bool()),
    snapshot: t.optional(t.bool()),
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
      const filename = args.driver === 'raw' ? (args.file?.filename ?? fail("Parameter 'file' is missing")) : (args.filename ?? fail("Parameter 'filename' is missing"));
      const path = `${BLOCKDEVS_PATH}/${args['node-name']}`;
      if (ctx.objects.has(path)) fail(`Duplicate nodes with node-name='${args['node-name']}'`);
      await ctx.objects.add(path, 'blockdev-file', { filename, 'read-only': args['read-only'], snapshot: args.snapshot }, ctx);
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
        return {
          device: '',
          locked: false,
          removable: false,
          type: 'unknown',
          inserted: {
            'node-name': o.name,
            file: o.get('filename'),
            ro: o.get('read-only') === true,
            drv: 'file',
            'backing_file_depth': 0,
            image: { filename: o.get('filename'), format: 'raw', 'virtual-size': b?.size ?? 0 },
          },
          'in-use': (b?.users ?? 0) > 0,
        };
      });
    },
  }),
];

/** The `file` block driver and its commands. */
export const blockPlugin = definePlugin({
  name: 'block',
  version: '0.1.0',
  setup(host) {
    host.type(blockdevFile);
    for (const cmd of BLOCK_COMMANDS) host.command(cmd);
  },
});

export default blockPlugin;
