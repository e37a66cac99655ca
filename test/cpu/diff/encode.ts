/**
 * An RV64GC instruction encoder for the differential test: the generated
 * programs are assembled here, so running them needs no cross toolchain.
 * Each instruction keeps its assembly text for failure reports.
 * Encodings: unprivileged spec chapter 34 (the RV64G opcode map).
 */

/** One encoded 32-bit instruction and its assembly text. */
export interface Insn {
  readonly word: number;
  readonly text: string;
}

export const X = (n: number): string => `x${n}`;
export const F = (n: number): string => `f${n}`;

function insn(word: number, text: string): Insn {
  return { word: word >>> 0, text };
}

function rType(op: number, f3: number, f7: number, rd: number, rs1: number, rs2: number): number {
  return op | (rd << 7) | (f3 << 12) | (rs1 << 15) | (rs2 << 20) | (f7 << 25);
}

function iType(op: number, f3: number, rd: number, rs1: number, imm: number): number {
  return op | (rd << 7) | (f3 << 12) | (rs1 << 15) | ((imm & 0xfff) << 20);
}

function sType(op: number, f3: number, rs1: number, rs2: number, imm: number): number {
  return op | ((imm & 31) << 7) | (f3 << 12) | (rs1 << 15) | (rs2 << 20) | (((imm >> 5) & 127) << 25);
}

/** Register-register integer ops: name -> [opcode, funct3, funct7]. */
export const ALU_RR: Readonly<Record<string, readonly [number, number, number]>> = {
  add: [0x33, 0, 0], sub: [0x33, 0, 0x20], sll: [0x33, 1, 0], slt: [0x33, 2, 0], sltu: [0x33, 3, 0],
  xor: [0x33, 4, 0], srl: [0x33, 5, 0], sra: [0x33, 5, 0x20], or: [0x33, 6, 0], and: [0x33, 7, 0],
  addw: [0x3b, 0, 0], subw: [0x3b, 0, 0x20], sllw: [0x3b, 1, 0], srlw: [0x3b, 5, 0], sraw: [0x3b, 5, 0x20],
  mul: [0x33, 0, 1], mulh: [0x33, 1, 1], mulhsu: [0x33, 2, 1], mulhu: [0x33, 3, 1],
  div: [0x33, 4, 1], divu: [0x33, 5, 1], rem: [0x33, 6, 1], remu: [0x33, 7, 1],
  mulw: [0x3b, 0, 1], divw: [0x3b, 4, 1], divuw: [0x3b, 5, 1], remw: [0x3b, 6, 1], remuw: [0x3b, 7, 1],
};

export function aluRR(name: string, rd: number, rs1: number, rs2: number): Insn {
  const [op, f3, f7] = ALU_RR[name]!;
  return insn(rType(op, f3, f7, rd, rs1, rs2), `${name} ${X(rd)}, ${X(rs1)}, ${X(rs2)}`);
}

/** Register-immediate integer ops with a 12-bit immediate: name -> [opcode, funct3]. */
export const ALU_RI: Readonly<Record<string, readonly [number, number]>> = {
  addi: [0x13, 0], slti: [0x13, 2], sltiu: [0x13, 3], xori: [0x13, 4], ori: [0x13, 6], andi: [0x13, 7], addiw: [0x1b, 0],
};

export function aluRI(name: string, rd: number, rs1: number, imm: number): Insn {
  const [op, f3] = ALU_RI[name]!;
  return insn(iType(op, f3, rd, rs1, imm), `${name} ${X(rd)}, ${X(rs1)}, ${imm}`);
}

/** Shifts by an immediate: name -> [opcode, funct3, funct6 (bits 31:26), shamt width]. */
export const SHIFT_I: Readonly<Record<string, readonly [number, number, number, number]>> = {
  slli: [0x13, 1, 0, 6], srli: [0x13, 5, 0, 6], srai: [0x13, 5, 0x10, 6],
  slliw: [0x1b, 1, 0, 5], srliw: [0x1b, 5, 0, 5], sraiw: [0x1b, 5, 0x10, 5],
};

export function shiftI(name: string, rd: number, rs1: number, shamt: number): Insn {
  const [op, f3, f6] = SHIFT_I[name]!;
  return insn(op | (rd << 7) | (f3 << 12) | (rs1 << 15) | (shamt << 20) | (f6 << 26), `${name} ${X(rd)}, ${X(rs1)}, ${shamt}`);
}

