/**
 * One RV64GC hart: the interpreter loop, the instructions it leaves out of
 * line, and the slow paths of memory accesses (unprivileged spec chapters
 * 2, 5, 7, 8, 9, 13, 14, 16, 20, 21; privileged spec chapters 3 and 4).
 *
 * Speed decisions:
 * - integer registers are int32 lo/hi pairs in two module-level
 *   Int32Arrays that the running hart loads and saves around `step`; x0
 *   reads from index 0 (always 0) and writes to x0 are redirected at decode
 *   time to a scratch register 32, so no instruction tests rd != 0;
 * - instructions are decoded once (decode.ts) into a packed word +
 *   immediate held by the shared `DecodeCache`, per physical page, and
 *   executed by a `switch` over small integer op numbers (a jump table in
 *   V8; the op enum is a `const enum`, which esbuild inlines into the
 *   bundle): the common ops in the loop of `execute`, the others out of
 *   line in `executeCold`;
 * - loads, stores and fetches look their page up in the hart's TLB
 *   (tlb.ts) and then read RAM through a DataView (misaligned accesses work
 *   in hardware, as in QEMU); misses, MMIO and faults go through the MMU
 *   (mmu.ts) on the slow path;
 * - traps are values (`takeTrap` returns the handler's pc), nothing throws
 *   and nothing allocates per instruction.
 *
 * pc and addresses held as numbers are the 64-bit value as a signed integer
 * (see trap.ts): exact for every canonical virtual address.
 */
import type { PhysicalBus } from '../hw/bus.js';
import type { Hart, MachineTimer } from '../hw/cpu.js';
import { csrOut, csrPrivilegeOk, csrRead, csrReadOnly, csrWrite, fpDirty, fpEnabled, mipValue } from './csr.js';
import { compileBlock, type BlockEnv, type BlockFn, type BlockHost, type TraceInsn } from './block-compiler.js';
import type { BlockSite } from './code-cache.js';
import { BUS_PAGE, EMPTY_PAGE, heat as decodeHeat, slab as decodeSlab, type DecodeCache } from './decode-cache.js';
import { Amo, decImm, decode16, decode32, Op } from './decode.js';
import { fpExecute, type FpRegisters } from './fp-exec.js';
import { Mmu } from './mmu.js';
import { div64, divu64, divuw, divw, mdOut, mul64, mulh64, mulhsu64, mulhu64, sll64, sra64, srl64 } from './muldiv.js';
import { C64, C64_COUNT, MSTATUS, PRIV_M, PRIV_S, PRIV_U, type HartState } from './state.js';
import { Acc, MmuIdx, TLB_MASK, type Tlb } from './tlb.js';
import { readTrace } from './trace.js';
import { CAUSE, mret, pendingInterrupt, sret, takeTrap, takeTrapWords } from './trap.js';

const TWO32 = 4294967296;

/**
 * Most instructions one call of `execute` runs. The first long slice of a
 * guest otherwise runs in the bytecode interpreter until V8 compiles the
 * loop for on-stack replacement, after the normal compile (about 0.3 s, at
 * 3-6 MIPS, on the compute loop); with short calls, the next call after
 * the normal compile already enters the optimized code.
 */
const CHUNK = 4096;

/**
 * The decode cache's slab under a name of this module: V8 compiles an
 * access to a module constant to a fixed address, but not one to an import.
 */
const slab = decodeSlab;

/** The slots' arrival counts (decode-cache.ts), under a name of this module for the same reason. */
const heat = decodeHeat;

/**
 * Arrivals by jump or taken branch after which the code at a slot is
 * compiled, by default. A new block costs the main thread a few ms (the
 * source, V8's parse, and its first few hundred runs in V8's bytecode
 * interpreter, slower than this one, until V8 has optimized it on a
 * background thread), so only code that goes on to run tens of thousands
 * of times pays; and each block costs V8's optimizing compiler threads
 * about 8 ms of CPU more. Over the first 1.2e9 instructions of a Linux boot
 * (main thread, whole process; three alternating runs at a load average
 * of 12, with V8's shorter interrupt budget, see block-compiler.ts): 3000
 * gave 11.2-11.5 s, 20.5-20.8 s (~1500 blocks); 8000 gave 8.5-9.8 s,
 * 14.7-16.5 s (~780 blocks); 20000 gave 8.4-9.2 s, 12.6-13.6 s (~435
 * blocks); 30000 was no better than 20000, 50000 worse; the interpreter
 * alone, 13.6 s on the main thread.
 */
export const HOT = 20000;

/** Entries of a hart's jump cache (a power of two). */
const JC_SIZE = 4096;

/** `e` in the interpreter loop when no cache page is held: past any page, and int32 after any branch offset. */
const FAR = 0x40000000;

/**
 * Why the interpreter loop stopped for code that became hot: not at all, at
 * a jump's target (the jump ran), or on entering a page (the instruction
 * there was counted but not run). A local the loop ends with rather than a
 * field it sets where it stops: each stop is a path the guest takes for the
 * first time long after V8 optimized the loop, and a field store or
 * arithmetic there has no type feedback, so V8 deoptimized the whole loop at
 * each (seven times on U-Boot's way to its prompt, each followed by a
 * TurboFan compile of the loop, the largest function of the core). Setting a
 * local needs no feedback.
 */
const NOT_HOT = 0, HOT_AT_JUMP = 1, HOT_AT_PAGE = 2;

/**
 * Integer registers of the hart that is running (inside `step`), low and
 * high words; x0 reads index 0 (always 0) and index 32 is the write sink
 * for x0. A hart keeps its own copy in `lo`/`hi` while it does not run.
 * Module constants, not fields, because V8 then compiles a register access
 * to one load or store at a fixed address: for a field (a typed array of
 * unknown identity) every access reloaded the array's map, length and data
 * pointer (the bounds check left is a compare with a constant). 64
 * entries: every 6-bit register field of the packed word is in bounds.
 */
const regLo = new Int32Array(64);
const regHi = new Int32Array(64);

/**
 * f0..f31 of the running hart, two words each (low word at 2*i). A single
 * value is NaN-boxed: its high word is all ones (unprivileged spec 21.2).
 */
export const fregs = new Int32Array(64);

/** The compiled blocks' RV64M helpers. */
const MULDIV: BlockEnv['md'] = { sll64, srl64, sra64, mul64, mulh64, mulhsu64, mulhu64, div64, divu64, divw, divuw, out: mdOut };

/** The running hart's registers as the F/D instructions see them. */
const FP_REGS: FpRegisters = { xlo: regLo, xhi: regHi, f: fregs };

/** Access sizes of the load and store ops. */
const SIZE: Partial<Record<Op, 1 | 2 | 4 | 8>> = {
  [Op.LB]: 1, [Op.LBU]: 1, [Op.SB]: 1, [Op.LH]: 2, [Op.LHU]: 2, [Op.SH]: 2,
  [Op.LW]: 4, [Op.LWU]: 4, [Op.SW]: 4, [Op.FLW]: 4, [Op.FSW]: 4,
  [Op.LD]: 8, [Op.SD]: 8, [Op.FLD]: 8, [Op.FSD]: 8,
};

/** Scratch for accesses that cross a page edge, assembled byte by byte. */
const crossBytes = new Uint8Array(8);
const crossView = new DataView(crossBytes.buffer);

/** What `-cpu rv64,...` chose for a hart. */
export interface HartOptions {
  /** Sv48 besides Sv39 (QEMU's `sv48` property). */
  readonly sv48: boolean;
  /** Arrivals after which code is compiled: HOT by default, 1 to compile everything at once, -1 never (`jit=off`). */
  readonly hot?: number;
}

