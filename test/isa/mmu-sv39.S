# Sv39 translation from S and U (privileged spec 4.3, 4.4): 4 KiB pages,
# 2 MiB and 1 GiB superpages and misaligned ones, A and D set by the
# hardware (and not on a fault), page faults of loads, stores, AMOs, LR/SC
# and fetches with scause, stval and sepc, U/S rules with SUM, MXR and
# execute-only pages, reserved PTE encodings, non-canonical addresses,
# misaligned and page-crossing accesses. Run with 4 MiB of RAM.
#include "mmu.h"
#define T      0x40000000             /* 4 KiB test pages T + n * 0x1000 */
#define UCODE  0x40100000             /* user_code, mapped for U */
#define MEGA   0x40400000             /* 2 MiB page onto the start of RAM */
#define BADMEGA 0x40600000            /* 2 MiB page onto a misaligned address */
#define BADGIGA 0xc0000000            /* 1 GiB page onto a misaligned address */
#define PAGE(n) (pages + (n) * 4096)
  MMU_START 3
  MAP 0x80000000, 0x80000000, RWXAD, 2  # the program, identity (S only)
  MAP FINISHER, FINISHER, RWAD, 0
  MAPL T + 0x0000, PAGE(0), RWAD, 0
  MAPL T + 0x1000, PAGE(1), PTE_V | PTE_R | PTE_W, 0
  mv s3, a0                           # PTE without A and D
  MAPL T + 0x2000, PAGE(2), PTE_V | PTE_R, 0
  mv s4, a0                           # read-only PTE without A
  MAPL T + 0x3000, PAGE(3), PTE_V | PTE_X | PTE_A, 0
  MAPL T + 0x4000, PAGE(4), RWXAD | PTE_U, 0
  MAPL T + 0x5000, PAGE(5), PTE_V | PTE_W | PTE_A | PTE_D, 0
  MAPL T + 0x6000, PAGE(6), RWAD, 0
  MAPL T + 0x7000, PAGE(9), RWAD, 0   # not PAGE(7): a crossing access joins two frames
  MAPL T + 0xa000, PAGE(10), RWAD, 0
  MAPL T + 0xb000, PAGE(11), PTE_V | PTE_R | PTE_A, 0
  MAPL T + 0xd000, PAGE(13), RWAD, 0
  ld t0, 0(a0)
  li t1, 1 << 54                      # a reserved bit (no Svnapot, Svpbmt)
  or t0, t0, t1
  sd t0, 0(a0)
  MAPL T + 0xe000, PAGE(14), PTE_V, 0 # a pointer where a leaf must be
  MAPL T + 0xf000, PAGE(15), PTE_V | PTE_R | PTE_X | PTE_A, 0  # T + 0x10000 is not mapped
  MAPL UCODE, user_code, PTE_V | PTE_R | PTE_X | PTE_A | PTE_U, 0
  MAP MEGA, 0x80000000, RWAD, 1
  MAP BADMEGA, 0x80001000, RWAD, 1
  MAP BADGIGA, 0x80200000, RWAD, 2
  # Contents, written through physical addresses.
  la t0, PAGE(0)
  li t1, 0x0123456789abcdef
  sd t1, 0(t0)
  la t0, PAGE(3)                      # execute-only: li a0, 42; ret
  li t1, 0x02a00513
  sw t1, 0(t0)
  li t1, 0x00008067
  sw t1, 4(t0)
  la t0, PAGE(15) + 4094               # a 32-bit instruction's first half, at the page's end
  li t1, 0x0013
  sh t1, 0(t0)
  la t0, PAGE(4)
  li t1, 0x4444
  sd t1, 0(t0)
  la t0, PAGE(6) + 4092
  li t1, 0x44332211
  sw t1, 0(t0)
  la t0, PAGE(9)
  li t1, 0x88776655
  sw t1, 0(t0)
  la t0, PAGE(10) + 4088
  li t1, -1
  sd t1, 0(t0)
  SET_SATP SATP_SV39, 0
  sfence.vma
  ENTER_S s_code