export function lui(rd: number, imm20: number): Insn {
  return insn(0x37 | (rd << 7) | ((imm20 & 0xfffff) << 12), `lui ${X(rd)}, 0x${(imm20 & 0xfffff).toString(16)}`);
}

export function auipc(rd: number, imm20: number): Insn {
  return insn(0x17 | (rd << 7) | ((imm20 & 0xfffff) << 12), `auipc ${X(rd)}, 0x${(imm20 & 0xfffff).toString(16)}`);
}

/** Branches: name -> funct3. `off` is in bytes from the branch. */
export const BRANCH: Readonly<Record<string, number>> = { beq: 0, bne: 1, blt: 4, bge: 5, bltu: 6, bgeu: 7 };

export function branch(name: string, rs1: number, rs2: number, off: number): Insn {
  const w = 0x63 | (((off >> 11) & 1) << 7) | (((off >> 1) & 15) << 8) | (BRANCH[name]! << 12) | (rs1 << 15) | (rs2 << 20) |
    (((off >> 5) & 63) << 25) | (((off >> 12) & 1) << 31);
  return insn(w, `${name} ${X(rs1)}, ${X(rs2)}, .${off >= 0 ? '+' : ''}${off}`);
}

export function jal(rd: number, off: number): Insn {
  const w = 0x6f | (rd << 7) | (((off >> 12) & 255) << 12) | (((off >> 11) & 1) << 20) | (((off >> 1) & 1023) << 21) | (((off >> 20) & 1) << 31);
  return insn(w, `jal ${X(rd)}, .${off >= 0 ? '+' : ''}${off}`);
}

export function jalr(rd: number, rs1: number, imm: number): Insn {
  return insn(iType(0x67, 0, rd, rs1, imm), `jalr ${X(rd)}, ${imm}(${X(rs1)})`);
}

/** Loads: name -> funct3 (opcode 0x03; flw/fld: 0x07). */
export const LOAD: Readonly<Record<string, number>> = { lb: 0, lh: 1, lw: 2, ld: 3, lbu: 4, lhu: 5, lwu: 6 };
export const STORE: Readonly<Record<string, number>> = { sb: 0, sh: 1, sw: 2, sd: 3 };

export function load(name: string, rd: number, rs1: number, imm: number): Insn {
  return insn(iType(0x03, LOAD[name]!, rd, rs1, imm), `${name} ${X(rd)}, ${imm}(${X(rs1)})`);
}

export function store(name: string, rs2: number, rs1: number, imm: number): Insn {
  return insn(sType(0x23, STORE[name]!, rs1, rs2, imm), `${name} ${X(rs2)}, ${imm}(${X(rs1)})`);
}

export function fload(width: 'w' | 'd', rd: number, rs1: number, imm: number): Insn {
  return insn(iType(0x07, width === 'w' ? 2 : 3, rd, rs1, imm), `fl${width} ${F(rd)}, ${imm}(${X(rs1)})`);
}

export function fstore(width: 'w' | 'd', rs2: number, rs1: number, imm: number): Insn {
  return insn(sType(0x27, width === 'w' ? 2 : 3, rs1, rs2, imm), `fs${width} ${F(rs2)}, ${imm}(${X(rs1)})`);
}

/** AMOs: name -> funct5 (unprivileged spec 8.4). */
export const AMO: Readonly<Record<string, number>> = {
  amoadd: 0, amoswap: 1, amoxor: 4, amoor: 8, amoand: 12, amomin: 16, amomax: 20, amominu: 24, amomaxu: 28,
};

/** An AMO, lr or sc of `width` with aq/rl bits `order` (0-3). */
export function atomic(name: string, width: 'w' | 'd', rd: number, rs1: number, rs2: number, order = 0): Insn {
  const f5 = name === 'lr' ? 2 : name === 'sc' ? 3 : AMO[name]!;
  const w = rType(0x2f, width === 'w' ? 2 : 3, (f5 << 2) | order, rd, rs1, name === 'lr' ? 0 : rs2);
  const suffix = ['', '.rl', '.aq', '.aqrl'][order]!;
  const text = name === 'lr' ? `lr.${width}${suffix} ${X(rd)}, (${X(rs1)})` : `${name}.${width}${suffix} ${X(rd)}, ${X(rs2)}, (${X(rs1)})`;
  return insn(w, text);
}

