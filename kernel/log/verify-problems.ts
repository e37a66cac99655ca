/**
 * What kind of tampering (or damage) verification found:
 * - `altered`: a record (entry, header version, the log's first record, the
 *   seal) no longer matches its own hash.
 * - `removed`: entries are missing (sequence numbers jump, or the entries
 *   after were renumbered), or a record of the chain is gone.
 * - `inserted`: entries sit where none were recorded; the entries after them
 *   were recorded at earlier positions.
 * - `reordered`: an entry sits at a position it was not recorded at.
 * - `chain-broken`: a record is self-consistent but does not follow its
 *   predecessor (the predecessor was rewritten with a fresh hash, or a record
 *   between them was removed or inserted).
 * - `truncated`: the log ends before the seal, a checkpoint, or a header
 *   version recorded after a later entry says it went on.
 * - `after-seal`: something was appended after the log was sealed.
 * - `rewritten`: the entries do not match a checkpoint (stored and signed,
 *   or kept elsewhere): one was changed and every hash after it recomputed.
 * - `bad-signature`: a checkpoint or the seal is not validly signed by the
 *   log's key, or the log names another key (or none) than the one given.
 * - `unsealed`: with a key to check against, the log has no seal, so a
 *   tail removed together with its seal cannot be ruled out.
 * - `damaged`: SQLite's integrity check failed, or part of the file could
 *   not be read.
 */
export type LogProblemKind =
  | 'altered'
  | 'removed'
  | 'inserted'
  | 'reordered'
  | 'chain-broken'
  | 'truncated'
  | 'after-seal'
  | 'rewritten'
  | 'bad-signature'
  | 'unsealed'
  | 'damaged';

/** One finding, with the sequence number it concerns (0: the log as a whole) and a sentence a user can act on. */
export interface LogProblem {
  readonly kind: LogProblemKind;
  readonly seq: number;
  readonly message: string;
}
