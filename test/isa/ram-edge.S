# Accesses at the end of RAM, where the interpreter's fast paths stop and
# its out-of-line paths take over: loads and stores of every width in the
# last bytes, access faults one past the end and for a store straddling it,
# and a 32-bit instruction whose upper half lies beyond it (fetch access
# fault, tval = the address of that missing half). Run with 4 MiB of RAM.
#include "common.h"
#define RAM_END 0x80400000
  .section .text.init
  .globl _start
_start:
  la t0, handler
  csrw mtvec, t0
  li s9, 0
  li s1, RAM_END
  li a0, 0x1122334455667788
  sd a0, -8(s1)
  ld a1, -8(s1)
  CHECKR a0, a1, 1
  sw a0, -4(s1)
  lw a2, -4(s1)
  CHECK a2, 0x55667788, 2
  lwu a2, -4(s1)
  CHECK a2, 0x55667788, 3
  li a0, -2
  sh a0, -2(s1)
  lh a2, -2(s1)
  CHECK a2, -2, 4
  lhu a2, -2(s1)
  CHECK a2, 0xfffe, 5
  sb a0, -1(s1)
  lb a2, -1(s1)
  CHECK a2, -2, 6
  lbu a2, -1(s1)
  CHECK a2, 0xfe, 7
  ld a2, -8(s1)
  CHECK a2, 0xfefe778855667788, 8
  lw a2, 0(s1)                        # one past the end
  CHECK s10, 5, 9
  CHECKR s11, s1, 10
  addi s2, s1, -2
  li t0, 0x0013                       # the low half of a 32-bit addi
  sh t0, 0(s2)
  li a2, -1
  sw a2, 0(s2)                        # straddles the end: the bytes in RAM are written
  CHECK s10, 7, 11
  CHECKR s11, s1, 12                  # tval: the first byte that faulted (privileged spec 3.1.16)
  lhu a2, 0(s2)
  CHECK a2, 0xffff, 17
  sh t0, 0(s2)
  CHECK s9, 2, 16
#ifndef QEMU_VIRT
  # (QEMU 7.2 aborts translating this instruction: translator_access asserts.)
  fence.i
  jalr ra, 0(s2)
  CHECK s10, 1, 13
  CHECKR s11, s1, 14                  # tval: the missing upper half
  CHECKR s8, s2, 15                   # mepc: the instruction
  CHECK s9, 3, 18
#endif
  PASS

  FAULT_HANDLER handler
