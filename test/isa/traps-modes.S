# Trap entry and return in M, S and U; delegation through medeleg;
# privileged instructions and CSRs from lower modes; TSR, TW, TVM; counter
# enables. Handlers record cause in s10, tval in s11, previous mode in s8,
# and count traps in s9. An ecall with a7=1 continues at a6 in the
# handler's mode; any other trap resumes after the trapping instruction.
#include "common.h"
  .section .text.init
  .globl _start
_start:
  PMP_ALLOW_ALL
  la t0, m_handler
  csrw mtvec, t0
  la t0, s_handler
  csrw stvec, t0
  li s9, 0
  # 1. ecall from M: cause 11, MPP = M
  li a7, 0
  ecall
  CHECK s10, 11, 1
  CHECK s8, 3, 2
  # mret: MIE <- MPIE, MPIE <- 1, privilege <- MPP
  li t0, 0x1880                       # MPP = M, MPIE = 1
  csrs mstatus, t0
  la t0, 1f
  csrw mepc, t0
  mret
  FAIL 3
1: csrr a0, mstatus
  andi a0, a0, 0x88
  CHECK a0, 0x88, 4                   # MIE and MPIE set
  csrci mstatus, 8
  # 2. Into S-mode through mret
  li t0, 0x1800
  csrc mstatus, t0
  li t0, 0x0800                       # MPP = S
  csrs mstatus, t0
  la t0, s_code
  csrw mepc, t0
  mret
  FAIL 5
s_code:
  csrr a0, sstatus                    # S may read sstatus
  csrr a0, mstatus                    # but not M CSRs
  CHECK s10, 2, 6
  CHECK s8, 1, 7
  mret                                # mret from S is illegal
  CHECK s10, 2, 8
  li t0, 0x30200073
  CHECKR s11, t0, 9
  rdcycle a0                          # mcounteren = 0: illegal in S
  CHECK s10, 2, 10
  li a7, 1
  la a6, back_in_m
  ecall
  FAIL 11
back_in_m:
  CHECK s10, 9, 12                    # ecall from S
  CHECK s8, 1, 13
  # 3. Into U-mode
  li t0, 0x1800
  csrc mstatus, t0                    # MPP = U
  la t0, u_code
  csrw mepc, t0
  li s9, 0
  mret
u_code:
  csrr a0, sstatus
  CHECK s10, 2, 14
  CHECK s8, 0, 15
  sret
  CHECK s10, 2, 16
  wfi
  CHECK s10, 2, 17
  sfence.vma
  CHECK s10, 2, 18
  rdtime a0
  CHECK s10, 2, 19
  CHECK s9, 5, 20
  li a7, 1
  la a6, back_in_m2
  ecall
back_in_m2:
  CHECK s10, 8, 21                    # ecall from U
  # 4. Delegation: illegal instruction and ecall from U go to S.
  li t0, (1 << 8) | (1 << 2)
  csrw medeleg, t0
  li t0, 0x1800
  csrc mstatus, t0
  li t0, 0x0800
  csrs mstatus, t0                    # MPP = S
  la t0, s_code2
  csrw mepc, t0
  li s9, 0
  mret
s_code2:
  li t0, 0x100
  csrc sstatus, t0                    # SPP = U
  la t0, u_code2
  csrw sepc, t0
  sret
u_code2:
  csrr a0, mstatus                    # delegated illegal: handled in S
  CHECK s10, 2, 22
  CHECK s8, 0, 23
  li a7, 1
  la a6, s_code3
  ecall                               # delegated: S handler continues at s_code3 in S
  FAIL 24
s_code3:
  CHECK s10, 8, 25
  csrr a0, scause
  CHECK a0, 8, 26
  csrr a0, mcause                     # illegal in S: goes to M (not delegated from S? medeleg bit 2 is set, so S handles it)
  CHECK s10, 2, 27
  CHECK s8, 1, 28
  # ecall from S is not delegated: M handles it
  li a7, 1
  la a6, back_in_m3
  ecall
back_in_m3:
  CHECK s10, 9, 29
  csrr a0, mcause
  CHECK a0, 9, 30
  csrw medeleg, zero
  # 5. TSR, TW, TVM trap sret, wfi, satp/sfence.vma in S
  li t0, (1 << 22) | (1 << 21) | (1 << 20)
  csrs mstatus, t0
  li t0, 0x1800
  csrc mstatus, t0
  li t0, 0x0800
  csrs mstatus, t0
  la t0, s_code4
  csrw mepc, t0
  li s9, 0
  mret
s_code4:
  sret
  CHECK s10, 2, 31
  wfi
  CHECK s10, 2, 32
  csrr a0, satp
  CHECK s10, 2, 33
  sfence.vma
  CHECK s10, 2, 34
  CHECK s9, 4, 35
  li a7, 1
  la a6, back_in_m4
  ecall
back_in_m4:
  li t0, (1 << 22) | (1 << 21) | (1 << 20)
  csrc mstatus, t0
  # 6. Counter enables: mcounteren lets S read cycle, scounteren lets U.
  li t0, 1
  csrw mcounteren, t0
  li t0, 0x1800
  csrc mstatus, t0
  li t0, 0x0800
  csrs mstatus, t0
  la t0, s_code5
  csrw mepc, t0
  li s9, 0
  mret
s_code5:
  rdcycle a0
  rdinstret a0                        # IR not enabled
  CHECK s9, 1, 36
  csrw scounteren, zero
  li t0, 0x100
  csrc sstatus, t0
  la t0, u_code5
  csrw sepc, t0
  sret
u_code5:
  rdcycle a0                          # scounteren.CY = 0
  CHECK s9, 2, 37
  li a7, 1
  la a6, done
  ecall
done:
  # ebreak: cause 3, tval 0 (as QEMU 7.2; the spec also allows the pc)
  li a7, 0
  li s11, -1
2: ebreak
  CHECK s10, 3, 38
  CHECK s11, 0, 39
  PASS

  .align 4
m_handler:
  csrr s10, mcause
  csrr s11, mtval
  csrr s8, mstatus
  srli s8, s8, 11
  andi s8, s8, 3
  addi s9, s9, 1
  li t6, 8
  bltu s10, t6, m_skip
  li t6, 1
  bne a7, t6, m_skip
  csrw mepc, a6                       # continue at a6 in M
  li t6, 0x1800
  csrs mstatus, t6
  mret
m_skip:
  csrr t6, mepc
  lhu t5, 0(t6)
  andi t5, t5, 3
  addi t6, t6, 2
  li t4, 3
  bne t5, t4, 1f
  addi t6, t6, 2
1: csrw mepc, t6
  mret

  .align 4
s_handler:
  csrr s10, scause
  csrr s11, stval
  csrr s8, sstatus
  srli s8, s8, 8
  andi s8, s8, 1
  addi s9, s9, 1
  li t6, 8
  bltu s10, t6, s_skip
  li t6, 1
  bne a7, t6, s_skip
  csrw sepc, a6                       # continue at a6 in S
  li t6, 0x100
  csrs sstatus, t6
  sret
s_skip:
  csrr t6, sepc
  lhu t5, 0(t6)
  andi t5, t5, 3
  addi t6, t6, 2
  li t4, 3
  bne t5, t4, 1f
  addi t6, t6, 2
1: csrw sepc, t6
  sret
