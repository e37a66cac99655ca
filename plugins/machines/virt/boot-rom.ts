/** fw_dynamic_info magic ("OSBI") and version (OpenSBI's fw_dynamic.h). */
const FW_DYNAMIC = { MAGIC: 0x4942534f, VERSION: 2, NEXT_MODE_S: 1 } as const;

/**
 * The reset vector QEMU's virt board puts in its mask ROM at 0x1000 (RV64):
 *
 *   auipc t0, 0          ; t0 = 0x1000
 *   addi  a2, t0, 40     ; a2 = &fw_dynamic_info
 *   csrr  a0, mhartid
 *   ld    a1, 32(t0)     ; a1 = fdt address
 *   ld    t0, 24(t0)     ; t0 = start address
 *   jr    t0
 *   .dword start, fdt
 *   fw_dynamic_info { magic, version, next_addr, next_mode, options, boot_hart }
 */
export function bootRom(start: number, fdt: number, next: number): Uint8Array {
  const words = [0x00000297, 0x02828613, 0xf1402573, 0x0202b583, 0x0182b283, 0x00028067];
  const dwords = [start, fdt, FW_DYNAMIC.MAGIC, FW_DYNAMIC.VERSION, next, FW_DYNAMIC.NEXT_MODE_S, 0, 0];
  const out = new Uint8Array(words.length * 4 + dwords.length * 8);
  const v = new DataView(out.buffer);
  words.forEach((w, i) => v.setUint32(i * 4, w, true));
  dwords.forEach((d, i) => {
    v.setUint32(24 + i * 8, d >>> 0, true);
    v.setUint32(28 + i * 8, Math.floor(d / 2 ** 32), true);
  });
  return out;
}
