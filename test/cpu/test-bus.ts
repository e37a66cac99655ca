/**
 * A tiny physical bus for CPU tests: RAM at 0x80000000, the SiFive test
 * finisher at 0x100000 (0x5555 = pass, (code << 16) | 0x3333 = fail), a
 * fake CLINT at 0x2000000 (msip, mtimecmp, mtime on a deterministic
 * clock), 16 bytes of plain MMIO storage at 0x10000000 (to exercise the
 * slow path) and nothing anywhere else (bus errors).
 */
import type { PhysicalBus } from '../../plugins/hw/bus.js';
import { IRQ, type CpuCluster, type MachineTimer } from '../../plugins/hw/cpu.js';
import { Rv64Cluster } from '../../plugins/cpu-rv64/index.js';

export const RAM_BASE = 0x80000000;
export const FINISHER = 0x100000;
export const CLINT = 0x2000000;
export const MMIO_SCRATCH = 0x10000000;

/** What the program reported through the finisher. */
export type Outcome = { kind: 'pass' } | { kind: 'fail'; code: number } | { kind: 'timeout'; pc: number };

/** The test bus plus its fake CLINT. */
export class TestBus implements PhysicalBus, MachineTimer {
  readonly ramBase = RAM_BASE;
  readonly ram: Uint8Array;
  readonly frequency = 10_000_000;
  /** Deterministic mtime, advanced by the runner. */
  now = 0;
  mtimecmp: number[] = [];
  finished: number | undefined;
  readonly scratch = new Uint8Array(16);
  cluster: CpuCluster | undefined;
  private readonly listeners: ((addr: number, len: number) => void)[] = [];

  constructor(ramSize = 1 << 20) {
    this.ram = new Uint8Array(ramSize);
  }

  mtime(): number {
    return this.now;
  }

  read(addr: number, size: 1 | 2 | 4 | 8, out: Uint32Array): boolean {
    if (addr >= MMIO_SCRATCH && addr + size <= MMIO_SCRATCH + 16) {
      const dv = new DataView(this.scratch.buffer);
      const o = addr - MMIO_SCRATCH;
      out[0] = size === 1 ? dv.getUint8(o) : size === 2 ? dv.getUint16(o, true) : dv.getUint32(o, true);
      out[1] = size === 8 ? dv.getUint32(o + 4, true) : 0;
      return true;
    }
    if (addr >= CLINT && addr < CLINT + 0x10000) {
      const off = addr - CLINT;
      let v = 0;
      if (off >= 0xbff8) v = this.now;
      else if (off >= 0x4000) v = this.mtimecmp[(off - 0x4000) >> 3] ?? 2 ** 53;
      out[0] = v % 4294967296;
      out[1] = size === 8 ? Math.floor(v / 4294967296) : 0;
      return true;
    }
    if (addr >= FINISHER && addr < FINISHER + 0x1000) { out[0] = 0; out[1] = 0; return true; }
    return false;
  }

  write(addr: number, size: 1 | 2 | 4 | 8, lo: number, hi: number): boolean {
    if (addr >= MMIO_SCRATCH && addr + size <= MMIO_SCRATCH + 16) {
      const dv = new DataView(this.scratch.buffer);
      const o = addr - MMIO_SCRATCH;
      if (size === 1) dv.setUint8(o, lo);
      else if (size === 2) dv.setUint16(o, lo, true);
      else dv.setUint32(o, lo, true);
      if (size === 8) dv.setUint32(o + 4, hi, true);
      return true;
    }
    if (addr >= FINISHER && addr < FINISHER + 0x1000) {
      this.finished = lo >>> 0;
      return true;
    }
    if (addr >= CLINT && addr < CLINT + 0x10000) {
      const off = addr - CLINT;
      if (off < 0x4000) {
        this.cluster?.harts[off >> 2]?.setInterrupt(IRQ.MSIP, (lo & 1) === 1);
      } else if (off < 0xbff8) {
        const h = (off - 0x4000) >> 3;
        const cur = this.mtimecmp[h] ?? 2 ** 53;
        const clo = cur % 4294967296, chi = Math.floor(cur / 4294967296);
        this.mtimecmp[h] = size === 8 ? (hi >>> 0) * 4294967296 + (lo >>> 0)
          : (off & 4) ? (lo >>> 0) * 4294967296 + clo : chi * 4294967296 + (lo >>> 0);
        this.updateTimer();
      }
      return true;
    }
    return false;
  }

  onRamWritten(listener: (addr: number, length: number) => void): void {
    this.listeners.push(listener);
  }

  /** Writes `data` into RAM as a loader would, notifying the cores. */
  load(addr: number, data: Uint8Array): void {
    this.ram.set(data, addr - RAM_BASE);
    for (const l of this.listeners) l(addr, data.length);
  }

  /** Drives MTIP of every hart from mtime >= mtimecmp, as a CLINT does. */
  updateTimer(): void {
    const harts = this.cluster?.harts ?? [];
    harts.forEach((h, i) => h.setInterrupt(IRQ.MTIP, this.now >= (this.mtimecmp[i] ?? 2 ** 53)));
  }
}

/** Runs `image` at 0x80000000 until it reports through the finisher or `maxInsns` pass. */
export function runProgram(image: Uint8Array, opts: { harts?: number; maxInsns?: number; bus?: TestBus; onSlice?: (bus: TestBus) => void; slice?: number; hot?: number } = {}): { outcome: Outcome; bus: TestBus; cluster: CpuCluster } {
  const bus = opts.bus ?? new TestBus();
  const cluster = new Rv64Cluster({ harts: opts.harts ?? 1, bus, timer: bus, hot: opts.hot });
  bus.cluster = cluster;
  bus.load(RAM_BASE, image);
  cluster.reset(RAM_BASE, 0x87e00000);
  const max = opts.maxInsns ?? 5_000_000;
  let total = 0;
  while (bus.finished === undefined && total < max) {
    opts.onSlice?.(bus);
    const r = cluster.run(opts.slice ?? 1000);
    total += r.executed;
    // mtime advances one tick per 10 instructions, or jumps to the next deadline when idle.
    bus.now += Math.max(1, Math.floor(r.executed / 10));
    if (r.idle) {
      const next = Math.min(...bus.mtimecmp.filter((v) => v > bus.now), 2 ** 53);
      if (next < 2 ** 53) bus.now = next;
      else if (!opts.onSlice) break;
    }
    bus.updateTimer();
  }
  const f = bus.finished;
  let outcome: Outcome;
  if (f === 0x5555) outcome = { kind: 'pass' };
  else if (f !== undefined && (f & 0xffff) === 0x3333) outcome = { kind: 'fail', code: f >>> 16 };
  else outcome = { kind: 'timeout', pc: cluster.harts[0]!.pc() };
  return { outcome, bus, cluster };
}
