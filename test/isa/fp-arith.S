# F/D arithmetic (unprivileged spec chapters 20 and 21): every rounding
# mode on inexact and halfway results, static and dynamic (frm), reserved
# modes illegal; each exception flag (NV, DZ, OF, UF, NX) and exact results
# raising none; the canonical NaN; -0/+0 and signalling NaNs in fmin/fmax;
# quiet and signalling compares; saturating conversions; fclass; a fused
# multiply-add rounded once; single results NaN-boxed and unboxed inputs
# read as the canonical NaN.
#include "common.h"
#define NV 0x10
#define DZ 0x08
#define OF 0x04
#define UF 0x02
#define NX 0x01

/* f register <- single (boxed by fmv.w.x) or double bits (clobbers t0). */
  .macro SETS fr, bits
  li t0, \bits
  fmv.w.x \fr, t0
  .endm
  .macro SETD fr, bits
  li t0, \bits
  fmv.d.x \fr, t0
  .endm

/* Fails with code unless f register fr holds the boxed single bits and fflags are flags; clears fflags. */
  .macro CHECK_S fr, bits, flags, code
  fmv.x.d a0, \fr
  CHECK a0, (0xffffffff00000000 | (\bits)), \code
  csrrw a0, fflags, zero
  CHECK a0, \flags, \code
  .endm
  .macro CHECK_D fr, bits, flags, code
  fmv.x.d a0, \fr
  CHECK a0, \bits, \code
  csrrw a0, fflags, zero
  CHECK a0, \flags, \code
  .endm
