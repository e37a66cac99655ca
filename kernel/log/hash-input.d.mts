/** The fields of an entry after its sequence number and previous hash: structured ones (`args`, `origin`, `result`, `error`) as canonical JSON text. */
export interface EntryHashParts {
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

/** An entry's fields as its hash input reads them. */
export interface EntryHashFields extends EntryHashParts {
  readonly seq: number;
  readonly prevHash: string;
}

/** A header version as stored: the header is canonical JSON text. */
export interface HeaderHashFields {
  readonly atSeq: number;
  readonly prevHash: string;
  readonly time: number;
  readonly header: string;
}

/** A seal as stored. */
export interface SealHashFields {
  readonly seq: number;
  readonly prevHash: string;
  readonly time: number;
}

/** The log's first record: its identity, when it was created, and its signing key (raw Ed25519 public key, base64; empty without one). */
export interface LogHashFields {
  readonly id: string;
  readonly created: number;
  readonly key: string;
}

/** `<UTF-8 byte length>:<s>,`. */
export declare function netstring(s: string): string;
/** `netstring(s)` for strings drawn from a small set, cached. */
export declare function nameNetstring(s: string): string;
/** The hash format of new logs. */
export declare const HASH_FORMAT: 2;

/** The entry's input after its sequence number and previous hash. */
export declare function entryHashRest(f: EntryHashParts): string;
/** The whole entry input from its sequence number, previous hash and the rest. */
export declare function joinEntryHashInput(seq: number, prevHash: string, rest: string): string;
/** An entry's hash input from its stored fields. */
export declare function entryHashInput(f: EntryHashFields): string;
/** A header version's hash input. */
export declare function headerHashInput(f: HeaderHashFields): string;
/** The seal's hash input. */
export declare function sealHashInput(f: SealHashFields): string;
/** The log record's hash input. */
export declare function logHashInput(f: LogHashFields): string;
