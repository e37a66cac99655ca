import type { AddressSpace } from '../../plugins/hw/address-space.js';

/** A minimal virtio-mmio v2 driver for tests: one queue of 8 descriptors in RAM at `ring`. */
export class TestVirtioDriver {
  private avail = 0;
  constructor(
    private readonly mem: AddressSpace,
    private readonly base: number,
    private readonly ring = 0x80100000,
  ) {}
  reg(off: number): number {
    return this.mem.read32(this.base + off)!;
  }
  set(off: number, v: number): void {
    this.mem.write(this.base + off, 4, v, 0);
  }
  /** Negotiates VERSION_1 and sets up queue 0. */
  init(): void {
    this.set(0x70, 0);
    this.set(0x70, 1 | 2);
    this.set(0x24, 1);
    this.set(0x20, 1); // VERSION_1
    this.set(0x70, 1 | 2 | 8);
    this.set(0x30, 0);
    this.set(0x38, 8);
    this.set(0x80, this.ring);
    this.set(0x90, this.ring + 0x1000);
    this.set(0xa0, this.ring + 0x2000);
    this.set(0x44, 1);
    this.set(0x70, 1 | 2 | 4 | 8);
  }
  /** Submits a chain of buffers `[addr, len, writable]` and notifies; returns the used length. */
  submit(bufs: Array<[number, number, boolean]>): number {
    bufs.forEach(([addr, len, w], i) => {
      const d = this.ring + 16 * i;
      this.mem.write(d, 8, addr >>> 0, Math.floor(addr / 2 ** 32));
      this.mem.write(d + 8, 4, len, 0);
      this.mem.write(d + 12, 2, (i < bufs.length - 1 ? 1 : 0) | (w ? 2 : 0), 0);
      this.mem.write(d + 14, 2, i + 1, 0);
    });
    const av = this.ring + 0x1000;
    this.mem.write(av + 4 + 2 * (this.avail % 8), 2, 0, 0);
    this.avail++;
    this.mem.write(av + 2, 2, this.avail, 0);
    this.set(0x50, 0);
    const used = this.ring + 0x2000;
    if (this.mem.read32(used)! >>> 16 !== this.avail) throw new Error('request not completed');
    return this.mem.read32(used + 4 + 8 * ((this.avail - 1) % 8) + 4)!;
  }
}