/* The same for an integer result in x register xr. */
  .macro CHECK_X xr, v, flags, code
  CHECK \xr, \v, \code
  csrrw a0, fflags, zero
  CHECK a0, \flags, \code
  .endm

  START
  li t0, 1 << 13                      # FS = Initial
  csrs mstatus, t0
  csrw fcsr, zero
  # 1. 1/3 in single, every static mode, and -1/3.
  SETS f0, 0x3f800000
  SETS f1, 0x40400000
  SETS f3, 0xbf800000
  fdiv.s f2, f0, f1, rne
  CHECK_S f2, 0x3eaaaaab, NX, 1
  fdiv.s f2, f0, f1, rtz
  CHECK_S f2, 0x3eaaaaaa, NX, 2
  fdiv.s f2, f0, f1, rdn
  CHECK_S f2, 0x3eaaaaaa, NX, 3
  fdiv.s f2, f0, f1, rup
  CHECK_S f2, 0x3eaaaaab, NX, 4
  fdiv.s f2, f0, f1, rmm
  CHECK_S f2, 0x3eaaaaab, NX, 5
  fdiv.s f2, f3, f1, rdn
  CHECK_S f2, 0xbeaaaaab, NX, 6
  fdiv.s f2, f3, f1, rup
  CHECK_S f2, 0xbeaaaaaa, NX, 7
  # 2. A halfway sum, 1 + 2^-24: to even, or away from zero.
  SETS f4, 0x33800000
  fadd.s f2, f0, f4, rne
  CHECK_S f2, 0x3f800000, NX, 8
  fadd.s f2, f0, f4, rmm
  CHECK_S f2, 0x3f800001, NX, 9
  fadd.s f2, f0, f4, rup
  CHECK_S f2, 0x3f800001, NX, 10
  fadd.s f2, f0, f4, rtz
  CHECK_S f2, 0x3f800000, NX, 11
  fadd.s f2, f0, f0                   # exact: no flags
  CHECK_S f2, 0x40000000, 0, 12
  # 3. Dynamic rounding takes frm; reserved modes, static or in frm, are illegal.
  csrwi frm, 1
  fdiv.s f2, f0, f1
  CHECK_S f2, 0x3eaaaaaa, NX, 13
  csrwi frm, 3
  fdiv.s f2, f0, f1, dyn
  CHECK_S f2, 0x3eaaaaab, NX, 14
  li s9, 0
  csrwi frm, 5
  fdiv.s f2, f0, f1
  CHECK s10, 2, 15
  csrwi frm, 0
  .word 0x1810d153                    # fdiv.s f2, f1, f1 with rm = 5
  CHECK s10, 2, 16
  .word 0x1810e153                    # rm = 6
  CHECK s10, 2, 17
  CHECK s9, 3, 18
  # 4. Exceptions: DZ, NV with the canonical NaN, OF by mode, UF.
  SETS f5, 0x00000000
  fdiv.s f2, f0, f5
  CHECK_S f2, 0x7f800000, DZ, 19
  fsqrt.s f2, f3
  CHECK_S f2, 0x7fc00000, NV, 20
  SETS f6, 0x7f800000
  SETS f7, 0xff800000
  fadd.s f2, f6, f7
  CHECK_S f2, 0x7fc00000, NV, 21
  fmul.s f2, f5, f6
  CHECK_S f2, 0x7fc00000, NV, 22
  SETS f8, 0x7f7fffff
  SETS f9, 0x40000000
  fmul.s f2, f8, f9, rne
  CHECK_S f2, 0x7f800000, OF | NX, 23
  fmul.s f2, f8, f9, rtz
  CHECK_S f2, 0x7f7fffff, OF | NX, 24
  SETS f10, 0x00000001                # the smallest subnormal
  SETS f11, 0x3f000000                # 0.5
  fmul.s f2, f10, f11, rne
  CHECK_S f2, 0x00000000, UF | NX, 25
  fmul.s f2, f10, f11, rup
  CHECK_S f2, 0x00000001, UF | NX, 26
  SETS f12, 0x00800000                # exact subnormal result: no UF
  fmul.s f2, f12, f11
  CHECK_S f2, 0x00400000, 0, 27
  # 5. Compares: quiet ones signal only on sNaN, ordered ones on any NaN.
  SETS f13, 0x7fc00000
  SETS f14, 0x7fa00000                # sNaN
  feq.s a1, f13, f0
  CHECK_X a1, 0, 0, 28
  flt.s a1, f13, f0
  CHECK_X a1, 0, NV, 29
  feq.s a1, f14, f0
  CHECK_X a1, 0, NV, 30
  fle.s a1, f0, f0
  CHECK_X a1, 1, 0, 31
  # 6. fmin/fmax: -0 < +0; a NaN loses to a number (NV if signalling); two NaNs give the canonical NaN.
  SETS f15, 0x80000000
  fmin.s f2, f5, f15
  CHECK_S f2, 0x80000000, 0, 32
  fmax.s f2, f15, f5
  CHECK_S f2, 0x00000000, 0, 33
  fmin.s f2, f13, f0
  CHECK_S f2, 0x3f800000, 0, 34
  fmax.s f2, f14, f0
  CHECK_S f2, 0x3f800000, NV, 35
  fmin.s f2, f13, f14
  CHECK_S f2, 0x7fc00000, NV, 36
  # 7. Conversions to integers saturate with NV; in-range inexact ones raise NX.
  fcvt.w.s a1, f13
  CHECK_X a1, 0x7fffffff, NV, 37
  fcvt.w.s a1, f7
  CHECK_X a1, 0xffffffff80000000, NV, 38
  fcvt.wu.s a1, f3
  CHECK_X a1, 0, NV, 39
  SETS f16, 0xbf000000                # -0.5
  fcvt.wu.s a1, f16, rtz
  CHECK_X a1, 0, NX, 40
  SETS f17, 0x60ad78ec                # 1e20
  fcvt.l.s a1, f17
  CHECK_X a1, 0x7fffffffffffffff, NV, 41
  fcvt.lu.s a1, f6
  CHECK_X a1, -1, NV, 42
  SETS f18, 0x40200000                # 2.5
  fcvt.w.s a1, f18, rne
  CHECK_X a1, 2, NX, 43
  fcvt.w.s a1, f18, rmm
  CHECK_X a1, 3, NX, 44
  fcvt.wu.s a1, f18, rup
  CHECK_X a1, 3, NX, 45                # wu of a positive: its sign-extended 32 bits
  # 8. From integers and between formats.
  li a1, 0x7fffffff
  fcvt.s.w f2, a1, rne
  CHECK_S f2, 0x4f000000, NX, 46
  fcvt.s.w f2, a1, rtz
  CHECK_S f2, 0x4effffff, NX, 47
  li a1, -1
  fcvt.s.lu f2, a1, rtz
  CHECK_S f2, 0x5f7fffff, NX, 48
  fcvt.d.wu f2, a1
  CHECK_D f2, 0x41efffffffe00000, 0, 49
  SETD f19, 0x3fd5555555555555        # 1/3
  fcvt.s.d f2, f19, rne
  CHECK_S f2, 0x3eaaaaab, NX, 50
  fcvt.d.s f2, f1
  CHECK_D f2, 0x4008000000000000, 0, 51
  fcvt.d.s f2, f14                    # a signalling NaN: NV and the canonical NaN
  CHECK_D f2, 0x7ff8000000000000, NV, 52
  # 9. fclass: one bit per class.
  fclass.s a1, f7
  CHECK_X a1, 1 << 0, 0, 53
  fclass.s a1, f3
  CHECK_X a1, 1 << 1, 0, 54
  SETS f20, 0x807fffff
  fclass.s a1, f20
  CHECK_X a1, 1 << 2, 0, 55
  fclass.s a1, f15
  CHECK_X a1, 1 << 3, 0, 56
  fclass.s a1, f5
  CHECK_X a1, 1 << 4, 0, 57
  fclass.s a1, f10
  CHECK_X a1, 1 << 5, 0, 58
  fclass.s a1, f0
  CHECK_X a1, 1 << 6, 0, 59
  fclass.s a1, f6
  CHECK_X a1, 1 << 7, 0, 60
  fclass.s a1, f14
  CHECK_X a1, 1 << 8, 0, 61
  fclass.s a1, f13
  CHECK_X a1, 1 << 9, 0, 62
  # 10. A fused multiply-add rounds once: (1 + 2^-23)^2 - (1 + 2^-22) = 2^-46 exactly.
  SETS f21, 0x3f800001
  SETS f22, 0xbf800002
  fmadd.s f2, f21, f21, f22
  CHECK_S f2, 0x28800000, 0, 63
  fmul.s f23, f21, f21                # the unfused way loses it
  fadd.s f2, f23, f22
  CHECK_S f2, 0x00000000, NX, 64
  SETS f28, 0x3f800002
  fnmsub.s f2, f21, f21, f28          # -(a*b) + c
  CHECK_S f2, 0xa8800000, 0, 65
  # 11. Doubles: 1/3 up and to nearest, overflow.
  SETD f24, 0x3ff0000000000000
  SETD f25, 0x4008000000000000
  fdiv.d f2, f24, f25, rne
  CHECK_D f2, 0x3fd5555555555555, NX, 66
  fdiv.d f2, f24, f25, rup
  CHECK_D f2, 0x3fd5555555555556, NX, 67
  SETD f26, 0x7fefffffffffffff
  fadd.d f2, f26, f26
  CHECK_D f2, 0x7ff0000000000000, OF | NX, 68
  fsqrt.d f2, f24
  CHECK_D f2, 0x3ff0000000000000, 0, 69
  # 12. An unboxed single input reads as the canonical NaN (quiet: no flag).
  SETD f27, 0x000000003f800000
  fadd.s f2, f27, f0
  CHECK_S f2, 0x7fc00000, 0, 70
  # Results and flags made FS Dirty.
  csrr a0, mstatus
  srli a0, a0, 13
  andi a0, a0, 3
  CHECK a0, 3, 71
  PASS
  SKIP_HANDLER default_handler
