/**
 * The cheap first look at a range that compare-range.ts takes before checksumming it: both sides digest
 * the range piece by piece (one md5 per piece of rows, where a checksum hashes every row) and an equal
 * range is settled without a checksum. Pieces are cut by the source's keys to a size both databases
 * can hash in one string, estimated from the checksum text of some of the range's rows.
 */
import { Context } from '@temporalio/activity';
import type { Column } from '../core/column-model.js';
import type { KeyRange, KeyTuple } from '../core/key-range.js';
import type { Dialect } from '../dialects/dialect.js';
import { integerKeySpan } from './chunk-end.js';

/** A range on both sides, as the digest reads it. */
export interface DigestRequest {
  table: string;
  targetTable: string;
  columns: Column[];
  key: Column[];
  range: KeyRange;
  /** The target's own columns and key (see `TablePlan.targetColumns`); absent = `columns` and `key`. */
  targetColumns?: Column[];
  targetKey?: Column[];
  wholeRow: boolean;
  /** Both sides are one engine (see `RangeRequest.asPrinted`). */
  asPrinted?: boolean;
  /** The source reads the table through a view (see `ChunkEndRequest.viewed`). */
  viewed?: boolean;
}

/** How ranges are cut into pieces. */
export interface DigestPieces {
  /** Rows whose text the piece size is estimated from (any of the range's, unsorted). */
  probeRows: number;
  /** Share of the smaller capacity a piece aims at: later rows may be longer than the probed ones. */
  fill: number;
  /** Below this many rows a piece costs more in round trips than its single hash saves: no digest. */
  minPieceRows: number;
}

/** ferry's piece sizing. */
export const DIGEST_PIECES: DigestPieces = { probeRows: 1000, fill: 0.6, minPieceRows: 1000 };

/** Bytes of the `<length>:` prefix each row adds to the digested text, at most. */
const PREFIX_BYTES = 12;

/**
 * Rows on each side when every piece of the range has equal digests on both sides (so the range holds
 * the same rows), or null when a piece differs or cannot be digested: the caller then checksums the
 * range, which tells rows read in another order from different rows.
 */
export async function digestsMatch(source: Dialect, target: Dialect, req: DigestRequest, pieces = DIGEST_PIECES): Promise<{ rows: number } | null> {
  const targetKey = req.targetKey ?? req.key;
  const [mine, theirs] = await Promise.all([source.digestCapacity(req.table, req.key), target.digestCapacity(req.targetTable, targetKey)]);
  const capacity = Math.min(mine, theirs);
  if (capacity <= 0) return null;
  const form = { wholeRow: req.wholeRow, asPrinted: req.asPrinted === true };
  const mySide = (range: KeyRange) => ({ table: req.table, columns: req.columns, key: req.key, range, ...form });
  const theirSide = (range: KeyRange) => ({ table: req.targetTable, columns: req.targetColumns ?? req.columns, key: targetKey, range, ...form });
  const bytes = await source.rowTextBytes(mySide(req.range), pieces.probeRows);
  const pieceRows = Math.floor((capacity * pieces.fill) / (bytes + PREFIX_BYTES));
  if (pieceRows < pieces.minPieceRows) return null;
  const cut = await pieceCutter(source, req, pieceRows);
  let lo = req.range.lo;
  let next = cut.after(lo);
  let rows = 0;
  try {
    for (;;) {
      const end = await next;
      // The next cut is looked up while both sides digest this piece.
      if (end !== null) next = cut.after(end);
      const piece = { lo, hi: end ?? req.range.hi };
      const [s, t] = await Promise.all([source.digestRange(mySide(piece)), target.digestRange(theirSide(piece))]);
      if (!s || !t || s.rows !== t.rows || s.digest !== t.digest) return null;
      cut.sawRows(s.rows);
      rows += s.rows;
      if (end === null) return { rows };
      lo = end;
      Context.current().heartbeat({ digested: rows });
    }
  } finally {
    // A lookup still running when a piece differed: its result (or failure) is not needed.
    next.catch(() => undefined);
  }
}

/** Where pieces end, one after another; told how many rows each piece held. */
interface PieceCutter {
  after(lo: KeyTuple | null): Promise<KeyTuple | null>;
  sawRows(rows: number): void;
}

/**
 * Pieces of a single integer key are cut by arithmetic, `pieceRows` keys each, which holds at most
 * that many rows: counting them out of the index instead (`LIMIT 1 OFFSET`) walked the whole range
 * once more, a third of PostgreSQL's verify work on a recently loaded table, where the index walk
 * visits every row. A piece found less than half full (sparse keys) turns the rest back to counting,
 * so gaps in the keys cannot multiply the pieces.
 */
async function pieceCutter(source: Dialect, req: DigestRequest, pieceRows: number): Promise<PieceCutter> {
  const count = (lo: KeyTuple | null) => source.chunkEnd(req.table, req.key, { lo, hi: req.range.hi }, pieceRows);
  let span = await integerKeySpan(source, { table: req.table, key: req.key, range: req.range, viewed: req.viewed === true });
  return {
    after(lo) {
      if (span === null) return count(lo);
      const end = (lo === null ? span.lo : BigInt(lo[0]!)) + BigInt(pieceRows);
      return Promise.resolve(end >= span.hi ? null : [end.toString()]);
    },
    sawRows(rows) {
      if (rows * 2 < pieceRows) span = null;
    },
  };
}