/** One hart; the cluster runs it through `step`. */
export class Rv64Hart implements Hart, HartState, BlockHost {
  readonly hartId: number;
  readonly timer: MachineTimer;
  /** x0..x31 low words while the hart does not run (see regLo). */
  readonly lo = new Int32Array(64);
  /** x0..x31 high words while the hart does not run (see regLo). */
  readonly hi = new Int32Array(64);
  /** f0..f31 while the hart does not run (see fregs). */
  readonly f = new Int32Array(64);
  // pcv and instret start as non-integers so V8 gives these fields the
  // double representation at once: a later Smi-to-double field change made
  // the optimized loop deoptimize at every exit. The constructor zeroes them.
  pcv = 0.5;
  priv = PRIV_M;
  mstatus = 0;
  medeleg = 0;
  mideleg = 0;
  mie = 0;
  mipSw = 0;
  mipHw = 0;
  mcounteren = 0;
  scounteren = 0;
  readonly c64 = new Int32Array(2 * C64_COUNT);
  instret = 0.5;
  cycleDelta = 0.5;
  instretDelta = 0.5;
  /** Virtual address of the LR reservation, or NaN for none. */
  resv = NaN;
  waiting = false;
  satpLo = 0;
  satpHi = 0;
  frm = 0;
  fflags = 0;
  readonly mmu: Mmu;
  readonly storm = { repeats: 0, cause: 0, pc: 0, tval: 0 };
  /** MMU indexes of data accesses and of fetches (tlb.ts), kept by `mmuChanged`. */
  private dIdx = MmuIdx.M;
  private xIdx = MmuIdx.M;
  /** The TLB's words and the bases of the data tables in use, for compiled blocks (kept by `mmuChanged`). */
  readonly tlbE: Int32Array;
  private readonly tlb: Tlb;
  rBase = 0;
  wBase = 0;
  /** Set by `execute` when it stopped at a slot that just became hot. */
  private hotHit = false;
  /** What this hart's compiled blocks close over. */
  private readonly env: BlockEnv;
  /** See HartOptions.hot. */
  private readonly hot: number;
  /** Compiled block runs and the instructions they retired (VMLEDGER_CPU_STATS). */
  blockRuns = 0;
  blockInsns = 0;
  /**
   * The jump cache (QEMU's tb_jmp_cache): compiled code by virtual pc, so
   * going from one block to the next costs a probe instead of the fetch
   * path. An entry holds for the fetch MMU index and TLB generation it was
   * made in, and while its site lives.
   */
  private readonly jcPc = new Float64Array(JC_SIZE).fill(NaN);
  private readonly jcKey = new Int32Array(JC_SIZE);
  private readonly jcFn: Array<BlockFn | undefined> = new Array<BlockFn | undefined>(JC_SIZE).fill(undefined);
  private readonly jcSite: Array<BlockSite | undefined> = new Array<BlockSite | undefined>(JC_SIZE).fill(undefined);
  /** Set when a device line changed while the hart ran: the loop stops to re-check interrupts. */
  private irqDirty = false;
  /** The instruction `execute` stopped at for `executeCold` (packed word, 0 for none) and its immediate. */
  private coldW = 0;
  private coldImm = 0;
  /** Set by `executeCold` when the burst must end after its instruction. */
  private leave = false;
  /**
   * Address of the one instruction `fill` decoded into the slab's BUS_PAGE
   * for the next call of `execute` (outside RAM, across a page edge, or on
   * a page the fetch TLB cannot hold), -1 for none. Starts as a
   * non-integer for the same reason as pcv.
   */
  private romPc = 0.5;
  /** The failed access of `access`: exception cause and the faulting address. */
  private faultCause = 0;
  private faultLo = 0;
  private faultHi = 0;

  private readonly bus: PhysicalBus;
  private readonly dv: DataView;
  private readonly ramBase: number;
  private readonly ramSize: number;
  private readonly cache: DecodeCache;
  /** Value of the last `access` load: [lo, hi]. */
  private readonly busOut = new Uint32Array(2);

  constructor(hartId: number, bus: PhysicalBus, timer: MachineTimer, cache: DecodeCache, opts: HartOptions = { sv48: true }) {
    this.hartId = hartId;
    this.bus = bus;
    this.timer = timer;
    this.cache = cache;
    this.ramBase = bus.ramBase;
    this.ramSize = bus.ram.length;
    this.dv = new DataView(bus.ram.buffer, bus.ram.byteOffset, bus.ram.byteLength);
    this.mmu = new Mmu(this, this.dv, this.ramBase, (off, len) => this.ramStored(off, len), opts.sv48);
    this.tlb = this.mmu.tlb;
    this.tlbE = this.tlb.e;
    const buf = bus.ram.buffer, at = bus.ram.byteOffset, len = bus.ram.byteLength;
    const ram = {
      u8: new Uint8Array(buf, at, len), i8: new Int8Array(buf, at, len), u16: new Uint16Array(buf, at, len >> 1),
      i16: new Int16Array(buf, at, len >> 1), i32: new Int32Array(buf, at, len >> 2),
    };
    this.env = { regLo, regHi, ram, codeMap: cache.codeMap, md: MULDIV };
    this.hot = opts.hot ?? HOT;
    this.pcv = this.instret = this.cycleDelta = this.instretDelta = 0;
    this.romPc = -1;
  }

  pc(): number {
    return this.pcv;
  }

  halted(): boolean {
    return this.waiting;
  }

  /** Exceptions in a row raised at the very address they trap to (a handler whose first instruction faults), and the last one. */
  trapStorm(): { readonly repeats: number; readonly cause: number; readonly pc: number; readonly tval: number } {
    return this.storm;
  }

  /** Waiting in wfi, but an interrupt enabled in mie is pending: the next `step` resumes it. */
  wakeable(): boolean {
    return this.waiting && (mipValue(this) & this.mie) !== 0;
  }

  setInterrupt(bit: number, level: boolean): void {
    const m = 1 << bit;
    const old = this.mipHw;
    this.mipHw = level ? old | m : old & ~m;
    if (this.mipHw !== old) this.irqDirty = true;
  }

  mmuChanged(): void {
    this.dIdx = Mmu.dataIdx(this);
    this.xIdx = Mmu.fetchIdx(this);
    this.rBase = this.mmu.tlb.base(this.dIdx, Acc.R);
    this.wBase = this.mmu.tlb.base(this.dIdx, Acc.W);
  }

  /** Register value as an unsigned 64-bit bigint (tests and debugging; not for the hot path). */
  reg(i: number): bigint {
    return (BigInt(this.hi[i]! >>> 0) << 32n) | BigInt(this.lo[i]! >>> 0);
  }

  /** f register `i` as an unsigned 64-bit bigint (tests and debugging). */
  freg(i: number): bigint {
    return (BigInt(this.f[2 * i + 1]! >>> 0) << 32n) | BigInt(this.f[2 * i]! >>> 0);
  }

  /** Current privilege level (0 U, 1 S, 3 M). */
  privilege(): number {
    return this.priv;
  }

  /** Resets to M-mode at `pc` with a0 = hart id and a1 = `fdtAddr` (privileged spec 3.4). */
  reset(pc: number, fdtAddr: number): void {
    this.lo.fill(0);
    this.hi.fill(0);
    this.f.fill(0);
    this.c64.fill(0);
    this.lo[10] = this.hartId;
    this.lo[11] = fdtAddr | 0;
    this.hi[11] = Math.floor(fdtAddr / TWO32) | 0;
    this.pcv = pc;
    this.priv = PRIV_M;
    this.mstatus = 0;
    this.medeleg = this.mideleg = this.mie = this.mipSw = 0;
    this.mcounteren = this.scounteren = 0;
    this.cycleDelta = this.instretDelta = 0;
    this.resv = NaN;
    this.waiting = false;
    this.storm.repeats = 0;
    this.frm = this.fflags = 0;
    this.satpLo = this.satpHi = 0;
    this.mmu.setSatp(0, 0);
    this.mmu.pmp.update(this);
    this.mmu.tlb.flushAll();
    this.mmuChanged();
  }

  /**
   * After a snapshot's state went into the fields (cluster.ts): rebuilds
   * what is derived from satp, PMP, privilege and mstatus, forgets every
   * translation (the jump cache trusts only the TLB generation it was
   * filled in) and clears what `run` leaves between calls.
   */
  afterLoad(): void {
    this.mmu.setSatp(this.satpLo, this.satpHi);
    this.mmu.pmp.update(this);
    this.mmu.tlb.flushAll();
    this.mmu.tlb.gen++;
    this.mmuChanged();
    this.irqDirty = true;
    this.hotHit = false;
    this.leave = false;
    this.coldW = 0;
    this.romPc = -1;
    this.storm.repeats = 0;
  }

  /**
   * Runs up to `budget` instructions, taking interrupts between bursts.
   * Returns how many ran; fewer when the hart enters wfi with nothing pending.
   */
  step(budget: number): number {
    regLo.set(this.lo);
    regHi.set(this.hi);
    fregs.set(this.f);
    try {
      return this.run(budget);
    } finally {
      this.lo.set(regLo);
      this.hi.set(regHi);
      this.f.set(fregs);
    }
  }

