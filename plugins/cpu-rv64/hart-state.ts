/**
 * What one RV64 hart saves in a snapshot, as data: the integer and FP
 * registers, pc, privilege, every CSR the core keeps (mstatus, delegation,
 * interrupt enables and pending bits, counters, satp, fcsr, the 64-bit
 * CSRs and PMP), the LR reservation and whether it waits in wfi. The TLB,
 * decode caches, compiled code and jump cache are derived from these and
 * are rebuilt after a load (`Rv64Hart.afterLoad`); the trap-storm count is
 * the run loop's diagnosis, not the guest's.
 */
import { vm } from '../hw/vmstate.js';
import { C64_COUNT } from './state.js';

/** The fields are the hart's own (`Rv64Hart`), read and written while it does not run. */
export const HART_STATE = {
  version: 1,
  fields: {
    /** x0..x31 low and high words (entries past 32 are the x0 sink and padding; saved whole, they are zero). */
    lo: vm.array('i32', 64),
    hi: vm.array('i32', 64),
    /** f0..f31, two words each. */
    f: vm.array('i32', 64),
    pcv: vm.num(),
    priv: vm.u8(),
    mstatus: vm.num(),
    medeleg: vm.num(),
    mideleg: vm.num(),
    mie: vm.num(),
    mipSw: vm.num(),
    /** Device-driven mip bits: the devices' own state agrees with them. */
    mipHw: vm.num(),
    mcounteren: vm.num(),
    scounteren: vm.num(),
    c64: vm.array('i32', 2 * C64_COUNT),
    instret: vm.num(),
    cycleDelta: vm.num(),
    instretDelta: vm.num(),
    /** LR reservation address, NaN for none. */
    resv: vm.num(),
    waiting: vm.bool(),
    satpLo: vm.num(),
    satpHi: vm.num(),
    frm: vm.u8(),
    fflags: vm.u8(),
  },
} as const;

/** What the cluster saves besides its harts: whose turn is next in the round-robin. */
export const CLUSTER_STATE = {
  version: 1,
  fields: { next: vm.u8() },
} as const;
