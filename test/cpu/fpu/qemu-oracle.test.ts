/**
 * QEMU 7.2 as an oracle: the same edge-biased operands as the property tests
 * (fixed seed), every operation in every rounding mode including RMM, run as
 * real F/D instructions on qemu-system-riscv64 (-M virt, bare metal) and
 * compared bit for bit with the FPU, fflags included. The program is
 * generated here: per case it loads the operands (flw NaN-boxes single
 * values), clears fflags, executes the instruction with a static rounding
 * mode and prints the result register and fflags on the UART.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, expect, it } from 'vitest';
import { ISA_DIR } from '../../isa/build.js';
import { describeNeeding, lacking } from '../../needs.js';
import { argsFor } from './generators.js';
import { OPS, type Op } from './subject.js';

const GCC = process.env.RISCV_GCC ?? 'riscv64-linux-gnu-gcc';
const QEMU = 'qemu-system-riscv64';
const PER_MODE = Number(process.env.FPU_QEMU_RUNS ?? 60);
const SEED = 20261204;
const MODES = ['rne', 'rtz', 'rdn', 'rup', 'rmm'];

/** How one operation is written in assembly: operand loads, the instruction, and the move of its result to a0. */
function asm(op: Op, rm: string): string[] {
  const [mn, a, b] = op.name.split('.') as [string, string, string | undefined];
  const single = op.fmt.width === 32;
  const load = single ? 'flw' : 'fld';
  const result = (fmtLetter: string) => (fmtLetter === 's' ? 'fmv.x.w a0, fa3' : 'fmv.x.d a0, fa3');
  if (mn === 'fcvt') {
    const intDest = ['w', 'wu', 'l', 'lu'].includes(a);
    if (intDest) return [`${load} fa0, 0(t0)`, `fcvt.${a}.${b} a0, fa0, ${rm}`];
    if (['w', 'wu', 'l', 'lu'].includes(b!)) {
      const exact = a === 'd' && (b === 'w' || b === 'wu');
      return ['ld a1, 0(t0)', exact ? `fcvt.${a}.${b} fa3, a1` : `fcvt.${a}.${b} fa3, a1, ${rm}`, result(a)];
    }
    return a === 'd' ? ['flw fa0, 0(t0)', 'fcvt.d.s fa3, fa0', result('d')] : ['fld fa0, 0(t0)', `fcvt.s.d fa3, fa0, ${rm}`, result('s')];
  }
  const loads = [`${load} fa0, 0(t0)`, `${load} fa1, 8(t0)`, `${load} fa2, 16(t0)`].slice(0, op.arity);
  if (['feq', 'flt', 'fle'].includes(mn)) return [...loads, `${op.name} a0, fa0, fa1`];
  if (mn === 'fclass') return [...loads, `${op.name} a0, fa0`];
  if (mn === 'fmin' || mn === 'fmax') return [...loads, `${op.name} fa3, fa0, fa1`, result(a)];
  const regs = ['fa0', 'fa1', 'fa2'].slice(0, op.arity).join(', ');
  return [...loads, `${op.name} fa3, ${regs}, ${rm}`, result(a)];
}

const PRELUDE = `
  .section .text.init
  .globl _start
_start:
  li t0, 0x6000
  csrs mstatus, t0
  csrw fcsr, zero
`;
const EPILOGUE = `
  li t6, 0x100000
  li t5, 0x5555
  sw t5, 0(t6)
1: j 1b
/* Sends t5 on the UART once its transmit register is empty (LSR.THRE), so no byte is dropped. */
putc:
  lbu t6, 5(t1)
  andi t6, t6, 0x20
  beqz t6, putc
  sb t5, 0(t1)
  ret
/* Prints a0 as 16 hex digits, a space, a1 as 2 hex digits and a newline. */
emit:
  mv s1, ra
  li t1, 0x10000000
  mv t3, a0
  li t2, 60
  jal s2, hex
  li t5, 32
  jal putc
  mv t3, a1
  li t2, 4
  jal s2, hex
  li t5, 10
  jal putc
  mv ra, s1
  ret
/* Prints the hex digits of t3 from bit t2 down; returns through s2. */
hex:
  srl t4, t3, t2
  andi t4, t4, 15
  addi t5, t4, 48
  li t6, 10
  blt t4, t6, 2f
  addi t5, t4, 87
2: jal putc
  addi t2, t2, -4
  bgez t2, hex
  jr s2
`;

describeNeeding('FPU against QEMU 7.2 (qemu-system-riscv64 running F/D instructions)', lacking('riscv64-linux-gnu-gcc', 'qemu-system-riscv64'), () => {
  const dir = mkdtempSync(join(tmpdir(), 'vmledger-fpu-qemu-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives QEMU\'s result and fflags for every operation in every rounding mode', () => {
    const cases: Array<{ op: Op; rm: number; args: bigint[] }> = [];
    for (const op of OPS) {
      for (const rm of op.rounds ? [0, 1, 2, 3, 4] : [0])
        for (const args of fc.sample(argsFor(op), { numRuns: PER_MODE, seed: SEED + rm })) cases.push({ op, rm, args });
    }
    const text: string[] = [PRELUDE];
    const data: string[] = ['  .data', '  .balign 8'];
    cases.forEach(({ op, rm, args }, i) => {
      text.push(`  la t0, v${i}`, '  csrw fflags, zero', ...asm(op, MODES[rm]!).map((l) => `  ${l}`), '  csrr a1, fflags', '  call emit');
      data.push(`v${i}: .dword ${[0, 1, 2].map((k) => `0x${(args[k] ?? 0n).toString(16)}`).join(', ')}`);
    });
    const src = join(dir, 'fpu-vectors.S'), elf = join(dir, 'fpu-vectors.elf');
    writeFileSync(src, [...text, EPILOGUE, ...data, ''].join('\n'));
    execFileSync(GCC, ['-nostdlib', '-nostartfiles', '-static', '-Wl,--build-id=none', '-march=rv64gc', '-mabi=lp64d', '-Wl,-T,' + join(ISA_DIR, 'link.ld'), '-Wl,--no-relax', '-o', elf, src], { stdio: ['ignore', 'ignore', 'pipe'] });
    const out = execFileSync(QEMU, ['-M', 'virt', '-m', '64M', '-bios', 'none', '-kernel', elf, '-display', 'none', '-serial', 'stdio', '-monitor', 'none'], { timeout: 60_000 + cases.length * 2, maxBuffer: 64 << 20 }).toString();
    const lines = out.trim().split('\n').map((l) => l.trim());
    expect(lines.length).toBe(cases.length);
    const mismatches: string[] = [];
    cases.forEach(({ op, rm, args }, i) => {
      const [hexBits, hexFlags] = lines[i]!.split(' ');
      let qemuBits = BigInt(`0x${hexBits}`);
      const singleResult = /^f(add|sub|mul|div|sqrt|n?m(add|sub)|min|max)\.s$|^fcvt\.s\./.test(op.name);
      if (singleResult) qemuBits &= 0xffffffffn;
      const got = op.subject(args, rm);
      if (got.bits !== qemuBits || got.flags !== parseInt(hexFlags!, 16))
        mismatches.push(`${op.name} ${MODES[rm]} (${args.map((a) => `0x${a.toString(16)}`).join(', ')}): fpu 0x${got.bits.toString(16)} flags=${got.flags}, qemu 0x${qemuBits.toString(16)} flags=${parseInt(hexFlags!, 16)}`);
    });
    expect(mismatches.slice(0, 10), `${mismatches.length} of ${cases.length} cases differ`).toEqual([]);
  });
});
