/**
 * Random instruction sequences for the differential test, one per seed
 * (fast-check's `gen` draws every choice, biased toward edge values). A
 * sequence is its starting state (privilege, satp mode and page mappings,
 * mstatus bits, x and f registers, fcsr) and a body of items: plain
 * instructions, address loads and forward jumps, kept symbolic so the
 * same seed gives the same sequence wherever a batch places it.
 *
 * Classes:
 * - `int`: RV64IM ALU ops, branches and jumps, loads, stores, AMOs and
 *   LR/SC on the sequence's own data pages, and random words in the
 *   OP/OP-IMM/OP-32/OP-IMM-32 spaces (decoder agreement), bare, in M/S/U;
 * - `mem`: loads, stores, AMOs, LR/SC and FP loads/stores through Sv39 or
 *   Sv48 tables whose PTEs have random V/R/W/X/U/G/A/D bits (some reserved
 *   encodings, misaligned superpages), at page edges, across pages, in
 *   2 MiB/1 GiB/512 GiB pages, unmapped and non-canonical, from S, U, or
 *   M with MPRV, with random SUM and MXR;
 * - `fp`: F/D arithmetic (every operation, static rounding modes, the
 *   dynamic one with every frm, reserved ones), loads, stores, moves and
 *   sign injection, on special values boxed and unboxed, and
 *   fcsr/frm/fflags accesses, in every FS state.
 */
import fc from 'fast-check';
import {
  ALU_RI, ALU_RR, AMO, FMA, FP_ARITH, FP_PLAIN, SHIFT_I, LOAD, STORE, aluRI, aluRR, atomic, auipc, csr, fload, fma,
  fpArith, fpMove, fpPlain, fstore, FP_MOVE, load, lui, raw, shiftI, store, type Insn,
} from './encode.js';
import { SHARED } from './layout.js';

export type SequenceClass = 'int' | 'mem' | 'fp';
export const CLASSES: readonly SequenceClass[] = ['int', 'mem', 'fp'];

/** Where an address points, resolved when the batch places the sequence. */
export type Target =
  | { kind: 'data'; page: number; off: number }      // bare: the sequence's own data page
  | { kind: 'va'; va: bigint };                       // paging: a virtual address (fixed layout below)

const JUMPS = ['jal', 'jalr', 'beq', 'bne', 'blt', 'bge', 'bltu', 'bgeu'] as const;
export type JumpOp = typeof JUMPS[number];

/**
 * A body item. A memory access is one item (its base register's address,
 * then the access, or LR, ALU ops and SC), so no jump lands between them.
 */
export type Item =
  | { kind: 'insn'; insn: Insn }
  | { kind: 'mem'; rd: number; target: Target; ops: readonly Insn[] }
  /** A branch or jal over the next `skip` items; jalr goes through `tmp` (auipc, addi, jalr). */
  | { kind: 'jump'; op: JumpOp; rd: number; rs1: number; rs2: number; tmp: number; skip: number };

/** A leaf mapping: `va` -> `frame` at `level`, PTE bits `flags` (bits 54+ allowed, to make reserved encodings). */
export interface Mapping {
  readonly va: bigint;
  readonly level: number;
  readonly flags: bigint;
  readonly frame: { kind: 'code' } | { kind: 'data'; page: number } | { kind: 'phys'; addr: bigint };
}

export interface Sequence {
  readonly seed: number;
  readonly cls: SequenceClass;
  /** 0 U, 1 S, 3 M. */
  readonly priv: number;
  /** M with MPRV: data accesses as `mpp`. */
  readonly mprv: boolean;
  readonly mpp: number;
  /** satp.MODE: 0 bare, 8 Sv39, 9 Sv48. */
  readonly mode: number;
  readonly sum: boolean;
  readonly mxr: boolean;
  /** mstatus.FS at the start. */
  readonly fs: number;
  readonly fcsr: number;
  readonly x: readonly bigint[];
  readonly f: readonly bigint[];
  readonly maps: readonly Mapping[];
  readonly body: readonly Item[];
}

/** Data pages each sequence owns. */
export const DATA_PAGES = 4;