  /** `step` with the registers in regLo/regHi. */
  private run(budget: number): number {
    let done = 0, runs = 0, inBlocks = 0;
    while (done < budget) {
      if (this.waiting) {
        // wfi resumes on any interrupt pending and enabled in mie, whatever the global enables (3.3.3).
        if ((mipValue(this) & this.mie) === 0) break;
        this.waiting = false;
      }
      this.irqDirty = false;
      const irq = pendingInterrupt(this);
      if (irq >= 0) this.pcv = takeTrap(this, irq, true, 0, this.pcv);
      let burst = budget - done;
      // execute runs the common ops and stops before any other one, which
      // runs here (see `execute` for why), before a compiled block's entry,
      // which runs here too, and where code just became hot, which is
      // compiled and run; until the burst is spent or an instruction needs
      // interrupts re-checked.
      while (burst > 0) {
        // The jump cache's hit is checked here rather than in findBlock: a call per block run was a fifth of dispatch.
        const pc = this.pcv, j = ((pc | 0) >>> 1) & (JC_SIZE - 1);
        const fn =
          this.romPc !== -1 ? undefined
          : this.jcPc[j] === pc && this.jcKey[j] === ((this.tlb.gen << 2) | this.xIdx) && this.jcSite[j]!.live ? this.jcFn[j]
          : this.findBlock();
        if (fn !== undefined) {
          const n = fn(this, burst);
          runs++;
          inBlocks += n;
          this.instret += n;
          done += n;
          burst -= n;
          // A block that left at once stopped at a load or store it leaves to the
          // interpreter: run that one instruction there, past the block's marker.
          if (n === 0) this.fill(true);
          if (this.irqDirty) break;
          continue;
        }
        const chunk = burst < CHUNK ? burst : CHUNK;
        const ran = this.execute(chunk);
        // An instruction decoded into BUS_PAGE serves one call only:
        // outside RAM may change between calls (within one, only the cold
        // ops write there, and they end it).
        this.romPc = -1;
        done += ran;
        burst -= ran;
        const w = this.coldW;
        if (w === 0) {
          // Stopped where code became hot (compiled now, run by findBlock), or at an instruction it could not fetch.
          // execute sets hotHit on every return: nothing to reset, and no store here without type feedback.
          if (this.hotHit && this.compileHere() >= 0) continue;
          // A fetch that faulted took its trap there: count it, or a trap vector that itself faults would hold this loop forever.
          if (ran < chunk && this.fill()) {
            done++;
            burst--;
          }
          continue;
        }
        this.coldW = 0;
        // A compiled block's entry: findBlock runs it next.
        if ((w & 255) === Op.BLOCK) continue;
        this.instret++;
        done++;
        burst--;
        this.pcv = this.executeCold(w, this.coldImm, this.pcv);
        if (this.leave) {
          this.leave = false;
          break;
        }
      }
    }
    this.blockRuns += runs;
    this.blockInsns += inBlocks;
    return done;
  }

  /**
   * Compiles the code at pcv, which `execute` found hot, into a block and
   * puts the block's marker in its slot; returns the site, or -1 when the
   * instruction there is one blocks do not take (or not in RAM).
   */
  private compileHere(): number {
    const pc = this.pcv;
    if (!this.mmu.translate(pc | 0, Math.floor(pc / TWO32) | 0, Acc.X, this.xIdx, 2)) return -1;
    const off = this.mmu.paddr - this.ramBase;
    if (off < 0 || off >= this.ramSize) return -1;
    const code = this.cache.code;
    if (code.full()) this.cache.flush();
    const s = this.cache.page(off - (off & 4095)) + (off & 4095);
    if ((slab[s]! & 255) === Op.BLOCK) return slab[s + 1]!;
    const trace = readTrace(this.dv, off, pc);
    if (trace.length === 0) return -1;
    const site: BlockSite = { off, lo: off, end: off, variants: [], live: true };
    site.variants.push({ vpc: pc, fn: this.compileTrace(trace, site) });
    const id = code.add(site);
    slab[s] = Op.BLOCK;
    slab[s + 1] = id;
    return id;
  }

  /**
   * The compiled code for pcv from the block marker in pc's slot, entered in
   * the jump cache (which `run` reads first); undefined for none.
   */
  private findBlock(): BlockFn | undefined {
    const pc = this.pcv;
    const j = ((pc | 0) >>> 1) & (JC_SIZE - 1);
    const key = (this.tlb.gen << 2) | this.xIdx;
    const pl = pc | 0, ph = Math.floor(pc / TWO32) | 0;
    const tlbs = this.tlb, t = tlbs.base(this.xIdx, Acc.X) + ((pl >>> 12) & TLB_MASK) * 4;
    if (tlbs.e[t] !== (pl & -4096) || tlbs.e[t + 1] !== ph) return undefined;
    const page = this.cache.base[tlbs.e[t + 2]! >>> 12]!;
    if (page === EMPTY_PAGE) return undefined;
    const s = page + (pl & 4095);
    if ((slab[s]! & 255) !== Op.BLOCK) return undefined;
    const site = this.cache.code.get(slab[s + 1]!)!;
    let fn: BlockFn | undefined;
    for (const v of site.variants) if (v.vpc === pc) fn = v.fn;
    if (!fn) {
      fn = this.compileTrace(readTrace(this.dv, site.off, pc), site);
      site.variants.push({ vpc: pc, fn });
    }
    this.jcPc[j] = pc;
    this.jcKey[j] = key;
    this.jcFn[j] = fn;
    this.jcSite[j] = site;
    return fn;
  }

  /** Compiles `trace` (which starts at `site`'s entry) and widens the site's range to cover it. */
  private compileTrace(trace: TraceInsn[], site: BlockSite): BlockFn {
    const pc = trace[0]!.pc;
    for (const t of trace) {
      const o = site.off + (t.pc - pc);
      site.lo = Math.min(site.lo, o);
      site.end = Math.max(site.end, o + (t.w >>> 24));
    }
    this.cache.code.stats.compiled++;
    return compileBlock(trace, this.env);
  }

  /**
   * Makes the instruction at pcv fetchable for `execute`: translates pc
   * (taking the fetch fault if it fails), then decodes the instruction into
   * its physical page's cache slot, or, when that page cannot be held (not
   * RAM, not in the fetch TLB, or the instruction crosses into the next
   * page, whose mapping may differ) or `once` asks for it, into BUS_PAGE
   * for one call. The loop calls nothing, so V8 keeps its values in
   * registers (with the calls in the loop it spilled them at every
   * instruction). Returns true when the fetch faulted and the trap was taken instead.
   */
  private fill(once = false): boolean {
    const pc = this.pcv;
    const pl = pc | 0, ph = Math.floor(pc / TWO32) | 0;
    if (!this.mmu.translate(pl, ph, Acc.X, this.xIdx, 2)) {
      this.pcv = takeTrap(this, this.mmu.cause, false, pc, pc);
      return true;
    }
    const pa = this.mmu.paddr, off = pa - this.ramBase;
    const cacheable = off >= 0 && off < this.ramSize && this.fetchTlbHolds(pl, ph);
    const low = this.fetchHalf(pa);
    if (low < 0) {
      this.pcv = takeTrap(this, CAUSE.FETCH_ACCESS, false, pc, pc);
      return true;
    }
    let w: number;
    let straddles = false;
    if ((low & 3) !== 3) {
      w = decode16(low);
    } else {
      // The upper half: in the same page, or through the next page's own translation.
      let pa2 = pa + 2;
      if ((pl & 4095) === 4094) {
        straddles = true;
        const next = pc + 2;
        if (!this.mmu.translate(next | 0, Math.floor(next / TWO32) | 0, Acc.X, this.xIdx, 2)) {
          this.pcv = takeTrap(this, this.mmu.cause, false, next, pc);
          return true;
        }
        pa2 = this.mmu.paddr;
      }
      const high = this.fetchHalf(pa2);
      if (high < 0) {
        this.pcv = takeTrap(this, CAUSE.FETCH_ACCESS, false, pc + 2, pc);
        return true;
      }
      w = decode32(low | (high << 16));
    }
    if (cacheable && !straddles && !once) {
      const s = this.cache.page(off - (off & 4095)) + (off & 4095);
      if (slab[s] === 0) {
        slab[s] = w;
        slab[s + 1] = decImm[0]!;
      }
    } else {
      slab[BUS_PAGE] = w;
      slab[BUS_PAGE + 1] = decImm[0]!;
      this.romPc = pc;
    }
    return false;
  }