/** CSR ops: name -> funct3; the *i forms take a 5-bit immediate in the rs1 field. */
export const CSR_OP: Readonly<Record<string, number>> = { csrrw: 1, csrrs: 2, csrrc: 3, csrrwi: 5, csrrsi: 6, csrrci: 7 };

export function csr(name: string, rd: number, csrNum: number, src: number): Insn {
  const imm = name.endsWith('i');
  return insn(iType(0x73, CSR_OP[name]!, rd, src, csrNum), `${name} ${X(rd)}, 0x${csrNum.toString(16)}, ${imm ? src : X(src)}`);
}

/** F/D ops in OP-FP without a rounding mode: name -> [funct7, funct3, rs2 (-1: a register)]. */
export const FP_MOVE: Readonly<Record<string, readonly [number, number, number]>> = {
  'fsgnj.s': [0x10, 0, -1], 'fsgnjn.s': [0x10, 1, -1], 'fsgnjx.s': [0x10, 2, -1],
  'fsgnj.d': [0x11, 0, -1], 'fsgnjn.d': [0x11, 1, -1], 'fsgnjx.d': [0x11, 2, -1],
  'fmv.x.w': [0x70, 0, 0], 'fmv.x.d': [0x71, 0, 0], 'fmv.w.x': [0x78, 0, 0], 'fmv.d.x': [0x79, 0, 0],
};

/** An FP_MOVE op; `rd` and `rs1` are x or f registers as the op says. */
export function fpMove(name: string, rd: number, rs1: number, rs2 = 0): Insn {
  const [f7, f3, fixed] = FP_MOVE[name]!;
  const toX = name.startsWith('fmv.x'), fromX = name.startsWith('fmv.') && !toX;
  const text = fixed >= 0
    ? `${name} ${toX ? X(rd) : F(rd)}, ${fromX ? X(rs1) : F(rs1)}`
    : `${name} ${F(rd)}, ${F(rs1)}, ${F(rs2)}`;
  return insn(rType(0x53, f3, f7, rd, rs1, fixed >= 0 ? fixed : rs2), text);
}

/**
 * F/D ops in OP-FP with a rounding mode (rm 0-4, 7 for frm; 5 and 6 are
 * reserved): name -> [funct5, rs2 (-1: a register), source kind, destination kind].
 * The format (S or D) is the name's last letter, or for conversions between formats, the destination's.
 */
export const FP_ARITH: Readonly<Record<string, readonly [number, number, 'ff' | 'f' | 'x', 'f' | 'x']>> = {
  fadd: [0x00, -1, 'ff', 'f'], fsub: [0x01, -1, 'ff', 'f'], fmul: [0x02, -1, 'ff', 'f'], fdiv: [0x03, -1, 'ff', 'f'],
  fsqrt: [0x0b, 0, 'f', 'f'],
  'fcvt.w': [0x18, 0, 'f', 'x'], 'fcvt.wu': [0x18, 1, 'f', 'x'], 'fcvt.l': [0x18, 2, 'f', 'x'], 'fcvt.lu': [0x18, 3, 'f', 'x'],
  'fcvt.from.w': [0x1a, 0, 'x', 'f'], 'fcvt.from.wu': [0x1a, 1, 'x', 'f'], 'fcvt.from.l': [0x1a, 2, 'x', 'f'], 'fcvt.from.lu': [0x1a, 3, 'x', 'f'],
  'fcvt.other': [0x08, -2, 'f', 'f'],
};
const RM = ['rne', 'rtz', 'rdn', 'rup', 'rmm', 'rm5', 'rm6', 'dyn'];

