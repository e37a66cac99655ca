# F and D state without arithmetic (unprivileged spec 20.1-20.8, 21.2-21.6;
# privileged spec 3.1.6.6): every F/D instruction and CSR is illegal while
# mstatus.FS is Off (tval = its bits, 16 for compressed ones); FS goes from
# Initial or Clean to Dirty on writes to f registers or fcsr and not on
# reads or stores, with SD set in mstatus and sstatus; fcsr, frm and fflags
# as views of one register; NaN boxing: 32-bit loads and moves box, unboxed
# inputs read as the canonical NaN, moves and stores out take the low bits;
# loads and stores of every form, misaligned, and a faulting load that
# changes neither the register nor FS.
#include "common.h"
#define FS_MASK    (3 << 13)
#define FS_INITIAL (1 << 13)
#define FS_CLEAN   (2 << 13)
#define FS_DIRTY   (3 << 13)

/* Sets mstatus.FS (clobbers t0). */
  .macro SET_FS fs
  li t0, FS_MASK
  csrc mstatus, t0
  li t0, \fs
  csrs mstatus, t0
  .endm

/* Fails with code unless mstatus.FS is fs (clobbers a5). */
  .macro CHECK_FS fs, code
  csrr a5, mstatus
  li t0, FS_MASK
  and a5, a5, t0
  CHECK a5, \fs, \code
  .endm

/* Fails with code unless the last trap was illegal-instruction with the bits at label as tval. */
  .macro CHECK_ILLEGAL label, code
  CHECK s10, 2, \code
  la t0, \label
  lhu t1, 0(t0)
  andi t2, t1, 3
  li t3, 3
  bne t2, t3, 93f
  lwu t1, 0(t0)
93: CHECKR s11, t1, \code
  .endm

  START
  la sp, data
  mv s0, sp
  # 1. FS Off (the reset value): everything F and D is illegal.
  CHECK_FS 0, 1
1: flw ft0, 0(sp)
  CHECK_ILLEGAL 1b, 2
2: fsd ft0, 0(sp)
  CHECK_ILLEGAL 2b, 3
3: fmv.x.w a0, ft0
  CHECK_ILLEGAL 3b, 4
4: fmv.d.x ft0, a0
  CHECK_ILLEGAL 4b, 5
5: fsgnj.d ft0, ft1, ft2
  CHECK_ILLEGAL 5b, 6
6: fadd.s ft0, ft1, ft2
  CHECK_ILLEGAL 6b, 7
7: c.fld fs0, 0(s0)
  CHECK_ILLEGAL 7b, 8
8: c.fsdsp fs1, 8(sp)
  CHECK_ILLEGAL 8b, 9
9: csrr a0, fcsr
  CHECK_ILLEGAL 9b, 10
