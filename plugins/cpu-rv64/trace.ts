/**
 * Which instructions a compiled block covers: from its entry, on within
 * the entry's physical page, up to the first instruction the block
 * compiler does not take (block-compiler.ts), an indirect jump, a jump out
 * of the page or back into the trace, an instruction that would cross into
 * the next page (whose mapping may differ), or a length limit. Conditional
 * branches do not end a trace (they become side exits), and a JAL to
 * elsewhere in the page is followed.
 */
import { compilable, type TraceInsn } from './block-compiler.js';
import { decImm, decode16, decode32, Op } from './decode.js';

/** Longest trace: long enough for real loops, short enough that a block compiles in well under a millisecond. */
export const MAX_TRACE = 64;

/** The trace starting at RAM offset `off`, virtual pc `pc`; empty when its first instruction cannot be compiled. */
export function readTrace(ram: DataView, off: number, pc: number): TraceInsn[] {
  const out: TraceInsn[] = [];
  const pageStart = off - (off & 4095), pageEnd = pageStart + 4096;
  const seen = new Set<number>();
  let o = off, p = pc;
  while (out.length < MAX_TRACE && o + 2 <= pageEnd && !seen.has(o)) {
    seen.add(o);
    const low = ram.getUint16(o, true);
    let w: number;
    if ((low & 3) !== 3) w = decode16(low);
    else if (o + 4 > pageEnd) break;
    else w = decode32(ram.getInt32(o, true));
    const op = (w & 255) as Op;
    if (!compilable(op)) break;
    const imm = decImm[0]!;
    if (op === Op.JAL) {
      const to = o + imm;
      const follow = to >= pageStart && to < pageEnd && !seen.has(to);
      out.push({ w, imm, pc: p, follow });
      if (!follow) break;
      o = to;
      p += imm;
      continue;
    }
    out.push({ w, imm, pc: p });
    if (op === Op.JALR) break;
    o += w >>> 24;
    p += w >>> 24;
  }
  return out;
}
