/**
 * A batch: the driver, one context record and one block of pages per
 * sequence, and the shared region, as one image loaded at RAM_BASE.
 * Each sequence's block holds its code page, its data pages (filled with a
 * pattern from its seed) and its page tables, built here from its
 * mappings.
 */
import { aluRI, auipc, branch, ecall, jal, jalr, li, type Insn } from './encode.js';
import { driverCode } from './driver.js';
import { CTX, CTX_BASE, CTX_SIZE, PAGE, RAM_BASE, SHARED } from './layout.js';
import { DATA_PAGES, SHARED_WINDOW, VA, type Item, type Sequence } from './sequence.js';

/** Pages of a block: code, data, then tables. */
const TABLE_PAGES = 12;
export const BLOCK_PAGES = 1 + DATA_PAGES + TABLE_PAGES;
const BLOCK = BLOCK_PAGES * PAGE;
const MAX_INSNS = PAGE / 4;

export interface Batch {
  readonly sequences: readonly Sequence[];
  readonly image: Uint8Array;
  /** Physical address of each sequence's block. */
  readonly blocks: readonly number[];
  /** Instructions of each sequence as placed, with their text. */
  readonly listings: ReadonlyArray<readonly Insn[]>;
}

/** Where the blocks start: after the context records (and the zero record that ends the batch). */
export function blockBase(count: number): number {
  return Math.ceil((CTX_BASE + (count + 1) * CTX_SIZE) / PAGE) * PAGE;
}

/** The largest batch whose blocks end before the shared region. */
export function maxBatch(): number {
  let n = 1;
  while (blockBase(n + 1) + (n + 1) * BLOCK <= SHARED) n++;
  return n;
}

/** Bytes from a seed, for data pages and the shared region (splitmix64). */
function fill(out: Uint8Array, seed: bigint): void {
  let s = seed;
  for (let i = 0; i < out.length; i += 8) {
    s = BigInt.asUintN(64, s + 0x9e3779b97f4a7c15n);
    let z = s;
    z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
    z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
    z ^= z >> 31n;
    for (let b = 0; b < 8 && i + b < out.length; b++) out[i + b] = Number((z >> BigInt(8 * b)) & 0xffn);
  }
}

/** The instructions of a body placed at `block`: addresses resolved, jumps encoded, then the ecall that ends it. */
function place(seq: Sequence, block: number): Insn[] {
  const expand = (it: Item): Insn[] => {
    if (it.kind === 'insn') return [it.insn];
    if (it.kind === 'mem') {
      const t = it.target;
      return [...li(it.rd, t.kind === 'va' ? t.va : BigInt(block + PAGE * (1 + t.page) + t.off)), ...it.ops];
    }
    // Jumps: sized here, offsets filled in below.
    return it.op === 'jalr' ? [auipc(it.tmp, 0), aluRI('addi', it.tmp, it.tmp, 0), jalr(it.rd, it.tmp, 0)] : [jal(0, 0)];
  };
  const parts = seq.body.map(expand);
  const starts: number[] = [];
  let at = 0;
  for (const p of parts) { starts.push(at); at += p.length * 4; }
  starts.push(at);
  const out: Insn[] = [];
  seq.body.forEach((it, i) => {
    if (it.kind !== 'jump') { out.push(...parts[i]!); return; }
    const target = starts[i + 1 + it.skip]!;
    const from = starts[i]!;
    if (it.op === 'jal') out.push(jal(it.rd, target - from));
    else if (it.op === 'jalr') out.push(auipc(it.tmp, 0), aluRI('addi', it.tmp, it.tmp, target - from), jalr(it.rd, it.tmp, 0));
    else out.push(branch(it.op, it.rs1, it.rs2, target - from));
  });
  out.push(ecall());
  if (out.length > MAX_INSNS) throw new Error(`sequence ${seq.seed} has ${out.length} instructions, more than a page holds`);
  return out;
}

