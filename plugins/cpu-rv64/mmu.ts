/**
 * Address translation of one hart: Sv39 and Sv48 page walks (privileged
 * spec 4.3-4.5), PMP checks of every physical access, and the TLB that
 * caches the results for the interpreter's and compiled code's fast paths.
 *
 * As QEMU 7.2 does, the walk sets A (and D for a store) in the PTE itself
 * instead of raising a page fault, and every access may be misaligned.
 * No Svnapot, Svpbmt or Svinval: PTE bits 54-63 must be 0.
 */
import { Pmp, PMP_R, PMP_W, PMP_X } from './pmp.js';
import { MSTATUS, PRIV_M, PRIV_S, PRIV_U, type HartState } from './state.js';
import { SuperpageCache } from './superpage-cache.js';
import { Acc, MmuIdx, Tlb } from './tlb.js';

/** satp.MODE values (privileged spec 4.1.11). */
export const SATP_BARE = 0;
export const SATP_SV39 = 8;
export const SATP_SV48 = 9;

/** Exception causes of failed translations, by access kind (privileged spec table 3.6). */
const PAGE_FAULT = [13, 15, 12];
const ACCESS_FAULT = [5, 7, 1];
const PERM = [PMP_R, PMP_W, PMP_X];
/** The PTE permission each access kind needs. */
const NEED = [2, 4, 8];

const PTE_V = 1, PTE_R = 2, PTE_W = 4, PTE_X = 8, PTE_U = 16, PTE_A = 64, PTE_D = 128;
const TWO32 = 4294967296;

/** The privilege an MMU index stands for. */
const PRIV_OF = [PRIV_U, PRIV_S, PRIV_S, PRIV_M];

export class Mmu {
  readonly tlb = new Tlb();
  readonly pmp = new Pmp();
  private readonly supers = new SuperpageCache();
  /** satp.MODE in effect, and the root page table's physical page number and ASID. */
  mode = SATP_BARE;
  private root = 0;
  private asid = 0;
  /** The widest mode `setSatp` accepts (`-cpu rv64,sv48=off` limits it to Sv39). */
  readonly maxMode: number;
  /** Result of the last successful `translate`: the physical address. */
  paddr = 0;
  /** Result of the last failed `translate`: the exception cause. */
  cause = 0;

  constructor(
    private readonly h: HartState,
    private readonly ram: DataView,
    private readonly ramBase: number,
    /** Told about A/D updates, which write RAM behind the interpreter's back. */
    private readonly ramWritten: (off: number, len: number) => void,
    sv48: boolean,
  ) {
    this.maxMode = sv48 ? SATP_SV48 : SATP_SV39;
  }

  /**
   * A satp write (words `lo`, `hi`). Returns false when its MODE is not one
   * this hart has, in which case the write has no effect at all (4.1.11).
   */
  setSatp(lo: number, hi: number): boolean {
    const mode = hi >>> 28;
    if (mode !== SATP_BARE && (mode < SATP_SV39 || mode > this.maxMode)) return false;
    const asid = (hi >>> 12) & 0xffff;
    const root = (hi & 0xfff) * TWO32 + (lo >>> 0);
    if (mode !== this.mode) this.tlb.flushAll();
    this.mode = mode;
    this.root = root;
    this.asid = asid;
    this.tlb.select(Tlb.key(asid, root));
    return true;
  }

  /** The MMU index of data accesses: MPRV makes M-mode loads and stores use MPP's (3.1.6.3). */
  static dataIdx(h: HartState): MmuIdx {
    let p = h.priv;
    if (p === PRIV_M && (h.mstatus & MSTATUS.MPRV) !== 0) p = (h.mstatus & MSTATUS.MPP) >>> MSTATUS.MPP_SHIFT;
    if (p === PRIV_M) return MmuIdx.M;
    if (p === PRIV_U) return MmuIdx.U;
    return (h.mstatus & MSTATUS.SUM) !== 0 ? MmuIdx.S_SUM : MmuIdx.S;
  }

  /** The MMU index of instruction fetches. */
  static fetchIdx(h: HartState): MmuIdx {
    return h.priv === PRIV_M ? MmuIdx.M : h.priv === PRIV_U ? MmuIdx.U : MmuIdx.S;
  }

