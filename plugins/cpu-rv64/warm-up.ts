/**
 * Interpreter warm-up: before the guest starts, a hart of the new cluster
 * runs a small RISC-V program, written below, in the first pages of its
 * own RAM, then everything it touched is put back.
 *
 * Why: V8 compiles `Rv64Hart.execute` with TurboFan from the type feedback
 * its sites gathered so far. A site the guest has not reached yet has none,
 * so the optimized loop deoptimizes when the guest first reaches it, and the
 * guest runs in the bytecode interpreter (about 10 MIPS) until the next
 * compile, which takes 100 ms or more. U-Boot met about ten such sites on
 * its way to the prompt. Running every op of the loop once here, on a real
 * hart with the real bus and RAM (so every object has the hidden class the
 * guest will see) and with the kinds of values real code computes (RAM
 * addresses with bit 31 set, negative numbers, 64-bit carries, shifts of 0,
 * under 32 and from 32), gives the first compile complete feedback.
 * Feedback alone is not enough: with the old loop, which merged the results
 * of its calls out (trap entry, CSR ops) into pc, full feedback made V8 box
 * pc at every instruction and the compute loop fell to about 40 MIPS; see
 * `Rv64Hart.execute` for the loop's shape that avoids it.
 */
import { C64 } from './state.js';
import type { Rv64Hart } from './hart.js';

// Register numbers (RISC-V psABI names).
const RA = 1, SP = 2, T0 = 5, T1 = 6, T2 = 7, S0 = 8, S1 = 9, A0 = 10, A1 = 11, S2 = 18;
const T3 = 28, T4 = 29, T5 = 30, T6 = 31;

/**
 * Byte offsets in the three borrowed pages: code from 0, the operand table
 * and a word stored to (a store into a page holding code, the interpreter's
 * cold path for those), a jump that straddles the first page boundary (the
 * decoder's path for such instructions), and the load/store area in the
 * third page, which holds no code, so stores there take the fast path.
 */
const TABLE = 0x600;
const CODE_STORE = 0x7f0;
const STRADDLE = 0xffe;
const DATA = 0x2000;
const SIZE = 0x3000;

/**
 * Operand pairs (a0, a1) as [lo, hi] words, one pair per loop round: equal
 * and unequal, signed and unsigned orders both ways, carries between the
 * words, and a1 & 63 of 0, under 32 and 32 or more for register shifts.
 */
const OPERANDS: Array<[number, number, number, number]> = [
  [1, 0, 2, 0],
  [0x80001000 | 0, 0, 0x80001000 | 0, 0],
  [-1, -1, 5, 0],
  [0x9abcdef0 | 0, 0x12345678, 0, 0x80000000 | 0],
  [0, 0, -2, -1],
  [0x7fffffff, 0, 0x80000001 | 0, 0],
  [-0x100, -1, -1, 0],
  [0, 1, 63, 0],
];

/** Times the whole program runs; the loop inside already covers every op per pass. */
const PASSES = 3;

