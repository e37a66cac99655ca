/** The leaf of an entry: its hash (hex) as 32 bytes. */
export declare function entryLeaf(entryHash: string): Buffer;
/** An interior node: SHA-256(0x01 || left || right). */
export declare function nodeHash(left: Buffer, right: Buffer): Buffer;
/** The root of no leaves: SHA-256 of nothing. */
export declare const EMPTY_ROOT: Buffer;

/** The tree's right edge: enough to append leaves and compute the root without keeping them. */
export declare class Frontier {
  constructor(size?: number, subtrees?: Buffer[]);
  size: number;
  subtrees: Buffer[];
  append(leaf: Buffer): void;
  root(): Buffer;
  toText(): string;
  static fromText(size: number, text: string): Frontier | undefined;
}

/** The root of `leaves[from..to)`. */
export declare function rootOf(leaves: readonly Buffer[], from?: number, to?: number): Buffer;
/** The inclusion proof of leaf `index` in the tree of the first `size` leaves. */
export declare function inclusionPath(leaves: readonly Buffer[], index: number, size: number): Buffer[];
/** The root an inclusion proof leads to, or undefined when the path cannot fit the position. */
export declare function rootFromInclusionPath(index: number, size: number, leaf: Buffer, path: readonly Buffer[]): Buffer | undefined;
