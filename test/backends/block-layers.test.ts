/**
 * libvirt's disks: a `file` node for the image, a `raw` format node on it
 * named by its node-name, and the device on the format node.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKernel, type Kernel } from '../../kernel/index.js';
import { DEFAULT_PLUGINS } from '../../main/default-plugins.js';

const API = { transport: 'qmp', endpoint: 'test' } as const;
let kernel: Kernel;
let image: string;
beforeEach(async () => {
  kernel = await createKernel({ plugins: [...DEFAULT_PLUGINS] });
  image = join(mkdtempSync(join(tmpdir(), 'vmledger-block-')), 'disk.img');
  writeFileSync(image, Buffer.alloc(64 * 1024));
});
afterEach(async () => kernel.close());

const run = (command: string, args: Record<string, unknown>) => kernel.execute(command, args, API);
const storage = () => run('blockdev-add', { driver: 'file', filename: image, 'node-name': 'storage', 'auto-read-only': true, discard: 'unmap', cache: { direct: false, 'no-flush': false } });

describe('a raw node over a file node', () => {
  it("serves the file node's image to a device, and query-block shows it as raw over the file", async () => {
    await storage();
    await run('blockdev-add', { driver: 'raw', 'node-name': 'format', file: 'storage', 'read-only': false, discard: 'unmap' });
    await run('machine-set', { type: 'virt' });
    await run('device_add', { driver: 'virtio-blk-device', drive: 'format', id: 'disk0', bootindex: 1 });
    await run('until-phase', { phase: 'machine-ready' });
    const nodes = (await run('query-block', {})) as Array<{ inserted: { 'node-name': string; drv: string; file: string; image: { 'virtual-size': number } }; 'in-use': boolean }>;
    expect(nodes.map((n) => [n.inserted['node-name'], n.inserted.drv, n.inserted.file, n.inserted.image['virtual-size'], n['in-use']])).toEqual([
      ['storage', 'file', image, 65536, true],
      ['format', 'raw', image, 65536, true],
    ]);
  });

  it('names a file node that is not there, as QEMU does', async () => {
    await expect(run('blockdev-add', { driver: 'raw', 'node-name': 'format', file: 'nope' })).rejects.toMatchObject({ desc: "Cannot find device='' nor node-name='nope'" });
  });

  it('refuses a read-only raw node over a writable file node, which would let the guest write through it', async () => {
    await storage();
    await expect(run('blockdev-add', { driver: 'raw', 'node-name': 'format', file: 'storage', 'read-only': true })).rejects.toMatchObject({
      desc: "raw node 'format' is read-only but its file node 'storage' is writable: open the file node with read-only=on",
    });
  });

  it('keeps the file node while a raw node is on top of it', async () => {
    await storage();
    await run('blockdev-add', { driver: 'raw', 'node-name': 'format', file: 'storage' });
    await expect(run('blockdev-del', { 'node-name': 'storage' })).rejects.toMatchObject({ desc: "Node 'storage' is busy: node 'format' is on top of it" });
    await run('blockdev-del', { 'node-name': 'format' });
    await run('blockdev-del', { 'node-name': 'storage' });
  });
});
