/**
 * 64-bit multiply and divide on int32 lo/hi pairs (RV64M, unprivileged spec
 * chapter 13), and the 64-bit shifts by a register amount. Results go to `mdOut[0]` (low word) and `mdOut[1]` (high
 * word) so the interpreter never allocates. Only division of operands wider
 * than 32 bits falls back to BigInt: it is rare in firmware and measured
 * cheap enough there.
 */

/** Result registers of the helpers below: [lo, hi]. */
export const mdOut = new Int32Array(2);

const TWO32 = 4294967296;

/** High 32 bits of the unsigned 32x32 product, exactly (16-bit limbs). */
export function mulhu32(a: number, b: number): number {
  const a0 = a & 0xffff, a1 = a >>> 16, b0 = b & 0xffff, b1 = b >>> 16;
  const p01 = a0 * b1, p10 = a1 * b0;
  const mid = ((a0 * b0) >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  return (a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) | 0;
}

/** MUL: low 64 bits of the product. */
export function mul64(al: number, ah: number, bl: number, bh: number): void {
  mdOut[0] = Math.imul(al, bl);
  mdOut[1] = (mulhu32(al, bl) + Math.imul(al, bh) + Math.imul(ah, bl)) | 0;
}

/** MULHU: high 64 bits of the unsigned 128-bit product, from four 32x32 partial products summed in doubles (all sums stay below 2^53). */
export function mulhu64(al: number, ah: number, bl: number, bh: number): void {
  const h0 = mulhu32(al, bl) >>> 0;
  const l1 = Math.imul(al, bh) >>> 0, h1 = mulhu32(al, bh) >>> 0;
  const l2 = Math.imul(ah, bl) >>> 0, h2 = mulhu32(ah, bl) >>> 0;
  const l3 = Math.imul(ah, bh) >>> 0, h3 = mulhu32(ah, bh) >>> 0;
  const w1 = h0 + l1 + l2;
  const c1 = Math.floor(w1 / TWO32);
  const w2 = h1 + h2 + l3 + c1;
  const c2 = Math.floor(w2 / TWO32);
  mdOut[0] = w2 | 0;
  mdOut[1] = (h3 + c2) | 0;
}

/** Subtracts (bl,bh) from mdOut in place (mod 2^64). */
function subFromOut(bl: number, bh: number): void {
  const l = mdOut[0]!;
  const nl = (l - bl) | 0;
  const borrow = (l >>> 0) < (bl >>> 0) ? 1 : 0;
  mdOut[0] = nl;
  mdOut[1] = (mdOut[1]! - bh - borrow) | 0;
}

/** MULH: high 64 bits of the signed x signed product (unsigned product corrected for the signs). */
export function mulh64(al: number, ah: number, bl: number, bh: number): void {
  mulhu64(al, ah, bl, bh);
  if (ah < 0) subFromOut(bl, bh);
  if (bh < 0) subFromOut(al, ah);
}

/** MULHSU: high 64 bits of the signed x unsigned product. */
export function mulhsu64(al: number, ah: number, bl: number, bh: number): void {
  mulhu64(al, ah, bl, bh);
  if (ah < 0) subFromOut(bl, bh);
}

function toBig(l: number, h: number): bigint {
  return (BigInt(h >>> 0) << 32n) | BigInt(l >>> 0);
}

function fromBig(v: bigint): void {
  mdOut[0] = Number(BigInt.asIntN(32, v));
  mdOut[1] = Number(BigInt.asIntN(32, v >> 32n));
}

function fromNumber(v: number): void {
  mdOut[0] = v | 0;
  mdOut[1] = Math.floor(v / TWO32) | 0;
}

/**
 * DIV (rem=false) or REM (rem=true), signed. Division by zero gives -1 /
 * the dividend; -2^63 / -1 gives -2^63 / 0 (unprivileged spec 13.2, table 11).
 */
export function div64(al: number, ah: number, bl: number, bh: number, rem: boolean): void {
  if (bl === 0 && bh === 0) {
    if (rem) { mdOut[0] = al; mdOut[1] = ah; } else { mdOut[0] = -1; mdOut[1] = -1; }
    return;
  }
  if (ah === al >> 31 && bh === bl >> 31) {
    // Both fit in int32: exact in doubles, and -2^31 / -1 = 2^31 fits in 64 bits.
    const q = Math.trunc(al / bl);
    fromNumber(rem ? al - q * bl : q);
    return;
  }
  const a = BigInt.asIntN(64, toBig(al, ah)), b = BigInt.asIntN(64, toBig(bl, bh));
  if (b === -1n && a === -(1n << 63n)) {
    if (rem) { mdOut[0] = 0; mdOut[1] = 0; } else { mdOut[0] = al; mdOut[1] = ah; }
    return;
  }
  fromBig(rem ? a % b : a / b);
}

/** DIVU (rem=false) or REMU (rem=true). Division by zero gives 2^64-1 / the dividend. */
export function divu64(al: number, ah: number, bl: number, bh: number, rem: boolean): void {
  if (bl === 0 && bh === 0) {
    if (rem) { mdOut[0] = al; mdOut[1] = ah; } else { mdOut[0] = -1; mdOut[1] = -1; }
    return;
  }
  if (ah === 0 && bh === 0) {
    const a = al >>> 0, b = bl >>> 0;
    // floor(a / b) is exact for 32-bit operands.
    mdOut[0] = rem ? a % b : Math.floor(a / b);
    mdOut[1] = 0;
    return;
  }
  const a = toBig(al, ah), b = toBig(bl, bh);
  fromBig(rem ? a % b : a / b);
}

/** DIVW/REMW (signed 32-bit, result sign-extended). */
export function divw(a: number, b: number, rem: boolean): number {
  if (b === 0) return rem ? a : -1;
  if (a === -2147483648 && b === -1) return rem ? 0 : a;
  return rem ? (a % b) | 0 : (a / b) | 0;
}

/** DIVUW/REMUW (unsigned 32-bit, result sign-extended from bit 31). */
export function divuw(a: number, b: number, rem: boolean): number {
  const ua = a >>> 0, ub = b >>> 0;
  if (ub === 0) return rem ? a : -1;
  return rem ? (ua % ub) | 0 : Math.floor(ua / ub) | 0;
}

/** SLL: shift (`l`, `h`) left by `s` & 63 (unprivileged spec 2.4.2); the compiled blocks' shift by a register. */
export function sll64(l: number, h: number, s: number): void {
  s &= 63;
  if (s === 0) { mdOut[0] = l; mdOut[1] = h; }
  else if (s < 32) { mdOut[1] = (h << s) | (l >>> (32 - s)); mdOut[0] = l << s; }
  else { mdOut[1] = l << (s - 32); mdOut[0] = 0; }
}

/** SRL: logical shift right by `s` & 63. */
export function srl64(l: number, h: number, s: number): void {
  s &= 63;
  if (s === 0) { mdOut[0] = l; mdOut[1] = h; }
  else if (s < 32) { mdOut[0] = (l >>> s) | (h << (32 - s)); mdOut[1] = h >>> s; }
  else { mdOut[0] = h >>> (s - 32); mdOut[1] = 0; }
}

/** SRA: arithmetic shift right by `s` & 63. */
export function sra64(l: number, h: number, s: number): void {
  s &= 63;
  if (s === 0) { mdOut[0] = l; mdOut[1] = h; }
  else if (s < 32) { mdOut[0] = (l >>> s) | (h << (32 - s)); mdOut[1] = h >> s; }
  else { mdOut[0] = h >> (s - 32); mdOut[1] = h >> 31; }
}
