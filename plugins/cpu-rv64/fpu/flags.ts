/**
 * The FPU's shared cells and codes. Every operation ORs the exceptions it
 * raises into `fpFlags[0]` (the fflags bit layout, unprivileged spec 11.2),
 * so the core can keep the running hart's fflags in that very cell; 64-bit
 * results (f64 values, integer conversions) are written to `fpOut` as
 * [lo, hi] so no operation allocates.
 */

/** Accrued exception flags, fflags layout (NX=1, UF=2, OF=4, DZ=8, NV=16). */
export const fpFlags = new Int32Array(1);
/** 64-bit results as [lo, hi] int32 words. */
export const fpOut = new Int32Array(2);

/** Inexact. */
export const NX = 1;
/** Underflow: the result is tiny (after rounding) and inexact. */
export const UF = 2;
/** Overflow. */
export const OF = 4;
/** Division by zero. */
export const DZ = 8;
/** Invalid operation. */
export const NV = 16;

/** Rounding modes as encoded in frm and the rm field; the caller resolves DYN (7) and traps on 5 and 6. */
export const RNE = 0;
export const RTZ = 1;
export const RDN = 2;
export const RUP = 3;
export const RMM = 4;

/**
 * Fused multiply-add variants, numbered as bits 3:2 of their major opcodes
 * (0x43, 0x47, 0x4b, 0x4f): bit 0 negates the addend, bit 1 the product.
 */
export const FMADD = 0;
export const FMSUB = 1;
export const FNMSUB = 2;
export const FNMADD = 3;
