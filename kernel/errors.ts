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
  /** One line, whatever a client put into the names it quotes: control characters are shown escaped. */
  readonly desc: string;

  constructor(
    readonly errorClass: ErrorClass,
    desc: string,
  ) {
    const line = escapeControls(desc);
    super(line);
    this.desc = line;
    this.name = 'QmpError';
  }

  toJSON(): { class: ErrorClass; desc: string } {
    return { class: this.errorClass, desc: this.desc };
  }
}

/** `text` with its control characters written as JSON writes them (\n, \t, \u0007), so it shows on one line as it was. */
export function escapeControls(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => CONTROL_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
const CONTROL_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

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
