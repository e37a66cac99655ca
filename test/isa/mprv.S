# MPRV (privileged spec 3.1.6.3): M-mode loads, stores and AMOs translated
# and checked as MPP's privilege (S with SUM and MXR, U), fetches never; a
# fault under MPRV traps to M with mtval the virtual address; MPP = M
# translates nothing; mret and sret to a lower mode clear MPRV. The address
# space maps no RAM for S, so only untranslated fetches can run the code.
# Run with 4 MiB of RAM.
#include "mmu.h"
#define T       0x40000000            /* S read-write */
#define TU      0x40001000            /* U read-write */
#define TX      0x40002000            /* S execute-only */
#define TRO     0x40003000            /* S read-only */
#define PAGE(n) (pages + (n) * 4096)
#define MPP_S   0x0800
#define MPP_U   0x0000
#define MPP_M   0x1800

/* mstatus.MPP = mpp and MPRV = 1 (clobbers t0). */
  .macro MPRV_ON mpp
  li t0, 0x1800
  csrc mstatus, t0
  li t0, \mpp | MSTATUS_MPRV
  csrs mstatus, t0
  .endm
  .macro MPRV_OFF
  li t0, MSTATUS_MPRV
  csrc mstatus, t0
  .endm

  MMU_START 3
  MAPL T, PAGE(0), RWAD, 0
  MAPL TU, PAGE(1), RWAD | PTE_U, 0
  MAPL TX, PAGE(2), PTE_V | PTE_X | PTE_A, 0
  MAPL TRO, PAGE(3), PTE_V | PTE_R | PTE_A, 0
  la t0, s_stub                       # the one S page: to come back from
  li t1, 0x40010000
  mv a0, t1
  mv a1, t0
  li a2, PTE_V | PTE_R | PTE_X | PTE_A
  li a3, 0
  call map
  li t1, 11
  la t0, PAGE(0)
  sd t1, 0(t0)
  li t1, 22
  la t0, PAGE(1)
  sd t1, 0(t0)
  li t1, 33
  la t0, PAGE(2)
  sd t1, 0(t0)
  SET_SATP SATP_SV39, 0
  sfence.vma
  # 1. MPP = S: data through the tables, the code still fetched untranslated.
  li a1, T
  MPRV_ON MPP_S
  ld a2, 0(a1)
  li t1, 12
  sd t1, 8(a1)
  amoadd.d a3, t1, (a1)
  MPRV_OFF
  CHECK a2, 11, 1
  CHECK a3, 11, 2
  la t0, PAGE(0)
  ld a0, 0(t0)
  CHECK a0, 23, 3
  ld a0, 8(t0)
  CHECK a0, 12, 4
  CHECK s9, 0, 5
  # U pages need SUM, execute-only ones MXR; faults trap to M with mtval.
  li a1, TU
  MPRV_ON MPP_S
  ld a2, 0(a1)
  MPRV_OFF
  CHECK s10, 13, 6
  CHECKR s11, a1, 7
  li t0, SSTATUS_SUM
  csrs mstatus, t0
  MPRV_ON MPP_S
  ld a2, 0(a1)
  MPRV_OFF
  CHECK a2, 22, 8
  li t0, SSTATUS_SUM
  csrc mstatus, t0
  li a1, TX
  li t0, SSTATUS_MXR
  csrs mstatus, t0
  MPRV_ON MPP_S
  ld a2, 0(a1)
  MPRV_OFF
  CHECK a2, 33, 9
  li t0, SSTATUS_MXR
  csrc mstatus, t0
  li a1, TRO
  li s9, 0
  MPRV_ON MPP_S
  amoswap.w a2, zero, (a1)
  MPRV_OFF
  CHECK s10, 15, 10
  CHECKR s11, a1, 11
  CHECK s9, 1, 12
  # 2. MPP = U: U pages only.
  li a1, TU
  li a2, 0
  MPRV_ON MPP_U
  ld a2, 0(a1)
  MPRV_OFF
  CHECK a2, 22, 13
  li a1, T
  li s9, 0
  MPRV_ON MPP_U
  sd zero, 0(a1)
  MPRV_OFF
  CHECK s10, 15, 14
  CHECK s9, 1, 15
  # 3. MPP = M: nothing is translated.
  la a1, PAGE(0)
  MPRV_ON MPP_M
  ld a2, 0(a1)
  MPRV_OFF
  CHECK a2, 23, 16
  # 4. mret to S clears MPRV; mret to M keeps it.
  MPRV_ON MPP_M
  la t0, 1f
  csrw mepc, t0
  mret
1: csrr a0, mstatus
  MPRV_OFF
  li t0, MSTATUS_MPRV
  and a0, a0, t0
  CHECK a0, MSTATUS_MPRV, 17
  MPRV_ON MPP_S
  la a6, back
  li t0, 0x40010000
  csrw mepc, t0
  mret
back:
  csrr a0, mstatus
  MPRV_OFF
  li t0, MSTATUS_MPRV
  and a0, a0, t0
  # QEMU 7.2 keeps MPRV (the spec clears it on a return below M since 1.12).
  CHECK_DIFF a0, 0, MSTATUS_MPRV, 18
  CHECK s10, 9, 19                    # came back by ecall from S
  PASS

  MMU_END
  .section .text.s
  .align 12
s_stub:
  li a7, 1
  ecall
  .align 12
  .section .bss.pages
  .align 12
pages: .space 4096 * 4