// Instruction encoders (unprivileged spec chapter 2.2 base formats, chapter 16 for RVC).
const r = (f7: number, rs2: number, rs1: number, f3: number, rd: number, opc: number): number =>
  (f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | opc;
const i = (imm: number, rs1: number, f3: number, rd: number, opc: number): number =>
  ((imm & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | opc;
const s = (imm: number, rs2: number, rs1: number, f3: number): number =>
  (((imm >> 5) & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((imm & 31) << 7) | 0x23;
const b = (imm: number, rs2: number, rs1: number, f3: number): number =>
  (((imm >> 12) & 1) << 31) | (((imm >> 5) & 63) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) |
  (((imm >> 1) & 15) << 8) | (((imm >> 11) & 1) << 7) | 0x63;
const jal = (rd: number, imm: number): number =>
  (((imm >> 20) & 1) << 31) | (((imm >> 1) & 1023) << 21) | (((imm >> 11) & 1) << 20) | (((imm >> 12) & 255) << 12) | (rd << 7) | 0x6f;
const csr = (f3: number, rd: number, rs1: number, n: number): number => i(n, rs1, f3, rd, 0x73);
const amo = (f5: number, f3: number, rd: number, rs1: number, rs2: number): number => r(f5 << 2, rs2, rs1, f3, rd, 0x2f);

/** The program's image: code from offset 0, the straddling jump, the operand table. */
function build(): Uint8Array {
  const p: number[] = [];
  const op = (...words: number[]): void => { p.push(...words); };
  const rr = [0, 1, 2, 3, 4, 5, 6, 7]; // funct3 of ADD SLL SLT SLTU XOR SRL OR AND
  // Prologue: s0 = RAM base, s1 = operand table, s2 = rounds, sp = data area, mtvec = handler.
  op(0x17 | (S0 << 7)); // auipc s0, 0
  op(i(TABLE, S0, 0, S1, 0x13), i(OPERANDS.length, 0, 0, S2, 0x13));
  op(DATA | (SP << 7) | 0x37, r(0, SP, S0, 0, SP, 0x33)); // lui sp, DATA >> 12; add sp, s0, sp
  const handlerFix = p.length;
  op(0, csr(1, 0, T0, 0x305)); // addi t0, s0, handler (patched below); csrw mtvec, t0
  op(jal(0, STRADDLE - 4 * p.length)); // to the straddling jump, which comes back to the loop
  const loop = p.length;
  op(i(0, S1, 3, A0, 0x03), i(8, S1, 3, A1, 0x03)); // ld a0, 0(s1); ld a1, 8(s1)
  // RV64I register-register and immediate ALU ops (2.4).
  for (const f3 of rr) op(r(0, A1, A0, f3, T3, 0x33));
  op(r(0x20, A1, A0, 0, T3, 0x33), r(0x20, A1, A0, 5, T3, 0x33)); // sub, sra
  for (const f3 of [0, 2, 3, 4, 6, 7]) op(i(-5, A0, f3, T4, 0x13), i(0x7f0, A0, f3, T4, 0x13));
  for (const sh of [0, 5, 40]) op(i(sh, A0, 1, T5, 0x13), i(sh, A0, 5, T5, 0x13), i(0x400 | sh, A0, 5, T5, 0x13));
  // Word ops (chapter 5).
  op(i(-3, A0, 0, T6, 0x1b), i(3, A0, 1, T6, 0x1b), i(3, A0, 5, T6, 0x1b), i(0x403, A0, 5, T6, 0x1b));
  for (const [f7, f3] of [[0, 0], [0x20, 0], [0, 1], [0, 5], [0x20, 5]] as const) op(r(f7, A1, A0, f3, T6, 0x3b));
  op(0x80000037 | (T0 << 7), 0x00001017 | (T1 << 7)); // lui t0, 0x80000; auipc t1, 1
  // Branches (2.5), each taken for some rounds and not for others; each skips one addi when taken.
  for (const f3 of [0, 1, 4, 5, 6, 7]) op(b(8, A1, A0, f3), i(1, T2, 0, T2, 0x13));
  // jal/jalr: call the ret two words down, come back, jump over it.
  op(jal(RA, 8), jal(0, 8), i(0, RA, 0, 0, 0x67));
  // Loads and stores of every width on RAM (2.6).
  op(s(0, A0, SP, 3), s(8, A1, SP, 2), s(12, A0, SP, 1), s(14, A1, SP, 0), s(CODE_STORE, A0, S0, 3));
  for (const f3 of [0, 1, 2, 3, 4, 5, 6]) op(i(0, SP, f3, T3, 0x03), i(8, SP, f3, T3, 0x03));
  // M (chapter 13) and A (chapter 8): cold paths outside the loop, run here so their call sites have feedback too.
  for (let f3 = 0; f3 < 8; f3++) op(r(1, A1, A0, f3, T4, 0x33));
  for (const f3 of [0, 4, 5, 6, 7]) op(r(1, A1, A0, f3, T4, 0x3b));
  op(amo(0, 3, T5, SP, A1), amo(1, 2, T5, SP, A0), amo(2, 3, T5, SP, 0), amo(3, 3, T6, SP, A0));
  // RVC forms (chapter 16): c.addi a0, 1; c.mv a1, a0; c.add a0, a1; c.sub a0, a1; c.ldsp t0, 0(sp); c.sdsp a0, 16(sp).
  op(rvc(0x0505, 0x85aa), rvc(0x952e, 0x8d0d), rvc(0x6282, 0xe82a));
  // Next round.
  op(i(16, S1, 0, S1, 0x13), i(-1, S2, 0, S2, 0x13));
  op(b((loop - p.length) * 4, 0, S2, 1)); // bnez s2, loop
  op(0x00000073, 0x10500073); // ecall (to the handler, which returns past it); wfi
  // Handler: mepc += 4; mret.
  p[handlerFix] = i(p.length * 4, S0, 0, T0, 0x13);
  op(csr(2, T0, 0, 0x341), i(4, T0, 0, T0, 0x13), csr(1, 0, T0, 0x341), 0x30200073);
  const img = new Uint8Array(SIZE);
  const dv = new DataView(img.buffer);
  p.forEach((w, k) => dv.setInt32(4 * k, w, true));
  dv.setInt32(STRADDLE, jal(0, 4 * loop - STRADDLE), true);
  OPERANDS.forEach(([al, ah, bl, bh], k) => {
    dv.setInt32(TABLE + 16 * k, al, true);
    dv.setInt32(TABLE + 16 * k + 4, ah, true);
    dv.setInt32(TABLE + 16 * k + 8, bl, true);
    dv.setInt32(TABLE + 16 * k + 12, bh, true);
  });
  return img;
}

/** Two RVC instructions in one 32-bit word, first in the low half. */
function rvc(first: number, second: number): number {
  return first | (second << 16);
}

let image: Uint8Array | undefined;

/**
 * Runs the warm-up program on `hart` (freshly built, before any reset or
 * run), then restores the RAM it used and resets the hart's
 * architectural state. Returns false if the program did not end as written
 * (in its wfi after one ecall), which would mean it warmed less than it should.
 */
export function warmUp(hart: Rv64Hart, ram: Uint8Array, ramBase: number, flush: () => void): boolean {
  if (ram.length < SIZE) return false;
  image ??= build();
  const saved = ram.slice(0, SIZE);
  let ok = true;
  for (let pass = 0; pass < PASSES; pass++) {
    ram.set(image);
    flush();
    hart.reset(ramBase, 0);
    hart.step(100_000);
    ok &&= hart.halted() && hart.c64[2 * C64.mcause] === 11;
  }
  ram.set(saved);
  flush();
  hart.reset(ramBase, 0);
  hart.instret = 0;
  return ok;
}
