# RVC: every RV64C integer instruction, checked against its expansion, and
# the reserved all-zero encoding raising illegal-instruction.
#include "common.h"
  START
  .option push
  .option rvc
  la s0, data
  c.li a0, -3
  CHECK a0, -3, 1
  c.addi a0, 5
  CHECK a0, 2, 2
  c.lui a1, 0xfffe1          # nzimm[17:12] sign-extended
  CHECK a1, 0xfffffffffffe1000, 3
  c.addiw a0, -1
  CHECK a0, 1, 4
  c.mv a2, a0
  c.add a2, a0
  CHECK a2, 2, 5
  mv s1, sp
  la sp, stack_top
  c.addi16sp sp, -64
  la t0, stack_top - 64
  CHECKR sp, t0, 6
  c.addi4spn a3, sp, 16
  addi t0, sp, 16
  CHECKR a3, t0, 7
  li a4, 0x1122334455667788
  c.sdsp a4, 8(sp)
  c.ldsp a5, 8(sp)
  CHECKR a5, a4, 8
  c.swsp a4, 16(sp)
  c.lwsp a5, 16(sp)
  CHECK a5, 0x55667788, 9
  mv sp, s1
  li a4, 0xffffffff80000000
  c.sd a4, 8(s0)
  c.ld a5, 8(s0)
  CHECKR a5, a4, 10
  c.sw a4, 4(s0)
  c.lw a5, 4(s0)
  CHECKR a5, a4, 11
  li a0, 0xf0
  c.srli a0, 4
  CHECK a0, 0xf, 12
  li a0, -64
  c.srai a0, 2
  CHECK a0, -16, 13
  c.andi a0, 0x1c
  CHECK a0, 0x10, 14
  c.slli a0, 33
  CHECK a0, 0x2000000000, 15
  li a0, 12
  li a1, 10
  c.sub a0, a1
  CHECK a0, 2, 16
  c.xor a0, a1
  CHECK a0, 8, 17
  c.or a0, a1
  CHECK a0, 10, 18
  c.and a0, a1
  CHECK a0, 10, 19
  li a0, 0x7fffffff
  li a1, 1
  c.addw a0, a1
  CHECK a0, 0xffffffff80000000, 20
  c.subw a0, a1
  CHECK a0, 0x7fffffff, 21
  c.j 1f
  FAIL 22
1: li a0, 0
  c.beqz a0, 2f
  FAIL 23
2: c.bnez a0, 3f
  la t0, 4f
  c.jr t0
  FAIL 24
4: la t0, 5f
  c.jalr t0
6: j 7f
5: la t1, 6b                  # c.jalr links pc + 2
  CHECKR ra, t1, 25
  c.jr ra
3: FAIL 26
7: c.nop
  # c.ebreak: breakpoint, tval 0 (as QEMU 7.2; the spec also allows the pc)
  li s9, 0
  li s11, -1
8: c.ebreak
  CHECK s10, 3, 27
  CHECK s11, 0, 28
  # All-zero halfword: reserved, illegal instruction with tval 0.
  .hword 0
  CHECK s10, 2, 29
  CHECK s11, 0, 30
  CHECK s9, 2, 31
  .option pop
  PASS
  SKIP_HANDLER default_handler
  .data
  .align 4
data: .dword 0, 0, 0
  .align 4
stack: .space 256
stack_top:
