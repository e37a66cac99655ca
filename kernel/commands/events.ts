import { defineEvent } from '../command.js';
import { t } from '../schema/types.js';

const ShutdownCause = t.str('host-qmp-quit, host-qmp-system-reset, guest-shutdown, guest-reset, guest-panic, host-signal');

/** Where and why a guest stopped for good (GuestPanicInfo in context.ts). */
export const GuestPanicInformation = t.object(
  {
    type: t.enum('GuestPanicInformationType', ['riscv'], 'The architecture the rest describes'),
    message: t.str('What happened, in one line'),
    hart: t.optional(t.int(), 'The hart that stopped'),
    pc: t.optional(t.str(), 'The pc of the instruction that trapped, in hex'),
    cause: t.optional(t.int(), 'The exception cause (RISC-V privileged spec table 3.6)'),
    tval: t.optional(t.str(), 'The trap value (faulting address or instruction bits), in hex'),
  },
  { name: 'GuestPanicInformation' },
);

/** The run-state and device events the kernel itself emits. */
export const KERNEL_EVENTS = [
  defineEvent({ name: 'STOP', data: t.empty(), doc: 'The guest was paused' }),
  defineEvent({ name: 'RESUME', data: t.empty(), doc: 'The guest started or resumed running' }),
  defineEvent({ name: 'SHUTDOWN', data: t.object({ guest: t.bool(), reason: ShutdownCause }), doc: 'The guest shut down, or the host asked it to' }),
  defineEvent({ name: 'RESET', data: t.object({ guest: t.bool(), reason: ShutdownCause }), doc: 'The guest was reset' }),
  defineEvent({
    name: 'GUEST_PANICKED',
    data: t.object({ action: t.str(), info: t.optional(GuestPanicInformation) }),
    doc: 'The guest panicked, or the machine found it in a state it cannot leave (a trap storm); info says where and why',
  }),
  defineEvent({
    name: 'LOG_CHECKPOINT',
    data: t.object({
      kind: t.str('checkpoint while the log grows, seal when it is closed'),
      size: t.int(),
      root: t.str(),
      chain: t.str(),
      time: t.int(),
      'key-id': t.optional(t.str()),
      signature: t.optional(t.str()),
      text: t.str(),
    }),
    doc: 'The command log made a checkpoint (its size and Merkle root, signed with -log-key): a witness keeps it to check the log against later',
  }),
  defineEvent({
    name: 'COMMAND_LOG_ERROR',
    data: t.object({ reason: t.str(), action: t.enum('LogErrorAction', ['stop', 'refuse-changes']) }),
    doc: 'The command log could not be written: the commands not yet recorded were undone, and from now on changes are refused (with action stop the guest is paused too)',
  }),
  defineEvent({
    name: 'DEVICE_DELETED',
    data: t.object({ device: t.optional(t.str()), path: t.str() }),
    doc: 'A device was removed and its id may be reused',
  }),
];
