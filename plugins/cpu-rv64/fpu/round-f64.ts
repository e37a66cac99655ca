/**
 * Binary64 results from a round-to-nearest double and its exact residual:
 * the directed modes and round-to-nearest-ties-away differ from the host's
 * result by at most one step, toward the exact value. Also the exact BigInt
 * sum that the rare cases (overflow, fused multiply-add outside the fast
 * path's range) round.
 */
import { halfUlpAbove, stepF64 } from './bits.js';
import { roundToF64 } from './exact-round.js';
import { fpFlags, fpOut, OF, RDN, RMM, RTZ, RUP } from './flags.js';

/**
 * The correctly rounded double for an exact value x + e, where x is the
 * round-to-nearest-even result (finite, |x| >= 2^-1021) and e the nonzero
 * exact residual. A tie (|e| half a unit, away from zero) can only move
 * under RMM; callers whose operation never ties may pass e as any value of
 * the residual's sign together with a mode other than RMM.
 */
export function directedF64(x: number, e: number, rm: number): number {
  let step: boolean;
  switch (rm) {
    case RTZ: step = (e > 0) !== (x > 0); break;
    case RDN: step = e < 0; break;
    case RUP: step = e > 0; break;
    case RMM: step = (e > 0) === (x > 0) && Math.abs(e) === halfUlpAbove(x); break;
    default: step = false; break;
  }
  if (!step) return x;
  const r = stepF64(x, e);
  if (r - r !== 0) fpFlags[0] |= OF;
  return r;
}

/**
 * Rounds the exact sum n1 x 2^e1 + n2 x 2^e2 (signed BigInts) to binary64
 * in fpOut. `zeroNeg` is the sign an exact zero sum takes.
 */
export function roundSumF64(n1: bigint, e1: number, n2: bigint, e2: number, zeroNeg: boolean, rm: number): void {
  const e0 = e1 < e2 ? e1 : e2;
  const sum = (n1 << BigInt(e1 - e0)) + (n2 << BigInt(e2 - e0));
  if (sum === 0n) {
    fpOut[0] = 0;
    fpOut[1] = zeroNeg ? 0x80000000 | 0 : 0;
    return;
  }
  const neg = sum < 0n;
  roundToF64(neg, neg ? -sum : sum, e0, false, rm);
}
