# RV64M: products (low and high halves, signed/unsigned), division and
# remainder including division by zero and signed overflow, W variants.
#include "common.h"
  START
  li a0, 0x123456789
  li a1, 0x987654321
  mul a2, a0, a1
  CHECK a2, 0xd77d742cce1833a9, 1
  li a0, -3
  li a1, 5
  mul a2, a0, a1
  CHECK a2, -15, 2
  li a0, 0xffffffffffffffff
  li a1, 0xffffffffffffffff
  mulhu a2, a0, a1
  CHECK a2, 0xfffffffffffffffe, 3
  mulh a2, a0, a1              # -1 * -1 = 1: high 0
  CHECK a2, 0, 4
  mulhsu a2, a0, a1            # -1 * (2^64-1): high = -1
  CHECK a2, -1, 5
  li a0, 0x8000000000000000
  li a1, 2
  mulh a2, a0, a1
  CHECK a2, -1, 6
  mulhu a2, a0, a1
  CHECK a2, 1, 7
  li a0, 0x123456789abcdef0
  li a1, 0x0fedcba987654321
  mulhu a2, a0, a1
  CHECK a2, 0x0121fa00ad77d742, 8
  li a0, 100
  li a1, -7
  div a2, a0, a1
  CHECK a2, -14, 9
  rem a2, a0, a1
  CHECK a2, 2, 10
  divu a2, a0, a1
  CHECK a2, 0, 11
  remu a2, a0, a1
  CHECK a2, 100, 12
  div a2, a0, zero
  CHECK a2, -1, 13
  rem a2, a0, zero
  CHECK a2, 100, 14
  divu a2, a0, zero
  CHECK a2, -1, 15
  remu a2, a0, zero
  CHECK a2, 100, 16
  li a0, 0x8000000000000000
  li a1, -1
  div a2, a0, a1
  CHECK a2, 0x8000000000000000, 17
  rem a2, a0, a1
  CHECK a2, 0, 18
  li a0, 0x7766554433221100
  li a1, 0x1234567
  divu a2, a0, a1
  CHECK a2, 0x7766554433221100 / 0x1234567, 19
  remu a2, a0, a1
  CHECK a2, 0x7766554433221100 % 0x1234567, 20
  li a0, -0x7766554433221100
  div a2, a0, a1
  CHECK a2, -(0x7766554433221100 / 0x1234567), 21
  rem a2, a0, a1
  CHECK a2, -(0x7766554433221100 % 0x1234567), 22
  li a0, 0x80000000
  li a1, 0xffffffff
  mulw a2, a0, a1              # 32-bit product sign-extended
  CHECK a2, 0xffffffff80000000, 23
  li a0, 0xffffffff80000000
  li a1, -1
  divw a2, a0, a1
  CHECK a2, 0xffffffff80000000, 24
  remw a2, a0, a1
  CHECK a2, 0, 25
  divw a2, a0, zero
  CHECK a2, -1, 26
  remw a2, a0, zero
  CHECK a2, 0xffffffff80000000, 27
  li a0, 0xfffffff0            # divuw: low 32 bits unsigned, result sign-extended
  li a1, 2
  divuw a2, a0, a1
  CHECK a2, 0x7ffffff8, 28
  li a1, 0xfffffffd
  remuw a2, a0, a1
  CHECK a2, 0xfffffffffffffff0, 29
  divuw a2, a0, zero
  CHECK a2, -1, 30
  remuw a2, a0, zero
  CHECK a2, 0xfffffffffffffff0, 31
  li a0, -7
  li a1, 2
  divw a2, a0, a1
  CHECK a2, -3, 32
  remw a2, a0, a1
  CHECK a2, -1, 33
  PASS
  SKIP_HANDLER default_handler
