/**
 * The block compiler: translates a hot trace of decoded instructions (one
 * physical page's worth at most, see trace.ts) into a JavaScript function
 * with `new Function`, which V8 then compiles to machine code.
 *
 * What a compiled block is:
 * - `(h, budget) => retired`: runs the trace from its first instruction,
 *   sets `h.pcv` to where execution goes on and returns how many
 *   instructions retired;
 * - guest registers are read and written in the running hart's register
 *   arrays directly (V8 keeps the arrays' base in a machine register), so a
 *   block pays nothing per register on entry and exit, however long its
 *   trace and however early it leaves;
 * - the pc is a constant at every instruction (a block is entered only at
 *   the virtual pc it was compiled for), so AUIPC, links and branch targets
 *   are literals;
 * - conditional branches leave the block when taken (side exits) and the
 *   trace goes on with the fall-through; a branch or jump back to the first
 *   instruction becomes a loop inside the function, bounded by `budget`;
 * - a block never retires more than `budget`: it runs nothing when a pass
 *   over its trace might not fit (the hart's interpreter then takes the
 *   instructions one by one), and loops again only while a whole pass
 *   fits, so a run retires the same instructions whether or not its code
 *   was compiled (a deterministic schedule, a snapshot loaded into a
 *   process that compiled nothing yet);
 * - loads and stores look their page up in the hart's TLB inline (the same
 *   fast path as the interpreter's); anything else (a TLB miss, MMIO, a
 *   misaligned access, a store into decoded code) leaves the block before
 *   that instruction, which the interpreter then runs, with its slow path
 *   and its faults, so the semantics of those live in one place.
 *
 * Only the ops below are compiled; a trace ends before anything else
 * (CSRs, system instructions, atomics, FP), which the interpreter runs, so
 * their semantics live in one place.
 */
import { setFlagsFromString } from 'node:v8';
import { Op } from './decode.js';

/**
 * V8 runs a new function in its bytecode interpreter until the function has
 * spent its "interrupt budget" (about 132 KB of bytecode executed by
 * default), and only then optimizes it. A block is short and is compiled
 * because it is hot, so under the default most of its early runs went
 * through V8's interpreter, slower than our own: a Linux boot's main thread
 * spent 10.7 s on 1.2e9 instructions, 7.9 s with an eighth of the budget
 * (scratch measurements, same machine, same minute). The flag is read when a
 * function is first created, so it applies to every block compiled after
 * this module loads.
 */
setFlagsFromString('--interrupt-budget=16384');

/** One instruction of a trace: its packed word, immediate and virtual pc; a JAL the trace goes on through is `follow`. */
export interface TraceInsn {
  readonly w: number;
  readonly imm: number;
  readonly pc: number;
  readonly follow?: boolean;
}

/** What a compiled block reads and writes on the hart that runs it. */
export interface BlockHost {
  /** Where execution goes on when the block returns. */
  pcv: number;
  /** The TLB's words and the bases of the read and write tables in use, for the inline fast paths. */
  readonly tlbE: Int32Array;
  readonly rBase: number;
  readonly wBase: number;
}

/** A compiled block. */
export type BlockFn = (h: BlockHost, budget: number) => number;

/** What the generated code closes over. */
export interface BlockEnv {
  readonly regLo: Int32Array;
  readonly regHi: Int32Array;
  /** Views of RAM (little-endian, as the host: x86 and arm64 both are), for the inline fast paths. */
  readonly ram: { readonly u8: Uint8Array; readonly i8: Int8Array; readonly u16: Uint16Array; readonly i16: Int16Array; readonly i32: Int32Array };
  /** The decode cache's code map (a power of two long): a store into a page marked there takes the slow path. */
  readonly codeMap: Uint8Array;
  /** The RV64M helpers and 64-bit shifts by a register (muldiv.ts) and their result. */
  readonly md: {
    sll64: (l: number, h: number, s: number) => void;
    srl64: (l: number, h: number, s: number) => void;
    sra64: (l: number, h: number, s: number) => void;
    mul64: (al: number, ah: number, bl: number, bh: number) => void;
    mulh64: (al: number, ah: number, bl: number, bh: number) => void;
    mulhsu64: (al: number, ah: number, bl: number, bh: number) => void;
    mulhu64: (al: number, ah: number, bl: number, bh: number) => void;
    div64: (al: number, ah: number, bl: number, bh: number, rem: boolean) => void;
    divu64: (al: number, ah: number, bl: number, bh: number, rem: boolean) => void;
    divw: (a: number, b: number, rem: boolean) => number;
    divuw: (a: number, b: number, rem: boolean) => number;
    out: Int32Array;
  };
}

