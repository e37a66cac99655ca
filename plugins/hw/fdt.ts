/**
 * Flattened device tree (devicetree specification v0.4, chapter 5): a small
 * node model, builders for property values, the blob encoder the boards use
 * and a decoder the tests use to read blobs back (ours and QEMU's).
 */

/** One device-tree node; property values are already encoded bytes. */
export interface FdtNode {
  name: string;
  props: Map<string, Uint8Array>;
  children: FdtNode[];
}

const FDT_MAGIC = 0xd00dfeed;
const FDT_BEGIN_NODE = 1;
const FDT_END_NODE = 2;
const FDT_PROP = 3;
const FDT_NOP = 4;
const FDT_END = 9;
const HEADER_SIZE = 40;

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Property value builders: `prop.cells(0, 0x1000)`, `prop.str('ns16550a')`. */
export const prop = {
  /** A NUL-terminated string. */
  str(s: string): Uint8Array {
    return prop.strs([s]);
  },
  /** A string list (`compatible`). */
  strs(list: readonly string[]): Uint8Array {
    return enc.encode(list.map((s) => `${s}\0`).join(''));
  },
  /** Big-endian 32-bit cells. */
  cells(...values: number[]): Uint8Array {
    const out = new Uint8Array(values.length * 4);
    const v = new DataView(out.buffer);
    values.forEach((x, i) => v.setUint32(i * 4, x >>> 0));
    return out;
  },
  /** One 64-bit value as two cells. */
  u64(value: number): Uint8Array {
    return prop.cells(Math.floor(value / 2 ** 32), value >>> 0);
  },
  /** `reg` / `ranges` style pairs with 2 address and 2 size cells. */
  reg64(...pairs: Array<[number, number]>): Uint8Array {
    return prop.cells(...pairs.flatMap(([a, s]) => [Math.floor(a / 2 ** 32), a >>> 0, Math.floor(s / 2 ** 32), s >>> 0]));
  },
  /** A boolean property: present and empty. */
  empty(): Uint8Array {
    return new Uint8Array(0);
  },
};

/** Builds a node: `node('serial@10000000', {compatible: prop.str('ns16550a')})`. */
export function node(name: string, props: Record<string, Uint8Array> = {}, children: FdtNode[] = []): FdtNode {
  return { name, props: new Map(Object.entries(props)), children };
}

/** The node at a `/soc/serial@10000000` path, if present. */
export function findNode(root: FdtNode, path: string): FdtNode | undefined {
  let cur: FdtNode | undefined = root;
  for (const part of path.split('/').filter(Boolean)) cur = cur?.children.find((c) => c.name === part);
  return cur;
}

/** Every node with its path, parents first. */
export function* walkNodes(root: FdtNode, path = ''): Generator<[string, FdtNode]> {
  yield [path || '/', root];
  for (const c of root.children) yield* walkNodes(c, `${path}/${c.name}`);
}

/** A property read back as cells. */
export function cellsOf(value: Uint8Array | undefined): number[] {
  if (!value) return [];
  const v = new DataView(value.buffer, value.byteOffset, value.byteLength);
  return Array.from({ length: value.byteLength >> 2 }, (_, i) => v.getUint32(i * 4));
}

/** A property read back as a string list. */
export function stringsOf(value: Uint8Array | undefined): string[] {
  if (!value) return [];
  return dec.decode(value).split('\0').slice(0, -1);
}

