/**
 * One RV64IMAC hart: decoder and interpreter loop (unprivileged spec
 * chapters 2, 5, 7, 8, 9, 13, 14, 16; privileged spec chapter 3).
 *
 * Speed decisions (the 60 MIPS target):
 * - integer registers are int32 lo/hi pairs in two module-level
 *   Int32Arrays that the running hart loads and saves around `step`; x0
 *   reads from index 0 (always 0) and writes to x0 are redirected at decode
 *   time to a scratch register 32, so no instruction tests rd != 0;
 * - instructions are decoded once into a packed word + immediate held by
 *   the shared `DecodeCache`, and executed by a `switch` over small integer
 *   op numbers (a jump table in V8; the op enum must stay a `const enum` in
 *   this file so esbuild inlines the case labels): the common ops in the
 *   loop of `execute`, the others out of line in `executeCold`;
 * - RAM loads and stores go through a DataView on `bus.ram` (handles
 *   misaligned accesses in hardware, as QEMU does); everything else goes
 *   through the bus slow path;
 * - traps are values (`takeTrap` returns the handler's pc), nothing throws
 *   and nothing allocates per instruction.
 */
import type { PhysicalBus } from '../hw/bus.js';
import type { Hart, MachineTimer } from '../hw/cpu.js';
import { csrOut, csrPrivilegeOk, csrRead, csrReadOnly, csrWrite, mipValue } from './csr.js';
import { BUS_PAGE, EMPTY_PAGE, slab as decodeSlab, type DecodeCache } from './decode-cache.js';
import { div64, divu64, divuw, divw, mdOut, mul64, mulh64, mulhsu64, mulhu64 } from './muldiv.js';
import { C64, C64_COUNT, MSTATUS, PRIV_M, PRIV_S, PRIV_U, type HartState } from './state.js';
import { CAUSE, mret, pendingInterrupt, sret, takeTrap } from './trap.js';

const TWO32 = 4294967296;
const TWO64 = 18446744073709551616;

/** Op numbers of decoded instructions. 0 marks an empty cache slot. */
const enum Op {
  NONE = 0, ILLEGAL, FETCH_FAULT,
  LUI, AUIPC, JAL, JALR,
  BEQ, BNE, BLT, BGE, BLTU, BGEU,
  LB, LH, LW, LD, LBU, LHU, LWU,
  SB, SH, SW, SD,
  ADDI, SLTI, SLTIU, XORI, ORI, ANDI, SLLI, SRLI, SRAI,
  ADD, SUB, SLL, SLT, SLTU, XOR, SRL, SRA, OR, AND,
  ADDIW, SLLIW, SRLIW, SRAIW,
  ADDW, SUBW, SLLW, SRLW, SRAW,
  MUL, MULH, MULHSU, MULHU, DIV, DIVU, REM, REMU,
  MULW, DIVW, DIVUW, REMW, REMUW,
  FENCE, FENCE_I,
  ECALL, EBREAK, MRET, SRET, WFI, SFENCE_VMA,
  CSRRW, CSRRS, CSRRC, CSRRWI, CSRRSI, CSRRCI,
  LR_W, SC_W, AMO_W, LR_D, SC_D, AMO_D,
}

/** AMO funct5 values (unprivileged spec 8.4), kept in the immediate of AMO_W/AMO_D. */
const enum Amo { ADD = 0, SWAP = 1, XOR = 4, OR = 8, AND = 12, MIN = 16, MAX = 20, MINU = 24, MAXU = 28 }

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

/** `e` in the interpreter loop when no cache page is held: past any page, and int32 after any branch offset. */
const FAR = 0x40000000;

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
 * Immediate of the last decode (the decoder returns the packed word). A
 * typed array, not a variable, so the interpreter loop reads it as an int32.
 */
const decImm = new Int32Array(1);

/**
 * Packed word: op (bits 0-7) | rd (8-13, x0 mapped to scratch 32) |
 * rs1 (14-18) | rs2 (19-23) | instruction length in bytes (24-26).
 */
function pack(op: Op, rd: number, rs1: number, rs2: number, len: number, imm: number): number {
  decImm[0] = imm;
  return op | ((rd === 0 ? 32 : rd) << 8) | (rs1 << 14) | (rs2 << 19) | (len << 24);
}

function illegal(bits: number, len: number): number {
  return pack(Op.ILLEGAL, 0, 0, 0, len, bits);
}

