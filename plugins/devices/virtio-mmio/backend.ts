import type { Virtqueue } from './virtqueue.js';

/** What a virtio device (blk, rng) gives the transport. */
export interface VirtioBackend {
  /** Virtio device ID (2 = block, 4 = entropy). */
  readonly deviceId: number;
  /** Device feature bits 0..63 as [low word, high word], VERSION_1 excluded (the transport adds it). */
  readonly features: readonly [number, number];
  readonly queueCount: number;
  /** Device configuration space (little-endian). */
  readonly config: Uint8Array;
  /** The driver notified queue `q`; process what it offers. Returns true when it used buffers (interrupt). */
  notify(q: Virtqueue): boolean;
  /** The driver reset the device. */
  reset?(): void;
}

/** The transport side a backend may call back (asynchronous completions). */
export interface VirtioTransportLink {
  /** Raise the used-buffer interrupt. */
  interrupt(): void;
}
