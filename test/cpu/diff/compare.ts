/**
 * Compares the RAM of the two machines after a batch, bit for bit, and
 * says what differs in terms of the sequences: registers, fcsr, mstatus,
 * recorded traps, data pages and page tables (A/D bits), each with both
 * values, the sequence's seed, its starting state and its listing.
 */
import { type Batch, blockBase, BLOCK_PAGES } from './batch.js';
import { CTX, CTX_BASE, CTX_SIZE, MAX_TRAPS, PAGE, RAM_BASE, SHARED, TRAP_SIZE } from './layout.js';
import { DATA_PAGES, type Sequence } from './sequence.js';

/** A difference in one sequence's memory. */
export interface SequenceDiff {
  readonly index: number;
  readonly seq: Sequence;
  readonly lines: readonly string[];
}

const hex = (v: bigint): string => `0x${v.toString(16).padStart(16, '0')}`;

/** Names of the 8-byte words of a context record the driver writes. */
function ctxField(off: number): string | undefined {
  if (off >= CTX.xOut && off < CTX.xOut + 31 * 8) return `x${(off - CTX.xOut) / 8 + 1}`;
  if (off >= CTX.fOut && off < CTX.fOut + 32 * 8) return `f${(off - CTX.fOut) / 8}`;
  if (off === CTX.fcsrOut) return 'fcsr';
  if (off === CTX.mstatusOut) return 'mstatus';
  if (off === CTX.trapCount) return 'traps taken';
  if (off >= CTX.traps && off < CTX.traps + MAX_TRAPS * TRAP_SIZE) {
    const k = Math.floor((off - CTX.traps) / TRAP_SIZE), w = ((off - CTX.traps) % TRAP_SIZE) / 8;
    return `trap ${k} ${['mcause', 'mtval', 'mepc', '(unused)'][w]}`;
  }
  return undefined;
}

function word(ram: Uint8Array, off: number): bigint {
  return new DataView(ram.buffer, ram.byteOffset).getBigUint64(off, true);
}

/** The differences between `qemu` and `vmledger` (both RAM from RAM_BASE), by sequence; and any outside every sequence. */
export function compareBatch(batch: Batch, qemu: Uint8Array, vmledger: Uint8Array): { sequences: SequenceDiff[]; elsewhere: string[] } {
  const lines = new Map<number, string[]>();
  const elsewhere: string[] = [];
  const add = (i: number, line: string) => { if (!lines.has(i)) lines.set(i, []); lines.get(i)!.push(line); };
  const base = blockBase(batch.sequences.length) - RAM_BASE;
  const ctxBase = CTX_BASE - RAM_BASE;
  const n = Math.min(qemu.length, vmledger.length);
  for (let off = 0; off < n; off += 8) {
    if (qemu[off] === vmledger[off] && word(qemu, off) === word(vmledger, off)) continue;
    const both = `QEMU ${hex(word(qemu, off))}, vmledger ${hex(word(vmledger, off))}`;
    if (off >= ctxBase && off < ctxBase + batch.sequences.length * CTX_SIZE) {
      const i = Math.floor((off - ctxBase) / CTX_SIZE);
      const field = ctxField((off - ctxBase) % CTX_SIZE);
      if (field) add(i, `${field}: ${both}`);
      continue;
    }
    if (off >= base && off < base + batch.sequences.length * BLOCK_PAGES * PAGE) {
      const i = Math.floor((off - base) / (BLOCK_PAGES * PAGE));
      const page = Math.floor(((off - base) % (BLOCK_PAGES * PAGE)) / PAGE), at = (off - base) % PAGE;
      const what = page === 0 ? 'code' : page <= DATA_PAGES ? `data page ${page - 1}` : `page table ${page - 1 - DATA_PAGES} (PTE ${at / 8})`;
      add(i, `${what} +0x${at.toString(16)}: ${both}`);
      continue;
    }
    const where = off >= SHARED - RAM_BASE ? `shared region +0x${(off - (SHARED - RAM_BASE)).toString(16)}` : `RAM +0x${off.toString(16)}`;
    elsewhere.push(`${where}: ${both}`);
  }
  const sequences = [...lines.entries()].sort(([a], [b]) => a - b).map(([index, l]) => ({ index, seq: batch.sequences[index]!, lines: l }));
  return { sequences, elsewhere };
}

const PRIV = ['U', 'S', '?', 'M'];

/** One line on how a sequence starts. */
export function describeStart(seq: Sequence): string {
  const parts = [seq.cls, seq.mprv ? `M with MPRV as ${PRIV[seq.mpp]}` : PRIV[seq.priv]!, seq.mode === 0 ? 'bare' : seq.mode === 8 ? 'Sv39' : 'Sv48'];
  if (seq.mode !== 0) parts.push(`SUM ${+seq.sum}`, `MXR ${+seq.mxr}`);
  parts.push(`FS ${seq.fs}`, `fcsr 0x${seq.fcsr.toString(16)}`);
  return parts.join(', ');
}

/** A sequence's difference as a report: seed, start, what differs, listing, how to run it again. */
export function describeDiff(batch: Batch, d: SequenceDiff, rerun: string): string {
  const code = batch.listings[d.index]!;
  const entry = d.seq.mode !== 0 && d.seq.priv !== 3 ? 0x10000 : batch.blocks[d.index]!;
  const listing = code.map((ins, k) => `    0x${(entry + 4 * k).toString(16)}: ${ins.text}`);
  const maps = d.seq.maps.map((m) => `    va 0x${m.va.toString(16)} level ${m.level} flags 0x${m.flags.toString(16)} -> ${m.frame.kind === 'phys' ? `0x${m.frame.addr.toString(16)}` : m.frame.kind === 'data' ? `data page ${m.frame.page}` : 'code'}`);
  return [
    `sequence seed ${d.seq.seed} (${describeStart(d.seq)}):`,
    ...d.lines.slice(0, 24).map((l) => `  ${l}`),
    ...(d.lines.length > 24 ? [`  ... and ${d.lines.length - 24} more`] : []),
    ...(maps.length ? ['  mappings:', ...maps] : []),
    '  listing:', ...listing,
    `  run it again: ${rerun}`,
  ].join('\n');
}