/** Decodes a 32-bit instruction (unprivileged spec chapter 34, RV64 opcode map). */
export function decode32(i: number): number {
  const opc = i & 0x7f, rd = (i >>> 7) & 31, f3 = (i >>> 12) & 7, rs1 = (i >>> 15) & 31, rs2 = (i >>> 20) & 31;
  const f7 = i >>> 25;
  const immI = i >> 20;
  switch (opc) {
    case 0x37: return pack(Op.LUI, rd, 0, 0, 4, i & 0xfffff000);
    case 0x17: return pack(Op.AUIPC, rd, 0, 0, 4, i & 0xfffff000);
    case 0x6f: {
      const imm = ((i >> 31) << 20) | (((i >>> 12) & 255) << 12) | (((i >>> 20) & 1) << 11) | (((i >>> 21) & 1023) << 1);
      return pack(Op.JAL, rd, 0, 0, 4, imm);
    }
    case 0x67: return f3 === 0 ? pack(Op.JALR, rd, rs1, 0, 4, immI) : illegal(i, 4);
    case 0x63: {
      const imm = ((i >> 31) << 12) | (((i >>> 7) & 1) << 11) | (((i >>> 25) & 63) << 5) | (((i >>> 8) & 15) << 1);
      const ops = [Op.BEQ, Op.BNE, 0, 0, Op.BLT, Op.BGE, Op.BLTU, Op.BGEU];
      const op = ops[f3]!;
      return op === 0 ? illegal(i, 4) : pack(op, 0, rs1, rs2, 4, imm);
    }
    case 0x03: {
      const ops = [Op.LB, Op.LH, Op.LW, Op.LD, Op.LBU, Op.LHU, Op.LWU, 0];
      const op = ops[f3]!;
      return op === 0 ? illegal(i, 4) : pack(op, rd, rs1, 0, 4, immI);
    }
    case 0x23: {
      if (f3 > 3) return illegal(i, 4);
      const imm = ((i >> 25) << 5) | ((i >>> 7) & 31);
      return pack([Op.SB, Op.SH, Op.SW, Op.SD][f3]!, 0, rs1, rs2, 4, imm);
    }
    case 0x13: {
      const f6 = i >>> 26, sh = (i >>> 20) & 63;
      switch (f3) {
        case 0: return pack(Op.ADDI, rd, rs1, 0, 4, immI);
        case 2: return pack(Op.SLTI, rd, rs1, 0, 4, immI);
        case 3: return pack(Op.SLTIU, rd, rs1, 0, 4, immI);
        case 4: return pack(Op.XORI, rd, rs1, 0, 4, immI);
        case 6: return pack(Op.ORI, rd, rs1, 0, 4, immI);
        case 7: return pack(Op.ANDI, rd, rs1, 0, 4, immI);
        case 1: return f6 === 0 ? pack(Op.SLLI, rd, rs1, 0, 4, sh) : illegal(i, 4);
        default:
          if (f6 === 0) return pack(Op.SRLI, rd, rs1, 0, 4, sh);
          if (f6 === 0x10) return pack(Op.SRAI, rd, rs1, 0, 4, sh);
          return illegal(i, 4);
      }
    }
    case 0x1b: {
      const sh = (i >>> 20) & 31;
      if (f3 === 0) return pack(Op.ADDIW, rd, rs1, 0, 4, immI);
      if (f3 === 1 && f7 === 0) return pack(Op.SLLIW, rd, rs1, 0, 4, sh);
      if (f3 === 5 && f7 === 0) return pack(Op.SRLIW, rd, rs1, 0, 4, sh);
      if (f3 === 5 && f7 === 0x20) return pack(Op.SRAIW, rd, rs1, 0, 4, sh);
      return illegal(i, 4);
    }
    case 0x33: {
      let op = 0;
      if (f7 === 0) op = [Op.ADD, Op.SLL, Op.SLT, Op.SLTU, Op.XOR, Op.SRL, Op.OR, Op.AND][f3]!;
      else if (f7 === 0x20) op = f3 === 0 ? Op.SUB : f3 === 5 ? Op.SRA : 0;
      else if (f7 === 1) op = [Op.MUL, Op.MULH, Op.MULHSU, Op.MULHU, Op.DIV, Op.DIVU, Op.REM, Op.REMU][f3]!;
      return op === 0 ? illegal(i, 4) : pack(op, rd, rs1, rs2, 4, 0);
    }
    case 0x3b: {
      let op = 0;
      if (f7 === 0) op = f3 === 0 ? Op.ADDW : f3 === 1 ? Op.SLLW : f3 === 5 ? Op.SRLW : 0;
      else if (f7 === 0x20) op = f3 === 0 ? Op.SUBW : f3 === 5 ? Op.SRAW : 0;
      else if (f7 === 1) op = [Op.MULW, 0, 0, 0, Op.DIVW, Op.DIVUW, Op.REMW, Op.REMUW][f3]!;
      return op === 0 ? illegal(i, 4) : pack(op, rd, rs1, rs2, 4, 0);
    }
    case 0x0f:
      // FENCE (any fm/pred/succ, including FENCE.TSO and PAUSE) and FENCE.I (Zifencei).
      if (f3 === 0) return pack(Op.FENCE, 0, 0, 0, 4, 0);
      if (f3 === 1) return pack(Op.FENCE_I, 0, 0, 0, 4, 0);
      return illegal(i, 4);
    case 0x73: {
      if (f3 === 0) {
        if (i === 0x00000073) return pack(Op.ECALL, 0, 0, 0, 4, 0);
        if (i === 0x00100073) return pack(Op.EBREAK, 0, 0, 0, 4, 0);
        if (i === 0x30200073) return pack(Op.MRET, 0, 0, 0, 4, 0);
        if (i === 0x10200073) return pack(Op.SRET, 0, 0, 0, 4, 0);
        if (i === 0x10500073) return pack(Op.WFI, 0, 0, 0, 4, 0);
        if (f7 === 0x09 && rd === 0) return pack(Op.SFENCE_VMA, 0, rs1, rs2, 4, i);
        return illegal(i, 4);
      }
      if (f3 === 4) return illegal(i, 4);
      const ops = [0, Op.CSRRW, Op.CSRRS, Op.CSRRC, 0, Op.CSRRWI, Op.CSRRSI, Op.CSRRCI];
      return pack(ops[f3]!, rd, rs1, 0, 4, i >>> 20);
    }
    case 0x2f: {
      const f5 = i >>> 27;
      if (f3 !== 2 && f3 !== 3) return illegal(i, 4);
      const d = f3 === 3;
      if (f5 === 2) return rs2 === 0 ? pack(d ? Op.LR_D : Op.LR_W, rd, rs1, 0, 4, 0) : illegal(i, 4);
      if (f5 === 3) return pack(d ? Op.SC_D : Op.SC_W, rd, rs1, rs2, 4, 0);
      switch (f5) {
        case Amo.ADD: case Amo.SWAP: case Amo.XOR: case Amo.OR: case Amo.AND:
        case Amo.MIN: case Amo.MAX: case Amo.MINU: case Amo.MAXU:
          // aq/rl need nothing here: harts run one at a time, so every access is sequentially consistent.
          return pack(d ? Op.AMO_D : Op.AMO_W, rd, rs1, rs2, 4, f5);
        default: return illegal(i, 4);
      }
    }
    default: return illegal(i, 4);
  }
}

