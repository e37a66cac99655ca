/**
 * A hart retires exactly the instructions `run` gives it, whether its code
 * is compiled or interpreted: what a deterministic schedule (timers firing
 * after the same instruction in every run) and a snapshot loaded into a
 * process that has compiled nothing yet both rely on.
 */
import { describe, expect, it } from 'vitest';
import { Rv64Cluster } from '../../plugins/cpu-rv64/cluster.js';
import { RAM_BASE, TestBus } from './test-bus.js';

const T0 = 5, T1 = 6, T2 = 7, T3 = 28;
const addi = (rd: number, rs1: number, imm: number) => ((imm & 0xfff) << 20) | (rs1 << 15) | (rd << 7) | 0x13;
const lui = (rd: number, imm20: number) => (imm20 << 12) | (rd << 7) | 0x37;
const xor = (rd: number, rs1: number, rs2: number) => (rs2 << 20) | (rs1 << 15) | (4 << 12) | (rd << 7) | 0x33;
/** bne rs1, rs2, back `words` instructions. */
const bneBack = (rs1: number, rs2: number, words: number) => {
  const imm = -4 * words;
  return (((imm >> 12) & 1) << 31) | (((imm >> 5) & 63) << 25) | (rs2 << 20) | (rs1 << 15) | (1 << 12) | (((imm >> 1) & 15) << 8) | (((imm >> 11) & 1) << 7) | 0x63;
};

/** t0 counts to 100,000 in a four-instruction loop (a block that loops inside itself), then `j .` (a block of one). */
const PROGRAM = [
  addi(T0, 0, 0),
  lui(T1, 0x18), addi(T1, T1, 0x6a0),
  addi(T0, T0, 1), addi(T2, T0, 3), xor(T3, T2, T0), bneBack(T0, T1, 3),
  0x0000006f,
];

function hartOn(hot: number): Rv64Cluster {
  const bus = new TestBus();
  const cluster = new Rv64Cluster({ harts: 1, bus, timer: bus, hot });
  bus.cluster = cluster;
  const image = new Uint8Array(PROGRAM.length * 4);
  PROGRAM.forEach((w, i) => new DataView(image.buffer).setInt32(i * 4, w, true));
  bus.load(RAM_BASE, image);
  cluster.reset(RAM_BASE, 0);
  return cluster;
}

const state = (c: Rv64Cluster) => {
  const h = c.harts[0] as unknown as { pc(): number; reg(i: number): bigint };
  return { pc: h.pc(), t0: h.reg(T0), t2: h.reg(T2), t3: h.reg(T3) };
};

describe('instruction budgets', () => {
  it('a hart with its code compiled retires exactly each budget, and is where the interpreter is after it', () => {
    const compiled = hartOn(1), interpreted = hartOn(-1);
    // Budgets shorter than, equal to and longer than a pass over the loop, and ones ending mid-pass.
    const budgets = [1, 2, 3, 4, 5, 7, 1, 13, 64, 3, 1000, 999, 6, 10_007, 2, 50_001];
    for (let round = 0; round < 8; round++) {
      for (const budget of budgets) {
        expect(compiled.run(budget).executed).toBe(budget);
        expect(interpreted.run(budget).executed).toBe(budget);
        expect(state(compiled)).toEqual(state(interpreted));
      }
    }
    expect(compiled.codeStats().blockRuns).toBeGreaterThan(0);
    expect(compiled.retired()).toBe(interpreted.retired());
    // The program ran to its end (`j .`) and stays there, in both.
    expect(state(compiled).t0).toBe(100_000n);
  });
});
