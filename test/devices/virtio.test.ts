import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom, filter } from 'rxjs';
import { describe, expect, it } from 'vitest';
import blockPlugin from '../../plugins/backends/block/index.js';
import objectsPlugin from '../../plugins/backends/objects/index.js';
import { boardOf } from '../../plugins/machines/virt/index.js';
import { hwKernel, run } from '../machines/helpers.js';
import { TestVirtioDriver } from './virtio-driver.js';

const SLOT = (i: number) => 0x10001000 + 0x1000 * i;
const BUF = 0x80200000;

function image(bytes = 4096): string {
  const file = join(mkdtempSync(join(tmpdir(), 'blk-')), 'disk.img');
  const data = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) data[i] = i & 0xff;
  writeFileSync(file, data);
  return file;
}

async function machineWithDisk(opts: Record<string, unknown> = {}, devOpts: Record<string, unknown> = {}) {
  const k = await hwKernel([blockPlugin, objectsPlugin]);
  const file = image();
  await run(
    k,
    ['blockdev-add', { driver: 'file', 'node-name': 'disk0', filename: file, ...opts }],
    ['machine-set', { type: 'virt' }],
    ['until-phase', { phase: 'machine-initialized' }],
    ['device_add', { driver: 'virtio-blk-device', id: 'vda', drive: 'disk0', ...devOpts }],
    ['until-phase', { phase: 'machine-ready' }],
  );
  const board = boardOf(k.objects.get('/machine'));
  // The first -device lands in the highest slot, as on QEMU's virt.
  const drv = new TestVirtioDriver(board.memory, SLOT(7));
  drv.init();
  return { k, board, drv, file };
}


function header(board: ReturnType<typeof boardOf>, type: number, sector: number): void {
  board.memory.write(BUF, 4, type, 0);
  board.memory.write(BUF + 8, 8, sector, 0);
}

describe('virtio-mmio transport with virtio-blk', () => {
  it('answers as a v2 block device with its capacity in sectors', async () => {
    const { drv } = await machineWithDisk();
    expect(drv.reg(0x000)).toBe(0x74726976);
    expect(drv.reg(0x004)).toBe(2);
    expect(drv.reg(0x008)).toBe(2);
    expect(drv.reg(0x100)).toBe(8); // 4096 bytes = 8 sectors
  });

  it('leaves the other slots answering as empty transports (device ID 0)', async () => {
    const { board } = await machineWithDisk();
    expect(board.memory.read32(SLOT(0) + 8)).toBe(0);
    expect(board.memory.read32(SLOT(0))).toBe(0x74726976);
  });

  it('reads sectors into guest memory', async () => {
    const { board, drv } = await machineWithDisk();
    header(board, 0, 1);
    const used = drv.submit([[BUF, 16, false], [BUF + 0x100, 512, true], [BUF + 0x400, 1, true]]);
    expect(used).toBe(513);
    expect(board.memory.readBytes(BUF + 0x400, 1)![0]).toBe(0);
    expect(board.memory.readBytes(BUF + 0x100, 4)).toEqual(Uint8Array.of(0, 1, 2, 3)); // sector 1 starts with byte 512 & 0xff
  });

  it('writes and flushes to the image', async () => {
    const { board, drv, file } = await machineWithDisk();
    header(board, 1, 2);
    board.memory.writeBytes(BUF + 0x100, new Uint8Array(512).fill(0xaa));
    drv.submit([[BUF, 16, false], [BUF + 0x100, 512, false], [BUF + 0x400, 1, true]]);
    expect(board.memory.readBytes(BUF + 0x400, 1)![0]).toBe(0);
    header(board, 4, 0);
    drv.submit([[BUF, 16, false], [BUF + 0x400, 1, true]]);
    expect(readFileSync(file)[1024]).toBe(0xaa);
  });

  it('refuses writes on a read-only device with an I/O error status', async () => {
    const { board, drv, file } = await machineWithDisk({}, { 'read-only': true });
    header(board, 1, 0);
    drv.submit([[BUF, 16, false], [BUF + 0x100, 512, false], [BUF + 0x400, 1, true]]);
    expect(board.memory.readBytes(BUF + 0x400, 1)![0]).toBe(1);
    expect(readFileSync(file)[0]).toBe(0);
  });

  it('keeps writes in a copy-on-write overlay with snapshot=on', async () => {
    const { board, drv, file } = await machineWithDisk({ snapshot: true });
    header(board, 1, 0);
    board.memory.writeBytes(BUF + 0x100, new Uint8Array(512).fill(0x55));
    drv.submit([[BUF, 16, false], [BUF + 0x100, 512, false], [BUF + 0x400, 1, true]]);
    header(board, 0, 0);
    drv.submit([[BUF, 16, false], [BUF + 0x800, 512, true], [BUF + 0x400, 1, true]]);
    expect(board.memory.readBytes(BUF + 0x800, 2)).toEqual(Uint8Array.of(0x55, 0x55));
    expect(readFileSync(file)[0]).toBe(0);
  });

  it('names the path and the reason when the image is missing', async () => {
    const k = await hwKernel([blockPlugin]);
    await expect(run(k, ['blockdev-add', { driver: 'file', 'node-name': 'd', filename: '/nope/disk.img' }])).rejects.toThrow(/'\/nope\/disk.img'.*No such file or directory/);
  });

  it('refuses to delete a node a device uses, and lists it in query-block', async () => {
    const { k } = await machineWithDisk();
    expect(await run(k, ['query-block'])).toEqual([expect.objectContaining({ inserted: expect.objectContaining({ 'node-name': 'disk0' }), 'in-use': true })]);
    await expect(run(k, ['blockdev-del', { 'node-name': 'disk0' }])).rejects.toThrow(/busy/);
  });
});