/** Decodes a 16-bit RVC instruction into its 32-bit equivalent op (unprivileged spec chapter 16, RV64C). */
export function decode16(c: number): number {
  const q = c & 3, f3 = c >>> 13;
  const rdp = 8 + ((c >>> 2) & 7), rs1p = 8 + ((c >>> 7) & 7);
  const rd = (c >>> 7) & 31, rs2 = (c >>> 2) & 31;
  const imm6 = (((c >>> 12) & 1) ? -32 : 0) | ((c >>> 2) & 31);
  if (q === 0) {
    switch (f3) {
      case 0: {
        // C.ADDI4SPN; nzuimm == 0 (including the all-zero instruction) is reserved.
        const u = (((c >>> 11) & 3) << 4) | (((c >>> 7) & 15) << 6) | (((c >>> 6) & 1) << 2) | (((c >>> 5) & 1) << 3);
        return u === 0 ? illegal(c, 2) : pack(Op.ADDI, rdp, 2, 0, 2, u);
      }
      case 2: return pack(Op.LW, rdp, rs1p, 0, 2, (((c >>> 10) & 7) << 3) | (((c >>> 6) & 1) << 2) | (((c >>> 5) & 1) << 6));
      case 3: return pack(Op.LD, rdp, rs1p, 0, 2, (((c >>> 10) & 7) << 3) | (((c >>> 5) & 3) << 6));
      case 6: return pack(Op.SW, 0, rs1p, rdp, 2, (((c >>> 10) & 7) << 3) | (((c >>> 6) & 1) << 2) | (((c >>> 5) & 1) << 6));
      case 7: return pack(Op.SD, 0, rs1p, rdp, 2, (((c >>> 10) & 7) << 3) | (((c >>> 5) & 3) << 6));
      default: return illegal(c, 2); // C.FLD/C.FSD (no D), reserved
    }
  }
  if (q === 1) {
    switch (f3) {
      case 0: return pack(Op.ADDI, rd, rd, 0, 2, imm6); // C.ADDI (C.NOP when rd = 0)
      case 1: return rd === 0 ? illegal(c, 2) : pack(Op.ADDIW, rd, rd, 0, 2, imm6); // C.ADDIW
      case 2: return pack(Op.ADDI, rd, 0, 0, 2, imm6); // C.LI
      case 3: {
        if (rd === 2) {
          const n = (((c >>> 12) & 1) ? -512 : 0) | (((c >>> 6) & 1) << 4) | (((c >>> 5) & 1) << 6) |
            (((c >>> 3) & 3) << 7) | (((c >>> 2) & 1) << 5);
          return n === 0 ? illegal(c, 2) : pack(Op.ADDI, 2, 2, 0, 2, n); // C.ADDI16SP
        }
        return imm6 === 0 ? illegal(c, 2) : pack(Op.LUI, rd, 0, 0, 2, imm6 << 12); // C.LUI
      }
      case 4: {
        const sh = (((c >>> 12) & 1) << 5) | ((c >>> 2) & 31);
        switch ((c >>> 10) & 3) {
          case 0: return pack(Op.SRLI, rs1p, rs1p, 0, 2, sh);
          case 1: return pack(Op.SRAI, rs1p, rs1p, 0, 2, sh);
          case 2: return pack(Op.ANDI, rs1p, rs1p, 0, 2, imm6);
          default: {
            const f = (c >>> 5) & 3;
            if (((c >>> 12) & 1) === 0) return pack([Op.SUB, Op.XOR, Op.OR, Op.AND][f]!, rs1p, rs1p, rdp, 2, 0);
            if (f === 0) return pack(Op.SUBW, rs1p, rs1p, rdp, 2, 0);
            if (f === 1) return pack(Op.ADDW, rs1p, rs1p, rdp, 2, 0);
            return illegal(c, 2);
          }
        }
      }
      case 5: {
        const j = (((c >>> 12) & 1) ? -2048 : 0) | (((c >>> 11) & 1) << 4) | (((c >>> 9) & 3) << 8) |
          (((c >>> 8) & 1) << 10) | (((c >>> 7) & 1) << 6) | (((c >>> 6) & 1) << 7) | (((c >>> 3) & 7) << 1) |
          (((c >>> 2) & 1) << 5);
        return pack(Op.JAL, 0, 0, 0, 2, j); // C.J
      }
      default: {
        const b = (((c >>> 12) & 1) ? -256 : 0) | (((c >>> 10) & 3) << 3) | (((c >>> 5) & 3) << 6) |
          (((c >>> 3) & 3) << 1) | (((c >>> 2) & 1) << 5);
        return pack(f3 === 6 ? Op.BEQ : Op.BNE, 0, rs1p, 0, 2, b); // C.BEQZ / C.BNEZ
      }
    }
  }
  if (q === 2) {
    switch (f3) {
      case 0: return pack(Op.SLLI, rd, rd, 0, 2, (((c >>> 12) & 1) << 5) | ((c >>> 2) & 31)); // C.SLLI
      case 2: // C.LWSP; rd = 0 is reserved
        return rd === 0 ? illegal(c, 2)
          : pack(Op.LW, rd, 2, 0, 2, (((c >>> 12) & 1) << 5) | (((c >>> 4) & 7) << 2) | (((c >>> 2) & 3) << 6));
      case 3: // C.LDSP; rd = 0 is reserved
        return rd === 0 ? illegal(c, 2)
          : pack(Op.LD, rd, 2, 0, 2, (((c >>> 12) & 1) << 5) | (((c >>> 5) & 3) << 3) | (((c >>> 2) & 7) << 6));
      case 4:
        if (((c >>> 12) & 1) === 0) {
          if (rs2 === 0) return rd === 0 ? illegal(c, 2) : pack(Op.JALR, 0, rd, 0, 2, 0); // C.JR
          return pack(Op.ADD, rd, 0, rs2, 2, 0); // C.MV
        }
        if (rs2 === 0) {
          if (rd === 0) return pack(Op.EBREAK, 0, 0, 0, 2, 0); // C.EBREAK
          return pack(Op.JALR, 1, rd, 0, 2, 0); // C.JALR
        }
        return pack(Op.ADD, rd, rd, rs2, 2, 0); // C.ADD
      case 6: return pack(Op.SW, 0, 2, rs2, 2, (((c >>> 9) & 15) << 2) | (((c >>> 7) & 3) << 6)); // C.SWSP
      case 7: return pack(Op.SD, 0, 2, rs2, 2, (((c >>> 10) & 7) << 3) | (((c >>> 7) & 7) << 6)); // C.SDSP
      default: return illegal(c, 2); // C.FLDSP/C.FSDSP (no D)
    }
  }
  return illegal(c, 2);
}