10: csrwi frm, 1
  CHECK_ILLEGAL 10b, 11
  CHECK s9, 10, 12
  # 2. Initial -> Dirty on a write to an f register; SD follows.
  li s9, 0
  SET_FS FS_INITIAL
  CHECK_FS FS_INITIAL, 13
  csrr a0, mstatus
  srli a0, a0, 63
  CHECK a0, 0, 53
  li a0, 0x3f800000
  fmv.w.x ft1, a0
  CHECK_FS FS_DIRTY, 14
  csrr a0, mstatus
  srli a0, a0, 63
  CHECK a0, 1, 15
  csrr a0, sstatus
  srli a0, a0, 63
  CHECK a0, 1, 16
  # 3. Clean stays Clean on reads, moves out and stores; loads, moves in,
  # sign injection and CSR writes make it Dirty.
  SET_FS FS_CLEAN
  csrr a0, mstatus
  srli a0, a0, 63
  CHECK a0, 0, 17
  fsw ft1, 0(sp)
  fsd ft1, 8(sp)
  fmv.x.w a0, ft1
  csrr a0, fcsr
  frrm a0
  CHECK_FS FS_CLEAN, 18
  flw ft2, 0(sp)
  CHECK_FS FS_DIRTY, 19
  SET_FS FS_CLEAN
  fsgnj.s ft3, ft1, ft1
  CHECK_FS FS_DIRTY, 20
  SET_FS FS_CLEAN
  csrw fflags, zero
  CHECK_FS FS_DIRTY, 21
  SET_FS FS_CLEAN
  csrw fcsr, zero
  CHECK_FS FS_DIRTY, 54
  SET_FS FS_CLEAN
  csrwi frm, 0
  CHECK_FS FS_DIRTY, 55
  SET_FS FS_CLEAN
  fmv.d.x ft4, zero
  CHECK_FS FS_DIRTY, 22
  # A load that faults writes neither the register nor FS.
  SET_FS FS_CLEAN
  li a1, UNMAPPED
  fld ft1, 0(a1)
  CHECK s10, 5, 23
  CHECKR s11, a1, 24
  CHECK_FS FS_CLEAN, 25
  fmv.x.d a0, ft1
  CHECK a0, 0xffffffff3f800000, 26
  CHECK s9, 1, 27
  # 4. fcsr = frm << 5 | fflags; writes keep 8 bits, 3 and 5.
  li a0, -1
  csrw fcsr, a0
  csrr a0, fcsr
  CHECK a0, 0xff, 28
  csrr a0, fflags
  CHECK a0, 0x1f, 29
  csrr a0, frm
  CHECK a0, 7, 30
  csrwi frm, 3
  csrr a0, fcsr
  CHECK a0, 0x7f, 31
  csrrci a0, fflags, 0x15
  CHECK a0, 0x1f, 32
  csrr a0, fcsr
  CHECK a0, 0x6a, 33
  fsrm a0, zero
  CHECK a0, 3, 34
  fsflags a0, zero
  CHECK a0, 0x0a, 35
  csrr a0, fcsr
  CHECK a0, 0, 36
  # 5. NaN boxing.
  fmv.x.d a0, ft1                     # fmv.w.x boxed
  CHECK a0, 0xffffffff3f800000, 37
  li a0, 0x40490fdb
  sw a0, 16(sp)
  flw ft2, 16(sp)                     # flw boxes
  fmv.x.d a0, ft2
  CHECK a0, 0xffffffff40490fdb, 38
  li a0, 0x000000003f800000           # not boxed
  fmv.d.x ft3, a0
  fsgnj.s ft4, ft3, ft3               # reads as the canonical NaN
  fmv.x.d a0, ft4
  CHECK a0, 0xffffffff7fc00000, 39
  fsgnjn.s ft4, ft3, ft3
  fmv.x.d a0, ft4
  CHECK a0, 0xffffffffffc00000, 40
  fsgnjx.s ft4, ft1, ft3              # sign of 1.0 xor the canonical NaN's
  fmv.x.d a0, ft4
  CHECK a0, 0xffffffff3f800000, 41
  fsgnjn.s ft4, ft1, ft1
  fmv.x.d a0, ft4
  CHECK a0, 0xffffffffbf800000, 42
  fmv.x.w a0, ft3                     # moves out take the low bits
  CHECK a0, 0x3f800000, 43
  li a0, 0x1234567880000001
  fmv.d.x ft5, a0
  fmv.x.w a0, ft5                     # sign-extended
  CHECK a0, 0xffffffff80000001, 44
  fsw ft5, 24(sp)
  lwu a0, 24(sp)
  CHECK a0, 0x80000001, 45
  fsgnjn.d ft6, ft1, ft1              # D sign injection: raw bits
  fmv.x.d a0, ft6
  CHECK a0, 0x7fffffff3f800000, 46
  fsgnjx.d ft6, ft5, ft6
  fmv.x.d a0, ft6
  CHECK a0, 0x1234567880000001, 47
  # 6. Loads and stores: compressed, misaligned, round trips.
  li a0, 0x0123456789abcdef
  sd a0, 32(sp)
  c.fldsp fs0, 32(sp)
  c.fsd fs0, 40(s0)
  ld a1, 40(sp)
  CHECKR a1, a0, 48
  fsd fs0, 37(sp)                     # misaligned
  addi a2, sp, -3
  c.fld fs1, 40(a2)                   # sp + 37
  fsd fs1, 49(sp)
  ld a1, 49(sp)
  CHECKR a1, a0, 49
  flw fs2, 51(sp)
  fmv.x.d a1, fs2
  CHECK a1, 0xffffffff456789ab, 50
  c.fsdsp fs2, 64(sp)
  ld a1, 64(sp)
  CHECK a1, 0xffffffff456789ab, 51
  CHECK s9, 1, 52
  PASS
  SKIP_HANDLER default_handler
  .data
  .align 6
data: .space 128
