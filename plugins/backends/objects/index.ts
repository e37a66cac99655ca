import { closeSync, readSync } from 'node:fs';
import { definePlugin, t, type ObjectTypeDecl } from '../../../kernel/index.js';
import type { RngBackend } from '../../hw/backend-types.js';

/**
 * `rng-random`: entropy read from a host file (default /dev/urandom), opened
 * through the broker at realize. A regular file or a character device: the
 * guest's reads are synchronous, and a FIFO would stall them (and, opened
 * blocking, the whole process) until someone writes to it.
 */
export const rngRandom: ObjectTypeDecl = {
  name: 'rng-random',
  parent: 'object',
  interfaces: ['user-creatable'],
  doc: 'An entropy source reading a host file or device',
  props: { filename: { type: t.host('file', 'r'), default: '/dev/urandom', doc: 'Entropy file', settable: 'create' } },
  async realize(obj, ctx) {
    if (ctx.mode === 'replay') return;
    const fd = await ctx.broker.openFile(obj.get('filename') as string, 'r', ['regular file', 'character device']);
    const rng: RngBackend & { close(): void } = {
      fill(buf) {
        let done = 0;
        while (done < buf.length) {
          const n = readSync(fd, buf, done, buf.length - done, null);
          if (n <= 0) throw new Error(`entropy source '${String(obj.get('filename'))}' ran dry`);
          done += n;
        }
      },
      close: () => closeSync(fd),
    };
    obj.runtime = rng;
  },
  unrealize(obj) {
    (obj.runtime as { close(): void } | undefined)?.close();
    obj.runtime = undefined;
  },
};

/** `memory-backend-ram`: guest RAM as an object (its size is configuration; the board owns the bytes). */
export const memoryBackendRam: ObjectTypeDecl = {
  name: 'memory-backend-ram',
  parent: 'object',
  interfaces: ['user-creatable'],
  doc: 'Guest RAM backed by anonymous host memory',
  props: {
    size: { type: t.size(), doc: 'Size in bytes', settable: 'create' },
    share: { type: t.bool(), default: false, doc: 'Accepted for QEMU compatibility; memory is never shared', settable: 'create' },
  },
};

/** Host objects: rng-random, memory-backend-ram. */
export const objectsPlugin = definePlugin({
  name: 'host-objects',
  version: '0.1.0',
  setup(host) {
    host.type(rngRandom);
    host.type(memoryBackendRam);
  },
});

export default objectsPlugin;
