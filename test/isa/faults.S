# Access faults from bus errors (fetch 1, load 5, store 7, tval = address,
# exact for addresses beyond 2^53 too) and illegal-instruction for reserved
# and unsupported encodings.
#include "common.h"
  .section .text.init
  .globl _start
_start:
  la t0, handler
  csrw mtvec, t0
  li s9, 0
  li s1, UNMAPPED
  lw a0, 0(s1)
  CHECK s10, 5, 1
  CHECKR s11, s1, 2
  sd a0, 8(s1)
  CHECK s10, 7, 3
  addi t0, s1, 8
  CHECKR s11, t0, 4
  sb a0, 0(s1)
  CHECK s10, 7, 5
  lw a0, 3(s1)                        # misaligned: tval is its address (QEMU 7.2: aligned down)
  CHECK s10, 5, 23
  CHECK_DIFF s11, UNMAPPED + 3, UNMAPPED, 24
  li s2, 0xffffffff80000000           # sign-extended address: not RAM
  ld a0, 0(s2)
  CHECK s10, 5, 6
  CHECKR s11, s2, 7
  jalr ra, 0(s1)                      # fetch from nothing
  CHECK s10, 1, 8
  CHECKR s11, s1, 9
  CHECKR s8, s1, 10                   # mepc = the address fetched
  CHECK s9, 6, 11
  # Reserved / unsupported encodings: cause 2, tval = the bits.
  .option push
  .option norvc
  .word 0xffffffff
  CHECK s10, 2, 12
  CHECK s11, 0xffffffff, 13
  .word 0x40001033                    # sll with funct7 = 0x20
  CHECK s10, 2, 14
  CHECK s11, 0x40001033, 15
  .word 0x00002007                    # flw while mstatus.FS is Off
  CHECK s10, 2, 16
  .word 0x0000407f
  CHECK s10, 2, 17
  .word 0x00004073                    # SYSTEM funct3 = 4
  CHECK s10, 2, 18
  .option pop
  .hword 0x2000                       # c.fld while mstatus.FS is Off
  CHECK s10, 2, 19
  CHECK s11, 0x2000, 20
  .hword 0x6081                       # c.lui with rd = x1 and imm 0: reserved
  CHECK s10, 2, 21
  CHECK s9, 13, 22
  # An address no double holds exactly (2^60 + 8): every bit reaches mtval and mepc.
  li s3, 0x1000000000000008
  ld a0, 0(s3)
  CHECK s10, 5, 25
  CHECKR s11, s3, 26
  sd a0, 0(s3)
  CHECK s10, 7, 27
  CHECKR s11, s3, 28
  jalr ra, 0(s3)
  CHECK s10, 1, 29
  CHECKR s11, s3, 30
  CHECKR s8, s3, 31
  PASS

  FAULT_HANDLER handler
