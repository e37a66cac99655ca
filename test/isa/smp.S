# Two harts: both increment shared counters with amoadd.w and with an
# LR/SC loop; hart 0 checks the totals once both are done.
#include "common.h"
#define N 2000
  START
  la s0, counters
  li t0, N
1: li t1, 1
  amoadd.w zero, t1, (s0)
  addi t0, t0, -1
  bnez t0, 1b
  li t0, N
  addi s1, s0, 8
  addi s2, s0, 16
2: lr.d t1, (s1)
  addi t1, t1, 1
  sc.d t2, t1, (s1)
  bnez t2, 2b
  addi t0, t0, -1
  bnez t0, 2b
  li t1, 1
  amoadd.d zero, t1, (s2)
  bnez a0, park                       # hart 1 parks
3: ld t1, 16(s0)
  li t2, 2
  bne t1, t2, 3b
  lw a1, 0(s0)
  CHECK a1, 2 * N, 1
  ld a1, 8(s0)
  CHECK a1, 2 * N, 2
  PASS
park:
  wfi
  j park
  SKIP_HANDLER default_handler
  .data
  .align 4
counters: .dword 0, 0, 0