const TWO32 = 4294967296;

/** Ops a block may contain; every other op ends the trace before it. */
export function compilable(op: Op): boolean {
  return (op >= Op.LUI && op <= Op.REMUW) || op === Op.FENCE;
}

/**
 * The alignment an access needs for the inline fast path, which reads RAM
 * through typed-array views (half again as fast as a DataView); a
 * misaligned access takes the slow path, which handles it (and a page
 * edge) byte-exactly.
 */
const ALIGN: Partial<Record<Op, number>> = {
  [Op.LB]: 0, [Op.LBU]: 0, [Op.SB]: 0, [Op.LH]: 1, [Op.LHU]: 1, [Op.SH]: 1,
  [Op.LW]: 3, [Op.LWU]: 3, [Op.SW]: 3, [Op.LD]: 7, [Op.SD]: 7,
};

/** A literal for a 32-bit word (negative as written, so the source stays int32). */
const lit = (v: number) => String(v | 0);

/** Translates `trace` into source text and compiles it. */
export function compileBlock(trace: readonly TraceInsn[], env: BlockEnv): BlockFn {
  const src = blockSource(trace);
  const ram = env.ram;
  const factory = new Function('R', 'H', 'U8', 'I8', 'U16', 'I16', 'I32', 'CM', 'CMASK', 'MD', src) as (
    R: Int32Array, H: Int32Array, U8: Uint8Array, I8: Int8Array, U16: Uint16Array, I16: Int16Array, I32: Int32Array,
    CM: Uint8Array, CMASK: number, MD: BlockEnv['md'],
  ) => BlockFn;
  return factory(env.regLo, env.regHi, ram.u8, ram.i8, ram.u16, ram.i16, ram.i32, env.codeMap, env.codeMap.length - 1, env.md);
}

/**
 * The factory body for `trace` (exported for tests and for reading what the
 * compiler makes).
 *
 * Its shape is chosen for V8's optimizing compiler, which turns a path it
 * has no type feedback for into a deoptimization, and whose compile time
 * grows fast with the number of branches and of values live across them
 * (blocks that kept registers in locals with a short-circuit TLB check per
 * access took 20-120 ms each to optimize). So: a block calls nothing (a
 * call on a side path also made V8 reload every typed array's data pointer
 * after it); a load or store tests its TLB entry in one branch-free
 * condition and otherwise leaves; every way out (side exits, the end) only
 * sets `npc`/`k` and breaks out of the labelled body to one shared exit;
 * and conditions combine their compares with `|` and `&`, so every compare
 * runs every time.
 */
export function blockSource(trace: readonly TraceInsn[]): string {
  const start = trace[0]!.pc;
  let loops = false;
  for (const t of trace) if (targetOf(t, (t.w & 255) as Op) === start) loops = true;
  const body = trace.map((t, k) => insnSource(t, k, start, loops, trace.length));
  const last = trace[trace.length - 1]!;
  const lastOp = (last.w & 255) as Op;
  // Falling off the end: the next instruction, unless the last one jumped (its code already left).
  if (lastOp === Op.JAL && last.follow) body.push(leave(last.pc + last.imm, trace.length));
  else if (lastOp !== Op.JALR && lastOp !== Op.JAL) body.push(leave(last.pc + (last.w >>> 24), trace.length));
  const core = loops ? `x:for(;;){${body.join('\n')}}` : `x:{${body.join('\n')}}`;
  // A budget a whole pass might overrun runs nothing: 0 sends the hart's loop to the interpreter, which stops exactly.
  return `'use strict';return function block(h,budget){if(budget<${trace.length})return 0;const T=h.tlbE,rB=h.rBase,wB=h.wBase;let n=0,k=0,npc=0;\n${core}\nh.pcv=npc;return n+k;};`;
}

/** Leaves the block for `pc` after `k` instructions of this pass. */
function leave(pc: number, k: number): string {
  return `{npc=${pc};k=${k};break x;}`;
}

