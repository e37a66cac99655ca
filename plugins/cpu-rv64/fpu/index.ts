/**
 * The IEEE 754 arithmetic engine behind the RV64 F and D extensions. Values
 * are raw bit patterns: a binary32 value is one int32, a binary64 value two
 * (lo, hi), integers likewise. Binary32 results are returned; binary64 and
 * integer-conversion results go to `fpOut` as [lo, hi]. Every operation ORs
 * its exceptions into `fpFlags[0]` (fflags layout). `rm` is 0..4 (RNE, RTZ,
 * RDN, RUP, RMM): the caller resolves DYN from frm and traps on 5 and 6.
 * NaN boxing, sign injection and mstatus.FS are the register file's business.
 */
export { fpFlags, fpOut, NX, UF, OF, DZ, NV, RNE, RTZ, RDN, RUP, RMM, FMADD, FMSUB, FNMSUB, FNMADD } from './flags.js';
export { F32_CANONICAL_NAN, F64_CANONICAL_NAN_HI } from './bits.js';
export { f32Add, f32Sub, f32Mul, f32Div, f32Sqrt } from './f32.js';
export { f64Add, f64Sub, f64Mul, f64Div, f64Sqrt } from './f64.js';
export { f32MulAdd, f64MulAdd } from './fma.js';
export { f32Eq, f32Lt, f32Le, f32Min, f32Max, f64Eq, f64Lt, f64Le, f64Min, f64Max } from './compare.js';
export { f32Classify, f64Classify } from './classify.js';
export {
  f32ToI32, f32ToU32, f32ToI64, f32ToU64, f64ToI32, f64ToU32, f64ToI64, f64ToU64,
  i32ToF32, u32ToF32, i64ToF32, u64ToF32, i32ToF64, u32ToF64, i64ToF64, u64ToF64,
  f32ToF64, f64ToF32,
} from './convert.js';