  /** Whether the fetch TLB now has an entry for the page of (`pl`, `ph`), so `execute` will find it. */
  private fetchTlbHolds(pl: number, ph: number): boolean {
    const tlbs = this.mmu.tlb, t = tlbs.base(this.xIdx, Acc.X) + ((pl >>> 12) & TLB_MASK) * 4;
    return tlbs.e[t] === (pl & -4096) && tlbs.e[t + 1] === ph;
  }

  /** The halfword at physical address `pa` (RAM or the bus), or -1 for a bus error. */
  private fetchHalf(pa: number): number {
    const off = pa - this.ramBase;
    if (off >= 0 && off + 2 <= this.ramSize) return this.dv.getUint16(off, true);
    return this.bus.read(pa, 2, this.busOut) ? this.busOut[0]! & 0xffff : -1;
  }

  /** The bits of the (already fetched) instruction at pc, for mtval of an illegal-instruction trap. */
  private instructionBits(pc: number): number {
    if (!this.mmu.translate(pc | 0, Math.floor(pc / TWO32) | 0, Acc.X, this.xIdx, 2)) return 0;
    const low = this.fetchHalf(this.mmu.paddr);
    if ((low & 3) !== 3) return low;
    const next = pc + 2;
    if (!this.mmu.translate(next | 0, Math.floor(next / TWO32) | 0, Acc.X, this.xIdx, 2)) return 0;
    return (low | (this.fetchHalf(this.mmu.paddr) << 16)) >>> 0;
  }

  /**
   * A load (`acc` R) or store (`acc` W) of `size` bytes at virtual address
   * (`lo`, `hi`) on the slow path: translation, PMP, RAM or the bus. A store
   * writes (`vlo`, `vhi`); a load leaves its value in busOut. An access that
   * crosses into the next page translates both, as QEMU does (the second
   * page's fault reports that page's first address). Returns false with
   * faultCause/faultLo/faultHi set when the access faults.
   */
  private access(lo: number, hi: number, size: 1 | 2 | 4 | 8, acc: Acc, vlo = 0, vhi = 0): boolean {
    const first = 4096 - (lo & 4095);
    if (first < size) {
      // Byte by byte through the two translations; little-endian assembly into busOut.
      const bytes = crossBytes, val = crossView;
      val.setInt32(0, vlo, true);
      val.setInt32(4, vhi, true);
      const lo2 = (lo - (lo & 4095) + 4096) | 0, hi2 = (hi + (lo2 === 0 ? 1 : 0)) | 0;
      if (!this.translateData(lo, hi, acc, first)) return false;
      const pa1 = this.mmu.paddr;
      if (!this.translateData(lo2, hi2, acc, size - first)) return false;
      const pa2 = this.mmu.paddr;
      for (let k = 0; k < size; k++) {
        const pa = k < first ? pa1 + k : pa2 + (k - first);
        if (acc === Acc.W ? !this.physWrite(pa, 1, bytes[k]!, 0) : !this.physRead(pa, 1)) {
          // tval: the byte that faulted, as QEMU (privileged spec 3.1.16: the portion of the access that faulted).
          const cause = acc === Acc.W ? CAUSE.STORE_ACCESS : CAUSE.LOAD_ACCESS;
          return k < first ? this.recordFault(cause, lo + k, hi) : this.recordFault(cause, lo2 + (k - first), hi2);
        }
        if (acc !== Acc.W) bytes[k] = this.busOut[0]!;
      }
      if (acc !== Acc.W) {
        this.busOut[0] = val.getUint32(0, true);
        this.busOut[1] = val.getUint32(4, true);
      }
      return true;
    }
    if (!this.translateData(lo, hi, acc, size)) return false;
    const ok = acc === Acc.W ? this.physWrite(this.mmu.paddr, size, vlo, vhi) : this.physRead(this.mmu.paddr, size);
    return ok || this.recordFault(acc === Acc.W ? CAUSE.STORE_ACCESS : CAUSE.LOAD_ACCESS, lo, hi);
  }

  /** Translates a data access under the current data MMU index; on failure records the fault. */
  private translateData(lo: number, hi: number, acc: Acc, size: number): boolean {
    return this.mmu.translate(lo, hi, acc, this.dIdx, size) || this.recordFault(this.mmu.cause, lo, hi);
  }

  /** Takes the trap of the access that faulted, for the instruction at `pc`; returns the handler's pc. */
  private accessFault(pc: number): number {
    return takeTrapWords(this, this.faultCause, false, this.faultLo, this.faultHi, pc | 0, Math.floor(pc / TWO32) | 0);
  }

  private recordFault(cause: number, lo: number, hi: number): false {
    this.faultCause = cause;
    this.faultLo = lo;
    this.faultHi = hi;
    return false;
  }

  /** Reads `size` bytes at physical `pa` into busOut; false for a bus error. */
  private physRead(pa: number, size: 1 | 2 | 4 | 8): boolean {
    const off = pa - this.ramBase;
    if (off >= 0 && off + size <= this.ramSize) {
      const dv = this.dv;
      const o = this.busOut;
      o[1] = size === 8 ? dv.getUint32(off + 4, true) : 0;
      o[0] = size === 8 || size === 4 ? dv.getUint32(off, true) : size === 2 ? dv.getUint16(off, true) : dv.getUint8(off);
      return true;
    }
    return this.bus.read(pa, size, this.busOut);
  }

  /** Writes `size` bytes of (`l`, `h`) at physical `pa`; false for a bus error. */
  private physWrite(pa: number, size: 1 | 2 | 4 | 8, l: number, h: number): boolean {
    const off = pa - this.ramBase;
    if (off >= 0 && off + size <= this.ramSize) {
      const dv = this.dv;
      if (size === 8) dv.setInt32(off + 4, h, true);
      if (size >= 4) dv.setInt32(off, l, true);
      else if (size === 2) dv.setInt16(off, l, true);
      else dv.setInt8(off, l);
      this.ramStored(off, size);
      return true;
    }
    const m = size === 8 || size === 4 ? l : size === 2 ? l & 0xffff : l & 0xff;
    return this.bus.write(pa, size, m >>> 0, size === 8 ? h >>> 0 : 0);
  }

  /** RAM was written at `off` by this hart: drop decodes and blocks of code there. */
  private ramStored(off: number, len: number): void {
    const codeMap = this.cache.codeMap;
    if ((codeMap[off >>> 12]! | codeMap[(off + len - 1) >>> 12]!) !== 0) {
      this.cache.invalidateStore(off, len);
    }
  }

  /** Illegal-instruction trap; tval holds the instruction bits (privileged spec 3.1.16). */
  private illegalTrap(bits: number, pc: number): number {
    return takeTrap(this, CAUSE.ILLEGAL, false, bits >>> 0, pc);
  }

  /**
   * Zicsr instruction (unprivileged spec chapter 9; access rules privileged
   * spec 2.1). Returns false when it must raise illegal-instruction.
   */
  private csrOp(op: Op, rd: number, rs1: number, csr: number): boolean {
    if (!csrPrivilegeOk(this, csr)) return false;
    const isImm = op >= Op.CSRRWI;
    const kind = isImm ? op - 3 : op; // fold the immediate forms onto CSRRW/S/C
    const srcLo = isImm ? rs1 : regLo[rs1]!, srcHi = isImm ? 0 : regHi[rs1]!;
    // CSRRS/CSRRC with rs1 = x0 (or uimm = 0) do not write (and so may read read-only CSRs).
    const writes = kind === Op.CSRRW || rs1 !== 0;
    if (writes && csrReadOnly(csr)) return false;
    if (!csrRead(this, csr, false)) return false;
    const oldLo = csrOut[0]!, oldHi = csrOut[1]!;
    if (writes) {
      let baseLo = oldLo, baseHi = oldHi;
      if (kind !== Op.CSRRW && (csr === 0x344 || csr === 0x144)) {
        // csrrs/csrrc modify mip from its software-written SEIP only (privileged spec 3.1.9).
        csrRead(this, csr, true);
        baseLo = csrOut[0]!;
        baseHi = csrOut[1]!;
      }
      let nl = srcLo, nh = srcHi;
      if (kind === Op.CSRRS) { nl = baseLo | srcLo; nh = baseHi | srcHi; }
      else if (kind === Op.CSRRC) { nl = baseLo & ~srcLo; nh = baseHi & ~srcHi; }
      csrWrite(this, csr, nl, nh);
      // A write may enable an interrupt or change translation: the burst ends to re-check both.
      this.leave = true;
    }
    if (kind === Op.CSRRW && rd === 32) return true;
    regLo[rd] = oldLo;
    regHi[rd] = oldHi;
    return true;
  }

