/**
 * Errors are data: a QMP error class plus a description a user can act on.
 * This table is the one place the classes are listed; `docs/errors.md`
 * documents each, and a test fails if one is undocumented.
 */
export const ERROR_CLASSES = {
  GenericError: 'The command failed; the description says why.',
  CommandNotFound: 'No such command, or the monitor is not in a state to accept it yet.',
  DeviceNotFound: 'The named device, object or path does not exist.',
  DeviceNotActive: 'The device exists but is not active.',
  KVMMissingCap: 'Reserved for QEMU compatibility; never raised here.',
} as const;

export type ErrorClass = keyof typeof ERROR_CLASSES;

/** The one error type that crosses the dispatcher: becomes `{error: {class, desc}}` on the wire. */
export class QmpError extends Error {
  constructor(
    readonly errorClass: ErrorClass,
    readonly desc: string,
  ) {
    super(desc);
    this.name = 'QmpError';
  }

  toJSON(): { class: ErrorClass; desc: string } {
    return { class: this.errorClass, desc: this.desc };
  }
}

/** `GenericError` with a description: the common case. */
export function fail(desc: string): never {
  throw new QmpError('GenericError', desc);
}

/** Turns anything a handler threw into a QmpError without losing its message. */
export function toQmpError(e: unknown): QmpError {
  if (e instanceof QmpError) return e;
  if (e instanceof Error) return new QmpError('GenericError', e.message);
  return new QmpError('GenericError', String(e));
}
