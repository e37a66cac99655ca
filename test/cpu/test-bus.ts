/**
 * A tiny physical bus for CPU tests: RAM at 0x80000000, the SiFive test
 * finisher at 0x100000 (0x5555 = pass, (code << 16) | 0x3333 = fail), a
 * fake CLINT at 0x2000000 (msip, mtimecmp, mtime on a deterministic
 * clock), a stand-in for the UART at 0x10000000 and nothing anywhere else
 * (bus errors). The ISA programs also run on QEMU's virt board, so what
 * they touch behaves as there: mtimecmp keeps all 64 bits, and of the
 * UART's registers they use the transmitter (collected in `uartOut`),
 * LSR (always "transmitter empty") and the scratch register.
 */
import type { PhysicalBus } from '../../plugins/hw/bus.js';
import { IRQ, type CpuCluster, type MachineTimer } from '../../plugins/hw/cpu.js';
import { Rv64Cluster } from '../../plugins/cpu-rv64/index.js';

export const RAM_BASE = 0x80000000;
export const FINISHER = 0x100000;
export const CLINT = 0x2000000;
export const UART = 0x10000000;
const UART_LSR = 5, UART_SCR = 7, LSR_TX_EMPTY = 0x60;

/** What the program reported through the finisher. */
export type Outcome = { kind: 'pass' } | { kind: 'fail'; code: number } | { kind: 'timeout'; pc: number };

/** The test bus plus its fake CLINT. */
export class TestBus implements PhysicalBus, MachineTimer {
  readonly ramBase = RAM_BASE;
  readonly ram: Uint8Array;
  readonly frequency = 10_000_000;
  /** Deterministic mtime, advanced by the runner. */
  now = 0;
  /** mtimecmp of each hart as a deadline, and as the exact 64-bit value written. */
  mtimecmp: number[] = [];
  private readonly mtimecmpRaw: bigint[] = [];
  finished: number | undefined;
  /** Bytes the program sent to the UART's transmitter. */
  readonly uartOut: number[] = [];
  private uartScratch = 0;
  cluster: CpuCluster | undefined;
  private readonly listeners: ((addr: number, len: number) => void)[] = [];

  constructor(ramSize = 1 << 20) {
    this.ram = new Uint8Array(ramSize);
  }

  mtime(): number {
    return this.now;
  }

  read(addr: number, size: 1 | 2 | 4 | 8, out: Uint32Array): boolean {
    if (addr >= UART && addr < UART + 8 && size === 1) {
      const reg = addr - UART;
      out[0] = reg === UART_LSR ? LSR_TX_EMPTY : reg === UART_SCR ? this.uartScratch : 0;
      out[1] = 0;
      return true;
    }
    if (addr >= CLINT && addr < CLINT + 0x10000) {
      const off = addr - CLINT;
      let v = 0n;
      if (off >= 0xbff8) v = BigInt(this.now);
      else if (off >= 0x4000) v = this.mtimecmpRaw[(off - 0x4000) >> 3] ?? 2n ** 53n;
      v >>= BigInt((off & 7) * 8);
      out[0] = Number(v & 0xffffffffn);
      out[1] = size === 8 ? Number((v >> 32n) & 0xffffffffn) : 0;
      return true;
    }
    if (addr >= FINISHER && addr < FINISHER + 0x1000) { out[0] = 0; out[1] = 0; return true; }
    return false;
  }

  write(addr: number, size: 1 | 2 | 4 | 8, lo: number, hi: number): boolean {
    if (addr >= UART && addr < UART + 8 && size === 1) {
      const reg = addr - UART;
      if (reg === 0) this.uartOut.push(lo & 0xff);
      else if (reg === UART_SCR) this.uartScratch = lo & 0xff;
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
        const cur = this.mtimecmpRaw[h] ?? 2n ** 53n;
        const v = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
        const raw = size === 8 ? v : (off & 4) ? (cur & 0xffffffffn) | (v << 32n) : (cur & ~0xffffffffn) | v;
        this.mtimecmpRaw[h] = raw;
        this.mtimecmp[h] = Number(raw);
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