  /**
   * Translates virtual address (`lo`, `hi`) for an access of kind `acc` and
   * `size` bytes under `idx`, checking PMP for [paddr, paddr+size). On
   * success sets `paddr` and, when the whole page may be cached, makes a TLB
   * entry; on failure sets `cause` (page or access fault of `acc`).
   */
  translate(lo: number, hi: number, acc: Acc, idx: MmuIdx, size: number): boolean {
    const priv = PRIV_OF[idx]!;
    let pa: number;
    let allowed = PTE_R | PTE_W | PTE_X;
    let level = 0;
    if (priv === PRIV_M || this.mode === SATP_BARE) {
      pa = (hi >>> 0) * TWO32 + (lo >>> 0);
    } else {
      const va = hi * TWO32 + (lo >>> 0);
      const mxr = (this.h.mstatus & MSTATUS.MXR) !== 0 ? 1 : 0;
      const cached = this.supers.lookup(idx, va, this.tlb.gen, mxr, NEED[acc]!);
      if (cached >= 0) {
        pa = cached;
        allowed = this.supers.foundPerms;
        level = this.supers.foundLevel;
      } else {
        const r = this.walk(lo, hi, acc, idx);
        if (r < 0) return false;
        pa = r;
        allowed = this.leafPerms;
        level = this.leafLevel;
        if (level > 0) {
          // Recorded for page flushes here, once per walk; a hit in the cache is in a generation that still has it.
          this.tlb.recordSuperpage(lo, hi, level);
          this.supers.remember(idx, va, pa, this.tlb.gen, mxr, allowed, level);
        }
      }
    }
    const page = pa - (lo & 4095);
    const pmpPage = this.pmp.permissions(page, 4096, priv);
    if (pmpPage < 0 ? !this.pmp.allows(pa, size, priv, PERM[acc]!) : (pmpPage & PERM[acc]!) === 0) {
      this.cause = ACCESS_FAULT[acc]!;
      return false;
    }
    this.paddr = pa;
    const off = page - this.ramBase;
    if (pmpPage >= 0 && off >= 0 && off + 4096 <= this.ram.byteLength && off < 2 ** 31) {
      if ((allowed & PTE_R) && (pmpPage & PMP_R) && acc !== Acc.X) this.tlb.insert(idx, Acc.R, lo, hi, off, level);
      if ((allowed & PTE_W) && (pmpPage & PMP_W) && acc !== Acc.X) this.tlb.insert(idx, Acc.W, lo, hi, off, level);
      if ((allowed & PTE_X) && (pmpPage & PMP_X) && acc === Acc.X) this.tlb.insert(idx, Acc.X, lo, hi, off, level);
    }
    return true;
  }

  /** What `walk` found besides the address: the accesses the leaf allows without another walk, and its level. */
  private leafPerms = 0;
  private leafLevel = 0;

  /** The page walk (4.3.2); returns the physical address, or -1 with `cause` set. */
  private walk(lo: number, hi: number, acc: Acc, idx: MmuIdx): number {
    const levels = this.mode === SATP_SV39 ? 3 : 4;
    // Bits 63..39 (Sv39) or 63..48 (Sv48) must all equal the top bit of the VA (4.3.1, 4.4.1).
    const shift = levels === 3 ? 25 : 16;
    if (((hi << shift) >> shift) !== hi) return this.fail(PAGE_FAULT[acc]!);
    const vpn = (lo >>> 12) + (hi & 0xffff) * 1048576; // VA bits 12..47
    const h = this.h;
    const ram = this.ram;
    const sum = idx === MmuIdx.S_SUM, mxr = (h.mstatus & MSTATUS.MXR) !== 0;
    let table = this.root * 4096;
    for (let i = levels - 1; i >= 0; i--) {
      const index = Math.floor(vpn / 2 ** (9 * i)) % 512;
      const pteAddr = table + index * 8;
      const off = pteAddr - this.ramBase;
      // PTE reads are implicit S-mode accesses checked by PMP; they must be in RAM.
      if (off < 0 || off + 8 > ram.byteLength || !this.pmp.allows(pteAddr, 8, PRIV_S, PMP_R)) return this.fail(ACCESS_FAULT[acc]!);
      let pl = ram.getInt32(off, true);
      const ph = ram.getInt32(off + 4, true);
      if ((pl & PTE_V) === 0 || ((pl & PTE_R) === 0 && (pl & PTE_W) !== 0) || (ph >>> 22) !== 0) return this.fail(PAGE_FAULT[acc]!);
      const ppn = (pl >>> 10) + (ph & 0x3fffff) * 4194304;
      if ((pl & (PTE_R | PTE_X)) === 0) {
        table = ppn * 4096;
        continue;
      }
      // A leaf: a superpage's PPN must be aligned to its size (4.3.2 step 6).
      const span = 2 ** (9 * i);
      if (ppn % span !== 0) return this.fail(PAGE_FAULT[acc]!);
      // U pages: U-mode only, or S-mode data with SUM; S never executes them (4.3.1).
      const user = (pl & PTE_U) !== 0;
      let ok = PTE_R | PTE_W | PTE_X;
      if (idx === MmuIdx.U) { if (!user) ok = 0; } else if (user) ok = sum ? PTE_R | PTE_W : 0;
      const readable = (pl & PTE_R) !== 0 || (mxr && (pl & PTE_X) !== 0);
      let perms = ok & ((readable ? PTE_R : 0) | (pl & (PTE_W | PTE_X)));
      const need = acc === Acc.R ? PTE_R : acc === Acc.W ? PTE_W : PTE_X;
      if ((perms & need) === 0) return this.fail(PAGE_FAULT[acc]!);
      // Hardware A/D update (QEMU 7.2's behaviour, allowed by 4.3.2 step 7).
      const want = PTE_A | (acc === Acc.W ? PTE_D : 0);
      if ((pl & want) !== want) {
        if (!this.pmp.allows(pteAddr, 8, PRIV_S, PMP_W)) return this.fail(ACCESS_FAULT[acc]!);
        pl |= want;
        ram.setInt32(off, pl, true);
        this.ramWritten(off, 8);
      }
      // A store must find D set; until it is, only the walk may grant writes.
      if ((pl & PTE_D) === 0) perms &= ~PTE_W;
      this.leafPerms = perms;
      this.leafLevel = i;
      const page = ppn + (vpn % span);
      return page * 4096 + (lo & 4095);
    }
    return this.fail(PAGE_FAULT[acc]!);
  }

  private fail(cause: number): number {
    this.cause = cause;
    return -1;
  }
}