describe('virtio hot-plug', () => {
  it('plugs virtio-rng into a free slot while running and unplugs it with DEVICE_DELETED', async () => {
    const k = await hwKernel([blockPlugin, objectsPlugin]);
    await run(k, ['object-add', { 'qom-type': 'rng-random', id: 'rng0' }], ['machine-set', { type: 'virt' }], ['cont']);
    const board = boardOf(k.objects.get('/machine'));
    expect(k.runState).toBe('running');
    await run(k, ['device_add', { driver: 'virtio-rng-device', id: 'rng', rng: 'rng0' }]);
    expect(board.memory.read32(SLOT(7) + 8)).toBe(4);
    const drv = new TestVirtioDriver(board.memory, SLOT(7));
    drv.init();
    board.memory.writeBytes(BUF, new Uint8Array(64));
    expect(drv.submit([[BUF, 64, true]])).toBe(64);
    expect(board.memory.readBytes(BUF, 64)!.some((b) => b !== 0)).toBe(true);
    const deleted = firstValueFrom(k.host.events.pipe(filter((e) => e.event === 'DEVICE_DELETED')));
    await run(k, ['device_del', { id: 'rng' }]);
    expect((await deleted).data).toMatchObject({ device: 'rng' });
    expect(board.memory.read32(SLOT(7) + 8)).toBe(0);
    await run(k, ['device_add', { driver: 'virtio-rng-device', id: 'rng2' }]);
    expect(board.memory.read32(SLOT(7) + 8)).toBe(4);
    await run(k, ['quit']);
  });

  it('refuses a ninth virtio device with a clear error', async () => {
    const k = await hwKernel([blockPlugin, objectsPlugin]);
    await run(k, ['machine-set', { type: 'virt' }], ['until-phase', { phase: 'machine-ready' }]);
    for (let i = 0; i < 8; i++) await run(k, ['device_add', { driver: 'virtio-rng-device' }]);
    await expect(run(k, ['device_add', { driver: 'virtio-rng-device' }])).rejects.toThrow(/No free virtio-mmio transport/);
  });
});
