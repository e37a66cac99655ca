# PMP (privileged spec 3.7) for S-mode accesses and for the page walk:
# TOR, NA4 and NAPOT entries, the lowest-numbered entry winning, an access
# that only partly matches an entry failing (in M-mode too), nothing
# matching failing for S, M-mode otherwise unaffected by unlocked entries;
# a PMP change reaching accesses the TLB had cached; PTE reads and A/D
# writes checked as S-mode accesses and failing with the access fault of
# the original access; then locks, which bind M-mode and ignore writes to
# the entry (and to the address below a locked TOR entry). Run with 4 MiB.
#include "mmu.h"
#define CFG_R     0x01
#define CFG_W     0x02
#define CFG_X     0x04
#define CFG_TOR   0x08
#define CFG_NA4   0x10
#define CFG_NAPOT 0x18
#define CFG_L     0x80
#define NAPOT_4K  0x1ff                /* pmpaddr's low bits for 4 KiB */
#define T         0x40000000           /* onto PAGE(0), its L0 table denied to S */
#define T2        0x40200000           /* onto PAGE(1), A clear, its L0 table read-only to S */
#define PAGE(n)   (pages + (n) * 4096)
#define ZONE      (area + 0x4000)      /* beyond 2 MiB of RAM: no entry matches */

/* pmpaddr n = (physical address of label + off) >> 2 | low. */
  .macro PMPADDR n, label, off, low
  la t0, \label + \off
  srli t0, t0, 2
  ori t0, t0, \low
  csrw pmpaddr\n, t0
  .endm

/* Sets byte (entry) k of pmpcfg0 to v. */
  .macro CFG0 k, v
  li t0, 0xff << (8 * \k)
  csrc pmpcfg0, t0
  li t0, (\v) << (8 * \k)
  csrs pmpcfg0, t0
  .endm

  MMU_START 3
  # Entries 14, 15: the first 2 MiB of RAM and the test device, for S.
  li t0, (0x80000000 >> 2) | ((0x200000 >> 3) - 1)
  csrw pmpaddr14, t0
  li t0, (FINISHER >> 2) | NAPOT_4K
  csrw pmpaddr15, t0
  li t0, ((CFG_NAPOT | CFG_R | CFG_W | CFG_X) << 48) | ((CFG_NAPOT | CFG_R | CFG_W) << 56)
  csrw pmpcfg2, t0
  # 0 (off) and 1: TOR [area + 0x1000, area + 0x2000) read-only.
  PMPADDR 0, area, 0x1000, 0
  PMPADDR 1, area, 0x2000, 0
  # 2: NA4 at area + 8, nothing allowed. 3: NAPOT 4 KiB at area + 0x2000, execute-only.
  PMPADDR 2, area, 8, 0
  PMPADDR 3, area, 0x2000, NAPOT_4K
  # 4: NAPOT 4 KiB at area + 0x3000, nothing allowed (turned on later).
  PMPADDR 4, area, 0x3000, NAPOT_4K
  li t0, (CFG_TOR | CFG_R) << 8 | CFG_NA4 << 16 | (CFG_NAPOT | CFG_X) << 24
  csrw pmpcfg0, t0
  la t0, area + 0x2000                # li a0, 7; ret
  li t1, 0x00700513
  sw t1, 0(t0)
  li t1, 0x00008067
  sw t1, 4(t0)
  la t0, area
  li t1, 0x1122334455667788
  sd t1, 0(t0)
  sw t1, 8(t0)                        # M-mode is not bound by unlocked entries
  sw t1, 12(t0)
  lw a0, 8(t0)
  CHECK a0, 0x55667788, 1
  CHECK s9, 0, 2
  ld a0, 4(t0)                        # but an access that partly matches one fails
  CHECK s10, 5, 44
  sd t1, 8(t0)
  CHECK s10, 7, 45
  CHECK s9, 2, 46
  li s9, 0
  ENTER_S s_code

s_code:
  # 1. NA4: exactly 4 bytes; an access that straddles its edge fails too.
  la a1, area
  ld a0, 0(a1)
  CHECK s9, 0, 3
  addi a2, a1, 8
  lw a0, 0(a2)
  CHECK s10, 5, 4
  CHECKR s11, a2, 5
  sb a0, 3(a2)
  CHECK s10, 7, 6
  lw a0, 4(a2)
  CHECK a0, 0x55667788, 7
  li s9, 0
  addi a2, a1, 4
  ld a0, 0(a2)                        # bytes 4-11: half in the NA4 entry
  CHECK s10, 5, 8
  CHECK s9, 1, 9
  # 2. TOR, read-only: loads work, stores and fetches fault.
  la a2, area + 0x1800
  ld a0, 0(a2)
  CHECK a0, 0, 10
  sd a0, 0(a2)
  CHECK s10, 7, 11
  CHECKR s11, a2, 12
  jalr ra, 0(a2)
  CHECK s10, 1, 13
  CHECKR s11, a2, 14
  CHECK s9, 3, 15
  # 3. NAPOT, execute-only.
  la a2, area + 0x2000
  li a0, 0
  jalr ra, 0(a2)
  CHECK a0, 7, 16
  ld a0, 0(a2)
  CHECK s10, 5, 17
  CHECK s9, 4, 18
  # 4. No entry matches: S may not.
  li a2, 0x80300000
  lw a0, 0(a2)
  CHECK s10, 5, 19
  CHECKR s11, a2, 20
  # 5. A load the TLB cached fails once M turns on a denying entry.
  la a2, area + 0x3000
  ld a0, 0(a2)
  CHECK s9, 5, 21
  TO_M deny