/** The virtual layout of paging sequences. */
export const VA = {
  code: 0x10000n,
  /** DATA_PAGES slots, then one never mapped (for accesses that cross into it). */
  data: 0x200000n,
  /** 2 MiB page onto the shared region. */
  mega: 0x40000000n,
  /** 1 GiB page onto RAM (sequences reach the shared region through it). */
  giga: 0x80000000n,
  /** Sv48 only: a 4 KiB page at the top of the lower half, and a 512 GiB page onto physical 0. */
  high: 0x00007ffffffff000n,
  tera: 0x0000008000000000n,
} as const;

/** What the sequences may reach in the shared region (as an offset into it). */
export const SHARED_WINDOW = 0x4000;

/** PTE bits (privileged spec 4.3.1). */
export const PTE = { V: 1n, R: 2n, W: 4n, X: 8n, U: 16n, G: 32n, A: 64n, D: 128n } as const;

type Gen = fc.GeneratorValue;

/** Registers the body uses freely; every one of x1-x31 may appear. */
/** Draws from a composed arbitrary. */
const draw = <T>(g: Gen, arb: fc.Arbitrary<T>): T => g(() => arb);
const pickReg = (g: Gen, withZero = false) => g(fc.integer, { min: withZero ? 0 : 1, max: 31 });
const pickOf = <T>(g: Gen, xs: readonly T[]): T => xs[g(fc.integer, { min: 0, max: xs.length - 1 })]!;

/** 64-bit values with the edges of signed and unsigned, 32 and 64 bits. */
function value64(g: Gen): bigint {
  return draw(g, fc.oneof(
    fc.constantFrom(0n, 1n, 2n, -1n, -2n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n,
      0x7fffffffffffffffn, -0x8000000000000000n, 0xffffffff80000000n, 63n, 64n, 31n, 32n),
    fc.bigInt({ min: -2048n, max: 2047n }),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })));
}

/** Single and double special values, boxed, unboxed and as raw 64-bit patterns. */
function fpValue(g: Gen): bigint {
  const single = g(fc.constantFrom, 0x00000000n, 0x80000000n, 0x3f800000n, 0xbf800000n, 0x7f800000n, 0xff800000n,
    0x7fc00000n, 0xffc00000n, 0x7f800001n, 0x7fa00000n, 0x00000001n, 0x807fffffn, 0x7f7fffffn, 0x00800000n);
  const double = g(fc.constantFrom, 0n, 0x8000000000000000n, 0x3ff0000000000000n, 0x7ff0000000000000n,
    0xfff0000000000000n, 0x7ff8000000000000n, 0x7ff0000000000001n, 0x0000000000000001n, 0x7fefffffffffffffn);
  switch (g(fc.integer, { min: 0, max: 4 })) {
    case 0: return 0xffffffff00000000n | single;
    case 1: return (g(fc.bigInt, { min: 0n, max: 0xfffffffen }) << 32n) | single;   // unboxed
    case 2: return double;
    default: return BigInt.asUintN(64, value64(g));
  }
}

/** An offset into a page, often at an edge where an access of 1-8 bytes is misaligned or crosses. */
function pageOffset(g: Gen): number {
  return draw(g, fc.oneof(fc.integer({ min: 0, max: 4095 }), fc.integer({ min: 4088, max: 4095 }), fc.integer({ min: 0, max: 8 })));
}

function aluItem(g: Gen): Item {
  const rd = pickReg(g, true), rs1 = pickReg(g, true), rs2 = pickReg(g, true);
  switch (g(fc.integer, { min: 0, max: 4 })) {
    case 0: case 1: return { kind: 'insn', insn: aluRR(pickOf(g, Object.keys(ALU_RR)), rd, rs1, rs2) };
    case 2: return { kind: 'insn', insn: aluRI(pickOf(g, Object.keys(ALU_RI)), rd, rs1, g(fc.integer, { min: -2048, max: 2047 })) };
    case 3: {
      const name = pickOf(g, Object.keys(SHIFT_I));
      return { kind: 'insn', insn: shiftI(name, rd, rs1, g(fc.integer, { min: 0, max: SHIFT_I[name]![3] === 6 ? 63 : 31 })) };
    }
    default: return { kind: 'insn', insn: g(fc.boolean) ? lui(rd, g(fc.integer, { min: 0, max: 0xfffff })) : auipc(rd, g(fc.integer, { min: 0, max: 0xfffff })) };
  }
}

