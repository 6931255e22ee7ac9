/**
 * Digests rows as a copy reads them, in the checksum text `Dialect.digestRange` hashes: per row
 * `<byte length>:<text>`, the text being the columns' checksum forms joined by U+001F with NULL as
 * `\N`, all of a piece's rows in key order under one md5. Pieces are cut so that the target can
 * digest each in one string.
 */
import { createHash, type Hash } from 'node:crypto';
import type { CopiedDigests, CopiedPiece } from '../core/copied-digest.js';
import type { KeyTuple } from '../core/key-range.js';
import type { ChecksumFromTransfer, RowTap } from '../dialects/dialect.js';

const SEPARATOR = 0x1f;
const NULL_TEXT = Buffer.from('\\N');
const DOT = 0x2e;
const ZERO = 0x30;
const MINUS = 0x2d;
const ZERO_TEXT = Buffer.from('0');
/** Bytes gathered before they are handed to md5: one update call per row cost more than the hashing. */
const BATCH_BYTES = 64 * 1024;

/** A {@link RowTap} that digests the rows it sees (see the module comment). */
export class RowDigester implements RowTap {
  private hash: Hash = createHash('md5');
  private readonly batch = Buffer.allocUnsafe(BATCH_BYTES);
  private at = 0;
  private readonly parts: Buffer[] = [];
  private readonly pieces: CopiedPiece[] = [];
  private lo: KeyTuple | null;
  /** The last row seen: a tap's row is not reused by its reader, so keeping it costs no copy. */
  private lastRow: readonly (Buffer | null)[] = [];
  private pieceRows = 0;
  private pieceBytes = 0;
  /** Rows seen in all. */
  rows = 0;

  /**
   * @param forms how each column's checksum text follows from the value read (`Dialect.checksumForms`)
   * @param keyAt positions of the key columns among the values, whose transfer text is the key tuple's
   * @param maxPieceBytes most digested bytes (length prefixes included) in one piece
   * @param lo the range's lower bound (exclusive), where the first piece starts
   */
  constructor(
    private readonly forms: readonly ChecksumFromTransfer[],
    private readonly keyAt: readonly number[],
    private readonly maxPieceBytes: number,
    lo: KeyTuple | null,
    private readonly wholeRow: boolean,
    private readonly asPrinted: boolean,
  ) {
    this.lo = lo;
  }

  row(values: readonly (Buffer | null)[]): void {
    const parts = this.parts;
    parts.length = 0;
    let textBytes = 0;
    for (let i = 0; i < this.forms.length; i++) {
      const form = this.forms[i];
      if (form === 'skip') continue;
      const v = values[i] ?? null;
      const part = v === null ? NULL_TEXT : form === 'decimal' ? canonicalDecimalBytes(v) : v;
      if (parts.length > 0) textBytes += 1;
      textBytes += part.length;
      parts.push(part);
    }
    const prefix = `${textBytes}:`;
    const rowBytes = prefix.length + textBytes;
    // The piece ends at the previous row's key when this row would take it past what the target can hash.
    if (this.pieceRows > 0 && this.pieceBytes + rowBytes > this.maxPieceBytes) this.endPiece(this.keyOf(this.lastRow));
    if (this.at + rowBytes > BATCH_BYTES) this.flush();
    if (rowBytes > BATCH_BYTES) {
      this.hash.update(prefix, 'latin1');
      parts.forEach((p, i) => {
        if (i > 0) this.hash.update(SEPARATOR_BUFFER);
        this.hash.update(p);
      });
    } else {
      const out = this.batch;
      let at = this.at + out.write(prefix, this.at, 'latin1');
      for (let i = 0; i < parts.length; i++) {
        if (i > 0) out[at++] = SEPARATOR;
        const p = parts[i]!;
        if (p.length <= 16) for (let j = 0; j < p.length; j++) out[at++] = p[j]!;
        else at += p.copy(out, at);
      }
      this.at = at;
    }
    this.pieceRows += 1;
    this.pieceBytes += rowBytes;
    this.rows += 1;
    this.lastRow = values;
  }

  /** The digests, the last piece ending at `hi` (the range's upper bound). */
  finish(hi: KeyTuple | null): CopiedDigests {
    this.endPiece(hi);
    return { wholeRow: this.wholeRow, asPrinted: this.asPrinted, pieces: this.pieces };
  }

  private endPiece(hi: KeyTuple | null): void {
    this.flush();
    const digest = this.hash.digest('hex');
    this.pieces.push({ lo: this.lo, hi, rows: this.pieceRows, digest: this.pieceRows === 0 ? '' : digest });
    this.hash = createHash('md5');
    this.lo = hi;
    this.pieceRows = 0;
    this.pieceBytes = 0;
  }

  private flush(): void {
    if (this.at === 0) return;
    this.hash.update(this.batch.subarray(0, this.at));
    this.at = 0;
  }

  private keyOf(row: readonly (Buffer | null)[]): KeyTuple {
    return this.keyAt.map((k) => row[k]?.toString('utf8') ?? '');
  }
}

const SEPARATOR_BUFFER = Buffer.from([SEPARATOR]);

/**
 * A decimal as the server prints it (`-?digits[.digits]`) without trailing fractional zeros or a
 * trailing '.', and zero as `0`: what core/canonical.ts's canonicalDecimal makes of such text,
 * without decoding it.
 */
export function canonicalDecimalBytes(v: Buffer): Buffer {
  if (v.indexOf(DOT) < 0) return isZero(v, v.length) ? ZERO_TEXT : v;
  let end = v.length;
  while (end > 0 && v[end - 1] === ZERO) end--;
  if (end > 0 && v[end - 1] === DOT) end--;
  return isZero(v, end) ? ZERO_TEXT : v.subarray(0, end);
}

function isZero(v: Buffer, end: number): boolean {
  let i = v[0] === MINUS ? 1 : 0;
  if (i >= end) return false;
  for (; i < end; i++) if (v[i] !== ZERO) return false;
  return true;
}