  /** Instruction bits of a CSR instruction, rebuilt for mtval. */
  private static csrBits(op: Op, rd: number, rs1: number, csr: number): number {
    const f3 = op - Op.CSRRW + (op >= Op.CSRRWI ? 2 : 1);
    return ((csr << 20) | (rs1 << 15) | (f3 << 12) | ((rd & 31) << 7) | 0x73) >>> 0;
  }

  /**
   * The interpreter loop for the common ops (integer ALU, branches, jumps,
   * loads and stores on RAM). Runs until `budget` instructions or until the
   * next instruction is anything else, which it leaves in coldW/coldImm for
   * `step`, or is not decoded yet (coldW 0, see `fill`); returns the number
   * executed.
   *
   * Why the split: a small loop compiles quickly in TurboFan, and all its
   * sites get type feedback early (`warmUp` runs them before the guest
   * starts), so V8 optimizes it once instead of deoptimizing at each op the
   * guest meets for the first time. And the loop calls nothing: a call
   * result is a tagged value, and merged into pc it made V8 box pc on every
   * instruction (the compute loop ran at about 40 MIPS instead of 60-65),
   * and any call in the loop made V8 keep the loop's values on the stack.
   */
  private execute(budget: number): number {
    const lo = regLo, hi = regHi, dv = this.dv, cache = this.cache;
    const pageOf = cache.base, codeMap = cache.codeMap;
    const tlbs = this.mmu.tlb, tlb = tlbs.e;
    const rB = tlbs.base(this.dIdx, Acc.R), wB = tlbs.base(this.dIdx, Acc.W), xB = tlbs.base(this.xIdx, Acc.X);
    const startInstret = this.instret, HOT = this.hot;
    // pc = pageBase + e. `e` is the int32 offset of pc in the cache page
    // `page`, whose first byte is at guest (virtual) address pageBase:
    // straight-line code and short branches only add to e, and the fetch
    // checks e alone, so the loop does no double arithmetic on pc for those.
    // Outside any held page (at entry, after a jalr out of the page) e is
    // FAR, past the page, and pageBase = pc - FAR. `page` is the page's
    // index in the slab: EMPTY_PAGE for a page not decoded yet or not in the
    // fetch TLB (the loop stops there and `fill` translates and decodes),
    // BUS_PAGE when pc is romPc, with e = 0. The warm-up takes neither of the
    // paths that leave for no page (outside RAM, a jalr out of the page), so
    // their values are computed on the paths it takes: arithmetic with no
    // type feedback would deoptimize the loop when the guest first got
    // there. Pages and translations change only through ops this loop
    // leaves to `executeCold` (fence.i, sfence.vma, satp, MMIO that may DMA),
    // so a page held here stays valid until the loop ends.
    const romPc = this.romPc;
    let page = EMPTY_PAGE;
    let pageBase = this.pcv - FAR;
    let e = FAR;
    let n = 0;
    let hot = NOT_HOT;
    loop: while (n < budget) {
      n++;
      if ((e >>> 0) >= 4096) {
        // A new page: its RAM page through the fetch TLB, or the one instruction `fill` left in BUS_PAGE.
        const pc = pageBase + e;
        const pl = pc | 0, ph = Math.floor(pc / TWO32) | 0, t = xB + ((pl >>> 12) & TLB_MASK) * 4;
        if (pc === romPc) {
          page = BUS_PAGE;
          e = 0;
        } else if (tlb[t] === (pl & -4096) && tlb[t + 1] === ph) {
          page = pageOf[tlb[t + 2]! >>> 12]!;
          e = pl & 4095;
          if (++heat[(page + e) >>> 1] === HOT) hot = HOT_AT_PAGE;
        } else {
          page = EMPTY_PAGE;
          e = 0;
        }
        pageBase = pc - e;
        if (hot !== NOT_HOT) break;
      }
      // An undecoded slot reads 0, Op.NONE: the switch stops the loop there.
      const w = slab[page + e]!, imm = slab[page + e + 1]!;
      const rd = (w >>> 8) & 63, rs1 = (w >>> 14) & 31, rs2 = (w >>> 19) & 31;
      const next = (e + (w >>> 24)) | 0;
      // Every case either finishes its instruction and continues the loop,
      // or breaks out of the switch to the cold path below.
      switch ((w & 255) as Op) {
        case Op.ADDI: {
          const a = lo[rs1]!, l = (a + imm) | 0;
          hi[rd] = (hi[rs1]! + (imm >> 31) + ((l >>> 0) < (a >>> 0) ? 1 : 0)) | 0;
          lo[rd] = l;
          e = next;
          continue;
        }
        // ADD and SUB take the carry (borrow) from the words' top bits with
        // no branch: on data, a compare for it was a branch V8 mispredicted
        // about every other time.
        case Op.ADD: {
          const a = lo[rs1]!, b = lo[rs2]!, l = (a + b) | 0;
          hi[rd] = (hi[rs1]! + hi[rs2]! + (((a & b) | ((a | b) & ~l)) >>> 31)) | 0;
          lo[rd] = l;
          e = next;
          continue;
        }
        case Op.SUB: {
          const a = lo[rs1]!, b = lo[rs2]!, l = (a - b) | 0;
          hi[rd] = (hi[rs1]! - hi[rs2]! - (((~a & b) | (~(a ^ b) & l)) >>> 31)) | 0;
          lo[rd] = l;
          e = next;
          continue;
        }
        case Op.LUI:
          lo[rd] = imm;
          hi[rd] = imm >> 31;
          e = next;
          continue;
        case Op.AUIPC: {
          const v = pageBase + e + imm;
          lo[rd] = v | 0;
          hi[rd] = Math.floor(v / TWO32) | 0;
          e = next;
          continue;
        }
        case Op.JAL: {
          const link = pageBase + next;
          lo[rd] = link | 0;
          hi[rd] = link >= 0 && link < TWO32 ? 0 : Math.floor(link / TWO32) | 0;
          e = (e + imm) | 0;
          if (e !== next && (e >>> 0) < 4096 && ++heat[(page + e) >>> 1] === HOT) { hot = HOT_AT_JUMP; break loop; }
          continue;
        }
        case Op.JALR: {
          const a = lo[rs1]!, tl = (a + imm) | 0;
          const th = (hi[rs1]! + (imm >> 31) + ((tl >>> 0) < (a >>> 0) ? 1 : 0)) | 0;
          // A target no number holds exactly (|target| >= 2^53) is never fetchable: executeCold faults it exactly.
          if (th > 0x1fffff || th < -0x200000) break;
          const link = pageBase + next;
          lo[rd] = link | 0;
          hi[rd] = link >= 0 && link < TWO32 ? 0 : Math.floor(link / TWO32) | 0;
          const t = (th === 0 ? 0 : th * TWO32) + ((tl & ~1) >>> 0);
          const d = t - pageBase, farBase = t - FAR;
          if (d >= 0 && d < 4096) {
            e = d | 0;
            if (++heat[(page + e) >>> 1] === HOT) { hot = HOT_AT_JUMP; break loop; }
          } else {
            pageBase = farBase;
            e = FAR;
          }
          continue;
        }
        case Op.BEQ:
          e = lo[rs1] === lo[rs2] && hi[rs1] === hi[rs2] ? (e + imm) | 0 : next;
          if (e !== next && (e >>> 0) < 4096 && ++heat[(page + e) >>> 1] === HOT) { hot = HOT_AT_JUMP; break loop; }
          continue;
        case Op.BNE:
          e = lo[rs1] !== lo[rs2] || hi[rs1] !== hi[rs2] ? (e + imm) | 0 : next;
          if (e !== next && (e >>> 0) < 4096 && ++heat[(page + e) >>> 1] === HOT) { hot = HOT_AT_JUMP; break loop; }
          continue;
        case Op.BLT: {
          const ah = hi[rs1]!, bh = hi[rs2]!;
          e = ah < bh || (ah === bh && (lo[rs1]! >>> 0) < (lo[rs2]! >>> 0)) ? (e + imm) | 0 : next;
          if (e !== next && (e >>> 0) < 4096 && ++heat[(page + e) >>> 1] === HOT) { hot = HOT_AT_JUMP; break loop; }
          continue;
        }
        case Op.BGE: {
          const ah = hi[rs1]!, bh = hi[rs2]!;
          e = ah < bh || (ah === bh && (lo[rs1]! >>> 0) < (lo[rs2]! >>> 0)) ? next : (e + imm) | 0;
          if (e !== next && (e >>> 0) < 4096 && ++heat[(page + e) >>> 1] === HOT) { hot = HOT_AT_JUMP; break loop; }
          continue;
        }
        case Op.BLTU: {
          const ah = hi[rs1]! >>> 0, bh = hi[rs2]! >>> 0;
          e = ah < bh || (ah === bh && (lo[rs1]! >>> 0) < (lo[rs2]! >>> 0)) ? (e + imm) | 0 : next;
          if (e !== next && (e >>> 0) < 4096 && ++heat[(page + e) >>> 1] === HOT) { hot = HOT_AT_JUMP; break loop; }
          continue;
        }
        case Op.BGEU: {
          const ah = hi[rs1]! >>> 0, bh = hi[rs2]! >>> 0;
          e = ah < bh || (ah === bh && (lo[rs1]! >>> 0) < (lo[rs2]! >>> 0)) ? next : (e + imm) | 0;
          if (e !== next && (e >>> 0) < 4096 && ++heat[(page + e) >>> 1] === HOT) { hot = HOT_AT_JUMP; break loop; }
          continue;
        }
        // Loads (unprivileged spec 2.6). Address = rs1 + imm in int32 words,
        // looked up in the read TLB: a hit is an entry for exactly this
        // page's two words. Other loads (TLB misses, MMIO, the last 8 bytes
        // of a page, which a wide access could cross) are cold.
        case Op.LB: case Op.LH: case Op.LW: case Op.LD: case Op.LBU: case Op.LHU: case Op.LWU: {
          const a = lo[rs1]!, l = (a + imm) | 0, t = rB + ((l >>> 12) & TLB_MASK) * 4;
          if (tlb[t] !== (l & -4096) || tlb[t + 1] !== ((hi[rs1]! + (imm >> 31) + ((l >>> 0) < (a >>> 0) ? 1 : 0)) | 0) ||
            (l & 4095) > 4088) break;
          const o = tlb[t + 2]! + (l & 4095);
          switch ((w & 255) as Op) {
            case Op.LW: { const v = dv.getInt32(o, true); lo[rd] = v; hi[rd] = v >> 31; break; }
            case Op.LD: lo[rd] = dv.getInt32(o, true); hi[rd] = dv.getInt32(o + 4, true); break;
            case Op.LBU: lo[rd] = dv.getUint8(o); hi[rd] = 0; break;
            case Op.LB: { const v = dv.getInt8(o); lo[rd] = v; hi[rd] = v >> 31; break; }
            case Op.LHU: lo[rd] = dv.getUint16(o, true); hi[rd] = 0; break;
            case Op.LH: { const v = dv.getInt16(o, true); lo[rd] = v; hi[rd] = v >> 31; break; }
            default: lo[rd] = dv.getInt32(o, true); hi[rd] = 0; break;
          }
          e = next;
          continue;
        }
        // Stores (unprivileged spec 2.6), through the write TLB. Stores into a
        // page holding decoded code are cold: executeCold clears the decodes
        // they overwrite. There are a couple of hundred in a U-Boot boot, and
        // V8 would otherwise inline the invalidation loop into this loop four
        // times.
        case Op.SW: {
          const a = lo[rs1]!, l = (a + imm) | 0, t = wB + ((l >>> 12) & TLB_MASK) * 4;
          if (tlb[t] !== (l & -4096) || tlb[t + 1] !== ((hi[rs1]! + (imm >> 31) + ((l >>> 0) < (a >>> 0) ? 1 : 0)) | 0) ||
            (l & 4095) > 4088) break;
          const o = tlb[t + 2]! + (l & 4095);
          if (codeMap[o >>> 12] !== 0) break;
          dv.setInt32(o, lo[rs2]!, true);
          e = next;
          continue;
        }
        case Op.SD: {
          const a = lo[rs1]!, l = (a + imm) | 0, t = wB + ((l >>> 12) & TLB_MASK) * 4;
          if (tlb[t] !== (l & -4096) || tlb[t + 1] !== ((hi[rs1]! + (imm >> 31) + ((l >>> 0) < (a >>> 0) ? 1 : 0)) | 0) ||
            (l & 4095) > 4088) break;
          const o = tlb[t + 2]! + (l & 4095);
          if (codeMap[o >>> 12] !== 0) break;
          dv.setInt32(o, lo[rs2]!, true);
          dv.setInt32(o + 4, hi[rs2]!, true);
          e = next;
          continue;
        }
        case Op.SB: {
          const a = lo[rs1]!, l = (a + imm) | 0, t = wB + ((l >>> 12) & TLB_MASK) * 4;
          if (tlb[t] !== (l & -4096) || tlb[t + 1] !== ((hi[rs1]! + (imm >> 31) + ((l >>> 0) < (a >>> 0) ? 1 : 0)) | 0) ||
            (l & 4095) > 4088) break;
          const o = tlb[t + 2]! + (l & 4095);
          if (codeMap[o >>> 12] !== 0) break;
          dv.setInt8(o, lo[rs2]!);
          e = next;
          continue;
        }
        case Op.SH: {
          const a = lo[rs1]!, l = (a + imm) | 0, t = wB + ((l >>> 12) & TLB_MASK) * 4;
          if (tlb[t] !== (l & -4096) || tlb[t + 1] !== ((hi[rs1]! + (imm >> 31) + ((l >>> 0) < (a >>> 0) ? 1 : 0)) | 0) ||
            (l & 4095) > 4088) break;
          const o = tlb[t + 2]! + (l & 4095);
          if (codeMap[o >>> 12] !== 0) break;
          dv.setInt16(o, lo[rs2]!, true);
          e = next;
          continue;
        }
        case Op.SLTI: {
          const ah = hi[rs1]!, bh = imm >> 31;
          lo[rd] = ah < bh || (ah === bh && (lo[rs1]! >>> 0) < (imm >>> 0)) ? 1 : 0;
          hi[rd] = 0;
          e = next;
          continue;
        }
        case Op.SLTIU: {
          // The immediate is sign-extended, then compared unsigned (2.4.1).
          const ah = hi[rs1]! >>> 0, bh = (imm >> 31) >>> 0;
          lo[rd] = ah < bh || (ah === bh && (lo[rs1]! >>> 0) < (imm >>> 0)) ? 1 : 0;
          hi[rd] = 0;
          e = next;
          continue;
        }
        case Op.XORI: hi[rd] = hi[rs1]! ^ (imm >> 31); lo[rd] = lo[rs1]! ^ imm; e = next; continue;
        case Op.ORI: hi[rd] = hi[rs1]! | (imm >> 31); lo[rd] = lo[rs1]! | imm; e = next; continue;
        case Op.ANDI: hi[rd] = hi[rs1]! & (imm >> 31); lo[rd] = lo[rs1]! & imm; e = next; continue;
        case Op.SLLI: case Op.SLL: {
          const s = (w & 255) === Op.SLLI ? imm : lo[rs2]! & 63;
          const l = lo[rs1]!, h = hi[rs1]!;
          if (s === 0) { lo[rd] = l; hi[rd] = h; }
          else if (s < 32) { hi[rd] = (h << s) | (l >>> (32 - s)); lo[rd] = l << s; }
          else { hi[rd] = l << (s - 32); lo[rd] = 0; }
          e = next;
          continue;
        }
        case Op.SRLI: case Op.SRL: {
          const s = (w & 255) === Op.SRLI ? imm : lo[rs2]! & 63;
          const l = lo[rs1]!, h = hi[rs1]!;
          if (s === 0) { lo[rd] = l; hi[rd] = h; }
          else if (s < 32) { lo[rd] = (l >>> s) | (h << (32 - s)); hi[rd] = h >>> s; }
          else { lo[rd] = h >>> (s - 32); hi[rd] = 0; }
          e = next;
          continue;
        }
        case Op.SRAI: case Op.SRA: {
          const s = (w & 255) === Op.SRAI ? imm : lo[rs2]! & 63;
          const l = lo[rs1]!, h = hi[rs1]!;
          if (s === 0) { lo[rd] = l; hi[rd] = h; }
          else if (s < 32) { lo[rd] = (l >>> s) | (h << (32 - s)); hi[rd] = h >> s; }
          else { lo[rd] = h >> (s - 32); hi[rd] = h >> 31; }
          e = next;
          continue;
        }
        case Op.SLT: {
          const ah = hi[rs1]!, bh = hi[rs2]!;
          lo[rd] = ah < bh || (ah === bh && (lo[rs1]! >>> 0) < (lo[rs2]! >>> 0)) ? 1 : 0;
          hi[rd] = 0;
          e = next;
          continue;
        }
        case Op.SLTU: {
          const ah = hi[rs1]! >>> 0, bh = hi[rs2]! >>> 0;
          lo[rd] = ah < bh || (ah === bh && (lo[rs1]! >>> 0) < (lo[rs2]! >>> 0)) ? 1 : 0;
          hi[rd] = 0;
          e = next;
          continue;
        }
        case Op.XOR: hi[rd] = hi[rs1]! ^ hi[rs2]!; lo[rd] = lo[rs1]! ^ lo[rs2]!; e = next; continue;
        case Op.OR: hi[rd] = hi[rs1]! | hi[rs2]!; lo[rd] = lo[rs1]! | lo[rs2]!; e = next; continue;
        case Op.AND: hi[rd] = hi[rs1]! & hi[rs2]!; lo[rd] = lo[rs1]! & lo[rs2]!; e = next; continue;
        // RV64I word ops: 32-bit result sign-extended (unprivileged spec 2.4 / chapter 5).
        case Op.ADDIW: { const v = (lo[rs1]! + imm) | 0; lo[rd] = v; hi[rd] = v >> 31; e = next; continue; }
        case Op.SLLIW: { const v = lo[rs1]! << imm; lo[rd] = v; hi[rd] = v >> 31; e = next; continue; }
        case Op.SRLIW: { const v = (lo[rs1]! >>> imm) | 0; lo[rd] = v; hi[rd] = v >> 31; e = next; continue; }
        case Op.SRAIW: { const v = lo[rs1]! >> imm; lo[rd] = v; hi[rd] = v >> 31; e = next; continue; }
        case Op.ADDW: { const v = (lo[rs1]! + lo[rs2]!) | 0; lo[rd] = v; hi[rd] = v >> 31; e = next; continue; }
        case Op.SUBW: { const v = (lo[rs1]! - lo[rs2]!) | 0; lo[rd] = v; hi[rd] = v >> 31; e = next; continue; }
        case Op.SLLW: { const v = lo[rs1]! << (lo[rs2]! & 31); lo[rd] = v; hi[rd] = v >> 31; e = next; continue; }
        case Op.SRLW: { const v = (lo[rs1]! >>> (lo[rs2]! & 31)) | 0; lo[rd] = v; hi[rd] = v >> 31; e = next; continue; }
        case Op.SRAW: { const v = lo[rs1]! >> (lo[rs2]! & 31); lo[rd] = v; hi[rd] = v >> 31; e = next; continue; }
        default:
          break;
      }
      // Not a common op, or not on RAM: `step` runs it through executeCold.
      n--;
      this.coldW = w;
      this.coldImm = imm;
      break;
    }
    // HOT_AT_PAGE stopped after counting the instruction it did not run.
    n -= hot >> 1;
    this.hotHit = hot !== NOT_HOT;
    this.pcv = pageBase + e;
    this.instret = startInstret + n;
    return n;
  }