/** A random word in the integer compute spaces (OP, OP-IMM, OP-32, OP-IMM-32): legal or not, it has no side effect but rd. */
function computeWord(g: Gen): Item {
  const opc = pickOf(g, [0x13, 0x1b, 0x33, 0x3b]);
  const rest = g(fc.integer, { min: 0, max: 0x1ffffff });
  return { kind: 'insn', insn: raw(opc | (rest << 7)) };
}

function jumpItem(g: Gen, remaining: number): Item {
  const skip = g(fc.integer, { min: 0, max: Math.min(4, remaining) });
  const op = pickOf(g, JUMPS);
  return { kind: 'jump', op, rd: pickReg(g, true), rs1: pickReg(g, true), rs2: pickReg(g, true), tmp: pickReg(g), skip };
}

/** A load, store, AMO, LR, or LR and SC at `target`, through a base register. */
function memoryItem(g: Gen, target: Target, fp: boolean): Item {
  const rb = pickReg(g);
  const rd = pickReg(g, true), rs2 = pickReg(g, true);
  const imm = draw(g, fc.oneof(fc.constant(0), fc.integer({ min: -16, max: 16 })));
  const kind = g(fc.integer, { min: 0, max: fp ? 6 : 5 });
  const mem = (ops: Insn[], t = target): Item => ({ kind: 'mem', rd: rb, target: t, ops });
  if (kind <= 1) return mem([load(pickOf(g, Object.keys(LOAD)), rd, rb, imm)]);
  if (kind <= 3) return mem([store(pickOf(g, Object.keys(STORE)), rs2 === rb ? 0 : rs2, rb, imm)]);
  const width = g(fc.boolean) ? 'w' : 'd';
  if (kind === 4) return mem([atomic(pickOf(g, Object.keys(AMO)), width, rd, rb, rs2, g(fc.integer, { min: 0, max: 3 }))]);
  if (kind === 5) {
    // LR then SC at the same aligned address, a few ALU ops between that leave the base alone.
    // (Misaligned, QEMU 7.2 fails an SC without the exception the spec requires: LRs alone are misaligned.)
    if (g(fc.boolean)) return mem([atomic('lr', width, rd, rb, 0)]);
    const between = Array.from({ length: g(fc.integer, { min: 0, max: 2 }) }, () => aluNotTouching(g, rb));
    const scRd = rd === rb ? 0 : rd;
    return mem([atomic('lr', width, scRd, rb, 0), ...between, atomic('sc', width, scRd, rb, rs2)], alignTarget(target, width === 'w' ? 4 : 8));
  }
  return mem([g(fc.boolean) ? fload(width, pickReg(g, true), rb, imm) : fstore(width, pickReg(g, true), rb, imm)]);
}

function alignTarget(t: Target, size: number): Target {
  return t.kind === 'va' ? { kind: 'va', va: t.va & ~BigInt(size - 1) } : { ...t, off: t.off & ~(size - 1) };
}

/** An ALU op that leaves register `keep` alone. */
function aluNotTouching(g: Gen, keep: number): Insn {
  let rd = pickReg(g, true);
  if (rd === keep) rd = 0;
  return aluRR(pickOf(g, ['add', 'xor', 'sub', 'or']), rd, pickReg(g, true), pickReg(g, true));
}

const FP_CSRS = [0x001, 0x002, 0x003];

/** Rounding modes: mostly static or dynamic, now and then a reserved one (illegal). */
function roundingMode(g: Gen): number {
  return draw(g, fc.oneof({ arbitrary: fc.integer({ min: 0, max: 4 }), weight: 5 }, { arbitrary: fc.constant(7), weight: 4 }, { arbitrary: fc.constantFrom(5, 6), weight: 1 }));
}

