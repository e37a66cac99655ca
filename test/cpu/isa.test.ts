/**
 * Bare-metal ISA programs (test/isa/*.S) built with Debian's cross
 * toolchain and run on the rv64 core; each reports pass/fail through the
 * SiFive test device. A failure code names the CHECK that failed in the
 * program source.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { IRQ } from '../../plugins/hw/cpu.js';
import { buildIsaProgram, requireToolchain } from '../isa/build.js';
import { runProgram, type TestBus } from './test-bus.js';

const images = new Map<string, Uint8Array>();
function image(name: string): Uint8Array {
  let img = images.get(name);
  if (!img) { img = buildIsaProgram(name); images.set(name, img); }
  return img;
}

/**
 * How the core runs each program: interpreted only, and compiled at the
 * first arrival at every block (so every instruction the compiler takes
 * runs as compiled code).
 */
const MODES = [
  { mode: 'interpreted', hot: -1 },
  { mode: 'compiled', hot: 1 },
] as const;

let hot = -1;

function expectPass(name: string, opts: Parameters<typeof runProgram>[1] = {}): void {
  const { outcome } = runProgram(image(name), { ...opts, hot });
  expect(outcome, `${name}.S`).toEqual({ kind: 'pass' });
}

beforeAll(() => {
  requireToolchain();
});

describe.each(MODES)('rv64 ISA programs ($mode)', ({ hot: h }) => {
  beforeAll(() => {
    hot = h;
  });

  it('computes RV64I register and immediate ALU ops, LUI/AUIPC and W ops', () => expectPass('rv64i-alu'));
  it('takes signed and unsigned branches and links JAL/JALR return addresses', () => expectPass('rv64i-branch-jump'));
  it('sign- and zero-extends loads, stores every width, handles misaligned RAM and MMIO accesses', () => expectPass('rv64i-load-store'));
  it('multiplies and divides per RV64M, including division by zero and overflow', () => expectPass('rv64m'));
  it('runs LR/SC and every AMO, fails SC without reservation, faults on misalignment', () => expectPass('rv64a'));
  it('executes every RV64C integer instruction and rejects the all-zero encoding', () => expectPass('rvc'));
  it('implements every listed CSR with its WARL masks and raises illegal-instruction for unimplemented and read-only ones', () => expectPass('csr'));
  it('enters and returns from traps in M, S and U, delegates through medeleg and enforces privilege, TSR, TW and TVM', () => expectPass('traps-modes'));
  it('takes timer, software and external interrupts in priority order, vectored, delegated to S, and wakes wfi', () => {
    const MAILBOX = 0x80000; // RAM offset of the program's handshake word
    expectPass('interrupts', {
      onSlice: (bus: TestBus) => {
        const v = new DataView(bus.ram.buffer).getUint32(MAILBOX, true);
        bus.cluster!.harts[0]!.setInterrupt(IRQ.MEIP, v === 1);
      },
    });
  });
  it('raises access faults for bus errors and illegal-instruction for reserved encodings', () => expectPass('faults'));
  it('loads, stores and fetches at the end of RAM, faulting past it', () => expectPass('ram-edge'));
  it('runs self-modified and copied code after fence.i', () => expectPass('fencei'));
  it('keeps AMO and LR/SC counters exact across two harts', () => expectPass('smp', { harts: 2 }));
});
