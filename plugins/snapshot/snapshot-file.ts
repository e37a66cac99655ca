/**
 * The snapshot file: a header in canonical JSON (what the snapshot is,
 * the configuration it belongs to, the machine's state besides RAM), then
 * RAM, then a SHA-256 of everything before it. RAM is stored as a bitmap
 * of the pages that hold anything and those pages alone, deflated
 * (node:zlib), so pages that are all zero cost nothing.
 *
 *   "VMLSNAP\n" | u32 LE header length | header | deflated pages | sha256
 */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { deflateRaw, inflateRaw } from 'node:zlib';
import { canonicalJson } from '../../kernel/index.js';
import type { MachineState } from '../hw/machine-state.js';

const MAGIC = Buffer.from('VMLSNAP\n', 'latin1');
/** Raised when the layout of the file changes; a file of another format is refused. */
export const SNAPSHOT_FORMAT = 1;
const PAGE = 4096;
const DIGEST = 32;
const deflate = promisify(deflateRaw);
const inflate = promisify(inflateRaw);

/** What a snapshot says about itself (`info snapshots`). */
export interface SnapshotMeta {
  readonly name: string;
  /** Host wall-clock ms when it was taken. */
  readonly date: number;
  /** Guest virtual time, ns. */
  readonly 'vm-clock-ns': number;
  /** The configuration it belongs to: the log's last entry before it and the configuration's state hash. */
  readonly config: { readonly seq: number; readonly 'state-hash': string };
  /** The machine type. */
  readonly machine: string;
}

/** RAM as a snapshot holds it: which pages hold anything, and those pages in order. */
export interface RamImage {
  readonly size: number;
  /** Bit p set: page p is in `data`; otherwise it is all zero. */
  readonly present: Buffer;
  readonly data: Buffer;
}

/** A whole snapshot. */
export interface Snapshot {
  readonly meta: SnapshotMeta;
  readonly machine: MachineState;
  readonly ram: RamImage;
}

/** A file that is not a snapshot this build can read: one line saying why. */
export class SnapshotFileError extends Error {}

const ZERO_PAGE = Buffer.alloc(PAGE);

/** The pages of `ram` that are not all zero (copied: RAM may change afterwards). */
export function ramImage(ram: Uint8Array): RamImage {
  const buf = Buffer.from(ram.buffer, ram.byteOffset, ram.byteLength);
  const pages = Math.ceil(buf.length / PAGE);
  const present = Buffer.alloc(Math.ceil(pages / 8));
  const used: Buffer[] = [];
  for (let p = 0; p < pages; p++) {
    const page = buf.subarray(p * PAGE, Math.min(buf.length, (p + 1) * PAGE));
    if (page.equals(page.length === PAGE ? ZERO_PAGE : ZERO_PAGE.subarray(0, page.length))) continue;
    present[p >> 3]! |= 1 << (p & 7);
    used.push(page);
  }
  return { size: buf.length, present, data: Buffer.concat(used) };
}

/** Writes an image into RAM of its size: its pages, and zeros where it has none (pages already zero are left untouched). */
export function writeRam(ram: Uint8Array, image: RamImage): void {
  const buf = Buffer.from(ram.buffer, ram.byteOffset, ram.byteLength);
  let at = 0;
  for (let p = 0; p * PAGE < image.size; p++) {
    const start = p * PAGE, n = Math.min(PAGE, image.size - start);
    if (image.present[p >> 3]! & (1 << (p & 7))) {
      image.data.copy(buf, start, at, at + n);
      at += n;
    } else if (!buf.subarray(start, start + n).equals(ZERO_PAGE.subarray(0, n))) buf.fill(0, start, start + n);
  }
}

/** Encodes a snapshot; the caller keeps the machine paused until this resolves (RAM is read as it stands). */
export async function encodeSnapshot(s: { meta: SnapshotMeta; machine: MachineState; ram: Uint8Array | RamImage }): Promise<Buffer> {
  const image = s.ram instanceof Uint8Array ? ramImage(s.ram) : s.ram;
  const body = await deflate(image.data, { level: 1 });
  const header = Buffer.from(
    canonicalJson({
      format: SNAPSHOT_FORMAT,
      meta: s.meta,
      machine: s.machine,
      ram: { size: image.size, page: PAGE, present: image.present.toString('base64'), deflated: body.length },
    }),
    'utf8',
  );
  const len = Buffer.alloc(4);
  len.writeUInt32LE(header.length);
  const out = Buffer.concat([MAGIC, len, header, body, Buffer.alloc(DIGEST)]);
  createHash('sha256').update(out.subarray(0, out.length - DIGEST)).digest().copy(out, out.length - DIGEST);
  return out;
}

