/** An entry's fields as `hashInput` reads them: structured ones (`args`, `origin`, `result`, `error`) as canonical JSON text. */
export interface HashInputFields extends HashInputParts {
  readonly seq: number;
  readonly prevHash: string;
}

/** The fields the parts around the previous hash and the sequence number are built from. */
export interface HashInputParts {
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
}

/** `JSON.stringify(s)` for strings drawn from a small set (keys, command names, phases), cached. */
export declare function quoteName(s: string): string;

/** The input up to the previous hash. */
export declare function hashInputHead(f: HashInputParts): string;
/** The input between the previous hash and the sequence number. */
export declare function hashInputMiddle(f: HashInputParts): string;
/** The input after the sequence number. */
export declare function hashInputTail(f: HashInputParts): string;
/** The whole input from its three parts and the two values between them. */
export declare function joinHashInput(head: string, prevHash: string, middle: string, seq: number, tail: string): string;

/** `canonicalJson` of an entry without its `hash`, from its stored fields. */
export declare function hashInput(f: HashInputFields): string;