/** Where a branch or a JAL leaving the trace goes, or undefined. */
function targetOf(t: TraceInsn, op: Op): number | undefined {
  if ((op === Op.JAL && !t.follow) || (op >= Op.BEQ && op <= Op.BGEU)) return t.pc + t.imm;
  return undefined;
}

/** Source of one instruction, `k`-th of the trace. */
function insnSource(t: TraceInsn, k: number, start: number, loops: boolean, passLength: number): string {
  const w = t.w, imm = t.imm, pc = t.pc, op = (w & 255) as Op;
  const rd = (w >>> 8) & 63, rs1 = (w >>> 14) & 31, rs2 = (w >>> 19) & 31;
  const next = pc + (w >>> 24);
  const L1 = rs1 ? `R[${rs1}]` : '0', H1 = rs1 ? `H[${rs1}]` : '0';
  const L2 = rs2 ? `R[${rs2}]` : '0', H2 = rs2 ? `H[${rs2}]` : '0';
  const ih = imm >> 31;
  // Both words are computed before either is written: rd may be a source of the other word.
  const set = (l: string, h: string) => (rd === 32 || rd === 0 ? '' : `{const $l=${l},$h=${h};R[${rd}]=$l;H[${rd}]=$h;}`);
  // A taken transfer to `target`: around the loop when it is the first instruction, else out of the block.
  const goTo = (target: number) =>
    loops && target === start ? `{n+=${k + 1};if(n+${passLength}<=budget)continue;${leave(start, 0)}}` : leave(target, k + 1);
  // 64-bit compares of rs1 and rs2 as 0/1, every part evaluated.
  const eq = `((${L1}===${L2})&(${H1}===${H2}))`;
  const ltu = `(((${L1}>>>0)<(${L2}>>>0))&(${H1}===${H2}))`;
  const lt = `((${H1}<${H2})|${ltu})`;
  const ltuHi = `(((${H1}>>>0)<(${H2}>>>0))|${ltu})`;
  switch (op) {
    case Op.LUI: return set(lit(imm), lit(ih));
    case Op.AUIPC: { const v = pc + imm; return set(lit(v), lit(Math.floor(v / TWO32))); }
    case Op.JAL: return `${set(lit(next), lit(Math.floor(next / TWO32)))}${t.follow ? '' : goTo(pc + imm)}`;
    case Op.JALR:
      // The target is computed before the link is written (rd may be rs1); one beyond 2^53,
      // which no number holds exactly, is left to the interpreter, which faults it exactly.
      return `{const tl=(${L1}+${imm})|0,th=(${H1}+${ih}+((tl>>>0)<(${L1}>>>0)?1:0))|0;` +
        `if(((th>2097151)|(th<-2097152))!==0)${leave(pc, k)}${set(lit(next), lit(Math.floor(next / TWO32)))}` +
        `npc=th*${TWO32}+((tl&-2)>>>0);k=${k + 1};break x;}`;
    case Op.BEQ: return `if(${eq}!==0)${goTo(pc + imm)}`;
    case Op.BNE: return `if(${eq}===0)${goTo(pc + imm)}`;
    case Op.BLT: return `if(${lt}!==0)${goTo(pc + imm)}`;
    case Op.BGE: return `if(${lt}===0)${goTo(pc + imm)}`;
    case Op.BLTU: return `if(${ltuHi}!==0)${goTo(pc + imm)}`;
    case Op.BGEU: return `if(${ltuHi}===0)${goTo(pc + imm)}`;
    case Op.LB: case Op.LH: case Op.LW: case Op.LD: case Op.LBU: case Op.LHU: case Op.LWU: {
      const fast = {
        [Op.LB]: 'I8[o],v>>31', [Op.LBU]: 'U8[o],0', [Op.LH]: 'I16[o>>1],v>>31', [Op.LHU]: 'U16[o>>1],0',
        [Op.LW]: 'I32[o>>2],v>>31', [Op.LWU]: 'I32[o>>2],0', [Op.LD]: 'I32[o>>2],I32[(o>>2)+1]',
      }[op].split(',');
      return `{const a=${L1},al=(a+${imm})|0,ah=(${H1}+${ih}+((al>>>0)<(a>>>0)?1:0))|0,t=rB+((al>>>12)&1023)*4;` +
        `if(((T[t]!==(al&-4096))|(T[t+1]!==ah)|((al&${ALIGN[op]})!==0))!==0)${leave(pc, k)}` +
        `const o=T[t+2]+(al&4095),v=${fast[0]};${set('v', fast[1]!)}}`;
    }
    case Op.SB: case Op.SH: case Op.SW: case Op.SD: {
      const fast = {
        [Op.SB]: `U8[o]=${L2};`, [Op.SH]: `U16[o>>1]=${L2};`, [Op.SW]: `I32[o>>2]=${L2};`,
        [Op.SD]: `I32[o>>2]=${L2};I32[(o>>2)+1]=${H2};`,
      }[op];
      return `{const a=${L1},al=(a+${imm})|0,ah=(${H1}+${ih}+((al>>>0)<(a>>>0)?1:0))|0,t=wB+((al>>>12)&1023)*4,o=T[t+2]+(al&4095);` +
        `if(((T[t]!==(al&-4096))|(T[t+1]!==ah)|((al&${ALIGN[op]})!==0)|(CM[(o>>>12)&CMASK]!==0))!==0)${leave(pc, k)}${fast}}`;
    }
    case Op.ADDI:
      return `{const a=${L1},l=(a+${imm})|0;${set('l', `(${H1}+${ih}+((l>>>0)<(a>>>0)?1:0))|0`)}}`;
    case Op.SLTI:
      return set(`(${H1}<${ih})|((${H1}===${ih})&((${L1}>>>0)<${imm >>> 0}))`, '0');
    case Op.SLTIU:
      return set(`((${H1}>>>0)<${ih >>> 0})|((${H1}===${ih})&((${L1}>>>0)<${imm >>> 0}))`, '0');
    case Op.XORI: return set(`${L1}^${imm}`, `${H1}^${ih}`);
    case Op.ORI: return set(`${L1}|${imm}`, `${H1}|${ih}`);
    case Op.ANDI: return set(`${L1}&${imm}`, `${H1}&${ih}`);
    case Op.SLLI: return shiftLeft(set, L1, H1, imm);
    case Op.SRLI: return shiftRight(set, L1, H1, imm, false);
    case Op.SRAI: return shiftRight(set, L1, H1, imm, true);
    case Op.ADD:
      return `{const a=${L1},b=${L2},l=(a+b)|0;${set('l', `(${H1}+${H2}+(((a&b)|((a|b)&~l))>>>31))|0`)}}`;
    case Op.SUB:
      return `{const a=${L1},b=${L2},l=(a-b)|0;${set('l', `(${H1}-${H2}-(((~a&b)|(~(a^b)&l))>>>31))|0`)}}`;
    case Op.SLL: return `MD.sll64(${L1},${H1},${L2});${set('MD.out[0]', 'MD.out[1]')}`;
    case Op.SRL: return `MD.srl64(${L1},${H1},${L2});${set('MD.out[0]', 'MD.out[1]')}`;
    case Op.SRA: return `MD.sra64(${L1},${H1},${L2});${set('MD.out[0]', 'MD.out[1]')}`;
    case Op.SLT: return set(lt, '0');
    case Op.SLTU: return set(ltuHi, '0');
    case Op.XOR: return set(`${L1}^${L2}`, `${H1}^${H2}`);
    case Op.OR: return set(`${L1}|${L2}`, `${H1}|${H2}`);
    case Op.AND: return set(`${L1}&${L2}`, `${H1}&${H2}`);
    case Op.ADDIW: return word(set, `(${L1}+${imm})|0`);
    case Op.SLLIW: return word(set, `${L1}<<${imm}`);
    case Op.SRLIW: return word(set, `(${L1}>>>${imm})|0`);
    case Op.SRAIW: return word(set, `${L1}>>${imm}`);
    case Op.ADDW: return word(set, `(${L1}+${L2})|0`);
    case Op.SUBW: return word(set, `(${L1}-${L2})|0`);
    case Op.SLLW: return word(set, `${L1}<<(${L2}&31)`);
    case Op.SRLW: return word(set, `(${L1}>>>(${L2}&31))|0`);
    case Op.SRAW: return word(set, `${L1}>>(${L2}&31)`);
    case Op.MUL:
      return `{const al=${L1},ah=${H1},bl=${L2},bh=${H2};${mulhu32('al', 'bl', 'p')}` +
        `${set('Math.imul(al,bl)', '(p+Math.imul(al,bh)+Math.imul(ah,bl))|0')}}`;
    case Op.MULH: return `MD.mulh64(${L1},${H1},${L2},${H2});${set('MD.out[0]', 'MD.out[1]')}`;
    case Op.MULHSU: return `MD.mulhsu64(${L1},${H1},${L2},${H2});${set('MD.out[0]', 'MD.out[1]')}`;
    case Op.MULHU:
      // Four 32x32 partial products; their sums stay below 2^53, so doubles carry them exactly.
      return `{const al=${L1},ah=${H1},bl=${L2},bh=${H2};${mulhu32('al', 'bl', 'h0')}${mulhu32('al', 'bh', 'h1')}` +
        `${mulhu32('ah', 'bl', 'h2')}${mulhu32('ah', 'bh', 'h3')}` +
        `const w1=(h0>>>0)+(Math.imul(al,bh)>>>0)+(Math.imul(ah,bl)>>>0),w2=(h1>>>0)+(h2>>>0)+(Math.imul(ah,bh)>>>0)+Math.floor(w1/${TWO32});` +
        `${set('w2|0', `((h3>>>0)+Math.floor(w2/${TWO32}))|0`)}}`;
    case Op.DIV: case Op.REM:
      return `MD.div64(${L1},${H1},${L2},${H2},${op === Op.REM});${set('MD.out[0]', 'MD.out[1]')}`;
    case Op.DIVU: case Op.REMU:
      return `MD.divu64(${L1},${H1},${L2},${H2},${op === Op.REMU});${set('MD.out[0]', 'MD.out[1]')}`;
    case Op.MULW: return word(set, `Math.imul(${L1},${L2})`);
    case Op.DIVW: case Op.REMW: return word(set, `MD.divw(${L1},${L2},${op === Op.REMW})`);
    case Op.DIVUW: case Op.REMUW: return word(set, `MD.divuw(${L1},${L2},${op === Op.REMUW})`);
    case Op.FENCE: return '';
    default:
      throw new Error(`op ${op} is not compilable`);
  }
}