  /**
   * Executes the instruction `w`/`imm` at `pc` that `execute` stopped at;
   * returns the next pc and sets `leave` when the burst must end (CSR
   * writes, trap returns, wfi, TLB and cache flushes, a device line changed
   * by an MMIO access).
   */
  private executeCold(w: number, imm: number, pc: number): number {
    const lo = regLo, hi = regHi;
    const rd = (w >>> 8) & 63, rs1 = (w >>> 14) & 31, rs2 = (w >>> 19) & 31;
    const next = pc + (w >>> 24);
    const op = (w & 255) as Op;
    switch (op) {
      case Op.LB: case Op.LH: case Op.LW: case Op.LD: case Op.LBU: case Op.LHU: case Op.LWU: {
        const a = lo[rs1]!, l = (a + imm) | 0, h = (hi[rs1]! + (imm >> 31) + ((l >>> 0) < (a >>> 0) ? 1 : 0)) | 0;
        if (!this.access(l, h, SIZE[op]!, Acc.R)) return this.accessFault(pc);
        const v = this.busOut[0]! | 0;
        switch (op) {
          case Op.LB: lo[rd] = (v << 24) >> 24; hi[rd] = v << 24 >> 31; break;
          case Op.LBU: lo[rd] = v & 0xff; hi[rd] = 0; break;
          case Op.LH: lo[rd] = (v << 16) >> 16; hi[rd] = v << 16 >> 31; break;
          case Op.LHU: lo[rd] = v & 0xffff; hi[rd] = 0; break;
          case Op.LW: lo[rd] = v; hi[rd] = v >> 31; break;
          case Op.LWU: lo[rd] = v; hi[rd] = 0; break;
          default: lo[rd] = v; hi[rd] = this.busOut[1]! | 0; break;
        }
        if (this.irqDirty) this.leave = true;
        return next;
      }
      case Op.SB: case Op.SH: case Op.SW: case Op.SD: {
        const a = lo[rs1]!, l = (a + imm) | 0, h = (hi[rs1]! + (imm >> 31) + ((l >>> 0) < (a >>> 0) ? 1 : 0)) | 0;
        if (!this.access(l, h, SIZE[op]!, Acc.W, lo[rs2]!, hi[rs2]!)) return this.accessFault(pc);
        if (this.irqDirty) this.leave = true;
        return next;
      }
      // F and D loads and stores (unprivileged spec 20.5, 21.3): rs2 names the f register.
      case Op.FLW: case Op.FLD: case Op.FSW: case Op.FSD: {
        if (!fpEnabled(this)) return this.illegalTrap(this.instructionBits(pc), pc);
        const a = lo[rs1]!, l = (a + imm) | 0, h = (hi[rs1]! + (imm >> 31) + ((l >>> 0) < (a >>> 0) ? 1 : 0)) | 0;
        const store = op === Op.FSW || op === Op.FSD;
        const ok = store ? this.access(l, h, SIZE[op]!, Acc.W, fregs[2 * rs2]!, fregs[2 * rs2 + 1]!) : this.access(l, h, SIZE[op]!, Acc.R);
        if (!ok) return this.accessFault(pc);
        if (!store) {
          fregs[2 * rs2] = this.busOut[0]! | 0;
          fregs[2 * rs2 + 1] = op === Op.FLD ? this.busOut[1]! | 0 : -1;
          fpDirty(this);
        }
        return next;
      }
      // RV64M (unprivileged spec chapter 13).
      case Op.MUL: case Op.MULH: case Op.MULHSU: case Op.MULHU:
      case Op.DIV: case Op.DIVU: case Op.REM: case Op.REMU: {
        const al = lo[rs1]!, ah = hi[rs1]!, bl = lo[rs2]!, bh = hi[rs2]!;
        switch (op) {
          case Op.MUL: mul64(al, ah, bl, bh); break;
          case Op.MULH: mulh64(al, ah, bl, bh); break;
          case Op.MULHSU: mulhsu64(al, ah, bl, bh); break;
          case Op.MULHU: mulhu64(al, ah, bl, bh); break;
          case Op.DIV: case Op.REM: div64(al, ah, bl, bh, op === Op.REM); break;
          default: divu64(al, ah, bl, bh, op === Op.REMU); break;
        }
        lo[rd] = mdOut[0]!;
        hi[rd] = mdOut[1]!;
        return next;
      }
      case Op.MULW: case Op.DIVW: case Op.DIVUW: case Op.REMW: case Op.REMUW: {
        const a = lo[rs1]!, b = lo[rs2]!;
        const v = op === Op.MULW ? Math.imul(a, b)
          : op === Op.DIVW || op === Op.REMW ? divw(a, b, op === Op.REMW)
          : divuw(a, b, op === Op.REMUW);
        lo[rd] = v;
        hi[rd] = v >> 31;
        return next;
      }
      case Op.JALR: {
        // Only a jump to an address beyond 2^53 comes here (see execute): it retires, and its fetch faults.
        const a = lo[rs1]!, tl = (a + imm) & ~1, th = (hi[rs1]! + (imm >> 31) + (((a + imm) >>> 0) < (a >>> 0) ? 1 : 0)) | 0;
        lo[rd] = next | 0;
        hi[rd] = Math.floor(next / TWO32) | 0;
        const cause = this.mmu.translate(tl, th, Acc.X, this.xIdx, 2) ? CAUSE.FETCH_ACCESS : this.mmu.cause;
        return takeTrapWords(this, cause, false, tl, th, tl, th);
      }
      case Op.FENCE:
        return next;
      case Op.FENCE_I:
        // Stores, DMA and loaders already drop the decodes and blocks they overwrite (decode-cache.ts).
        this.leave = true;
        return next;
      case Op.ECALL:
        // Causes 8, 9, 11: ecall from U, S, M (privileged spec table 3.6).
        return takeTrap(this, CAUSE.ECALL_U + this.priv, false, 0, pc);
      case Op.EBREAK:
        // tval 0, as QEMU 7.2 (the spec allows 0 or the pc, privileged spec 3.1.16).
        return takeTrap(this, CAUSE.BREAKPOINT, false, 0, pc);
      case Op.MRET:
        if (this.priv !== PRIV_M) return this.illegalTrap(0x30200073, pc);
        this.leave = true;
        return mret(this);
      case Op.SRET:
        // TSR traps sret in S-mode (privileged spec 3.1.6.5).
        if (this.priv === PRIV_U || (this.priv === PRIV_S && (this.mstatus & MSTATUS.TSR) !== 0)) {
          return this.illegalTrap(0x10200073, pc);
        }
        this.leave = true;
        return sret(this);
      case Op.WFI:
        // wfi is illegal in U-mode, and in S-mode when TW=1 (privileged spec 3.1.6.5).
        if (this.priv === PRIV_U || (this.priv !== PRIV_M && (this.mstatus & MSTATUS.TW) !== 0)) {
          return this.illegalTrap(0x10500073, pc);
        }
        if ((mipValue(this) & this.mie) === 0) this.waiting = true;
        this.leave = true;
        return next;
      case Op.SFENCE_VMA:
        // TVM traps it in S-mode (3.1.6.5); rs1 names a page, rs2 an ASID, x0 means all (4.2.1).
        if (this.priv === PRIV_U || (this.priv === PRIV_S && (this.mstatus & MSTATUS.TVM) !== 0)) {
          return this.illegalTrap(imm, pc);
        }
        if (rs1 === 0 && rs2 === 0) this.mmu.tlb.flushAll();
        else if (rs1 === 0) this.mmu.tlb.flushAsid(lo[rs2]! & 0xffff);
        else this.mmu.tlb.flushPage(lo[rs1]!, hi[rs1]!, rs2 === 0 ? -1 : lo[rs2]! & 0xffff);
        this.leave = true;
        return next;
      case Op.CSRRW: case Op.CSRRS: case Op.CSRRC: case Op.CSRRWI: case Op.CSRRSI: case Op.CSRRCI:
        if (!this.csrOp(op, rd, rs1, imm)) return this.illegalTrap(Rv64Hart.csrBits(op, rd, rs1, imm), pc);
        return next;
      // RV64A (unprivileged spec chapter 8). AMOs and LR/SC need natural
      // alignment; misaligned ones raise cause 4 (LR) or 6 (SC/AMO).
      case Op.LR_W: case Op.LR_D: case Op.SC_W: case Op.SC_D: case Op.AMO_W: case Op.AMO_D:
        return this.atomic(op, rd, rs1, rs2, imm, pc, next);
      case Op.FP_ARITH: case Op.FP_FMA:
        return fpExecute(this, imm, FP_REGS) ? next : this.illegalTrap(imm, pc);
      default:
        // Op.ILLEGAL: reserved or unsupported encodings; tval = instruction bits.
        return this.illegalTrap(imm, pc);
    }
  }

