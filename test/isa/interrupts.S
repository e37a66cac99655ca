# Interrupts: machine timer, software and external interrupts; priority
# (MEI > MSI > MTI > SEI > SSI > STI); vectored mtvec; wfi waking with
# interrupts globally disabled; S-mode timer interrupt delegated through
# mideleg and raised by M-mode through mip.STIP. Each interrupt taken is
# appended to a log (cause | 0x100 vectored, | 0x200 taken in S).
#include "common.h"
#define MAILBOX 0x80080000
#define LOG     0x80081000

/* An external interrupt: on the test bus the harness raises MEIP when the
 * mailbox word is 1 and lowers it when it is 2 (the handler writes 2); on
 * QEMU's virt board the UART's transmitter-empty interrupt reaches hart 0's
 * M-mode context through the PLIC (source 10). Clobbers t0, t1 (t1, t2). */
#ifdef QEMU_VIRT
#define PLIC 0x0c000000
  .macro RAISE_MEI
  li t0, PLIC + 4 * 10                # source 10's priority
  li t1, 1
  sw t1, 0(t0)
  li t0, PLIC + 0x2000                # context 0's enables
  li t1, 1 << 10
  sw t1, 0(t0)
  li t0, PLIC + 0x200000              # context 0's threshold
  sw zero, 0(t0)
  li t0, UART + 1                     # IER: transmitter empty
  li t1, 2
  sb t1, 0(t0)
  .endm
  .macro LOWER_MEI
  li t1, UART + 1
  sb zero, 0(t1)
  li t1, PLIC + 0x200004              # claim and complete
  lw t2, 0(t1)
  sw t2, 0(t1)
  .endm
#else
  .macro RAISE_MEI
  li t0, MAILBOX
  li t1, 1
  sw t1, 0(t0)
  .endm
  .macro LOWER_MEI
  .endm
#endif
  .section .text.init
  .globl _start
_start:
  PMP_ALLOW_ALL
  la t0, m_handler
  csrw mtvec, t0
  li s1, LOG                          # log write pointer
  li s2, LOG
  li s3, CLINT
  li t0, 0x4000
  add s4, s3, t0                      # mtimecmp[0]
  li t0, 0xbff8
  add s5, s3, t0                      # mtime
  li t0, -1
  sd t0, 0(s4)
  # 1. Machine timer interrupt out of wfi. wfi waits with MIE = 0 and the
  # interrupt is taken after it: taken just before a wfi, it would leave
  # that wfi waiting for nothing (QEMU's timer runs on real time).
  ld t0, 0(s5)
  addi t0, t0, 100
  sd t0, 0(s4)
  li t0, 1 << 7
  csrw mie, t0
1: wfi
  csrsi mstatus, 8
  csrci mstatus, 8
  beq s1, s2, 1b
  ld a0, 0(s2)
  CHECK a0, 7, 1
  csrr a0, mcause
  CHECK a0, 0x8000000000000007, 2
  # 2. Priority: MSI before MTI when both are pending.
  csrci mstatus, 8
  li t0, 1
  sw t0, 0(s3)                        # msip
  sd zero, 0(s4)                      # mtimecmp = 0: MTIP
  li t0, (1 << 3) | (1 << 7)
  csrw mie, t0
  csrr a0, mip
  andi a0, a0, 0x88
  CHECK a0, 0x88, 3
  csrsi mstatus, 8
  nop
  nop
  ld a0, 8(s2)
  CHECK a0, 3, 4
  ld a0, 16(s2)
  CHECK a0, 7, 5
  # 3. Vectored mode: the software interrupt enters at base + 4 * 3.
  csrci mstatus, 8
  la t0, vtable
  ori t0, t0, 1
  csrw mtvec, t0
  li t0, 1
  sw t0, 0(s3)
  csrsi mstatus, 8
  nop
  ld a0, 24(s2)
  CHECK a0, 0x103, 6
  csrci mstatus, 8
  la t0, m_handler
  csrw mtvec, t0
  # 4. wfi wakes on a pending enabled interrupt even with MIE = 0, without trapping.
  li t0, 1 << 7
  csrw mie, t0
  ld t0, 0(s5)
  addi t0, t0, 50
  sd t0, 0(s4)
  mv s6, s1
  wfi
  CHECKR s1, s6, 7
  csrr a0, mip
  andi a0, a0, 0x80
  CHECK a0, 0x80, 8
  li t0, -1
  sd t0, 0(s4)
  # 5. External interrupt (the handler sets the mailbox word to 2).
  li t0, 1 << 11
  csrw mie, t0
  li s7, MAILBOX                      # (the handler clobbers t0-t2)
  RAISE_MEI
  li s10, 2
2: wfi
  csrsi mstatus, 8
  csrci mstatus, 8
  lw s8, 0(s7)
  bne s8, s10, 2b
  ld a0, 32(s2)
  CHECK a0, 11, 9
  # 6. Delegated S timer interrupt: not taken in M, taken in S.
  csrci mstatus, 8
  li t0, 1 << 5
  csrw mideleg, t0
  csrw mie, t0                        # STIE
  la t0, s_handler
  csrw stvec, t0
  li t0, 1 << 5
  csrs mip, t0                        # M raises STIP
  csrsi mstatus, 8
  nop
  nop
  CHECK s1, LOG + 40, 10              # nothing taken in M
  li t0, 0x1800
  csrc mstatus, t0
  li t0, 0x0800 | (1 << 5)            # MPP = S, SPIE = 1 (sret not used, set SIE directly)
  csrs mstatus, t0
  csrsi mstatus, 2                    # SIE
  la t0, s_code
  csrw mepc, t0
  mret
s_code:
  nop
  nop
  ld a0, 40(s2)
  CHECK a0, 0x205, 11
  csrr a0, scause
  CHECK a0, 0x8000000000000005, 12
  PASS

  .align 4
m_handler:
  csrr t0, mcause
  bgez t0, m_exception
  andi t0, t0, 63
  sd t0, 0(s1)
  addi s1, s1, 8
  li t1, 7
  bne t0, t1, 1f
  li t1, -1
  sd t1, 0(s4)                        # timer: push mtimecmp out
1: li t1, 3
  bne t0, t1, 2f
  sw zero, 0(s3)                      # software: clear msip
2: li t1, 11
  bne t0, t1, 3f
  li t1, 1 << 11
  csrc mie, t1                        # external: mask it, tell the main code
  LOWER_MEI
  li t1, MAILBOX
  li t2, 2
  sw t2, 0(t1)
3: mret
m_exception:
  li t1, 9
  bne t0, t1, m_bad
  li t1, 1 << 5
  csrc mip, t1                        # ecall from S: clear STIP
  csrr t1, mepc
  addi t1, t1, 4
  csrw mepc, t1
  mret
m_bad:
  FAIL 100

  .align 4
s_handler:
  csrr t0, scause
  andi t0, t0, 63
  ori t0, t0, 0x200
  sd t0, 0(s1)
  addi s1, s1, 8
  ecall                               # ask M to clear STIP
  sret

  .option push
  .option norvc
  .align 6
vtable:
  j m_bad
  j m_bad
  j m_bad
  j vmsi
  j m_bad
  j m_bad
  j m_bad
  j m_handler
  j m_bad
  j m_bad
  j m_bad
  j m_handler
  .option pop
vmsi:
  li t0, 0x103
  sd t0, 0(s1)
  addi s1, s1, 8
  sw zero, 0(s3)
  mret
