import type { KeyObject } from 'node:crypto';

/** A checkpoint while the log grows, or the seal when it is closed. */
export type CheckpointKind = 'checkpoint' | 'seal';

/** What a checkpoint states. */
export interface CheckpointFields {
  readonly kind: CheckpointKind;
  /** The log's identity (its first record). */
  readonly log: string;
  /** Entries covered: 1..size. */
  readonly size: number;
  /** Merkle root (hex) of the first `size` entries. */
  readonly root: string;
  /** Hash (hex) of entry `size`, or of the seal record for a seal. */
  readonly chain: string;
  /** Milliseconds since the epoch. */
  readonly time: number;
}

/** A checkpoint with its text: the signed body and, when the log has a key, the signature line. */
export interface Checkpoint extends CheckpointFields {
  readonly body: string;
  readonly signature?: { readonly keyId: string; readonly value: string };
  readonly text: string;
}

/** The signed part of a checkpoint. */
export declare function checkpointBody(c: CheckpointFields): string;
/** The raw 32-byte Ed25519 public key of a private or public key; throws for another kind of key. */
export declare function rawPublicKey(key: KeyObject): Buffer;
/** The public key whose raw 32 bytes are given. */
export declare function publicKeyFromRaw(raw: Uint8Array): KeyObject;
/** First 8 bytes of SHA-256 of the raw public key, hex. */
export declare function keyId(rawPublic: Uint8Array): string;
/** The base64 Ed25519 signature of a body. */
export declare function signBody(body: string, privateKey: KeyObject): string;
/** A checkpoint from its fields and its signature, if any. */
export declare function makeCheckpoint(c: CheckpointFields, signature: { keyId: string; value: string } | undefined): Checkpoint;
/** Reads a checkpoint's text; throws naming what is wrong. */
export declare function parseCheckpoint(text: string): Checkpoint;
/** True when the checkpoint is validly signed by `publicKey`. */
export declare function signatureValid(c: Checkpoint, publicKey: KeyObject): boolean;
