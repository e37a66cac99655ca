import { t } from '../../kernel/index.js';
import type { FileBlockBackend } from '../backends/block/file-backend.js';
import type { BlockBackend } from '../hw/backend-types.js';
import { defineDevice } from '../hw/device.js';
import type { Chain, Virtqueue, VirtioBackend } from './virtio-mmio/index.js';

/** virtio-blk request types, status codes and feature bits (virtio 1.1, 5.2). */
const REQ = { IN: 0, OUT: 1, FLUSH: 4, GET_ID: 8 } as const;
const STATUS = { OK: 0, IOERR: 1, UNSUPP: 2 } as const;
const F = { SEG_MAX: 2, RO: 5, BLK_SIZE: 6, FLUSH: 9 } as const;
const SECTOR = 512;
const SEG_MAX = 126;

/** The block device behind a virtio-mmio transport: read, write, flush, get-id; read-only when the node or the device says so. */
export const virtioBlk = defineDevice({
  name: 'virtio-blk-device',
  attach: 'virtio',
  hotpluggable: true,
  doc: 'virtio block device on a virtio-mmio transport',
  props: {
    drive: { type: t.str(), doc: 'Block node name (blockdev-add node-name)', settable: 'unrealized', link: 'block-node' },
    'read-only': { type: t.bool(), default: false, doc: 'Refuse guest writes', settable: 'unrealized' },
    serial: { type: t.str(), doc: 'Serial number the guest reads with GET_ID', settable: 'unrealized' },
  },
  // Requests complete before notify returns, so nothing is in flight between instructions; the queues are the transport's.
  state: { version: 1, fields: {} },
  instantiate(io) {
    const drive = io.prop<string | undefined>('drive');
    const disk = drive !== undefined ? io.backend<BlockBackend>('blockdev', drive) : undefined;
    if (disk) (disk as Partial<FileBlockBackend>).users = ((disk as Partial<FileBlockBackend>).users ?? 0) + 1;
    const readOnly = io.prop<boolean>('read-only') || (disk?.readOnly ?? false);
    const config = new Uint8Array(24);
    const cv = new DataView(config.buffer);
    const sectors = Math.floor((disk?.size ?? 0) / SECTOR);
    cv.setUint32(0, sectors >>> 0, true);
    cv.setUint32(4, Math.floor(sectors / 2 ** 32), true);
    cv.setUint32(12, SEG_MAX, true);
    cv.setUint32(20, SECTOR, true);
    const serial = new TextEncoder().encode((io.prop<string | undefined>('serial') ?? '').slice(0, 20));

    const handle = (q: Virtqueue, chain: Chain): number => {
      const out = q.gather(chain);
      const hv = new DataView(out.buffer, out.byteOffset, out.byteLength);
      const type = out.length >= 16 ? hv.getUint32(0, true) : -1;
      const sector = out.length >= 16 ? hv.getUint32(8, true) + hv.getUint32(12, true) * 2 ** 32 : 0;
      const room = q.writableLength(chain) - 1; // the last writable byte is the status
      let status: number = STATUS.OK;
      let written = 0;
      try {
        if (!disk && type !== REQ.GET_ID && type !== -1) status = STATUS.IOERR;
        else if (type === REQ.IN) {
          const buf = new Uint8Array(room);
          disk!.read(sector * SECTOR, buf);
          written = q.scatter(chain, buf);
        } else if (type === REQ.OUT) {
          if (readOnly) status = STATUS.IOERR;
          else disk!.write(sector * SECTOR, out.subarray(16));
        } else if (type === REQ.FLUSH) disk!.flush();
        else if (type === REQ.GET_ID) {
          const id = new Uint8Array(Math.min(20, room));
          id.set(serial.subarray(0, id.length));
          written = q.scatter(chain, id);
        } else status = STATUS.UNSUPP;
      } catch {
        status = STATUS.IOERR;
      }
      q.scatter(chain, Uint8Array.of(status), room);
      return written + 1;
    };

    const virtio: VirtioBackend = {
      deviceId: 2,
      features: [(1 << F.SEG_MAX) | (1 << F.BLK_SIZE) | (1 << F.FLUSH) | (readOnly ? 1 << F.RO : 0), 0],
      queueCount: 1,
      config,
      notify(q) {
        let used = false;
        for (let chain = q.pop(); chain; chain = q.pop()) {
          q.push(chain, handle(q, chain));
          used = true;
        }
        return used;
      },
    };
    return {
      virtio,
      // Snapshots hold RAM and device state, not disk contents: a guest that writes after a save would load into a disk from its future.
      saveBlocker: () => (disk && !readOnly ? `its disk '${drive}' is writable and disk contents are not part of snapshots (attach it with read-only=on)` : undefined),
      unrealize() {
        if (disk) (disk as Partial<FileBlockBackend>).users = Math.max(0, ((disk as Partial<FileBlockBackend>).users ?? 1) - 1);
      },
    };
  },
});