function fpArithItem(g: Gen): Item {
  const fmt = g(fc.boolean) ? 's' : 'd';
  const [rd, rs1, rs2, rs3] = [pickReg(g, true), pickReg(g, true), pickReg(g, true), pickReg(g, true)];
  const r = g(fc.integer, { min: 0, max: 9 });
  if (r < 5) return { kind: 'insn', insn: fpArith(pickOf(g, Object.keys(FP_ARITH)), fmt, rd, rs1, rs2, roundingMode(g)) };
  if (r < 8) return { kind: 'insn', insn: fpPlain(pickOf(g, Object.keys(FP_PLAIN)), fmt, rd, rs1, rs2) };
  return { kind: 'insn', insn: fma(pickOf(g, Object.keys(FMA)), fmt, rd, rs1, rs2, rs3, roundingMode(g)) };
}

function fpItem(g: Gen): Item[] {
  if (g(fc.integer, { min: 0, max: 9 }) < 5) return [fpArithItem(g)];
  switch (g(fc.integer, { min: 0, max: 3 })) {
    case 0: {
      const name = pickOf(g, Object.keys(FP_MOVE));
      return [{ kind: 'insn', insn: fpMove(name, pickReg(g, true), pickReg(g, true), pickReg(g, true)) }];
    }
    case 1: {
      const name = pickOf(g, ['csrrw', 'csrrs', 'csrrc', 'csrrwi', 'csrrsi', 'csrrci']);
      return [{ kind: 'insn', insn: csr(name, pickReg(g, true), pickOf(g, FP_CSRS), pickReg(g, true)) }];
    }
    case 2: return [memoryItem(g, { kind: 'data', page: g(fc.integer, { min: 0, max: DATA_PAGES - 1 }), off: pageOffset(g) }, true)];
    default: return [aluItem(g)];
  }
}

/** The addresses a paging sequence aims at. */
function pagingTarget(g: Gen, mode: number): Target {
  const off = BigInt(pageOffset(g));
  const sharedOff = BigInt(g(fc.integer, { min: 0, max: SHARED_WINDOW - 8 }));
  const choices: Array<() => bigint> = [
    () => VA.data + BigInt(g(fc.integer, { min: 0, max: DATA_PAGES })) * 4096n + off,
    () => VA.data + BigInt(g(fc.integer, { min: 0, max: DATA_PAGES })) * 4096n + off,
    () => VA.mega + sharedOff,
    () => VA.giga + (16n << 20n) + sharedOff,
    () => VA.code + off,
    // Non-canonical for the mode. Drawn with at most 53 significant bits: vmledger's trap path keeps
    // tval as a double, which loses the low bits of wider ones (a bug left to the core's owner).
    () => (mode === 8 ? 1n << 38n : 1n << 47n) | (VA.data + off),
    () => 0xfff0000000200000n + off,
  ];
  if (mode === 9) choices.push(() => VA.high + off, () => VA.tera + 0x80000000n + (16n << 20n) + sharedOff, () => (1n << 38n) + off);
  return { kind: 'va', va: BigInt.asUintN(64, pickOf(g, choices)()) };
}

/**
 * Random PTE bits: mostly valid, sometimes reserved encodings. With `leaf`,
 * never a pointer (R = W = X = 0), which for a superpage would make the
 * walk read its frame as the next table: from RAM that is random data,
 * and outside RAM QEMU 7.2 raises a page fault where the spec requires an
 * access fault (vmledger's).
 */
function pteFlags(g: Gen, user: boolean, leaf = false): bigint {
  let f = 0n;
  for (const [bit, p] of [[PTE.V, 0.92], [PTE.R, 0.7], [PTE.W, 0.5], [PTE.X, 0.3], [PTE.U, user ? 0.8 : 0.2], [PTE.G, 0.2], [PTE.A, 0.6], [PTE.D, 0.4]] as const) {
    if (g(fc.integer, { min: 0, max: 999 }) < p * 1000) f |= bit;
  }
  if (g(fc.integer, { min: 0, max: 19 }) === 0) f |= 1n << 54n;  // reserved (no Svnapot/Svpbmt)
  if ((f & (PTE.R | PTE.W | PTE.X)) === 0n && (leaf || g(fc.boolean))) f |= PTE.R;
  return f;
}

