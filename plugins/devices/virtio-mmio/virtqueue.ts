import type { AddressSpace } from '../../hw/address-space.js';
import { vm, type StateOf } from '../../hw/vmstate.js';

/** What a queue saves: its registers (virtio 1.1, 4.2.2) and how far the device read the available ring. */
export const QUEUE_STATE = {
  num: vm.u16(),
  ready: vm.bool(),
  desc: vm.num(),
  driver: vm.num(),
  device: vm.num(),
  lastAvail: vm.u16(),
} as const;
export type QueueState = StateOf<typeof QUEUE_STATE>;

/** Descriptor flags (virtio 1.1, 2.6.5). */
const DESC_F = { NEXT: 1, WRITE: 2, INDIRECT: 4 } as const;

/** One guest buffer. */
export interface Buffer_ {
  readonly addr: number;
  readonly len: number;
}

/** A descriptor chain popped from the available ring: what the device may read, and where it may write. */
export interface Chain {
  readonly head: number;
  readonly readable: readonly Buffer_[];
  readonly writable: readonly Buffer_[];
}

/** Thrown for a malformed ring: the transport marks the device as needing a reset instead of crashing. */
export class VirtqueueError extends Error {}

/**
 * A split virtqueue (virtio 1.1, 2.6) over guest RAM: pop chains from the
 * available ring, gather/scatter their buffers, push them to the used ring.
 */
export class Virtqueue {
  constructor(
    readonly index: number,
    readonly max: number,
    private readonly mem: AddressSpace,
    /** The queue's registers and ring position: a record of the transport's saved state. */
    private readonly s: QueueState,
  ) {}

  get num(): number {
    return this.s.num;
  }
  set num(v: number) {
    this.s.num = v;
  }
  get ready(): boolean {
    return this.s.ready;
  }
  set ready(v: boolean) {
    this.s.ready = v;
  }
  get desc(): number {
    return this.s.desc;
  }
  set desc(v: number) {
    this.s.desc = v;
  }
  get driver(): number {
    return this.s.driver;
  }
  set driver(v: number) {
    this.s.driver = v;
  }
  get device(): number {
    return this.s.device;
  }
  set device(v: number) {
    this.s.device = v;
  }

  /** Back to the state after a device reset. */
  reset(): void {
    this.s.num = 0;
    this.s.ready = false;
    this.s.desc = this.s.driver = this.s.device = 0;
    this.s.lastAvail = 0;
  }

  /** The next available chain, or undefined when the driver has offered nothing new. */
  pop(): Chain | undefined {
    if (!this.ready || !this.num) return undefined;
    const availIdx = this.u16(this.driver + 2);
    if (availIdx === this.s.lastAvail) return undefined;
    const head = this.u16(this.driver + 4 + 2 * (this.s.lastAvail % this.num));
    this.s.lastAvail = (this.s.lastAvail + 1) & 0xffff;
    const readable: Buffer_[] = [];
    const writable: Buffer_[] = [];
    let table = this.desc;
    let size = this.num;
    let i = head;
    for (let n = 0; ; n++) {
      if (i >= size || n > size) throw new VirtqueueError(`descriptor chain from ${head} is malformed`);
      const d = table + 16 * i;
      const addr = this.u32(d) + this.u32(d + 4) * 2 ** 32;
      const len = this.u32(d + 8);
      const flags = this.u16(d + 12);
      if (flags & DESC_F.INDIRECT) {
        table = addr;
        size = len / 16;
        i = 0;
        continue;
      }
      (flags & DESC_F.WRITE ? writable : readable).push({ addr, len });
      if (!(flags & DESC_F.NEXT)) break;
      i = this.u16(d + 14);
    }
    return { head, readable, writable };
  }

  /** Returns a chain to the driver with `written` bytes filled in. */
  push(chain: Chain, written: number): void {
    const idx = this.u16(this.device + 2);
    const slot = this.device + 4 + 8 * (idx % this.num);
    this.set32(slot, chain.head);
    this.set32(slot + 4, written);
    this.set16(this.device + 2, (idx + 1) & 0xffff);
  }

  /** The concatenated readable bytes of a chain. */
  gather(chain: Chain): Uint8Array {
    const total = chain.readable.reduce((s, b) => s + b.len, 0);
    const out = new Uint8Array(total);
    let off = 0;
    for (const b of chain.readable) {
      out.set(this.bytes(b.addr, b.len), off);
      off += b.len;
    }
    return out;
  }

  /** Writes `data` across the chain's writable buffers starting `skip` bytes in; returns bytes written. */
  scatter(chain: Chain, data: Uint8Array, skip = 0): number {
    let done = 0;
    let pos = 0;
    for (const b of chain.writable) {
      if (done >= data.length) break;
      if (pos + b.len <= skip) {
        pos += b.len;
        continue;
      }
      const start = Math.max(0, skip - pos);
      const n = Math.min(b.len - start, data.length - done);
      this.bytes(b.addr + start, n).set(data.subarray(done, done + n));
      this.mem.notifyRamWritten(b.addr + start, n);
      done += n;
      pos += b.len;
    }
    return done;
  }

  /** Total writable capacity of a chain. */
  writableLength(chain: Chain): number {
    return chain.writable.reduce((s, b) => s + b.len, 0);
  }

  private bytes(addr: number, len: number): Uint8Array {
    const b = this.mem.readBytes(addr, len);
    if (!b) throw new VirtqueueError(`buffer at 0x${addr.toString(16)}+${len} is outside RAM`);
    return b;
  }
  private u16(addr: number): number {
    const b = this.bytes(addr, 2);
    return b[0]! | (b[1]! << 8);
  }
  private u32(addr: number): number {
    const b = this.bytes(addr, 4);
    return (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
  }
  private set16(addr: number, v: number): void {
    const b = this.bytes(addr, 2);
    b[0] = v & 0xff;
    b[1] = v >>> 8;
  }
  private set32(addr: number, v: number): void {
    const b = this.bytes(addr, 4);
    for (let i = 0; i < 4; i++) b[i] = (v >>> (8 * i)) & 0xff;
  }
}
