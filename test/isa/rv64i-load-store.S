# Loads with sign/zero extension, stores of every width, misaligned RAM
# accesses (handled in hardware), and MMIO through the bus slow path.
#include "common.h"
  START
  la s0, data
  li t0, 0x8877665544332211
  sd t0, 0(s0)
  lb a0, 7(s0)
  CHECK a0, 0xffffffffffffff88, 1
  lbu a0, 7(s0)
  CHECK a0, 0x88, 2
  lh a0, 6(s0)
  CHECK a0, 0xffffffffffff8877, 3
  lhu a0, 6(s0)
  CHECK a0, 0x8877, 4
  lw a0, 4(s0)
  CHECK a0, 0xffffffff88776655, 5
  lwu a0, 4(s0)
  CHECK a0, 0x88776655, 6
  ld a0, 0(s0)
  CHECK a0, 0x8877665544332211, 7
  lb a0, 0(s0)
  CHECK a0, 0x11, 8
  sb zero, 1(s0)
  sh zero, 4(s0)
  ld a0, 0(s0)
  CHECK a0, 0x8877000044330011, 9
  li t0, -1
  sw t0, 0(s0)
  ld a0, 0(s0)
  CHECK a0, 0x88770000ffffffff, 10
  # negative offsets
  addi s1, s0, 8
  ld a0, -8(s1)
  CHECK a0, 0x88770000ffffffff, 11
  # misaligned
  li t0, 0x0123456789abcdef
  sd t0, 3(s0)
  ld a0, 3(s0)
  CHECKR a0, t0, 12
  lw a0, 5(s0)
  CHECK a0, 0x456789ab, 13
  lh a0, 2(s0)
  CHECK a0, 0xffffffffffffefff, 14
  CHECK s9, 0, 15              # no traps so far
  # MMIO through the slow path: the CLINT's mtimecmp (64-bit storage, 4- and
  # 8-byte accesses) and the UART's scratch register (one byte).
  li s1, CLINT + 0x4000
  li t0, 0xfedcba9876543210
  sd t0, 0(s1)
  ld a0, 0(s1)
  CHECKR a0, t0, 16
  lw a0, 4(s1)
  CHECK a0, 0xfffffffffedcba98, 17
  lwu a0, 4(s1)
  CHECK a0, 0xfedcba98, 18
  sw zero, 4(s1)
  ld a0, 0(s1)
  CHECK a0, 0x76543210, 19
  li s1, UART_SCR
  li t0, 0xfe
  sb t0, 0(s1)
  lb a0, 0(s1)
  CHECK a0, 0xfffffffffffffffe, 20
  lbu a0, 0(s1)
  CHECK a0, 0xfe, 21
  PASS
  SKIP_HANDLER default_handler
  .data
  .align 4
data: .dword 0, 0, 0
