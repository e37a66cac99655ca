/* Shared macros for the ISA test programs: report through the SiFive test
 * device at 0x100000 (0x5555 = pass, (code << 16) | 0x3333 = fail).
 *
 * Every program runs on two platforms (test/isa/build.ts): the test bus of
 * test/cpu/test-bus.ts and, built with QEMU_VIRT, QEMU 7.2's virt board,
 * the reference. Both have RAM at 0x80000000, the test device, a CLINT and
 * the UART's scratch register; where a program needs more (an external
 * interrupt), it says what each platform does. */
#define FINISHER 0x100000
#define CLINT    0x2000000
#define UART     0x10000000
/* The UART's scratch register: one byte of plain storage on both platforms. */
#define UART_SCR (UART + 7)
/* Nothing answers here on either platform: accesses raise access faults. */
#define UNMAPPED 0x200000

/* QEMU exits with the failure code as its status, which keeps 8 bits. */
  .macro FAILCODE code
  .if (\code) < 1 || (\code) > 255
  .error "failure codes must be 1-255: QEMU reports them as its exit status"
  .endif
  .endm

  .macro PASS
  li t6, FINISHER
  li t5, 0x5555
  sw t5, 0(t6)
99: j 99b
  .endm

/* Fails with `code` unless register r equals the constant v (clobbers t4, t5, t6). */
  .macro CHECK r, v, code
  FAILCODE \code
  li t4, \v
  beq \r, t4, 98f
  li t5, ((\code) << 16) | 0x3333
  li t6, FINISHER
  sw t5, 0(t6)
97: j 97b
98:
  .endm

/* CHECK where QEMU 7.2 differs: r must equal v on vmledger and q on QEMU.
 * Mostly where QEMU departs from the specification, which vmledger follows;
 * each use says why. */
  .macro CHECK_DIFF r, v, q, code
#ifdef QEMU_VIRT
  CHECK \r, \q, \code
#else
  CHECK \r, \v, \code
#endif
  .endm

/* Fails with `code` unless registers a and b are equal. */
  .macro CHECKR a, b, code
  beq \a, \b, 94f
  FAIL \code
94:
  .endm

  .macro FAIL code
  FAILCODE \code
  li t5, ((\code) << 16) | 0x3333
  li t6, FINISHER
  sw t5, 0(t6)
96: j 96b
  .endm

/* A trap handler that records mcause in s10 and mtval in s11, counts traps
 * in s9, and resumes after the trapping instruction (2 or 4 bytes). */
  .macro SKIP_HANDLER name
  .align 4
\name:
  csrr s10, mcause
  csrr s11, mtval
  addi s9, s9, 1
  csrr t6, mepc
  lhu t5, 0(t6)
  andi t5, t5, 3
  addi t6, t6, 2
  li t4, 3
  bne t5, t4, 95f
  addi t6, t6, 2
95:
  csrw mepc, t6
  mret
  .endm

/* SKIP_HANDLER that also records mepc in s8 and, on an instruction access
 * fault (mcause 1), returns to ra: the faulting fetch was a call. */
  .macro FAULT_HANDLER name
  .align 4
\name:
  csrr s8, mepc
  csrr s10, mcause
  csrr s11, mtval
  addi s9, s9, 1
  li t6, 1
  bne s10, t6, 96f
  csrw mepc, ra
  mret
96:
  csrr t6, mepc
  lhu t5, 0(t6)
  andi t5, t5, 3
  addi t6, t6, 2
  li t4, 3
  bne t5, t4, 97f
  addi t6, t6, 2
97:
  csrw mepc, t6
  mret
  .endm

/* One PMP entry granting S and U everything: without a matching entry they
 * may access nothing (privileged spec 3.7.1), as firmware sets up before
 * leaving M-mode. Clobbers t0. */
  .macro PMP_ALLOW_ALL
  li t0, -1
  csrw pmpaddr0, t0
  li t0, 0x1f                         # NAPOT, R W X
  csrw pmpcfg0, t0
  .endm

  .macro START
  .section .text.init
  .globl _start
_start:
  la t0, default_handler
  csrw mtvec, t0
  li s9, 0
  .endm
