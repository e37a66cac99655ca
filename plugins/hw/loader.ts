/** One contiguous piece of an image to place in guest memory. */
export interface ImageSegment {
  readonly addr: number;
  readonly bytes: Uint8Array;
}

/** A firmware or kernel image, ready to copy into memory. */
export interface LoadedImage {
  readonly segments: readonly ImageSegment[];
  /** Where execution starts (ELF `e_entry`, or the load address of a raw image). */
  readonly entry: number;
  /** One past the highest byte the image occupies. */
  readonly end: number;
  readonly format: 'raw' | 'elf';
}

const ELF_MAGIC = 0x464c457f; // "\x7fELF" little-endian
const PT_LOAD = 1;

/** True when the bytes start with an ELF header. */
export function isElf(data: Uint8Array): boolean {
  return data.length >= 4 && new DataView(data.buffer, data.byteOffset).getUint32(0, true) === ELF_MAGIC;
}

/** A raw binary placed at `addr`. */
export function rawImage(data: Uint8Array, addr: number): LoadedImage {
  return { segments: [{ addr, bytes: data }], entry: addr, end: addr + data.length, format: 'raw' };
}

/**
 * The PT_LOAD segments of a little-endian ELF64 file, at their physical
 * addresses (what QEMU's loader uses for `-bios`), with `.bss` zero-filled.
 * Throws an Error with a reason on anything it cannot load.
 */
export function elfImage(data: Uint8Array): LoadedImage {
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (!isElf(data)) throw new Error('not an ELF file');
  if (data[4] !== 2) throw new Error('not a 64-bit ELF file');
  if (data[5] !== 1) throw new Error('not a little-endian ELF file');
  const u64 = (off: number) => v.getUint32(off, true) + v.getUint32(off + 4, true) * 2 ** 32;
  const entry = u64(24);
  const phoff = u64(32);
  const phentsize = v.getUint16(54, true);
  const phnum = v.getUint16(56, true);
  const segments: ImageSegment[] = [];
  let end = 0;
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    if (ph + 56 > data.length) throw new Error('truncated program header table');
    if (v.getUint32(ph, true) !== PT_LOAD) continue;
    const offset = u64(ph + 8);
    const paddr = u64(ph + 24);
    const filesz = u64(ph + 32);
    const memsz = u64(ph + 40);
    if (memsz === 0) continue;
    if (offset + filesz > data.length) throw new Error(`segment ${i} extends past the end of the file`);
    const bytes = new Uint8Array(memsz);
    bytes.set(data.subarray(offset, offset + filesz));
    segments.push({ addr: paddr, bytes });
    end = Math.max(end, paddr + memsz);
  }
  if (!segments.length) throw new Error('no loadable segments');
  return { segments, entry, end, format: 'elf' };
}

/** An ELF file by its segments, anything else as a raw binary at `addr`. */
export function loadImage(data: Uint8Array, addr: number): LoadedImage {
  return isElf(data) ? elfImage(data) : rawImage(data, addr);
}
