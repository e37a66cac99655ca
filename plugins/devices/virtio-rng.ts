import { randomFillSync } from 'node:crypto';
import { t } from '../../kernel/index.js';
import type { RngBackend } from '../hw/backend-types.js';
import { defineDevice } from '../hw/device.js';
import type { VirtioBackend } from './virtio-mmio/index.js';

/** Entropy for the guest (virtio 1.1, 5.4) from an `rng-random` object, or the host's CSPRNG when none is named. */
export const virtioRng = defineDevice({
  name: 'virtio-rng-device',
  attach: 'virtio',
  hotpluggable: true,
  doc: 'virtio entropy device on a virtio-mmio transport',
  props: { rng: { type: t.str(), doc: 'rng-random object id (default: built-in)', settable: 'unrealized' } },
  // Requests complete before notify returns; the queues are the transport's.
  state: { version: 1, fields: {} },
  instantiate(io) {
    const id = io.prop<string | undefined>('rng');
    const source: RngBackend = (id !== undefined ? io.backend<RngBackend>('object', id) : undefined) ?? { fill: (b) => void randomFillSync(b) };
    const virtio: VirtioBackend = {
      deviceId: 4,
      features: [0, 0],
      queueCount: 1,
      config: new Uint8Array(0),
      notify(q) {
        let used = false;
        for (let chain = q.pop(); chain; chain = q.pop()) {
          const buf = new Uint8Array(Math.min(q.writableLength(chain), 65536));
          source.fill(buf);
          q.push(chain, q.scatter(chain, buf));
          used = true;
        }
        return used;
      },
    };
    return { virtio };
  },
});
