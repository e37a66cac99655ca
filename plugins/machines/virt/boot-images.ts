/**
 * What the board copies into RAM before the guest starts (firmware, kernel,
 * initrd, device tree), read and checked before any of it is copied: each
 * must be a regular file, lie in RAM, and stay clear of the others, or the
 * machine refuses to start with one line naming the file and the sizes.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describeIoError, fail, QmpError, type KernelContext } from '../../../kernel/index.js';
import { hex } from '../../hw/address-space.js';
import { loadImage, type LoadedImage } from '../../hw/loader.js';

/** One image and the guest-physical range it claims. */
export interface PlacedImage {
  /** `kernel '/boot/Image'`, `the generated device tree`: how errors name it. */
  readonly name: string;
  readonly image: LoadedImage;
  readonly start: number;
  /** One past the last byte it claims (for a kernel, the memory its header says it needs, bss included). */
  readonly end: number;
}

/** RAM as the checks see it. */
export interface RamRange {
  readonly base: number;
  readonly size: number;
}

/** "31167488 bytes (29.7 MiB)". */
function bytes(n: number): string {
  return n >= 1024 * 1024 ? `${n} bytes (${(n / 1024 / 1024).toFixed(1)} MiB)` : `${n} bytes`;
}

function ramText(ram: RamRange): string {
  return `RAM is ${bytes(ram.size)} at ${hex(ram.base)}..${hex(ram.base + ram.size)}`;
}

/**
 * Reads a file the guest is given (`what` is firmware, kernel, initrd or
 * dtb), refusing what is not a regular file (a directory, a device such as
 * /dev/zero that never ends) and what is larger than RAM, before reading it,
 * all without blocking the event loop.
 */
export async function readGuestFile(ctx: KernelContext, what: string, path: string, ram: RamRange): Promise<Uint8Array> {
  const abs = resolve(path);
  ctx.broker.authorize({ kind: 'file', target: abs, access: 'r' });
  let st;
  try {
    st = await stat(abs);
  } catch (e) {
    fail(`${what} '${path}': ${describeIoError(e)}`);
  }
  if (st.isDirectory()) fail(`${what} '${path}': Is a directory`);
  // Any other kind that is not a regular file (a FIFO, /dev/zero) is refused by the broker's open, naming the kind.
  if (st.isFile() && st.size > ram.size) fail(`${what} '${path}': ${bytes(st.size)} is larger than RAM (${ramText(ram)})`);
  try {
    return await ctx.broker.readFile(path);
  } catch (e) {
    fail(`${what} '${path}': ${e instanceof QmpError ? e.desc : describeIoError(e)}`);
  }
}

/** Parses an image (ELF by its segments, anything else raw at `addr`), naming the file in the error. */
export function parseGuestImage(what: string, path: string, data: Uint8Array, addr: number): LoadedImage {
  try {
    return loadImage(data, addr);
  } catch (e) {
    fail(`${what} '${path}': ${(e as Error).message}`);
  }
}

/** RISC-V Linux Image header (Documentation/arch/riscv/boot-image-header.rst): "RSC\x05" at 56, image_size at 16. */
const IMAGE_MAGIC2 = 0x05435352;

/**
 * The memory a raw Linux Image needs once running, bss included, from its
 * header's image_size; just its length for anything else.
 */
export function kernelFootprint(image: LoadedImage): number {
  const bytes0 = image.segments[0]!.bytes;
  const length = image.end - image.segments[0]!.addr;
  if (image.format !== 'raw' || bytes0.length < 64) return length;
  const v = new DataView(bytes0.buffer, bytes0.byteOffset, 64);
  if (v.getUint32(56, true) !== IMAGE_MAGIC2) return length;
  const imageSize = v.getUint32(16, true) + v.getUint32(20, true) * 2 ** 32;
  return Math.max(length, imageSize);
}

/** The range an image's segments cover. */
export function extent(image: LoadedImage): { start: number; end: number } {
  let start = Infinity, end = 0;
  for (const s of image.segments) {
    start = Math.min(start, s.addr);
    end = Math.max(end, s.addr + s.bytes.length);
  }
  return { start, end };
}

/**
 * Throws one line naming the image and the sizes when an image leaves RAM
 * or two images overlap (the second one named is the one placed later).
 */
export function checkPlacement(placed: readonly PlacedImage[], ram: RamRange): void {
  const ramEnd = ram.base + ram.size;
  for (const p of placed) {
    if (p.start < ram.base || p.end > ramEnd)
      fail(`${p.name}: ${bytes(p.end - p.start)} at ${hex(p.start)}..${hex(p.end)} lie outside RAM (${ramText(ram)})`);
  }
  for (let i = 0; i < placed.length; i++)
    for (let j = 0; j < i; j++) {
      const a = placed[i]!, b = placed[j]!;
      if (a.start < b.end && b.start < a.end)
        fail(`${a.name}: ${bytes(a.end - a.start)} at ${hex(a.start)}..${hex(a.end)} overlap ${b.name} at ${hex(b.start)}..${hex(b.end)} (${ramText(ram)})`);
    }
}