/** Builds the page tables of `seq` in its block's table pages; returns the root's physical address. */
function buildTables(seq: Sequence, block: number, ram: DataView): number {
  const tables = block + PAGE * (1 + DATA_PAGES);
  let next = tables;
  const alloc = (): number => {
    if (next >= tables + TABLE_PAGES * PAGE) throw new Error(`sequence ${seq.seed} needs more than ${TABLE_PAGES} table pages`);
    const t = next;
    next += PAGE;
    return t;
  };
  const root = alloc();
  const levels = seq.mode === 8 ? 3 : 4;
  for (const m of seq.maps) {
    let table = root;
    for (let lvl = levels - 1; ; lvl--) {
      const index = Number((m.va >> BigInt(12 + 9 * lvl)) & 511n);
      const at = table - RAM_BASE + index * 8;
      if (lvl === m.level) {
        const frame = m.frame.kind === 'code' ? BigInt(block) : m.frame.kind === 'data' ? BigInt(block + PAGE * (1 + m.frame.page)) : m.frame.addr;
        ram.setBigUint64(at, ((frame >> 12n) << 10n) | m.flags, true);
        break;
      }
      let pte = ram.getBigUint64(at, true);
      if (pte === 0n) {
        pte = ((BigInt(alloc()) >> 12n) << 10n) | 1n;
        ram.setBigUint64(at, pte, true);
      }
      table = Number((pte >> 10n) << 12n);
    }
  }
  return root;
}

/** Lays out `seqs` (at most `maxBatch()`) as one image. */
export function buildBatch(seqs: readonly Sequence[]): Batch {
  if (seqs.length > maxBatch()) throw new Error(`a batch holds at most ${maxBatch()} sequences, not ${seqs.length}`);
  const image = new Uint8Array(SHARED - RAM_BASE + SHARED_WINDOW + PAGE);
  const ram = new DataView(image.buffer);
  driverCode().forEach((w, i) => ram.setUint32(i * 4, w, true));
  fill(image.subarray(SHARED - RAM_BASE), 0x5eedn);
  const base = blockBase(seqs.length);
  const blocks: number[] = [];
  const listings: Insn[][] = [];
  seqs.forEach((seq, i) => {
    const block = base + i * BLOCK;
    blocks.push(block);
    const code = place(seq, block);
    listings.push(code);
    code.forEach((ins, k) => ram.setUint32(block - RAM_BASE + 4 * k, ins.word, true));
    fill(image.subarray(block - RAM_BASE + PAGE, block - RAM_BASE + PAGE * (1 + DATA_PAGES)), BigInt(seq.seed));
    const ctx = CTX_BASE - RAM_BASE + i * CTX_SIZE;
    const root = seq.mode === 0 ? 0 : buildTables(seq, block, ram);
    const translatedFetch = seq.mode !== 0 && seq.priv !== 3;
    ram.setBigUint64(ctx + CTX.entry, translatedFetch ? VA.code : BigInt(block), true);
    ram.setBigUint64(ctx + CTX.satp, seq.mode === 0 ? 0n : (BigInt(seq.mode) << 60n) | BigInt(root >>> 12), true);
    const mstatus = (BigInt(seq.priv) << 11n) | (seq.sum ? 1n << 18n : 0n) | (seq.mxr ? 1n << 19n : 0n) | (BigInt(seq.fs) << 13n);
    ram.setBigUint64(ctx + CTX.mstatus, mstatus, true);
    ram.setBigUint64(ctx + CTX.fcsr, BigInt(seq.fcsr), true);
    for (let x = 1; x < 32; x++) ram.setBigUint64(ctx + CTX.xIn + 8 * (x - 1), seq.x[x]!, true);
    for (let f = 0; f < 32; f++) ram.setBigUint64(ctx + CTX.fIn + 8 * f, seq.f[f]!, true);
  });
  return { sequences: seqs, image, blocks, listings };
}