/** One hart; the cluster runs it through `step`. */
export class Rv64Hart implements Hart, HartState {
  readonly hartId: number;
  readonly timer: MachineTimer;
  /** x0..x31 low words while the hart does not run (see regLo). */
  readonly lo = new Int32Array(64);
  /** x0..x31 high words while the hart does not run (see regLo). */
  readonly hi = new Int32Array(64);
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
  resv = -1;
  waiting = false;
  /** Set when a device line changed while the hart ran: the loop stops to re-check interrupts. */
  private irqDirty = false;
  /** The instruction `execute` stopped at for `executeCold` (packed word, 0 for none) and its immediate. */
  private coldW = 0;
  private coldImm = 0;
  /** Set by `executeCold` when the burst must end after its instruction. */
  private leave = false;
  /**
   * Address of the instruction outside RAM `fill` fetched through the bus
   * into the slab's BUS_PAGE for the next call of `execute`, -1 for none.
   * Starts as a non-integer for the same reason as pcv.
   */
  private romPc = 0.5;

  private readonly bus: PhysicalBus;
  private readonly dv: DataView;
  private readonly ramBase: number;
  private readonly ramSize: number;
  /**
   * Largest RAM offset the loop's loads and stores take: 8 bytes before the
   * end of RAM, of its part below 4 GiB (the loop checks addresses in 32
   * bits), and below 2 GiB (offsets stay int32 for V8). -8 (nothing) when
   * RAM starts at or above 4 GiB. Accesses past it go through executeCold.
   */
  private readonly ramLow8: number;
  private readonly cache: DecodeCache;
  private readonly busOut = new Uint32Array(2);