interface Header {
  format: number;
  meta: SnapshotMeta;
  machine: MachineState;
  ram: { size: number; page: number; present: string; deflated: number };
}

/** The header, after checking the magic, the checksum (unless `headerOnly`: `file` is the file's start) and the format. */
function header(file: Uint8Array, headerOnly = false): { h: Header; bodyAt: number } {
  const buf = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  const tail = headerOnly ? 0 : DIGEST;
  if (buf.length < MAGIC.length + 4 + tail || !buf.subarray(0, MAGIC.length).equals(MAGIC)) throw new SnapshotFileError('not a vmledger snapshot');
  if (!headerOnly) {
    const digest = createHash('sha256').update(buf.subarray(0, buf.length - DIGEST)).digest();
    if (!digest.equals(buf.subarray(buf.length - DIGEST))) throw new SnapshotFileError('the file is corrupt (its checksum does not match)');
  }
  const len = buf.readUInt32LE(MAGIC.length);
  const bodyAt = MAGIC.length + 4 + len;
  if (bodyAt > buf.length - tail) throw new SnapshotFileError('the file is truncated');
  let h: Header;
  try {
    h = JSON.parse(buf.subarray(MAGIC.length + 4, bodyAt).toString('utf8')) as Header;
  } catch {
    throw new SnapshotFileError('its header is not JSON');
  }
  if (h?.format !== SNAPSHOT_FORMAT) throw new SnapshotFileError(`snapshot format ${String(h?.format)}, this build reads format ${SNAPSHOT_FORMAT}`);
  const m = h.meta as Partial<SnapshotMeta> | null;
  if (typeof m !== 'object' || m === null || typeof m.name !== 'string' || typeof m.machine !== 'string' || typeof m.date !== 'number' ||
      typeof m['vm-clock-ns'] !== 'number' || typeof m.config !== 'object' || m.config === null || typeof m.config.seq !== 'number' || typeof m.config['state-hash'] !== 'string')
    throw new SnapshotFileError('its header does not say what it is a snapshot of');
  return { h, bodyAt };
}

/** What a snapshot says about itself, without inflating RAM; with `headerOnly`, `file` may be just the file's start (no checksum test). */
export function readSnapshotMeta(file: Uint8Array, opts: { headerOnly?: boolean } = {}): SnapshotMeta {
  return header(file, opts.headerOnly).h.meta;
}

/** Decodes a snapshot file, RAM included; throws a `SnapshotFileError` with one line for anything wrong with it. */
export async function decodeSnapshot(file: Uint8Array): Promise<Snapshot> {
  const { h, bodyAt } = header(file);
  const r = h.ram;
  if (typeof r !== 'object' || r === null || r.page !== PAGE || !Number.isSafeInteger(r.size) || r.size <= 0 || typeof r.present !== 'string')
    throw new SnapshotFileError('its RAM description is malformed');
  const pages = Math.ceil(r.size / PAGE);
  const present = Buffer.from(r.present, 'base64');
  if (present.length !== Math.ceil(pages / 8)) throw new SnapshotFileError('its RAM page map does not match the RAM size');
  let body: Buffer;
  try {
    body = await inflate(Buffer.from(file.buffer, file.byteOffset + bodyAt, file.byteLength - bodyAt - DIGEST));
  } catch {
    throw new SnapshotFileError('its RAM does not inflate');
  }
  let expected = 0;
  for (let p = 0; p < pages; p++) if (present[p >> 3]! & (1 << (p & 7))) expected += Math.min(PAGE, r.size - p * PAGE);
  if (body.length !== expected) throw new SnapshotFileError(`its RAM holds ${body.length} bytes where its page map says ${expected}`);
  return { meta: h.meta, machine: h.machine, ram: { size: r.size, present, data: body } };
}