s_code:
  # 1. Plain translation, both ways.
  li a1, T
  ld a0, 0(a1)
  CHECK a0, 0x0123456789abcdef, 1
  li t0, 0x5a5a
  sd t0, 8(a1)
  la t1, PAGE(0)
  ld a0, 8(t1)
  CHECK a0, 0x5a5a, 2
  CHECK s9, 0, 3
  # 2. A and D are set by the walk: a load sets A, a store sets D.
  li a1, T + 0x1000
  ld a0, 0(a1)
  ld t0, 0(s3)
  andi t0, t0, PTE_A | PTE_D
  CHECK t0, PTE_A, 4
  sd a0, 0(a1)
  ld t0, 0(s3)
  andi t0, t0, PTE_A | PTE_D
  CHECK t0, PTE_A | PTE_D, 5
  # 3. Page faults: scause, stval = the address, sepc = the instruction.
  # A store to a read-only page faults and leaves A clear.
  li a1, T + 0x2000
1: sd zero, 0(a1)
  CHECK s10, 15, 6
  CHECKR s11, a1, 7
  la t0, 1b
  CHECKR s8, t0, 8
  ld t0, 0(s4)
  andi t0, t0, PTE_A
  CHECK t0, 0, 9
  addi a2, a1, 4
  amoadd.w a0, zero, (a2)             # AMOs fault as stores
  CHECK s10, 15, 10
  CHECKR s11, a2, 11
  lr.w a0, (a1)                       # LR reads: allowed, and sets A
  ld t0, 0(s4)
  andi t0, t0, PTE_A
  CHECK t0, PTE_A, 12
  sc.w a0, a0, (a1)
  CHECK s10, 15, 13
  li a1, T + 0x8000                   # not mapped
  lw a0, 0(a1)
  CHECK s10, 13, 14
  CHECKR s11, a1, 15
  sb a0, 3(a1)
  CHECK s10, 15, 16
  addi t0, a1, 3
  CHECKR s11, t0, 17
  li s9, 0
  # 4. Execute-only: fetch works, loads fault unless MXR, stores fault.
  li a1, T + 0x3000
  li a0, 0
  jalr ra, 0(a1)
  CHECK a0, 42, 18
  lw a0, 0(a1)
  CHECK s10, 13, 19
  li t0, SSTATUS_MXR
  csrs sstatus, t0
  lw a0, 0(a1)
  CHECK a0, 0x02a00513, 20
  sw a0, 0(a1)
  CHECK s10, 15, 21
  li t0, SSTATUS_MXR
  csrc sstatus, t0
  CHECK s9, 2, 22
  # Fetch from a page without X: fault at the target (sepc = stval = target).
  li a1, T
  jalr ra, 0(a1)
  CHECK s10, 12, 23
  CHECKR s11, a1, 24
  CHECKR s8, a1, 25
  # An instruction whose second half is on a page that faults: stval is
  # that page, sepc the instruction.
  li a1, T + 0xfffe
  jalr ra, 0(a1)
  CHECK s10, 12, 64
  li t0, T + 0x10000
  CHECKR s11, t0, 65
  CHECKR s8, a1, 66
  # 5. Reserved encodings: W without R, a reserved bit, a pointer at level 0.
  li s9, 0
  li a1, T + 0x5000
  ld a0, 0(a1)
  CHECK s10, 13, 26
  sd a0, 0(a1)
  CHECK s10, 15, 27
  li a1, T + 0xd000
  ld a0, 0(a1)
  CHECK s10, 13, 28
  li a1, T + 0xe000
  ld a0, 0(a1)
  CHECK s10, 13, 29
  CHECK s9, 4, 30
  # 6. Superpages: a 2 MiB page onto RAM's start and the 1 GiB identity map;
  # misaligned superpages fault.
  la t0, marker
  li t1, 0x80000000
  sub t0, t0, t1
  li a1, MEGA
  add a1, a1, t0
  ld a0, 0(a1)
  CHECK a0, 0x600dcafe, 31
  li s9, 0
  li a1, BADMEGA
  ld a0, 8(a1)
  CHECK s10, 13, 32
  li a1, BADGIGA
  sd a0, 0(a1)
  CHECK s10, 15, 33
  CHECK s9, 2, 34
  # 7. Non-canonical addresses (bits 63-39 must equal bit 38).
  li a1, 0x0000004000000000
  ld a0, 0(a1)
  CHECK s10, 13, 35
  CHECKR s11, a1, 36
  li a1, 0x8000000000001000
  sw a0, 0(a1)
  CHECK s10, 15, 37
  CHECKR s11, a1, 38
  li a1, 0xffffffbfffff0000
  lw a0, 0(a1)
  CHECK s10, 13, 39
  CHECKR s11, a1, 40
  li a1, 0x0000004000001000
  jalr ra, 0(a1)
  CHECK s10, 12, 41
  CHECKR s11, a1, 42
  CHECKR s8, a1, 43
  # 8. Misaligned and page-crossing accesses: within a page and across two
  # mapped pages they work (joining two frames); into a page that faults,
  # stval is that page's first byte and nothing is written.
  li s9, 0
  li a1, T
  ld a0, 1(a1)
  CHECK a0, 0x5a0123456789abcd, 44
  li a1, T + 0x6ffc
  ld a0, 0(a1)
  CHECK a0, 0x8877665544332211, 45
  li a1, T + 0x7ffc
  ld a0, 0(a1)
  CHECK s10, 13, 46
  li t0, T + 0x8000
  CHECKR s11, t0, 47
  li a1, T + 0xaffc
  sd zero, 0(a1)
  CHECK s10, 15, 48
  li t0, T + 0xb000
  CHECKR s11, t0, 49
  li a1, T + 0xaff8
  ld a0, 0(a1)
  CHECK a0, -1, 50
  CHECK s9, 2, 51
  addi a1, a1, 2
  amoor.w a0, zero, (a1)              # misaligned AMO: address-misaligned first
  CHECK s10, 6, 52
  CHECKR s11, a1, 53
  # 9. U-mode: its own pages only; S needs SUM for U data and never runs U code.
  li s9, 0
  la a6, back_from_u
  li s5, UCODE
  ENTER_U s5
