import type { Origin } from '../../kernel/origin.js';

/** One command a transport will execute, with where it came from (the unit of an expansion or a plan). */
export interface Step {
  readonly execute: string;
  readonly arguments: Record<string, unknown>;
  readonly origin: Origin;
}

/** A step before its origin is attached: what an option or a config entry expands to. */
export interface Draft {
  readonly execute: string;
  readonly arguments: Record<string, unknown>;
  /** Set when the draft came from elsewhere (a file injected by -readconfig) and keeps its own origin. */
  readonly origin?: Origin;
}

/** A transport-level failure that names where it happened (option, file position) and what went wrong. */
export class TransportError extends Error {
  override readonly name = 'TransportError';
  constructor(
    /** `option 3 (-device)` or `vm.yaml:12:3`. */
    readonly where: string,
    readonly problem: string,
  ) {
    super(`${where}: ${problem}`);
  }
}