  /** LR, SC and AMOs (unprivileged spec chapter 8) on RAM through the MMU; returns the next pc. */
  private atomic(op: Op, rd: number, rs1: number, rs2: number, f5: number, pc: number, next: number): number {
    const lo = regLo, hi = regHi, dv = this.dv;
    const d = op === Op.LR_D || op === Op.SC_D || op === Op.AMO_D;
    const al = lo[rs1]!, ah = hi[rs1]!;
    const va = ah * TWO32 + (al >>> 0);
    const isLr = op === Op.LR_W || op === Op.LR_D;
    const pl = pc | 0, ph = Math.floor(pc / TWO32) | 0;
    if ((al & (d ? 7 : 3)) !== 0) return takeTrapWords(this, isLr ? CAUSE.LOAD_MISALIGNED : CAUSE.STORE_MISALIGNED, false, al, ah, pl, ph);
    if ((op === Op.SC_W || op === Op.SC_D) && this.resv !== va) {
      // No reservation: SC fails without touching memory.
      lo[rd] = 1;
      hi[rd] = 0;
      this.resv = NaN;
      return next;
    }
    // The TLB first, as loads and stores do (a W entry implies R: a writable PTE or PMP region is readable).
    const tlb = this.mmu.tlb.e, t = (isLr ? this.rBase : this.wBase) + ((al >>> 12) & TLB_MASK) * 4;
    let o: number;
    if (tlb[t] === (al & -4096) && tlb[t + 1] === ah) o = tlb[t + 2]! + (al & 4095);
    else if (this.mmu.translate(al, ah, isLr ? Acc.R : Acc.W, this.dIdx, d ? 8 : 4)) o = this.mmu.paddr - this.ramBase;
    else return takeTrapWords(this, this.mmu.cause, false, al, ah, pl, ph);
    // Atomics need RAM: anywhere else they raise an access fault (PMA, privileged spec 3.6.3.2).
    if (!(o >= 0 && o + (d ? 8 : 4) <= this.ramSize)) return takeTrap(this, isLr ? CAUSE.LOAD_ACCESS : CAUSE.STORE_ACCESS, false, va, pc);
    if (isLr) {
      const v = dv.getInt32(o, true);
      lo[rd] = v;
      hi[rd] = d ? dv.getInt32(o + 4, true) : v >> 31;
      this.resv = va;
    } else if (op === Op.SC_W || op === Op.SC_D) {
      dv.setInt32(o, lo[rs2]!, true);
      if (d) dv.setInt32(o + 4, hi[rs2]!, true);
      this.ramStored(o, d ? 8 : 4);
      lo[rd] = 0;
      hi[rd] = 0;
      this.resv = NaN;
    } else {
      const ol = dv.getInt32(o, true);
      const oh = d ? dv.getInt32(o + 4, true) : ol >> 31;
      const bl = lo[rs2]!, bh = d ? hi[rs2]! : bl >> 31;
      let rl = bl, rh = bh;
      switch (f5 as Amo) {
        case Amo.SWAP: break;
        case Amo.ADD: {
          rl = (ol + bl) | 0;
          rh = (oh + bh + ((rl >>> 0) < (ol >>> 0) ? 1 : 0)) | 0;
          break;
        }
        case Amo.XOR: rl = ol ^ bl; rh = oh ^ bh; break;
        case Amo.OR: rl = ol | bl; rh = oh | bh; break;
        case Amo.AND: rl = ol & bl; rh = oh & bh; break;
        default: {
          const signed = f5 === Amo.MIN || f5 === Amo.MAX;
          const ah2 = signed ? oh : oh >>> 0, bh2 = signed ? bh : bh >>> 0;
          const less = ah2 < bh2 || (ah2 === bh2 && (ol >>> 0) < (bl >>> 0));
          const takeOld = f5 === Amo.MIN || f5 === Amo.MINU ? less : !less;
          if (takeOld) { rl = ol; rh = oh; }
        }
      }
      dv.setInt32(o, rl, true);
      if (d) dv.setInt32(o + 4, rh, true);
      this.ramStored(o, d ? 8 : 4);
      lo[rd] = ol;
      hi[rd] = oh;
    }
    return next;
  }
}