back_from_u:
  CHECK s6, 0x4444, 54                # U read its page
  CHECK s7, 13, 55                    # and faulted on S's
  li t0, T
  CHECKR s3, t0, 56
  CHECK a5, 15, 57                    # stores too
  CHECK a4, 12, 58                    # and fetches
  CHECK s9, 4, 59                     # 3 faults and the ecall
  li a1, T + 0x4000
  ld a0, 0(a1)
  CHECK s10, 13, 60
  li t0, SSTATUS_SUM
  csrs sstatus, t0
  ld a0, 0(a1)
  CHECK a0, 0x4444, 61
  li s5, UCODE
  jalr ra, 0(s5)                      # SUM never lets S execute U code
  CHECK s10, 12, 62
  CHECKR s11, s5, 63
  li t0, SSTATUS_SUM
  csrc sstatus, t0
  TO_M done
done:
  PASS

  .section .text.user
  .align 12
user_code:
  li a1, T + 0x4000
  ld s6, 0(a1)
  li a1, T
  ld a0, 0(a1)
  mv s7, s10
  mv s3, s11
  sd a0, 0(a1)
  mv a5, s10
  li a1, T + 0x3000
  jalr ra, 0(a1)
  mv a4, s10
  li a7, 1
  ecall
  .align 12

  MMU_END
  .section .bss.pages
  .align 12
pages: .space 4096 * 16
  .data
  .align 3
marker: .dword 0x600dcafe
