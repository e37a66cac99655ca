/* Page tables built at run time, and the traps of programs that run in S
 * and U with translation on (privileged spec 4.3, 4.4).
 *
 * Register use: s0 = the root table (physical), s1 = levels (3 Sv39, 4
 * Sv48), s2 = the next free table in the pool. Traps record cause in s10,
 * tval in s11, epc in s8 and count in s9; CHECK clobbers t4-t6 and `map`
 * t0-t4, a0 and ra. The programs are built without compressed
 * instructions, so the handlers resume 4 bytes after a trapping
 * instruction; after a fetch fault they return to ra (the fetch was a call).
 * Failure code 255: the table pool is exhausted.
 *
 * Page faults, access faults, misaligned accesses, illegal instructions,
 * breakpoints and ecall from U are delegated to S; ecall from S goes to M.
 * An ecall with a7 = 1 continues at a6, in S after one from U, in M after
 * one from S or M. */
#include "common.h"

#define PTE_V 0x01
#define PTE_R 0x02
#define PTE_W 0x04
#define PTE_X 0x08
#define PTE_U 0x10
#define PTE_G 0x20
#define PTE_A 0x40
#define PTE_D 0x80
#define RWAD  (PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
#define RWXAD (RWAD | PTE_X)

#define SATP_SV39 (8 << 60)
#define SATP_SV48 (9 << 60)

#define SSTATUS_SPP (1 << 8)
#define SSTATUS_SUM (1 << 18)
#define SSTATUS_MXR (1 << 19)
#define MSTATUS_MPRV (1 << 17)

/* Causes delegated to S: 0-8, 12, 13, 15 (not ecall from S or M). */
#define DELEGATED 0xb1ff

  .macro MMU_START levels
  .option norvc
  .section .text.init
  .globl _start
_start:
  PMP_ALLOW_ALL
  la t0, m_trap
  csrw mtvec, t0
  la t0, s_trap
  csrw stvec, t0
  li t0, DELEGATED
  csrw medeleg, t0
  li s9, 0
  li s1, \levels
  la s2, pt_pool
  mv s0, s2
  li t0, 4096
  add s2, s2, t0
  .endm

/* Maps virtual va to physical pa (an address) with leaf flags at level
 * (0: 4 KiB, 1: 2 MiB, 2: 1 GiB, 3: 512 GiB); a0 = the leaf PTE's address. */
  .macro MAP va, pa, flags, level
  li a0, \va
  li a1, \pa
  li a2, \flags
  li a3, \level
  call map
  .endm

/* MAP onto the physical address of a label. */
  .macro MAPL va, label, flags, level
  li a0, \va
  la a1, \label
  li a2, \flags
  li a3, \level
  call map
  .endm

/* satp for the tables at s0 with mode and ASID; no fence (the caller decides). */
  .macro SET_SATP mode, asid
  srli t0, s0, 12
  li t1, \mode | (\asid << 44)
  or t0, t0, t1
  csrw satp, t0
  .endm

/* From M: continue at label in S. */
  .macro ENTER_S label
  li t0, 0x1800
  csrc mstatus, t0
  li t0, 0x0800
  csrs mstatus, t0
  la t0, \label
  csrw mepc, t0
  mret
  .endm

/* From S or M: continue at label in M (the ecall goes to M). */
  .macro TO_M label
  li a7, 1
  la a6, \label
  ecall
  .endm

/* From S: continue at virtual address reg in U. */
  .macro ENTER_U reg
  li t0, SSTATUS_SPP
  csrc sstatus, t0
  csrw sepc, \reg
  sret
  .endm

/* The handlers and the table pool. */
  .macro MMU_END
  .text
  .align 4
m_trap:
  csrr s8, mepc
  csrr s10, mcause
  csrr s11, mtval
  addi s9, s9, 1
  li t6, 8
  blt s10, t6, 1f
  li t6, 11
  bgt s10, t6, 1f
  li t6, 1
  bne a7, t6, 1f
  csrw mepc, a6
  li t6, 0x1800
  csrs mstatus, t6
  mret
1: li t6, 1
  beq s10, t6, 2f
  li t6, 12
  beq s10, t6, 2f
  addi t6, s8, 4
  csrw mepc, t6
  mret
2: csrw mepc, ra
  mret

  .align 4
s_trap:
  csrr s8, sepc
  csrr s10, scause
  csrr s11, stval
  addi s9, s9, 1
  li t6, 8
  bne s10, t6, 1f
  li t6, 1
  bne a7, t6, 1f
  csrw sepc, a6
  li t6, SSTATUS_SPP
  csrs sstatus, t6
  sret
1: li t6, 1
  beq s10, t6, 2f
  li t6, 12
  beq s10, t6, 2f
  addi t6, s8, 4
  csrw sepc, t6
  sret
2: csrw sepc, ra
  sret

/* map: see MAP. Tables come zeroed from the pool (RAM starts zeroed). */
map:
  mv t0, s0
  addi t1, s1, -1
1: slli t2, t1, 3
  add t2, t2, t1
  addi t2, t2, 12
  srl t2, a0, t2
  andi t2, t2, 511
  slli t2, t2, 3
  add t2, t0, t2
  beq t1, a3, 3f
  ld t3, 0(t2)
  bnez t3, 2f
  la t3, pt_pool_end
  bltu s2, t3, 4f
  FAIL 255                            # the pool is exhausted
4: srli t3, s2, 12
  slli t3, t3, 10
  ori t3, t3, PTE_V
  sd t3, 0(t2)
  li t4, 4096
  add s2, s2, t4
2: srli t3, t3, 10
  slli t3, t3, 12
  mv t0, t3
  addi t1, t1, -1
  j 1b
3: srli t3, a1, 12
  slli t3, t3, 10
  or t3, t3, a2
  sd t3, 0(t2)
  mv a0, t2
  ret

  .section .bss.pool
  .align 12
pt_pool: .space 4096 * 40
pt_pool_end:
  .endm