deny:
  CFG0 4, CFG_NAPOT
  ENTER_S s_code2
s_code2:
  la a2, area + 0x3000
  li s9, 0
  ld a0, 0(a2)
  CHECK s10, 5, 22
  CHECK s9, 1, 23
  TO_M paging
  # 6. The walk's own accesses: S may not read T's L0 table (entry 5) and
  # may only read T2's (entry 6), whose PTE needs A set.
paging:
  MAP 0x80000000, 0x80000000, RWXAD, 2
  MAP FINISHER, FINISHER, RWAD, 0
  MAPL T, PAGE(0), RWXAD, 0
  srli t0, a0, 12
  slli t0, t0, 12
  srli t0, t0, 2
  ori t0, t0, NAPOT_4K
  csrw pmpaddr5, t0
  MAPL T2, PAGE(1), PTE_V | PTE_R | PTE_W, 0
  mv s3, a0
  srli t0, a0, 12
  slli t0, t0, 12
  srli t0, t0, 2
  ori t0, t0, NAPOT_4K
  csrw pmpaddr6, t0
  CFG0 5, CFG_NAPOT
  CFG0 6, CFG_NAPOT | CFG_R
  SET_SATP SATP_SV39, 0
  sfence.vma
  ENTER_S s_code3
s_code3:
  li s9, 0
  li a1, T
  ld a0, 0(a1)
  CHECK s10, 5, 24
  CHECKR s11, a1, 25
  sd a0, 0(a1)
  CHECK s10, 7, 26
  jalr ra, 0(a1)
  CHECK s10, 1, 27
  CHECKR s11, a1, 28
  CHECK s9, 3, 29
  li a1, T2
  li s9, 0
  li s10, 0
  ld a0, 0(a1)
  # QEMU 7.2 writes A without a PMP check (the spec checks that write too,
  # 4.3.2 step 7, and raises the original access's access fault).
  CHECK_DIFF s10, 5, 0, 30
  ld t0, 0(s3)
  andi t0, t0, PTE_A
  CHECK_DIFF t0, 0, PTE_A, 31
  TO_M locks
  # 7. Locks (M-mode, last: they hold until reset). Entry 8: NA4 at
  # area + 0x10, locked, nothing allowed; 10: TOR [area + 0x20, area + 0x30),
  # locked, read-only, which also locks pmpaddr9.
locks:
  csrw satp, zero
  sfence.vma
  PMPADDR 8, area, 0x10, 0
  PMPADDR 9, area, 0x20, 0
  PMPADDR 10, area, 0x30, 0
  li t0, (CFG_L | CFG_NA4) | (CFG_L | CFG_TOR | CFG_R) << 16
  csrs pmpcfg2, t0
  li s9, 0
  la a1, area + 0x10
  lw a0, 0(a1)
  CHECK s10, 5, 32
  CHECKR s11, a1, 33
  lw a0, 4(a1)                        # outside the NA4 entry
  CHECK s9, 1, 34
  la a1, area + 0x20
  ld a0, 0(a1)
  CHECK s9, 1, 35
  sd a0, 0(a1)
  CHECK s10, 7, 36
  CHECK s9, 2, 37
  # Writes to locked entries (cfg and address) and to pmpaddr9 are ignored.
  csrr s4, pmpcfg2
  li t0, 0xff | 0xff << 16
  csrc pmpcfg2, t0
  csrr a0, pmpcfg2
  CHECKR a0, s4, 38
  csrr s4, pmpaddr8
  csrw pmpaddr8, zero
  csrr a0, pmpaddr8
  CHECKR a0, s4, 39
  csrr s4, pmpaddr9
  csrw pmpaddr9, zero
  csrr a0, pmpaddr9
  CHECKR a0, s4, 40
  li t0, (CFG_R) << 8                 # entry 9 itself is not locked
  csrs pmpcfg2, t0
  csrr a0, pmpcfg2
  srli a0, a0, 8
  andi a0, a0, 0xff
  CHECK a0, CFG_R, 41
  la a1, area + 0x10
  lw a0, 0(a1)
  CHECK s10, 5, 42
  CHECK s9, 3, 43
  PASS

  MMU_END
  .section .bss.pages
  .align 14
area: .space 4096 * 4
pages: .space 4096 * 2
