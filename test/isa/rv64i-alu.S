# RV64I register/immediate ALU ops, LUI/AUIPC and the W ops, with edge cases.
#include "common.h"
  START
  li a0, 0x7fffffffffffffff
  li a1, 1
  add a2, a0, a1
  CHECK a2, 0x8000000000000000, 1
  li a0, 0xffffffff
  addi a2, a0, 1
  CHECK a2, 0x100000000, 2
  sub a2, zero, a1
  CHECK a2, -1, 3
  li a0, 0x100000000
  sub a2, a0, a1
  CHECK a2, 0xffffffff, 4
  li a0, 0xf0f0f0f0f0f0f0f0
  li a1, 0x0ff00ff00ff00ff0
  and a2, a0, a1
  CHECK a2, 0x00f000f000f000f0, 5
  or a2, a0, a1
  CHECK a2, 0xfff0fff0fff0fff0, 6
  xor a2, a0, a1
  CHECK a2, 0xff00ff00ff00ff00, 7
  andi a2, a0, -16
  CHECK a2, 0xf0f0f0f0f0f0f0f0, 8
  ori a2, zero, -1
  CHECK a2, -1, 9
  xori a2, a0, -1
  CHECK a2, 0x0f0f0f0f0f0f0f0f, 10
  li a0, 1
  slli a2, a0, 63
  CHECK a2, 0x8000000000000000, 11
  slli a2, a0, 32
  CHECK a2, 0x100000000, 12
  li a1, 65            # shift amounts use the low 6 bits
  sll a2, a0, a1
  CHECK a2, 2, 13
  li a0, 0x8000000000000000
  srli a2, a0, 63
  CHECK a2, 1, 14
  srai a2, a0, 63
  CHECK a2, -1, 15
  srai a2, a0, 4
  CHECK a2, 0xf800000000000000, 16
  li a1, 36
  srl a2, a0, a1
  CHECK a2, 0x8000000, 17
  sra a2, a0, a1
  CHECK a2, 0xfffffffff8000000, 18
  li a0, -1
  li a1, 1
  slt a2, a0, a1
  CHECK a2, 1, 19
  sltu a2, a0, a1
  CHECK a2, 0, 20
  slti a2, a0, 0
  CHECK a2, 1, 21
  sltiu a2, a1, -1      # immediate sign-extended, compared unsigned
  CHECK a2, 1, 22
  li a0, 0x100000000
  slt a2, a1, a0
  CHECK a2, 1, 23
  lui a2, 0x80000       # sign-extended on RV64
  CHECK a2, 0xffffffff80000000, 24
  lui a2, 0x7ffff
  CHECK a2, 0x7ffff000, 25
1: auipc a2, 0
  la a3, 1b
  CHECKR a2, a3, 26
2: auipc a2, 0x1
  la a3, 2b
  sub a2, a2, a3
  CHECK a2, 0x1000, 27
  # W ops: 32-bit results sign-extended.
  li a0, 0x7fffffff
  addiw a2, a0, 1
  CHECK a2, 0xffffffff80000000, 28
  li a0, 0x1ffffffff
  addw a2, a0, zero
  CHECK a2, -1, 29
  li a1, 0x100000001
  subw a2, zero, a1
  CHECK a2, -1, 30
  li a0, 1
  slliw a2, a0, 31
  CHECK a2, 0xffffffff80000000, 31
  li a0, 0xffffffff80000000
  srliw a2, a0, 4
  CHECK a2, 0x08000000, 32
  sraiw a2, a0, 4
  CHECK a2, 0xfffffffff8000000, 33
  li a1, 33               # W shifts use the low 5 bits
  sllw a2, a0, a1
  CHECK a2, 0, 34
  li a0, 3
  sllw a2, a0, a1
  CHECK a2, 6, 35
  li a0, 0x80000000
  srlw a2, a0, a1
  CHECK a2, 0x40000000, 36
  sraw a2, a0, a1
  CHECK a2, 0xffffffffc0000000, 37
  # Writes to x0 are discarded.
  addi zero, zero, 5
  CHECK zero, 0, 38
  PASS
  SKIP_HANDLER default_handler