/**
 * Declares `out`, the high 32 bits of the unsigned product of the 32-bit
 * words `a` and `b`, from 16-bit halves (every product exact in a double):
 * inline, because a call in a block costs more than the arithmetic.
 */
function mulhu32(a: string, b: string, out: string): string {
  const v = (n: string) => `${out}_${n}`;
  return `const ${v('a0')}=${a}&65535,${v('a1')}=${a}>>>16,${v('b0')}=${b}&65535,${v('b1')}=${b}>>>16,` +
    `${v('x')}=${v('a0')}*${v('b1')},${v('y')}=${v('a1')}*${v('b0')},` +
    `${v('m')}=((${v('a0')}*${v('b0')})>>>16)+(${v('x')}&65535)+(${v('y')}&65535),` +
    `${out}=(${v('a1')}*${v('b1')}+(${v('x')}>>>16)+(${v('y')}>>>16)+(${v('m')}>>>16))|0;`;
}

/** A W op: the 32-bit result sign-extended. */
function word(set: (l: string, h: string) => string, expr: string): string {
  return `{const v=${expr};${set('v', 'v>>31')}}`;
}

function shiftLeft(set: (l: string, h: string) => string, L: string, H: string, s: number): string {
  if (s === 0) return set(L, H);
  if (s < 32) return `{const l=${L},x=${H};${set(`l<<${s}`, `(x<<${s})|(l>>>${32 - s})`)}}`;
  return set('0', `${L}<<${s - 32}`);
}

function shiftRight(set: (l: string, h: string) => string, L: string, H: string, s: number, arith: boolean): string {
  if (s === 0) return set(L, H);
  if (s < 32) return `{const l=${L},x=${H};${set(`(l>>>${s})|(x<<${32 - s})`, arith ? `x>>${s}` : `(x>>>${s})|0`)}}`;
  return arith ? `{const x=${H};${set(`x>>${s - 32}`, 'x>>31')}}` : set(`(${H}>>>${s - 32})|0`, '0');
}
