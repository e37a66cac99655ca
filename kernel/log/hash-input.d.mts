/** An entry's fields as `hashInput` reads them: structured ones (`args`, `origin`, `result`, `error`) as canonical JSON text. */
export interface HashInputFields {
  readonly seq: number;
  readonly time: number;
  readonly origin: string;
  readonly command: string;
  readonly args: string;
  readonly kind: string;
  readonly applied: boolean;
  readonly result: string | undefined;
  readonly error: string | undefined;
  readonly phaseBefore: string;
  readonly phaseAfter: string;
  readonly runStateBefore: string;
  readonly runStateAfter: string;
  readonly stateHash: string;
  readonly prevHash: string;
}

/** `JSON.stringify(s)` for strings drawn from a small set (keys, command names, phases), cached. */
export declare function quoteName(s: string): string;

/** `canonicalJson` of an entry without its `hash`, from its stored fields. */
export declare function hashInput(f: HashInputFields): string;
