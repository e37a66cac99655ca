# Compute loop for bench/cpu-mips.ts: 64-bit adds, xors, shifts, a load and a
# store per iteration, a counted branch. Iteration count at iters (patched by
# the bench), result checksum left in memory at result.
  .section .text.init
  .globl _start
_start:
  la    s0, buf
  la    s1, iters
  ld    t0, 0(s1)
  li    t2, 1
  li    t3, 0
1:
  ld    t1, 0(s0)
  add   t2, t2, t1
  xor   t3, t3, t2
  slli  t4, t3, 3
  srli  t5, t2, 7
  add   t2, t4, t5
  sd    t2, 8(s0)
  addi  t0, t0, -1
  bnez  t0, 1b
  la    s1, result
  sd    t2, 0(s1)
  li    t6, 0x100000
  li    a0, 0x5555
  sw    a0, 0(t6)
2:
  j     2b
  .data
  .align 3
iters:  .dword 1000
result: .dword 0
buf:    .dword 0x123456789abcdef, 0