  constructor(hartId: number, bus: PhysicalBus, timer: MachineTimer, cache: DecodeCache) {
    this.hartId = hartId;
    this.bus = bus;
    this.timer = timer;
    this.cache = cache;
    this.ramBase = bus.ramBase;
    this.ramSize = bus.ram.length;
    this.ramLow8 = Math.max(0, Math.min(this.ramSize, TWO32 - this.ramBase, 2 ** 31)) - 8;
    this.dv = new DataView(bus.ram.buffer, bus.ram.byteOffset, bus.ram.byteLength);
    this.pcv = this.instret = this.cycleDelta = this.instretDelta = 0;
    this.romPc = -1;
  }

  pc(): number {
    return this.pcv;
  }

  halted(): boolean {
    return this.waiting;
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

  /** Register value as an unsigned 64-bit bigint (tests and debugging; not for the hot path). */
  reg(i: number): bigint {
    return (BigInt(this.hi[i]! >>> 0) << 32n) | BigInt(this.lo[i]! >>> 0);
  }

  /** Current privilege level (0 U, 1 S, 3 M). */
  privilege(): number {
    return this.priv;
  }

  /** Resets to M-mode at `pc` with a0 = hart id and a1 = `fdtAddr` (privileged spec 3.4). */
  reset(pc: number, fdtAddr: number): void {
    this.lo.fill(0);
    this.hi.fill(0);
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
    this.resv = -1;
    this.waiting = false;
  }

  /**
   * Runs up to `budget` instructions, taking interrupts between bursts.
   * Returns how many ran; fewer when the hart enters wfi with nothing pending.
   */
  step(budget: number): number {
    regLo.set(this.lo);
    regHi.set(this.hi);
    try {
      return this.run(budget);
    } finally {
      this.lo.set(regLo);
      this.hi.set(regHi);
    }
  }

  /** `step` with the registers in regLo/regHi. */
  private run(budget: number): number {
    let done = 0;
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
      // runs here (see `execute` for why), until the burst is spent or that
      // instruction needs interrupts re-checked.
      while (burst > 0) {
        const chunk = burst < CHUNK ? burst : CHUNK;
        const ran = this.execute(chunk);
        // An instruction fetched through the bus serves one call only:
        // outside RAM may change between calls (within one, only the cold
        // ops write there, and they end it).
        this.romPc = -1;
        done += ran;
        burst -= ran;
        const w = this.coldW;
        if (w === 0) {
          // Stopped early at an instruction it could not fetch.
          if (ran < chunk) this.fill();
          continue;
        }
        this.coldW = 0;
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
    return done;
  }

  /**
   * Makes the instruction at pcv fetchable for `execute`: decodes it into
   * its cache page (creating the page), or outside RAM fetches it into
   * BUS_PAGE. The loop calls nothing, so V8 keeps its values in registers
   * (with the calls in the loop it spilled them at every instruction).
   */
  private fill(): void {
    const pc = this.pcv, off = pc - this.ramBase;
    if (off >= 0 && off < this.ramSize) {
      const s = this.cache.page(off) + (off & 4095);
      if (slab[s] === 0) {
        slab[s] = this.decodeAt(off);
        slab[s + 1] = decImm[0]!;
      }
    } else {
      slab[BUS_PAGE] = this.fetchSlow(pc);
      slab[BUS_PAGE + 1] = decImm[0]!;
      this.romPc = pc;
    }
  }

  /**
   * Fetch at pc outside RAM (boot ROM): bus reads, decoded but not cached
   * beyond BUS_PAGE. A bus error decodes as FETCH_FAULT.
   */
  private fetchSlow(pc: number): number {
    const a = pc < 0 ? pc + TWO64 : pc;
    const o = this.busOut;
    if (!this.bus.read(a, 2, o)) return pack(Op.FETCH_FAULT, 0, 0, 0, 4, 0);
    const low = o[0]! & 0xffff;
    if ((low & 3) !== 3) return decode16(low);
    if (!this.bus.read(a + 2, 2, o)) return pack(Op.FETCH_FAULT, 0, 0, 0, 4, 0);
    return decode32((low | (o[0]! << 16)) | 0);
  }

  /** Decodes the instruction at RAM offset `off` for the cache. */
  private decodeAt(off: number): number {
    const low = this.dv.getUint16(off, true);
    if ((low & 3) !== 3) return decode16(low);
    if (off + 4 > this.ramSize) return pack(Op.FETCH_FAULT, 0, 0, 0, 4, 2);
    // An instruction straddling two cache pages: give the second page a map
    // entry too, so stores there invalidate this slot (see DecodeCache).
    if ((off & 4095) === 4094) this.cache.mark(off + 2);
    return decode32(this.dv.getInt32(off, true));
  }

  /** Load through the bus into x[rd]. Returns false on a bus error. */
  private loadSlow(a: number, size: 1 | 2 | 4 | 8, signed: boolean, rd: number): boolean {
    const addr = a < 0 ? a + TWO64 : a;
    const o = this.busOut;
    if (!this.bus.read(addr, size, o)) return false;
    let l = o[0]! | 0, h = 0;
    if (size === 8) h = o[1]! | 0;
    else if (size === 4) h = signed ? l >> 31 : 0;
    else if (size === 2) { l = signed ? (l << 16) >> 16 : l & 0xffff; h = l >> 31; }
    else { l = signed ? (l << 24) >> 24 : l & 0xff; h = l >> 31; }
    regLo[rd] = l;
    regHi[rd] = h;
    return true;
  }

  private storeSlow(a: number, size: 1 | 2 | 4 | 8, l: number, h: number): boolean {
    const addr = a < 0 ? a + TWO64 : a;
    const m = size === 8 ? l : size === 4 ? l : size === 2 ? l & 0xffff : l & 0xff;
    return this.bus.write(addr, size, m >>> 0, size === 8 ? h >>> 0 : 0);
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
    const ramBase = this.ramBase, ramSize = this.ramSize;
    const ramBaseLo = ramBase | 0, ramLow8 = this.ramLow8;
    const startInstret = this.instret;
    // pc = pageBase + e. `e` is the int32 offset of pc in the cache page
    // `page`, whose first byte is at guest address pageBase: straight-line
    // code and short branches only add to e, and the fetch checks e alone,
    // so the loop does no double arithmetic on pc for those. Outside any
    // held page (at entry, after a jalr out of the page) e is FAR, past the
    // page, and pageBase = pc - FAR. `page` is the page's index in the
    // slab: EMPTY_PAGE for a page not decoded yet, and outside RAM BUS_PAGE
    // when pc is romPc, else EMPTY_PAGE, with e = 0. The warm-up takes neither
    // of the paths that leave for no page (outside RAM, a jalr out of the
    // page), so their values are computed on the paths it takes: arithmetic
    // with no type feedback would deoptimize the loop when the guest first
    // got there. Pages are dropped only by ops this loop leaves to
    // `executeCold` (fence.i, MMIO that may DMA), so a page held here stays
    // valid until the loop ends.
    const romPc = this.romPc;
    let page = EMPTY_PAGE;
    let pageBase = this.pcv - FAR;
    let e = FAR;
    let n = 0;
    while (n < budget) {
      n++;
      if ((e >>> 0) >= 4096) {
        const pc = pageBase + e;
        const off = pc - ramBase, atRom = pc === romPc;
        if (off >= 0 && off < ramSize) {
          page = pageOf[off >>> 12]!;
          e = off & 4095;
        } else {
          page = atRom ? BUS_PAGE : EMPTY_PAGE;
          e = 0;
        }
        pageBase = pc - e;
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
          hi[rd] = link >= TWO32 ? Math.floor(link / TWO32) | 0 : 0;
          e = (e + imm) | 0;
          continue;
        }
        case Op.JALR: {
          const a = lo[rs1]!, tl = (a + imm) | 0;
          const th = (hi[rs1]! + (imm >> 31) + ((tl >>> 0) < (a >>> 0) ? 1 : 0)) | 0;
          const link = pageBase + next;
          lo[rd] = link | 0;
          hi[rd] = link >= TWO32 ? Math.floor(link / TWO32) | 0 : 0;
          const t = (th === 0 ? 0 : (th >>> 0) * TWO32) + ((tl & ~1) >>> 0);
          const d = t - pageBase, farBase = t - FAR;
          if (d >= 0 && d < 4096) {
            e = d | 0;
          } else {
            pageBase = farBase;
            e = FAR;
          }
          continue;
        }
        case Op.BEQ:
          e = lo[rs1] === lo[rs2] && hi[rs1] === hi[rs2] ? (e + imm) | 0 : next;
          continue;
        case Op.BNE:
          e = lo[rs1] !== lo[rs2] || hi[rs1] !== hi[rs2] ? (e + imm) | 0 : next;
          continue;
        case Op.BLT: {
          const ah = hi[rs1]!, bh = hi[rs2]!;
          e = ah < bh || (ah === bh && (lo[rs1]! >>> 0) < (lo[rs2]! >>> 0)) ? (e + imm) | 0 : next;
          continue;
        }
        case Op.BGE: {
          const ah = hi[rs1]!, bh = hi[rs2]!;
          e = ah < bh || (ah === bh && (lo[rs1]! >>> 0) < (lo[rs2]! >>> 0)) ? next : (e + imm) | 0;
          continue;
        }
        case Op.BLTU: {
          const ah = hi[rs1]! >>> 0, bh = hi[rs2]! >>> 0;
          e = ah < bh || (ah === bh && (lo[rs1]! >>> 0) < (lo[rs2]! >>> 0)) ? (e + imm) | 0 : next;
          continue;
        }
        case Op.BGEU: {
          const ah = hi[rs1]! >>> 0, bh = hi[rs2]! >>> 0;
          e = ah < bh || (ah === bh && (lo[rs1]! >>> 0) < (lo[rs2]! >>> 0)) ? next : (e + imm) | 0;
          continue;
        }
        // Loads (unprivileged spec 2.6). Address = rs1 + imm in int32 words:
        // the fast path takes addresses whose high word is 0 and whose low
        // word, less ramBase modulo 2^32, is from 0 to ramLow8 (see there)
        // as an int32 (as a uint32 compare, V8 speculated it int32 from the
        // warm-up and deoptimized at the first MMIO access). Other loads
        // (outside RAM, too close to its end for the 8-byte bound, RAM above
        // 2 GiB or 4 GiB) are cold.
        case Op.LB: case Op.LH: case Op.LW: case Op.LD: case Op.LBU: case Op.LHU: case Op.LWU: {
          const a = lo[rs1]!, l = (a + imm) | 0, o = (l - ramBaseLo) | 0;
          if (((hi[rs1]! + (imm >> 31) + ((l >>> 0) < (a >>> 0) ? 1 : 0)) | 0) !== 0 || o < 0 || o > ramLow8) break;
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
        // Stores (unprivileged spec 2.6). Stores into a page holding decoded
        // code are cold: executeCold clears the decodes they overwrite. There
        // are a couple of hundred in a U-Boot boot, and V8 would otherwise
        // inline the invalidation loop into this loop four times.
        case Op.SW: {
          const a = lo[rs1]!, l = (a + imm) | 0, o = (l - ramBaseLo) | 0;
          if (((hi[rs1]! + (imm >> 31) + ((l >>> 0) < (a >>> 0) ? 1 : 0)) | 0) !== 0 || o < 0 || o > ramLow8 ||
            (codeMap[o >>> 12]! | codeMap[(o + 3) >>> 12]!) !== 0) break;
          dv.setInt32(o, lo[rs2]!, true);
          e = next;
          continue;
        }
        case Op.SD: {
          const a = lo[rs1]!, l = (a + imm) | 0, o = (l - ramBaseLo) | 0;
          if (((hi[rs1]! + (imm >> 31) + ((l >>> 0) < (a >>> 0) ? 1 : 0)) | 0) !== 0 || o < 0 || o > ramLow8 ||
            (codeMap[o >>> 12]! | codeMap[(o + 7) >>> 12]!) !== 0) break;
          dv.setInt32(o, lo[rs2]!, true);
          dv.setInt32(o + 4, hi[rs2]!, true);
          e = next;
          continue;
        }
        case Op.SB: {
          const a = lo[rs1]!, l = (a + imm) | 0, o = (l - ramBaseLo) | 0;
          if (((hi[rs1]! + (imm >> 31) + ((l >>> 0) < (a >>> 0) ? 1 : 0)) | 0) !== 0 || o < 0 || o > ramLow8 ||
            codeMap[o >>> 12] !== 0) break;
          dv.setInt8(o, lo[rs2]!);
          e = next;
          continue;
        }
        case Op.SH: {
          const a = lo[rs1]!, l = (a + imm) | 0, o = (l - ramBaseLo) | 0;
          if (((hi[rs1]! + (imm >> 31) + ((l >>> 0) < (a >>> 0) ? 1 : 0)) | 0) !== 0 || o < 0 || o > ramLow8 ||
            (codeMap[o >>> 12]! | codeMap[(o + 1) >>> 12]!) !== 0) break;
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
    this.pcv = pageBase + e;
    this.instret = startInstret + n;
    return n;
  }

  /**
   * Executes the instruction `w`/`imm` at `pc` that `execute` stopped at;
   * returns the next pc and sets `leave` when the burst must end (CSR
   * writes, trap returns, wfi, a device line changed by an MMIO access).
   */
  private executeCold(w: number, imm: number, pc: number): number {
    const lo = regLo, hi = regHi;
    const rd = (w >>> 8) & 63, rs1 = (w >>> 14) & 31, rs2 = (w >>> 19) & 31;
    const next = pc + (w >>> 24);
    const op = (w & 255) as Op;
    switch (op) {
      case Op.LB: case Op.LH: case Op.LW: case Op.LD: case Op.LBU: case Op.LHU: case Op.LWU: {
        const h1 = hi[rs1]!;
        const a = (lo[rs1]! >>> 0) + imm + (h1 === 0 ? 0 : h1 * TWO32);
        const o = a - this.ramBase;
        const size = op === Op.LD ? 8 : op === Op.LW || op === Op.LWU ? 4 : op === Op.LH || op === Op.LHU ? 2 : 1;
        if (o >= 0 && o <= this.ramSize - size) {
          // The last bytes of RAM, where the loop's 8-byte bound is too strict.
          const dv = this.dv;
          const v = size === 4 ? dv.getInt32(o, true) : size === 2 ? dv.getInt16(o, true) : dv.getInt8(o);
          lo[rd] = op === Op.LBU ? v & 0xff : op === Op.LHU ? v & 0xffff : v;
          hi[rd] = op === Op.LBU || op === Op.LHU || op === Op.LWU ? 0 : v >> 31;
          return next;
        }
        if (!this.loadSlow(a, size, op === Op.LB || op === Op.LH || op === Op.LW, rd)) {
          return takeTrap(this, CAUSE.LOAD_ACCESS, false, a < 0 ? a + TWO64 : a, pc);
        }
        if (this.irqDirty) this.leave = true;
        return next;
      }
      case Op.SB: case Op.SH: case Op.SW: case Op.SD: {
        const h1 = hi[rs1]!;
        const a = (lo[rs1]! >>> 0) + imm + (h1 === 0 ? 0 : h1 * TWO32);
        const o = a - this.ramBase;
        const size = op === Op.SD ? 8 : op === Op.SW ? 4 : op === Op.SH ? 2 : 1;
        if (o >= 0 && o <= this.ramSize - size) {
          const dv = this.dv;
          if (size === 8) dv.setInt32(o + 4, hi[rs2]!, true);
          if (size >= 4) dv.setInt32(o, lo[rs2]!, true);
          else if (size === 2) dv.setInt16(o, lo[rs2]!, true);
          else dv.setInt8(o, lo[rs2]!);
          const codeMap = this.cache.codeMap;
          if ((codeMap[o >>> 12]! | codeMap[(o + size - 1) >>> 12]!) !== 0) this.cache.invalidateStore(o, size);
          return next;
        }
        if (!this.storeSlow(a, size, lo[rs2]!, size === 8 ? hi[rs2]! : 0)) {
          return takeTrap(this, CAUSE.STORE_ACCESS, false, a < 0 ? a + TWO64 : a, pc);
        }
        if (this.irqDirty) this.leave = true;
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
      case Op.FENCE:
        return next;
      case Op.FENCE_I:
        // Stores already clear the decodes they overlap; fence.i drops everything anyway, cheaply.
        this.cache.flush();
        return next;
      case Op.ECALL:
        // Causes 8, 9, 11: ecall from U, S, M (privileged spec table 3.6).
        return takeTrap(this, CAUSE.ECALL_U + this.priv, false, 0, pc);
      case Op.EBREAK:
        return takeTrap(this, CAUSE.BREAKPOINT, false, pc, pc);
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
        // No address translation, so nothing to flush; TVM traps it in S-mode (3.1.6.5).
        if (this.priv === PRIV_U || (this.priv === PRIV_S && (this.mstatus & MSTATUS.TVM) !== 0)) {
          return this.illegalTrap(imm, pc);
        }
        return next;
      case Op.CSRRW: case Op.CSRRS: case Op.CSRRC: case Op.CSRRWI: case Op.CSRRSI: case Op.CSRRCI:
        if (!this.csrOp(op, rd, rs1, imm)) return this.illegalTrap(Rv64Hart.csrBits(op, rd, rs1, imm), pc);
        this.leave = true;
        return next;
      // RV64A (unprivileged spec chapter 8). AMOs and LR/SC need natural
      // alignment; misaligned ones raise cause 4 (LR) or 6 (SC/AMO).
      case Op.LR_W: case Op.LR_D: case Op.SC_W: case Op.SC_D: case Op.AMO_W: case Op.AMO_D:
        return this.atomic(op, rd, rs1, rs2, imm, pc, next);
      case Op.FETCH_FAULT:
        // Nothing to fetch at pc (bus error outside RAM), or the upper half
        // of a 32-bit instruction lies beyond the end of RAM; imm is the offset.
        return takeTrap(this, CAUSE.FETCH_ACCESS, false, (pc < 0 ? pc + TWO64 : pc) + imm, pc);
      default:
        // Op.ILLEGAL: reserved or unsupported encodings; tval = instruction bits.
        return this.illegalTrap(imm, pc);
    }
  }

  /** LR, SC and AMOs on RAM (unprivileged spec chapter 8); returns the next pc. */
  private atomic(op: Op, rd: number, rs1: number, rs2: number, f5: number, pc: number, next: number): number {
    const lo = regLo, hi = regHi, dv = this.dv;
    const d = op === Op.LR_D || op === Op.SC_D || op === Op.AMO_D;
    const a = (lo[rs1]! >>> 0) + (hi[rs1]! === 0 ? 0 : hi[rs1]! * TWO32);
    const o = a - this.ramBase;
    const isLr = op === Op.LR_W || op === Op.LR_D;
    if ((a & (d ? 7 : 3)) !== 0) return takeTrap(this, isLr ? CAUSE.LOAD_MISALIGNED : CAUSE.STORE_MISALIGNED, false, a < 0 ? a + TWO64 : a, pc);
    if (!(o >= 0 && o <= this.ramSize - 8)) return takeTrap(this, isLr ? CAUSE.LOAD_ACCESS : CAUSE.STORE_ACCESS, false, a < 0 ? a + TWO64 : a, pc);
    const codeMap = this.cache.codeMap;
    if (isLr) {
      const v = dv.getInt32(o, true);
      lo[rd] = v;
      hi[rd] = d ? dv.getInt32(o + 4, true) : v >> 31;
      this.resv = a;
    } else if (op === Op.SC_W || op === Op.SC_D) {
      if (this.resv === a) {
        dv.setInt32(o, lo[rs2]!, true);
        if (d) dv.setInt32(o + 4, hi[rs2]!, true);
        if (codeMap[o >>> 12] !== 0) this.cache.invalidateStore(o, d ? 8 : 4);
        lo[rd] = 0;
      } else {
        lo[rd] = 1;
      }
      hi[rd] = 0;
      this.resv = -1;
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
      if (codeMap[o >>> 12] !== 0) this.cache.invalidateStore(o, d ? 8 : 4);
      lo[rd] = ol;
      hi[rd] = oh;
    }
    return next;
  }
}
