# Every implemented CSR: values, WARL masks, read-only and unimplemented
# CSRs raising illegal-instruction with tval = instruction bits.
#include "common.h"
  START
  li t0, CLINT + 0x4000               # mtimecmp far ahead: no MTIP in mip
  li t1, -1
  sd t1, 0(t0)
  csrr a0, misa
  CHECK a0, 0x800000000014112d, 1     # MXL=2, A C D F I M S U
  csrr a0, mvendorid
  CHECK a0, 0, 2
  csrr a0, marchid
  csrr a1, mimpid
  or a0, a0, a1
  CHECK a0, 0, 3
  csrr a0, mhartid
  CHECK a0, 0, 4
  li t0, 0x123456789abcdef0
  csrw mscratch, t0
  csrr a0, mscratch
  CHECKR a0, t0, 5
  csrrw a0, mscratch, zero           # returns the old value
  CHECKR a0, t0, 6
  csrw sscratch, t0
  csrr a0, sscratch
  CHECKR a0, t0, 7
  # mstatus: UXL=SXL=2, MPP WARL (2 is reserved and keeps the old value)
  csrr a0, mstatus
  srli a0, a0, 32
  CHECK a0, 0xa, 8
  li t0, 0x1800
  csrs mstatus, t0                    # MPP = 3
  li t0, 0x1000
  csrc mstatus, t0                    # would make MPP = 1... then try 2
  li t0, 0x1800
  csrc mstatus, t0
  li t0, 0x1000
  csrs mstatus, t0                    # MPP = 2: reserved, keeps 0
  csrr a0, mstatus
  li t0, 0x1800
  and a0, a0, t0
  # QEMU 7.2 keeps MPP = 2 (the spec makes MPP WARL, holding only modes the hart has).
  CHECK_DIFF a0, 0, 0x1000, 9
  # sstatus is a view: SIE set through sstatus shows in mstatus, MIE is not visible
  csrsi sstatus, 2
  csrr a0, mstatus
  andi a0, a0, 2
  CHECK a0, 2, 10
  csrsi mstatus, 8
  csrr a0, sstatus
  andi a0, a0, 8
  CHECK a0, 0, 11
  csrci mstatus, 0xa
  csrr a0, sstatus
  srli a0, a0, 32
  CHECK a0, 2, 12                     # UXL only
  # mtvec/stvec: mode 1 kept, mode 2/3 reserved
  la t0, default_handler
  ori t1, t0, 1
  csrw mtvec, t1
  csrr a0, mtvec
  CHECKR a0, t1, 13
  csrw mtvec, t0
  csrw stvec, t1
  csrr a0, stvec
  CHECKR a0, t1, 14
  ori t1, t0, 2
  csrw stvec, t1
  csrr a0, stvec
  andi a0, a0, 3
  CHECK a0, 1, 15
  # mepc/sepc: bit 0 is always 0
  li t0, 0x80001235
  csrw mepc, t0
  csrr a0, mepc
  # QEMU 7.2 keeps bit 0, which the spec makes read-only 0 (3.1.14, 4.1.7).
  CHECK_DIFF a0, 0x80001234, 0x80001235, 16
  csrw sepc, t0
  csrr a0, sepc
  CHECK_DIFF a0, 0x80001234, 0x80001235, 17
  li t0, 0x8000000000000005
  csrw mcause, t0
  csrr a0, mcause
  CHECKR a0, t0, 18
  csrw scause, t0
  csrr a0, scause
  CHECKR a0, t0, 19
  li t0, -1
  csrw mtval, t0
  csrr a0, mtval
  CHECK a0, -1, 20
  csrw stval, t0
  csrr a0, stval
  CHECK a0, -1, 21
  # Delegation and interrupt-enable masks. QEMU 7.2 keeps the bits of the
  # H extension's causes and interrupts with h=false, of LCOFI without
  # Sscofpmf, and medeleg bits 10 and 11 (the spec makes medeleg[11]
  # read-only 0 and asks the same of causes that cannot occur).
  csrw medeleg, t0
  csrr a0, medeleg
  CHECK_DIFF a0, 0xb3ff, 0xf0bfff, 22
  csrw mideleg, t0
  csrr a0, mideleg
  CHECK_DIFF a0, 0x222, 0x2666, 23
  csrw mie, t0
  csrr a0, mie
  CHECK_DIFF a0, 0xaaa, 0x2eee, 24
  csrr a0, sie                        # view through mideleg
  CHECK_DIFF a0, 0x222, 0x2222, 25
  csrw sie, zero
  csrr a0, mie
  CHECK_DIFF a0, 0x888, 0xccc, 26
  csrw mie, zero
  # mip: SSIP, STIP, SEIP writable from M; sip: SSIP only
  csrw mip, t0
  csrr a0, mip
  CHECK_DIFF a0, 0x222, 0x2666, 27
  csrr a0, sip
  CHECK_DIFF a0, 0x222, 0x2222, 28
  csrw sip, zero
  csrr a0, mip
  CHECK_DIFF a0, 0x220, 0x664, 29
  csrw mip, zero
  csrw mideleg, zero
  csrw medeleg, zero
  # Counter enables: CY, TM, IR only. QEMU 7.2 keeps all 64 bits of these
  # 32-bit registers (3.1.11).
  csrw mcounteren, t0
  csrr a0, mcounteren
  CHECK_DIFF a0, 7, -1, 30
  csrw scounteren, t0
  csrr a0, scounteren
  CHECK_DIFF a0, 7, -1, 31
  # PMP: plain storage, pmpaddr is 54 bits; QEMU 7.2 keeps bits 63:54 too (3.7.1).
  csrw pmpaddr0, t0
  csrr a0, pmpaddr0
  CHECK_DIFF a0, 0x003fffffffffffff, -1, 32
  csrw pmpaddr15, t0
  csrr a0, pmpaddr15
  CHECK_DIFF a0, 0x003fffffffffffff, -1, 33
  li t1, 0x1f1f
  csrw pmpcfg0, t1
  csrr a0, pmpcfg0
  CHECKR a0, t1, 34
  csrw pmpcfg2, t1
  csrr a0, pmpcfg2
  CHECKR a0, t1, 35
  # satp: Sv39 and Sv48 are kept with their ASID and PPN; a MODE this hart
  # lacks (Sv57) changes nothing. QEMU 7.2 has Sv57 and no switch to drop it.
  li t1, 0x8ffff00000080000
  csrw satp, t1
  csrr a0, satp
  CHECKR a0, t1, 36
  li t2, 0xa000000000012345
  csrw satp, t2
  csrr a0, satp
  CHECK_DIFF a0, 0x8ffff00000080000, 0xa000000000012345, 48
  li t1, 0x9000000000080000
  csrw satp, t1
  csrr a0, satp
  CHECKR a0, t1, 49
  csrw satp, zero
  # counters move; mcycle/minstret writable; time reads mtime
  rdcycle a0
  rdcycle a1
  bgtu a1, a0, 1f
  FAIL 37
