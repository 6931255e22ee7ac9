/**
 * Digests of the rows a copy read, carried from the copy to verify (see activities/copy-digest.ts):
 * with them verify hashes only the target, instead of reading the source a second time. Pure data
 * and checks, safe in workflow code.
 */
import type { KeyRange, KeyTuple } from './key-range.js';

/** Rows with `lo < key <= hi` as the copy read them: their count and digest as `Dialect.digestRange` computes it. */
export interface CopiedPiece {
  lo: KeyTuple | null;
  hi: KeyTuple | null;
  rows: number;
  /** The rows' digest as `Dialect.digestRange` computes it with the pieces' `hash` ('' or '0' for no rows). */
  digest: string;
}

/** Digests of consecutive pieces of a range, in one checksum form. */
export interface CopiedDigests {
  /** The form the rows were hashed in (`RangeRequest.wholeRow` and `RangeRequest.asPrinted`). */
  wholeRow: boolean;
  asPrinted: boolean;
  /** `RangeRequest.digestHash` of the pieces; absent for md5 (and in runs recorded before there was a choice). */
  hash?: 'hashtext-sum';
  pieces: CopiedPiece[];
}

/**
 * Most pieces a shard carries: each holds up to ~13 MB of row text (MariaDB's 16 MB digest capacity,
 * 80% full), so a shard of ~6 GB of it, 60M rows of the bench's shape. A piece is ~150 bytes in the
 * workflows' histories and payloads, 75 KB for a full shard; a shard with more is verified by reading
 * both sides instead.
 */
export const MAX_COPIED_PIECES = 500;

/**
 * A shard's digests so far (undefined before its first chunk) followed by the next chunk's. Null from
 * the first chunk without digests on: a gap can only be verified by reading both sides, and so can
 * the whole shard then.
 */
export function appendCopied(sofar: CopiedDigests | null | undefined, next: CopiedDigests | undefined): CopiedDigests | null {
  if (sofar === null || next === undefined) return null;
  if (sofar === undefined) return next.pieces.length <= MAX_COPIED_PIECES ? next : null;
  if (sofar.wholeRow !== next.wholeRow || sofar.asPrinted !== next.asPrinted || sofar.hash !== next.hash) return null;
  const last = sofar.pieces[sofar.pieces.length - 1];
  const first = next.pieces[0];
  if (last === undefined || first === undefined || !sameBound(last.hi, first.lo)) return null;
  const pieces = [...sofar.pieces, ...next.pieces];
  return pieces.length <= MAX_COPIED_PIECES ? { ...sofar, pieces } : null;
}

/** Whether the pieces follow one another from `range.lo` to `range.hi` without a gap. */
export function coversRange(digests: CopiedDigests, range: KeyRange): boolean {
  const { pieces } = digests;
  if (pieces.length === 0 || !sameBound(pieces[0]!.lo, range.lo) || !sameBound(pieces[pieces.length - 1]!.hi, range.hi)) return false;
  return pieces.every((p, i) => i === 0 || sameBound(pieces[i - 1]!.hi, p.lo));
}

function sameBound(a: KeyTuple | null, b: KeyTuple | null): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