/** Encodes a tree into a DTB blob (version 17, boot cpu 0, no memory reservations). */
export function encodeFdt(root: FdtNode, opts: { bootCpuId?: number } = {}): Uint8Array {
  const strings: string[] = [];
  const stringOffsets = new Map<string, number>();
  let stringsSize = 0;
  const nameOffset = (name: string): number => {
    let off = stringOffsets.get(name);
    if (off === undefined) {
      off = stringsSize;
      stringOffsets.set(name, off);
      strings.push(name);
      stringsSize += enc.encode(name).length + 1;
    }
    return off;
  };
  const words: Uint8Array[] = [];
  let structSize = 0;
  const push = (b: Uint8Array) => {
    const padded = new Uint8Array((b.length + 3) & ~3);
    padded.set(b);
    words.push(padded);
    structSize += padded.length;
  };
  const emit = (n: FdtNode) => {
    push(prop.cells(FDT_BEGIN_NODE));
    push(enc.encode(`${n.name}\0`));
    for (const [name, value] of n.props) {
      push(prop.cells(FDT_PROP, value.length, nameOffset(name)));
      push(value);
    }
    for (const c of n.children) emit(c);
    push(prop.cells(FDT_END_NODE));
  };
  emit(root);
  push(prop.cells(FDT_END));

  const memRsvOff = HEADER_SIZE;
  const memRsvSize = 16; // one terminating {0, 0} entry
  const structOff = memRsvOff + memRsvSize;
  const stringsOff = structOff + structSize;
  const total = stringsOff + stringsSize;
  const out = new Uint8Array((total + 7) & ~7);
  const v = new DataView(out.buffer);
  const header = [FDT_MAGIC, out.length, structOff, stringsOff, memRsvOff, 17, 16, opts.bootCpuId ?? 0, stringsSize, structSize];
  header.forEach((x, i) => v.setUint32(i * 4, x));
  let off = structOff;
  for (const w of words) {
    out.set(w, off);
    off += w.length;
  }
  off = stringsOff;
  for (const s of strings) {
    const b = enc.encode(s);
    out.set(b, off);
    off += b.length + 1;
  }
  return out;
}

/** Decodes a DTB blob (ours, QEMU's, a user's -dtb); throws an Error saying what is wrong with a malformed one. */
export function decodeFdt(blob: Uint8Array): FdtNode {
  const v = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  if (blob.length < HEADER_SIZE || v.getUint32(0) !== FDT_MAGIC) throw new Error('not a flattened device tree (bad magic)');
  if (v.getUint32(4) > blob.length) throw new Error(`truncated device tree: the header says ${v.getUint32(4)} bytes, the blob has ${blob.length}`);
  try {
    return decodeStructure(blob, v);
  } catch (e) {
    if (e instanceof RangeError) throw new Error('truncated device tree: a node or property runs past the end of the blob');
    throw e;
  }
}

function decodeStructure(blob: Uint8Array, v: DataView): FdtNode {
  const structOff = v.getUint32(8);
  const stringsOff = v.getUint32(12);
  const cstr = (at: number): [string, number] => {
    let end = at;
    while (blob[end] !== 0) if (++end >= blob.length) throw new RangeError('unterminated string');
    return [dec.decode(blob.subarray(at, end)), end + 1];
  };
  const stack: FdtNode[] = [];
  let root: FdtNode | undefined;
  let off = structOff;
  for (;;) {
    const token = v.getUint32(off);
    off += 4;
    if (token === FDT_BEGIN_NODE) {
      const [name, next] = cstr(off);
      off = (next + 3) & ~3;
      const n = node(name);
      if (stack.length) stack[stack.length - 1]!.children.push(n);
      else root = n;
      stack.push(n);
    } else if (token === FDT_PROP) {
      const len = v.getUint32(off);
      const [name] = cstr(stringsOff + v.getUint32(off + 4));
      off += 8;
      if (!stack.length) throw new Error('a property outside any node');
      if (off + len > blob.length) throw new RangeError('property past the end');
      stack[stack.length - 1]!.props.set(name, blob.slice(off, off + len));
      off = (off + len + 3) & ~3;
    } else if (token === FDT_END_NODE) stack.pop();
    else if (token === FDT_NOP) continue;
    else if (token === FDT_END) break;
    else throw new Error(`bad FDT token ${token} at ${off - 4}`);
  }
  if (!root) throw new Error('empty device tree');
  return root;
}