/** An FP_ARITH op on format `fmt` (`s` or `d`) with rounding mode `rm`. */
export function fpArith(name: string, fmt: 's' | 'd', rd: number, rs1: number, rs2: number, rm: number): Insn {
  const [f5, fixed, src, dst] = FP_ARITH[name]!;
  const fmtBit = fmt === 's' ? 0 : 1;
  // fcvt.s.d takes rs2 = 1 (a D source), fcvt.d.s rs2 = 0 (an S source).
  const r2 = fixed === -1 ? rs2 : fixed === -2 ? 1 - fmtBit : fixed;
  const mnemonic = name === 'fcvt.other' ? `fcvt.${fmt}.${fmt === 's' ? 'd' : 's'}`
    : name.startsWith('fcvt.from.') ? `fcvt.${fmt}.${name.slice(10)}`
    : name.startsWith('fcvt.') ? `${name}.${fmt}` : `${name}.${fmt}`;
  const regs = [dst === 'x' ? X(rd) : F(rd), src === 'x' ? X(rs1) : F(rs1), ...(src === 'ff' ? [F(rs2)] : [])];
  return insn(rType(0x53, rm, (f5 << 2) | fmtBit, rd, rs1, r2), `${mnemonic} ${regs.join(', ')}, ${RM[rm]}`);
}

/** F/D ops without a rounding mode: name -> [funct5, funct3, rs2 (-1: a register), destination kind]. */
export const FP_PLAIN: Readonly<Record<string, readonly [number, number, number, 'f' | 'x']>> = {
  fmin: [0x05, 0, -1, 'f'], fmax: [0x05, 1, -1, 'f'],
  feq: [0x14, 2, -1, 'x'], flt: [0x14, 1, -1, 'x'], fle: [0x14, 0, -1, 'x'], fclass: [0x1c, 1, 0, 'x'],
};

export function fpPlain(name: string, fmt: 's' | 'd', rd: number, rs1: number, rs2: number): Insn {
  const [f5, f3, fixed, dst] = FP_PLAIN[name]!;
  const regs = [dst === 'x' ? X(rd) : F(rd), F(rs1), ...(fixed === -1 ? [F(rs2)] : [])];
  return insn(rType(0x53, f3, (f5 << 2) | (fmt === 's' ? 0 : 1), rd, rs1, fixed === -1 ? rs2 : fixed), `${name}.${fmt} ${regs.join(', ')}`);
}

/** Fused multiply-adds: name -> opcode. */
export const FMA: Readonly<Record<string, number>> = { fmadd: 0x43, fmsub: 0x47, fnmsub: 0x4b, fnmadd: 0x4f };

export function fma(name: string, fmt: 's' | 'd', rd: number, rs1: number, rs2: number, rs3: number, rm: number): Insn {
  const w = FMA[name]! | (rd << 7) | (rm << 12) | (rs1 << 15) | (rs2 << 20) | ((fmt === 's' ? 0 : 1) << 25) | (rs3 << 27);
  return insn(w, `${name}.${fmt} ${F(rd)}, ${F(rs1)}, ${F(rs2)}, ${F(rs3)}, ${RM[rm]}`);
}

export function ecall(): Insn {
  return insn(0x00000073, 'ecall');
}

export const mret = (): Insn => insn(0x30200073, 'mret');
export const sfenceVma = (): Insn => insn(0x12000073, 'sfence.vma');

/** A raw word, for encodings the generator picks at random. */
export function raw(word: number): Insn {
  return insn(word, `.word 0x${(word >>> 0).toString(16).padStart(8, '0')}`);
}

const signExtend12 = (v: bigint): bigint => (BigInt.asIntN(12, v));

/**
 * Loads the 64-bit constant `v` into `rd`: lui/addiw for 32-bit values,
 * else the upper part (recursively), a shift and an addi.
 */
export function li(rd: number, v: bigint): Insn[] {
  const s = BigInt.asIntN(64, v);
  if (s >= -2048n && s < 2048n) return [aluRI('addi', rd, 0, Number(s))];
  if (s >= -(2n ** 31n) && s < 2n ** 31n) {
    const lo = Number(signExtend12(s));
    const hi = Number(((s - BigInt(lo)) >> 12n) & 0xfffffn);
    return lo === 0 ? [lui(rd, hi)] : [lui(rd, hi), aluRI('addiw', rd, rd, lo)];
  }
  const lo = signExtend12(s);
  let hi = (s - lo) >> 12n;
  let shift = 12;
  while ((hi & 1n) === 0n) { hi >>= 1n; shift++; }
  return [...li(rd, hi), shiftI('slli', rd, rd, shift), ...(lo !== 0n ? [aluRI('addi', rd, rd, Number(lo))] : [])];
}
