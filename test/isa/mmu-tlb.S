# What cached translations must not hide (privileged spec 4.2.1): switching
# satp among five address spaces (ASIDs 1-5) without fences; sfence.vma by
# address, by address and ASID, by ASID and for everything, each making a
# changed PTE visible, for a 2 MiB page through any address inside it; and
# code that changed: a remapped code page, and code written after it ran,
# through another mapping and through its own (fence.i). Run with 4 MiB.
#include "mmu.h"
#define T      0x40000000             /* in space k, onto PAGE(k) holding k */
#define MEGA   0x40400000             /* space 5: 2 MiB onto RAM's start */
#define CODE   0x40002000             /* space 1: code pages */
#define CODE2  0x40003000
#define CODE3  0x40004000
#define PAGE(n) (pages + (n) * 4096)
#define LI_A0(v) (0x00000513 | ((v) << 20))  /* addi a0, zero, v */
#define RET    0x00008067

  .macro NEW_SPACE k
  mv s0, s2
  li t0, 4096
  add s2, s2, t0
  MAP 0x80000000, 0x80000000, RWXAD, 2
  MAP FINISHER, FINISHER, RWAD, 0
  MAPL T, PAGE(\k), RWAD, 0
  la t0, pte_t + 8 * \k
  sd a0, 0(t0)
  srli t0, s0, 12
  li t1, SATP_SV39 | (\k << 44)
  or t0, t0, t1
  la t1, satps + 8 * \k
  sd t0, 0(t1)
  li t0, \k
  la t1, PAGE(\k)
  sd t0, 0(t1)
  .endm

/* Fails with code unless a load from T in space k gives v. */
  .macro EXPECT_T k, v, code
  la t0, satps + 8 * \k
  ld t0, 0(t0)
  csrw satp, t0
  li t0, T
  ld a0, 0(t0)
  CHECK a0, \v, \code
  .endm

/* Points the PTE of T in space k at PAGE(n) (and writes n there). */
  .macro REMAP_T k, n
  la t0, PAGE(\n)
  li t1, \n
  sd t1, 0(t0)
  srli t0, t0, 12
  slli t0, t0, 10
  ori t0, t0, RWAD
  la t1, pte_t + 8 * \k
  ld t1, 0(t1)
  sd t0, 0(t1)
  .endm

/* Writes `li a0, v; ret` at physical label + off. */
  .macro CODE_AT label, v
  la t0, \label
  li t1, LI_A0(\v)
  sw t1, 0(t0)
  li t1, RET
  sw t1, 4(t0)
  .endm

  MMU_START 3
  NEW_SPACE 2
  NEW_SPACE 3
  NEW_SPACE 4
  NEW_SPACE 5
  MAP MEGA, 0x80000000, RWAD, 1
  la t0, pte_mega
  sd a0, 0(t0)
  NEW_SPACE 1
  MAPL CODE, PAGE(10), PTE_V | PTE_R | PTE_X | PTE_A, 0
  la t0, pte_code
  sd a0, 0(t0)
  MAPL CODE2, PAGE(12), PTE_V | PTE_R | PTE_X | PTE_A, 0
  MAPL CODE3, PAGE(13), RWXAD, 0
  CODE_AT PAGE(10), 1
  CODE_AT PAGE(11), 2
  CODE_AT PAGE(12), 3
  CODE_AT PAGE(13), 5
  la t0, satps + 8
  ld t0, 0(t0)
  csrw satp, t0
  sfence.vma
  ENTER_S s_code

s_code:
  # 1. Five address spaces, three rounds, no fences: each sees its own T.
  li s3, 3
1: EXPECT_T 1, 1, 1
  EXPECT_T 2, 2, 2
  EXPECT_T 3, 3, 3
  EXPECT_T 4, 4, 4
  EXPECT_T 5, 5, 5
  addi s3, s3, -1
  bnez s3, 1b
  # 2. sfence.vma by address (in the space in use).
  EXPECT_T 1, 1, 6
  REMAP_T 1, 6
  li a1, T
  sfence.vma a1, zero
  EXPECT_T 1, 6, 7
  # By address and ASID, from another space.
  EXPECT_T 2, 2, 8
  EXPECT_T 1, 6, 9
  REMAP_T 2, 7
  li a1, T
  li a2, 2
  sfence.vma a1, a2
  EXPECT_T 2, 7, 10
  # By ASID.
  EXPECT_T 3, 3, 11
  EXPECT_T 1, 6, 12
  REMAP_T 3, 8
  li a2, 3
  sfence.vma zero, a2
  EXPECT_T 3, 8, 13
  # Everything.
  EXPECT_T 4, 4, 14
  REMAP_T 4, 9
  sfence.vma
  EXPECT_T 4, 9, 15
  # A 2 MiB page, flushed through an address in another of its 4 KiB pages.
  # (The page read through it is one whose TLB slot nothing else here uses.)
  EXPECT_T 5, 5, 16
  li t0, 0x80101000
  li t1, 0x600dcafe
  sd t1, 0(t0)
  li s4, MEGA + 0x101000
  ld a0, 0(s4)
  CHECK a0, 0x600dcafe, 17
  la t0, pte_mega
  ld t0, 0(t0)
  sd zero, 0(t0)
  li a1, MEGA + 0x1ff000
  sfence.vma a1, zero
  li s9, 0
  ld a0, 0(s4)
  CHECK s10, 13, 18
  CHECKR s11, s4, 19
  CHECK s9, 1, 20
  # 3. Code: a remapped page runs its new frame's code.
  la t0, satps + 8
  ld t0, 0(t0)
  csrw satp, t0
  li s5, CODE
  jalr ra, 0(s5)
  CHECK a0, 1, 21
  la t0, PAGE(11)
  srli t0, t0, 12
  slli t0, t0, 10
  ori t0, t0, PTE_V | PTE_R | PTE_X | PTE_A
  la t1, pte_code
  ld t1, 0(t1)
  sd t0, 0(t1)
  sfence.vma s5, zero
  jalr ra, 0(s5)
  CHECK a0, 2, 22
  # Code written after it ran, through the identity mapping.
  li s5, CODE2
  jalr ra, 0(s5)
  CHECK a0, 3, 23
  la t0, PAGE(12)
  li t1, LI_A0(4)
  sw t1, 0(t0)
  fence.i
  jalr ra, 0(s5)
  CHECK a0, 4, 24
  # And through its own, writable mapping.
  li s5, CODE3
  jalr ra, 0(s5)
  CHECK a0, 5, 25
  li t1, LI_A0(6)
  sw t1, 0(s5)
  fence.i
  jalr ra, 0(s5)
  CHECK a0, 6, 26
  TO_M done
done:
  PASS

  MMU_END
  .section .bss.pages
  .align 12
pages: .space 4096 * 14
  .data
  .align 3
satps: .space 8 * 6
pte_t: .space 8 * 6
pte_mega: .dword 0
pte_code: .dword 0
