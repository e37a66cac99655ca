# RV64A: LR/SC success and failure, every AMO in .w and .d, alignment faults.
#include "common.h"
  START
  la s0, data
  li t0, 5
  sd t0, 0(s0)
  lr.d a0, (s0)
  CHECK a0, 5, 1
  li t1, 7
  sc.d a1, t1, (s0)
  CHECK a1, 0, 2
  ld a0, 0(s0)
  CHECK a0, 7, 3
  sc.d a1, t1, (s0)            # no reservation any more: fails
  CHECK a1, 1, 4
  lr.w a0, (s0)
  addi t2, s0, 8
  sc.w a1, t1, (t2)            # other address: fails
  CHECK a1, 1, 5
  lr.w.aq a0, (s0)
  ecall                        # a trap drops the reservation
  sc.w.rl a1, t1, (s0)
  CHECK a1, 1, 6
  li t0, 0xffffffff
  sw t0, 0(s0)
  lr.w a0, (s0)
  CHECK a0, -1, 7              # lr.w sign-extends
  sc.w a1, zero, (s0)
  CHECK a1, 0, 8
  # AMO .w: rd gets the old value sign-extended.
  li t0, 0x80000000
  sw t0, 0(s0)
  li t1, 1
  amoadd.w a0, t1, (s0)
  CHECK a0, 0xffffffff80000000, 9
  lw a0, 0(s0)
  CHECK a0, 0xffffffff80000001, 10
  amoswap.w.aqrl a0, zero, (s0)
  CHECK a0, 0xffffffff80000001, 11
  li t1, 0xf0
  amoor.w a0, t1, (s0)
  li t1, 0x3c
  amoxor.w a0, t1, (s0)
  li t1, 0xff
  amoand.w a0, t1, (s0)
  lw a0, 0(s0)
  CHECK a0, 0xcc, 12
  li t1, -5
  amomin.w a0, t1, (s0)
  lw a0, 0(s0)
  CHECK a0, -5, 13
  li t1, 3
  amomax.w a0, t1, (s0)
  lw a0, 0(s0)
  CHECK a0, 3, 14
  li t1, -1
  amominu.w a0, t1, (s0)       # unsigned: 3 < 0xffffffff
  lw a0, 0(s0)
  CHECK a0, 3, 15
  amomaxu.w a0, t1, (s0)
  lw a0, 0(s0)
  CHECK a0, -1, 16
  # AMO .d
  li t0, 0xffffffff
  sd t0, 0(s0)
  li t1, 1
  amoadd.d a0, t1, (s0)
  CHECK a0, 0xffffffff, 17
  ld a0, 0(s0)
  CHECK a0, 0x100000000, 18
  li t1, 0x8000000000000000
  amomin.d a0, t1, (s0)
  ld a0, 0(s0)
  CHECK a0, 0x8000000000000000, 19
  li t1, 1
  amomax.d a0, t1, (s0)
  ld a0, 0(s0)
  CHECK a0, 1, 20
  li t1, 0x8000000000000000
  amomaxu.d a0, t1, (s0)
  ld a0, 0(s0)
  CHECK a0, 0x8000000000000000, 21
  li t1, 2
  amominu.d a0, t1, (s0)
  amoswap.d a0, zero, (s0)
  CHECK a0, 2, 22
  li t1, 0x0f0f
  amoor.d a0, t1, (s0)
  li t1, 0x00ff
  amoand.d a0, t1, (s0)
  li t1, 0x0101
  amoxor.d a0, t1, (s0)
  ld a0, 0(s0)
  CHECK a0, 0x10e, 23
  # Misaligned AMO / SC: store/AMO address misaligned (6); LR: load misaligned (4).
  li s9, 0
  addi t2, s0, 2
  amoadd.w a0, t1, (t2)
  CHECK s10, 6, 24
  CHECKR s11, t2, 25
  addi t2, s0, 4
  amoadd.d a0, t1, (t2)
  CHECK s10, 6, 26
  lr.d a0, (t2)
  CHECK s10, 4, 27
  sc.w a0, t1, (t2)            # aligned for .w: just fails (no reservation)
  CHECK a0, 1, 28
  # A misaligned SC raises the misaligned exception even without a
  # reservation (unprivileged spec 8.2); QEMU 7.2 just fails it.
  addi t2, s0, 1
  li a0, 0
  sc.w a0, t1, (t2)
  CHECK_DIFF s10, 6, 4, 29
  CHECK_DIFF s9, 4, 3, 30
  CHECK_DIFF a0, 0, 1, 32
  # AMO where nothing answers: store/AMO access fault (7); QEMU 7.2 reads
  # first and raises a load access fault (5).
  li t2, UNMAPPED
  amoswap.w a0, t1, (t2)
  CHECK_DIFF s10, 7, 5, 31
  PASS
  SKIP_HANDLER default_handler
  .data
  .align 4
data: .dword 0, 0
