/**
 * The driver of a batch, in M-mode at DRIVER: for each context record it
 * loads satp (with a full sfence.vma), f0-f31 and fcsr (with FS on), then
 * mstatus and x1-x31, and mrets into the sequence. Every trap comes to its
 * handler in M: an ecall ends the sequence (x1-x31, mstatus as the
 * sequence left it, f0-f31 and fcsr are saved into the record and the
 * next one starts); any other trap is recorded (mcause, mtval, mepc) and
 * the sequence resumes after the instruction (sequences are 4-byte
 * instructions only). mscratch holds the record's address throughout.
 * After the last record, the test device ends the run.
 *
 * A trap in M-mode with MPRV sets MPP to M and the mret to U, which
 * changes how the sequence's loads and stores translate. QEMU 7.2 flushes
 * its translations only on CSR writes, so it would go on using ones made
 * under the old MPP: for such sequences the handler flushes (sfence.vma)
 * before it returns. A vmledger that missed the change would still check
 * accesses as the old MPP, so the flush hides nothing there.
 */
import { aluRI, aluRR, auipc, branch, csr, fload, fstore, jal, li, load, mret, sfenceVma, shiftI, store, type Insn } from './encode.js';
import { CTX, CTX_BASE, CTX_SIZE, MAX_TRAPS } from './layout.js';

const T0 = 5, T1 = 6, T4 = 29, T5 = 30, T6 = 31;
const CSR_MSTATUS = 0x300, CSR_MTVEC = 0x305, CSR_MSCRATCH = 0x340, CSR_MEPC = 0x341, CSR_MCAUSE = 0x342, CSR_MTVAL = 0x343;
const CSR_SATP = 0x180, CSR_FCSR = 0x003, CSR_PMPCFG0 = 0x3a0, CSR_PMPADDR0 = 0x3b0;
const FS_DIRTY = 0x6000n;
const FINISHER = 0x100000n;

/** Instructions with labels; `make` gets the byte offset from the instruction to its label. */
class Code {
  private readonly out: Array<Insn | { label: string; make: (off: number) => Insn }> = [];
  private readonly labels = new Map<string, number>();

  emit(...insns: Insn[]): void {
    this.out.push(...insns);
  }

  label(name: string): void {
    this.labels.set(name, this.out.length * 4);
  }

  to(label: string, make: (off: number) => Insn): void {
    this.out.push({ label, make });
  }

  words(): number[] {
    return this.out.map((e, i) => ('word' in e ? e : e.make(this.labels.get(e.label)! - i * 4)).word);
  }
}

/** The driver's code as 32-bit words, to be placed at DRIVER. */
export function driverCode(): number[] {
  const c = new Code();
  // Setup: the trap vector, PMP letting S and U reach everything, the first record.
  c.emit(auipc(T0, 0));
  c.to('handler', (off) => aluRI('addi', T0, T0, off + 4));
  c.emit(csr('csrrw', 0, CSR_MTVEC, T0));
  c.emit(...li(T0, -1n), csr('csrrw', 0, CSR_PMPADDR0, T0), aluRI('addi', T0, 0, 0x1f), csr('csrrw', 0, CSR_PMPCFG0, T0));
  c.emit(...li(T0, BigInt(CTX_BASE)), csr('csrrw', 0, CSR_MSCRATCH, T0));

  c.label('next');
  c.emit(csr('csrrs', T6, CSR_MSCRATCH, 0));
  c.emit(load('ld', T0, T6, CTX.entry));
  c.to('finish', (off) => branch('beq', T0, 0, off));
  c.emit(csr('csrrw', 0, CSR_MEPC, T0));
  c.emit(load('ld', T0, T6, CTX.satp), csr('csrrw', 0, CSR_SATP, T0), sfenceVma());
  c.emit(...li(T0, FS_DIRTY), csr('csrrs', 0, CSR_MSTATUS, T0));
  for (let f = 0; f < 32; f++) c.emit(fload('d', f, T6, CTX.fIn + 8 * f));
  c.emit(load('ld', T0, T6, CTX.fcsr), csr('csrrw', 0, CSR_FCSR, T0));
  c.emit(load('ld', T0, T6, CTX.mstatus), csr('csrrw', 0, CSR_MSTATUS, T0));
  for (let x = 1; x <= 31; x++) c.emit(load('ld', x, T6, CTX.xIn + 8 * (x - 1)));
  c.emit(mret());

  c.label('handler');
  c.emit(csr('csrrw', T6, CSR_MSCRATCH, T6));
  c.emit(store('sd', T4, T6, CTX.saveT4), store('sd', T5, T6, CTX.saveT5));
  c.emit(csr('csrrs', T5, CSR_MCAUSE, 0));
  for (const cause of [8, 9, 11]) {
    c.emit(aluRI('addi', T4, 0, cause));
    c.to('end', (off) => branch('beq', T5, T4, off));
  }
  // Any other trap: count it, record the first MAX_TRAPS, resume after the instruction.
  c.emit(load('ld', T4, T6, CTX.trapCount), aluRI('addi', T5, T4, 1), store('sd', T5, T6, CTX.trapCount));
  c.emit(aluRI('addi', T5, 0, MAX_TRAPS));
  c.to('resume', (off) => branch('bgeu', T4, T5, off));
  c.emit(shiftI('slli', T4, T4, 5), aluRI('addi', T4, T4, CTX.traps), aluRR('add', T4, T4, T6));
  c.emit(csr('csrrs', T5, CSR_MCAUSE, 0), store('sd', T5, T4, 0));
  c.emit(csr('csrrs', T5, CSR_MTVAL, 0), store('sd', T5, T4, 8));
  c.emit(csr('csrrs', T5, CSR_MEPC, 0), store('sd', T5, T4, 16));
  c.label('resume');
  c.emit(csr('csrrs', T5, CSR_MSTATUS, 0), shiftI('srli', T5, T5, 17), aluRI('andi', T5, T5, 1));
  c.to('no-mprv', (off) => branch('beq', T5, 0, off));
  c.emit(sfenceVma());
  c.label('no-mprv');
  c.emit(csr('csrrs', T5, CSR_MEPC, 0), aluRI('addi', T5, T5, 4), csr('csrrw', 0, CSR_MEPC, T5));
  c.emit(load('ld', T4, T6, CTX.saveT4), load('ld', T5, T6, CTX.saveT5));
  c.emit(csr('csrrw', T6, CSR_MSCRATCH, T6));
  c.emit(mret());

  // The end of a sequence: save its state, go on with the next record.
  c.label('end');
  for (let x = 1; x <= 28; x++) c.emit(store('sd', x, T6, CTX.xOut + 8 * (x - 1)));
  c.emit(load('ld', T4, T6, CTX.saveT4), store('sd', T4, T6, CTX.xOut + 8 * 28));
  c.emit(load('ld', T4, T6, CTX.saveT5), store('sd', T4, T6, CTX.xOut + 8 * 29));
  c.emit(csr('csrrw', T4, CSR_MSCRATCH, T6), store('sd', T4, T6, CTX.xOut + 8 * 30));
  c.emit(csr('csrrs', T4, CSR_MSTATUS, 0), store('sd', T4, T6, CTX.mstatusOut));
  c.emit(...li(T4, FS_DIRTY), csr('csrrs', 0, CSR_MSTATUS, T4));
  for (let f = 0; f < 32; f++) c.emit(fstore('d', f, T6, CTX.fOut + 8 * f));
  c.emit(csr('csrrs', T4, CSR_FCSR, 0), store('sd', T4, T6, CTX.fcsrOut));
  c.emit(csr('csrrw', 0, CSR_SATP, 0));
  c.emit(...li(T4, BigInt(CTX_SIZE)), aluRR('add', T6, T6, T4));
  c.emit(csr('csrrw', 0, CSR_MSCRATCH, T6));
  c.to('next', (off) => jal(0, off));

  c.label('finish');
  c.emit(...li(T0, FINISHER), ...li(T1, 0x5555n), store('sw', T1, T0, 0));
  c.label('halt');
  c.to('halt', (off) => jal(0, off));
  return c.words();
}