function mappings(g: Gen, mode: number, user: boolean): Mapping[] {
  const codeFlags = PTE.V | PTE.R | PTE.X | PTE.A | (user ? PTE.U : 0n) | (g(fc.boolean) ? PTE.D : 0n) | (g(fc.boolean) ? PTE.G : 0n);
  const maps: Mapping[] = [{ va: VA.code, level: 0, flags: codeFlags, frame: { kind: 'code' } }];
  for (let k = 0; k < DATA_PAGES; k++) maps.push({ va: VA.data + BigInt(k) * 4096n, level: 0, flags: pteFlags(g, user), frame: { kind: 'data', page: k } });
  // Superpages onto the shared region (2 MiB), RAM (1 GiB) and physical 0 (512 GiB); now and then misaligned.
  const misaligned = () => g(fc.integer, { min: 0, max: 7 }) === 0;
  maps.push({ va: VA.mega, level: 1, flags: pteFlags(g, user, true), frame: { kind: 'phys', addr: BigInt(SHARED) + (misaligned() ? 0x1000n : 0n) } });
  maps.push({ va: VA.giga, level: 2, flags: pteFlags(g, user, true), frame: { kind: 'phys', addr: 0x80000000n + (misaligned() ? 0x200000n : 0n) } });
  if (mode === 9) {
    maps.push({ va: VA.high, level: 0, flags: pteFlags(g, user), frame: { kind: 'data', page: 0 } });
    maps.push({ va: VA.tera, level: 3, flags: pteFlags(g, user, true), frame: { kind: 'phys', addr: misaligned() ? 0x80000000n : 0n } });
  }
  return maps;
}

/** The sequence for `seed` in class `cls`. */
export function generate(seed: number, cls: SequenceClass): Sequence {
  const [g] = fc.sample(fc.gen(), { seed, numRuns: 1 }) as [Gen];
  const x = Array.from({ length: 32 }, (_, i) => (i === 0 ? 0n : BigInt.asUintN(64, value64(g))));
  const f = Array.from({ length: 32 }, () => fpValue(g));
  const mode = cls === 'mem' ? pickOf(g, [8, 9]) : 0;
  const mprv = cls === 'mem' && g(fc.integer, { min: 0, max: 3 }) === 0;
  const priv = mprv ? 3 : pickOf(g, cls === 'mem' ? [0, 1] : [0, 1, 3]);
  const mpp = mprv ? pickOf(g, [0, 1]) : 0;
  const user = mprv ? mpp === 0 : priv === 0;
  const fs = cls === 'fp' ? g(fc.integer, { min: 0, max: 3 }) : cls === 'mem' ? pickOf(g, [0, 3]) : 0;
  const length = g(fc.integer, { min: 8, max: 40 });
  const body: Item[] = [];
  // M with MPRV: after the driver's mret MPP is U; the first instruction sets MPRV and MPP from x31.
  if (mprv) {
    x[31] = (1n << 17n) | (BigInt(mpp) << 11n);
    body.push({ kind: 'insn', insn: csr('csrrs', 0, 0x300, 31) });
  }
  while (body.length < length) {
    const remaining = length - body.length;
    const r = g(fc.integer, { min: 0, max: 99 });
    if (cls === 'int') {
      if (r < 40) body.push(aluItem(g));
      else if (r < 55) body.push(jumpItem(g, remaining));
      else if (r < 65) body.push(computeWord(g));
      else body.push(memoryItem(g, { kind: 'data', page: g(fc.integer, { min: 0, max: DATA_PAGES - 1 }), off: pageOffset(g) }, false));
    } else if (cls === 'mem') {
      if (r < 25) body.push(aluItem(g));
      else body.push(memoryItem(g, pagingTarget(g, mode), fs !== 0));
    } else {
      body.push(...fpItem(g));
    }
  }
  // A jump's skip may not pass the end of the body.
  const fixed = body.map((it, i) => (it.kind === 'jump' ? { ...it, skip: Math.min(it.skip, body.length - 1 - i) } : it));
  return {
    seed, cls, priv, mprv, mpp, mode,
    sum: g(fc.boolean), mxr: g(fc.boolean), fs,
    fcsr: g(fc.integer, { min: 0, max: 0xff }),
    x, f,
    maps: mode === 0 ? [] : mappings(g, mode, user),
    body: fixed,
  };
}
