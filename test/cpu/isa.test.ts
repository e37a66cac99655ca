/**
 * Bare-metal ISA programs (test/isa/*.S, committed built in
 * test/isa/programs) run on the rv64 core; each reports pass/fail through the
 * SiFive test device. A failure code names the CHECK that failed in the
 * program source. Every program also runs on QEMU 7.2 (qemu-system-riscv64
 * -M virt -bios none), which shows that each expectation is the
 * reference's; where QEMU departs from the specification the program says
 * so at the check (CHECK_DIFF in common.h).
 */
import { describe, expect, it } from 'vitest';
import { IRQ } from '../../plugins/hw/cpu.js';
import { isaProgram, isaProgramPath } from '../isa/build.js';
import { runOnQemu } from '../isa/qemu.js';
import { describeNeeding, lacking } from '../needs.js';
import { runProgram, TestBus } from './test-bus.js';

interface Program {
  readonly name: string;
  /** What passing shows. */
  readonly does: string;
  readonly harts?: number;
  /** RAM size when the program depends on it (default: the test bus's 1 MiB; QEMU gets 4 MiB). */
  readonly ramMiB?: number;
  readonly onSlice?: (bus: TestBus) => void;
}

/** RAM offset of interrupts.S's handshake word: 1 asks for MEIP, 2 drops it. */
const MAILBOX = 0x80000;

const PROGRAMS: readonly Program[] = [
  { name: 'rv64i-alu', does: 'computes RV64I register and immediate ALU ops, LUI/AUIPC and W ops' },
  { name: 'rv64i-branch-jump', does: 'takes signed and unsigned branches and links JAL/JALR return addresses' },
  { name: 'rv64i-load-store', does: 'sign- and zero-extends loads, stores every width, handles misaligned RAM and MMIO accesses' },
  { name: 'rv64m', does: 'multiplies and divides per RV64M, including division by zero and overflow' },
  { name: 'rv64a', does: 'runs LR/SC and every AMO, fails SC without reservation, faults on misalignment' },
  { name: 'rvc', does: 'executes every RV64C integer instruction and rejects the all-zero encoding' },
  { name: 'csr', does: 'implements every listed CSR with its WARL masks and raises illegal-instruction for unimplemented and read-only ones' },
  { name: 'traps-modes', does: 'enters and returns from traps in M, S and U, delegates through medeleg and enforces privilege, TSR, TW and TVM' },
  {
    name: 'interrupts',
    does: 'takes timer, software and external interrupts in priority order, vectored, delegated to S, and wakes wfi',
    onSlice: (bus) => {
      const v = new DataView(bus.ram.buffer).getUint32(MAILBOX, true);
      bus.cluster!.harts[0]!.setInterrupt(IRQ.MEIP, v === 1);
    },
  },
  { name: 'faults', does: 'raises access faults for bus errors and illegal-instruction for reserved encodings' },
  { name: 'ram-edge', does: 'loads, stores and fetches at the end of RAM, faulting past it', ramMiB: 4 },
  { name: 'fencei', does: 'runs self-modified and copied code after fence.i' },
  { name: 'smp', does: 'keeps AMO and LR/SC counters exact across two harts', harts: 2 },
  {
    name: 'mmu-sv39',
    does: 'translates Sv39 pages and superpages for S and U, sets A and D, and raises page faults with the right cause, tval and epc',
    ramMiB: 4,
  },
  {
    name: 'mmu-sv48',
    does: 'walks four Sv48 levels in both halves of the address space, maps 512 GiB pages and switches satp between Sv39 and Sv48',
    ramMiB: 4,
  },
  {
    name: 'mmu-tlb',
    does: 'keeps five address spaces apart by ASID, makes changed PTEs visible after each form of sfence.vma, and never runs stale code',
    ramMiB: 4,
  },
  {
    name: 'mprv',
    does: 'translates M-mode loads, stores and AMOs as MPP\'s privilege under MPRV, never fetches, and clears MPRV on mret to S',
    ramMiB: 4,
  },
  {
    name: 'pmp',
    does: 'enforces TOR, NA4 and NAPOT entries and locks, on S-mode accesses and on the page walk, past cached translations',
    ramMiB: 4,
  },
  {
    name: 'fp-state',
    does: 'traps F/D while mstatus.FS is Off, tracks FS and SD, keeps fcsr, NaN-boxes singles and moves, loads and stores f registers',
  },
  {
    name: 'fp-arith',
    does: 'rounds in every mode, static and dynamic, raises each fflags exception, fuses multiply-adds and saturates conversions, with NaN rules of fmin/fmax and compares',
  },
];

/**
 * How the core runs each program: interpreted only, and compiled at the
 * first arrival at every block (so every instruction the compiler takes
 * runs as compiled code).
 */
const MODES = [
  { mode: 'interpreted', hot: -1 },
  { mode: 'compiled', hot: 1 },
] as const;

const images = new Map<string, Uint8Array>();
function image(name: string): Uint8Array {
  let img = images.get(name);
  if (!img) { img = isaProgram(name); images.set(name, img); }
  return img;
}

describe.each(MODES)('rv64 ISA programs ($mode)', ({ hot }) => {
  for (const p of PROGRAMS) {
    it(p.does, () => {
      const bus = p.ramMiB ? new TestBus(p.ramMiB << 20) : undefined;
      const { outcome } = runProgram(image(p.name), { harts: p.harts, onSlice: p.onSlice, bus, hot });
      expect(outcome, `${p.name}.S`).toEqual({ kind: 'pass' });
    });
  }
});

describeNeeding('the same ISA programs on QEMU 7.2, the reference', lacking('qemu-system-riscv64'), () => {
  for (const p of PROGRAMS) {
    it(`passes ${p.name}.S`, async () => {
      const outcome = await runOnQemu(isaProgramPath(p.name, 'qemu-virt'), { harts: p.harts, memoryMiB: Math.max(4, p.ramMiB ?? 0) });
      expect(outcome, `${p.name}.S on QEMU`).toEqual({ kind: 'pass' });
    });
  }
});
