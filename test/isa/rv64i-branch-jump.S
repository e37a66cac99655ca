# Branches (signed and unsigned, taken and not taken) and JAL/JALR link values.
#include "common.h"
  START
  li a0, -1
  li a1, 1
  beq a0, a1, 1f
  j 2f
1: FAIL 1
2: bne a0, a0, 1b
  blt a0, a1, 3f          # -1 < 1 signed
  FAIL 2
3: bltu a0, a1, 1b        # 0xff..ff > 1 unsigned: not taken
  bge a1, a0, 4f
  FAIL 3
4: bgeu a1, a0, 1b        # not taken
  bgeu a0, a1, 5f
  FAIL 4
5: li a2, 0x100000000
  li a3, 0x200000000
  blt a3, a2, 1b          # high words decide
  beq a2, a3, 1b          # equal low words, different high words
  bge a2, a2, 6f
  FAIL 5
6: li a2, 0x8000000000000000
  blt a2, zero, 7f
  FAIL 6
7: bltu a2, zero, 1b
  # JAL links pc+4; JALR jumps to (rs1 + imm) & ~1 and links.
  jal ra, 8f
9: FAIL 7
8: la t0, 9b
  CHECKR ra, t0, 8
  la t1, 10f
  addi t1, t1, 1          # bit 0 is cleared by jalr
  jalr t2, 0(t1)
11: FAIL 9
10: la t0, 11b
  CHECKR t2, t0, 10
  # jalr with rd == rs1 uses the old value.
  la t1, 12f
  jalr t1, 0(t1)
13: FAIL 11
12: la t0, 13b
  CHECKR t1, t0, 12
  la t1, 14f - 8
  jalr zero, 8(t1)
  FAIL 13
14: PASS
  SKIP_HANDLER default_handler
