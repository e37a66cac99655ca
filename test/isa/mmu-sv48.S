# Sv48 (privileged spec 4.5): the fourth level, both halves of the address
# space, 512 GiB pages (aligned and misaligned), addresses canonical only
# in Sv48, A and D on a superpage, and switching satp between Sv39 and Sv48
# address spaces. Run with 4 MiB of RAM.
#include "mmu.h"
#define T       0x40000000            /* one address, mapped by both roots */
#define HIGH    0x00007fffffffe000    /* VPN[3] = 255 */
#define NEG     0xffff800000000000    /* VPN[3] = 256, the upper half */
#define WIDE    0x0000004000000000    /* canonical in Sv48, not in Sv39 */
#define TERA    0x0000008000000000    /* 512 GiB page onto physical 0 */
#define BADTERA 0x0000010000000000    /* 512 GiB page onto a misaligned address */
#define GIGA    0x0000018000000000    /* 1 GiB page onto RAM, A and D clear */
#define PAGE(n) (pages + (n) * 4096)
  MMU_START 4
  MAP 0x80000000, 0x80000000, RWXAD, 2
  MAP FINISHER, FINISHER, RWAD, 0
  MAPL T, PAGE(0), RWAD, 0
  MAPL HIGH, PAGE(1), RWAD, 0
  MAPL NEG, PAGE(2), RWAD, 0
  MAPL WIDE, PAGE(3), RWAD, 0
  MAP TERA, 0, RWAD, 3
  MAP BADTERA, 0x80000000, RWAD, 3
  MAP GIGA, 0x80000000, PTE_V | PTE_R | PTE_W, 2
  mv s3, a0
  mv s4, s0                           # the Sv48 root
  # An Sv39 address space at the same time: T onto another frame.
  mv s0, s2
  li t0, 4096
  add s2, s2, t0
  li s1, 3
  MAP 0x80000000, 0x80000000, RWXAD, 2
  MAP FINISHER, FINISHER, RWAD, 0
  MAPL T, PAGE(4), RWAD, 0
  mv s5, s0                           # the Sv39 root
  # Contents.
  li t1, 1
  la t0, PAGE(0)
  sd t1, 0(t0)
  li t1, 2
  la t0, PAGE(1)
  sd t1, 0(t0)
  li t1, 3
  la t0, PAGE(2)
  sd t1, 0(t0)
  li t1, 4
  la t0, PAGE(3)
  sd t1, 0(t0)
  li t1, 5
  la t0, PAGE(4)
  sd t1, 0(t0)
  mv s0, s4
  SET_SATP SATP_SV48, 0
  sfence.vma
  ENTER_S s_code

s_code:
  # 1. Four levels, both halves of the address space.
  li a1, T
  ld a0, 0(a1)
  CHECK a0, 1, 1
  li a1, HIGH
  ld a0, 0(a1)
  CHECK a0, 2, 2
  li a1, NEG
  ld a0, 0(a1)
  CHECK a0, 3, 3
  li a1, WIDE
  ld a0, 0(a1)
  CHECK a0, 4, 4
  CHECK s9, 0, 5
  # 2. Non-canonical: bits 63-48 must equal bit 47.
  li a1, 0x0000800000000000
  ld a0, 0(a1)
  CHECK s10, 13, 6
  CHECKR s11, a1, 7
  li a1, 0xffff7ffffffff000
  sd a0, 0(a1)
  CHECK s10, 15, 8
  CHECKR s11, a1, 9
  li a1, 0x0000800000000000
  jalr ra, 0(a1)
  CHECK s10, 12, 10
  CHECKR s8, a1, 11
  # 3. A 512 GiB page onto physical 0 reaches RAM; a misaligned one faults.
  li s9, 0
  la t0, marker
  li a1, TERA
  add a1, a1, t0
  ld a0, 0(a1)
  CHECK a0, 0x600dcafe, 12
  li a1, BADTERA
  ld a0, 0(a1)
  CHECK s10, 13, 13
  CHECK s9, 1, 14
  # 4. A and D on a 1 GiB page.
  la t0, marker
  li t1, 0x80000000
  sub t0, t0, t1
  li a1, GIGA
  add a1, a1, t0
  ld a0, 0(a1)
  CHECK a0, 0x600dcafe, 15
  ld t0, 0(s3)
  andi t0, t0, PTE_A | PTE_D
  CHECK t0, PTE_A, 16
  sd a0, 8(a1)
  ld t0, 0(s3)
  andi t0, t0, PTE_A | PTE_D
  CHECK t0, PTE_A | PTE_D, 17
  # 5. Switching satp between the Sv39 and the Sv48 address space (ASIDs 1, 2).
  srli t0, s5, 12
  li t1, SATP_SV39 | (1 << 44)
  or s6, t0, t1
  srli t0, s4, 12
  li t1, SATP_SV48 | (2 << 44)
  or s7, t0, t1
  csrw satp, s6
  sfence.vma
  li a1, T
  ld a0, 0(a1)
  CHECK a0, 5, 18
  li s9, 0
  li a1, WIDE                         # not canonical in Sv39
  ld a0, 0(a1)
  CHECK s10, 13, 19
  CHECK s9, 1, 20
  csrw satp, s7
  li a1, T
  ld a0, 0(a1)
  CHECK a0, 1, 21
  li a1, WIDE
  ld a0, 0(a1)
  CHECK a0, 4, 22
  csrw satp, s6
  li a1, T
  ld a0, 0(a1)
  CHECK a0, 5, 23
  csrr a0, satp
  CHECKR a0, s6, 24
  TO_M done
done:
  PASS

  MMU_END
  .section .bss.pages
  .align 12
pages: .space 4096 * 8
  .data
  .align 3
marker: .dword 0x600dcafe