1: rdinstret a0
  rdinstret a1
  bgtu a1, a0, 2f
  FAIL 38
2: li t1, 0x100000000
  csrw minstret, t1
  csrr a0, minstret
  bgeu a0, t1, 3f
  FAIL 39
3: li t1, 0x100000000                # mcycle is writable (QEMU counts host cycles: no small bound)
  csrw mcycle, t1
  csrr a0, mcycle
  sub a0, a0, t1
  srli a0, a0, 32
  beqz a0, 4f
  FAIL 40
4: li t2, CLINT + 0xbff8
  ld a1, 0(t2)
  rdtime a0
  bgeu a0, a1, 5f
  FAIL 41
5:
  # Illegal: unimplemented CSRs (tval = instruction bits)
  li s9, 0
6: csrr a0, 0x14d                     # stimecmp (Sstc)
  CHECK s10, 2, 42
  la t0, 6b
  lwu t0, 0(t0)
  CHECKR s11, t0, 43
  csrr a0, 0x3a1                      # pmpcfg1 does not exist on RV64
  csrr a0, 0xc80                      # cycleh is RV32 only
  csrr a0, 0x3c0                      # pmpaddr16
  csrr a0, 0x7a0                      # tselect
  csrr a0, 0xb03                      # mhpmcounter3
  csrr a0, 0x001                      # fflags while mstatus.FS is Off
  CHECK s9, 7, 44
  # mcountinhibit and menvcfg: left out on purpose (csr.ts); QEMU 7.2 has both.
  li s9, 0
  csrr a0, mcountinhibit
  csrr a0, 0x30a                      # menvcfg
  CHECK_DIFF s9, 2, 0, 45
  # Illegal: writes to read-only CSRs; reading them with csrrs x0 is fine
  li s9, 0
  csrw mhartid, zero
  csrrs a0, cycle, t0
  csrrwi a0, mvendorid, 0
  CHECK s9, 3, 46
  csrrs a0, mhartid, zero
  csrrsi a0, mimpid, 0
  CHECK s9, 3, 47
  PASS
  SKIP_HANDLER default_handler
