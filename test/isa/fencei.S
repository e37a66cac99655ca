# Self-modifying code: patch an instruction that has already run, copy a
# routine into RAM and run it (as relocating firmware does), patch half of
# an instruction; fence.i makes each change visible.
#include "common.h"
  START
  call patched
  CHECK a0, 1, 1
  la t0, patched
  li t1, 0x00200513                   # addi a0, zero, 2
  sw t1, 0(t0)
  fence.i
  call patched
  CHECK a0, 2, 2
  # Copy a routine and run it.
  la s0, buffer
  li t1, 0x02a00513                   # addi a0, zero, 42
  sw t1, 0(s0)
  li t1, 0x00008067                   # ret
  sw t1, 4(s0)
  fence.i
  jalr ra, 0(s0)
  CHECK a0, 42, 3
  # Patch only the upper halfword of the first instruction: imm 42 -> 0x42a.
  li t1, 0x42a0
  sh t1, 2(s0)
  fence.i
  jalr ra, 0(s0)
  CHECK a0, 0x42a, 4
  # A loop that rewrites its own next instruction each iteration.
  li s1, 0
  li s2, 3
  la s3, slot
  li s4, 0x00148493                   # addi s1, s1, 1
1:
  .option push
  .option norvc
slot:
  addi s1, s1, 10
  .option pop
  sw s4, 0(s3)
  fence.i
  addi s2, s2, -1
  bnez s2, 1b
  CHECK s1, 12, 5                     # 10 + 1 + 1
  PASS
  .option push
  .option norvc
patched:
  addi a0, zero, 1
  ret
  .option pop
  SKIP_HANDLER default_handler
  .data
  .align 4
buffer: .space 64
