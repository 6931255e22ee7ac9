/**
 * Digests rows as a copy reads them, in the checksum text `Dialect.digestRange` hashes: per row
 * `<byte length>:<text>`, the text being the columns' checksum forms joined by U+001F with NULL as
 * `\N`, all of a piece's rows in key order under one md5; or, for a target that offers it
 * (`Dialect.copyDigestHash`), each row's text hashed as PostgreSQL's hashtextextended and summed.
 * Pieces are cut so that the target can digest each in one string.
 */
import { createHash, type Hash } from 'node:crypto';
import type { CopiedDigests, CopiedPiece } from '../core/copied-digest.js';
import type { KeyTuple } from '../core/key-range.js';
import type { ChecksumFromTransfer, DigestHash, RowTap } from '../dialects/dialect.js';
import { HashSum, hashBytesExtended, hashOut } from '../core/pg-text-hash.js';

const SEPARATOR = 0x1f;
const TAB = 0x09;
const BACKSLASH = 0x5c;
const LETTER_N = 0x4e;
const DOT = 0x2e;
const ZERO = 0x30;
const MINUS = 0x2d;
const SPACE = 0x20;
const COLON = 0x3a;
/** COPY text escapes (`\b \f \n \r \t \v \\`) and the byte each stands for. */
const UNESCAPE = new Uint8Array(256);
for (const [letter, byte] of [
  ['b', 0x08],
  ['f', 0x0c],
  ['n', 0x0a],
  ['r', 0x0d],
  ['t', 0x09],
  ['v', 0x0b],
  ['\\', 0x5c],
] as const) {
  UNESCAPE[letter.charCodeAt(0)] = byte;
}
/** Bytes gathered before they are handed to md5: one update call per row cost more than the hashing. */
const BATCH_BYTES = 64 * 1024;

/** A {@link RowTap} that digests the rows it sees (see the module comment). */
export class RowDigester implements RowTap {
  private hash: Hash = createHash('md5');
  /** The piece's sum of row hashes, with `digestHash` 'hashtext-sum' (no md5 nor batch then). */
  private sum = new HashSum();
  private readonly batch = Buffer.allocUnsafe(BATCH_BYTES);
  private at = 0;
  /** This row's text, and the previous row's (whose key ends a piece cut before this row). */
  private text = Buffer.allocUnsafe(4096);
  private previous = Buffer.allocUnsafe(4096);
  /** Start and end in the row text of each key column, for this row and the previous one. */
  private keySpans: number[];
  private previousKeySpans: number[];
  private readonly keyField: Int32Array;
  private readonly pieces: CopiedPiece[] = [];
  private lo: KeyTuple | null;
  private pieceRows = 0;
  private pieceBytes = 0;
  /** Rows seen in all. */
  rows = 0;

  /**
   * @param forms how each column's checksum text follows from the value read (`Dialect.checksumForms`)
   * @param keyAt positions of the key columns among the values; their checksum text is the key tuple's
   * @param maxPieceBytes most digested bytes (length prefixes included) in one piece
   * @param lo the range's lower bound (exclusive), where the first piece starts
   * @param wholeRow the form the target digests the pieces in (`RangeRequest.wholeRow`), kept with them
   * @param asPrinted likewise `RangeRequest.asPrinted`
   * @param digestHash likewise `RangeRequest.digestHash`
   */
  constructor(
    private readonly forms: readonly ChecksumFromTransfer[],
    keyAt: readonly number[],
    private readonly maxPieceBytes: number,
    lo: KeyTuple | null,
    private readonly wholeRow: boolean,
    private readonly asPrinted: boolean,
    private readonly digestHash: DigestHash = 'md5',
  ) {
    this.lo = lo;
    this.keyField = new Int32Array(forms.length).fill(-1);
    keyAt.forEach((col, i) => (this.keyField[col] = i));
    this.keySpans = new Array<number>(keyAt.length * 2).fill(0);
    this.previousKeySpans = [...this.keySpans];
  }

  row(values: readonly (Buffer | null)[]): void {
    let need = this.forms.length * 9;
    for (const v of values) if (v !== null) need += v.length;
    if (need > this.text.length) this.reserve(need);
    const out = this.text;
    let o = 0;
    let written = 0;
    for (let i = 0; i < this.forms.length; i++) {
      const form = this.forms[i]!;
      if (form === 'skip') continue;
      const v = values[i] ?? null;
      if (written++ > 0) out[o++] = SEPARATOR;
      const start = o;
      if (v === null) {
        out[o++] = BACKSLASH;
        out[o++] = LETTER_N;
      } else {
        // A copy call costs as much as copying tens of bytes by hand, and most values are short.
        const n = v.length;
        if (n <= 32) for (let j = 0; j < n; j++) out[o++] = v[j]!;
        else o += v.copy(out, o);
        if (form !== 'same') o = this.reshape(form, start, o);
      }
      if (this.keyField[i]! >= 0) this.noteKey(i, start, o);
    }
    this.add(o);
  }

  line(src: Buffer, start: number, end: number): void {
    // Unescaped text is never longer than the line; forms add at most 7 bytes a field ('.000000').
    const need = end - start + 8 * this.forms.length;
    if (need > this.text.length) this.reserve(need);
    const out = this.text;
    let o = 0;
    let written = 0;
    let r = start;
    for (let i = 0; i < this.forms.length; i++) {
      const form = this.forms[i]!;
      if (form === 'skip') {
        while (r < end && src[r] !== TAB) r++;
        r++;
        continue;
      }
      if (written++ > 0) out[o++] = SEPARATOR;
      const at = o;
      const raw = r;
      // One pass to the field's end, unescaping; `\N` alone is NULL, which the row text writes the same way.
      for (; r < end; r++) {
        const c = src[r]!;
        if (c === TAB) break;
        if (c !== BACKSLASH) out[o++] = c;
        else {
          const e = src[++r]!;
          out[o++] = UNESCAPE[e] || e;
        }
      }
      const isNull = r - raw === 2 && src[raw] === BACKSLASH && src[raw + 1] === LETTER_N;
      r++;
      if (isNull) {
        out[at] = BACKSLASH;
        out[at + 1] = LETTER_N;
        o = at + 2;
      } else if (form !== 'same') o = this.reshape(form, at, o);
      if (this.keyField[i]! >= 0) this.noteKey(i, at, o);
    }
    this.add(o);
  }

  /** The digests, the last piece ending at `hi` (the range's upper bound). */
  finish(hi: KeyTuple | null): CopiedDigests {
    this.endPiece(hi);
    return { wholeRow: this.wholeRow, asPrinted: this.asPrinted, ...(this.digestHash === 'hashtext-sum' ? { hash: this.digestHash } : {}), pieces: this.pieces };
  }

  /** Hashes this row's `textBytes` of text, ending the piece before it when it would not fit. */
  private add(textBytes: number): void {
    const digits = textBytes < 10 ? 1 : textBytes < 100 ? 2 : textBytes < 1000 ? 3 : textBytes < 10000 ? 4 : String(textBytes).length;
    const rowBytes = digits + 1 + textBytes;
    if (this.pieceRows > 0 && this.pieceBytes + rowBytes > this.maxPieceBytes) this.endPiece(this.previousKey());
    if (this.digestHash === 'hashtext-sum') {
      hashBytesExtended(this.text, 0, textBytes);
      this.sum.add(hashOut[0]!, hashOut[1]!);
    } else this.batchForMd5(textBytes, digits);
    this.pieceRows += 1;
    this.pieceBytes += rowBytes;
    this.rows += 1;
    const text = this.text;
    this.text = this.previous;
    this.previous = text;
    const spans = this.keySpans;
    this.keySpans = this.previousKeySpans;
    this.previousKeySpans = spans;
  }

  /** Appends `<length>:<text>` to the md5 batch (hashing the batch first when it is full). */
  private batchForMd5(textBytes: number, digits: number): void {
    const rowBytes = digits + 1 + textBytes;
    if (this.at + rowBytes > BATCH_BYTES) this.flush();
    if (rowBytes > BATCH_BYTES) {
      this.hash.update(`${textBytes}:`, 'latin1');
      this.hash.update(this.text.subarray(0, textBytes));
      return;
    }
    const out = this.batch;
    let at = this.at + digits;
    let n = textBytes;
    for (let d = at - 1; d >= this.at; d--, n = Math.floor(n / 10)) out[d] = ZERO + (n % 10);
    out[at++] = COLON;
    this.at = at + this.text.copy(out, at, 0, textBytes);
  }

  private previousKey(): KeyTuple {
    const key: string[] = [];
    for (let k = 0; k < this.previousKeySpans.length; k += 2) key.push(this.previous.toString('utf8', this.previousKeySpans[k], this.previousKeySpans[k + 1]));
    return key;
  }

  private noteKey(column: number, start: number, end: number): void {
    const k = this.keyField[column]!;
    if (k < 0) return;
    this.keySpans[2 * k] = start;
    this.keySpans[2 * k + 1] = end;
  }

  /** Applies `form` to the value written at `start`..`end` of the row text; returns its new end. */
  private reshape(form: ChecksumFromTransfer, start: number, end: number): number {
    switch (form) {
      case 'decimal':
        return canonicalDecimalAt(this.text, start, end);
      case 'fraction6':
        return sixFractionDigits(this.text, start, end);
      case 'trimEnd':
        while (end > start && this.text[end - 1] === SPACE) end--;
        return end;
      default:
        return end;
    }
  }

  private reserve(bytes: number): void {
    if (bytes <= this.text.length) return;
    const size = Math.max(bytes, this.text.length * 2);
    const bigger = Buffer.allocUnsafe(size);
    this.text.copy(bigger);
    this.text = bigger;
    // The previous row's text is swapped in next; it must hold as much.
    const other = Buffer.allocUnsafe(size);
    this.previous.copy(other);
    this.previous = other;
  }

  private endPiece(hi: KeyTuple | null): void {
    let digest: string;
    if (this.digestHash === 'hashtext-sum') {
      digest = this.sum.toString();
      this.sum = new HashSum();
    } else {
      this.flush();
      digest = this.pieceRows === 0 ? '' : this.hash.digest('hex');
      if (this.pieceRows > 0) this.hash = createHash('md5');
    }
    this.pieces.push({ lo: this.lo, hi, rows: this.pieceRows, digest });
    this.lo = hi;
    this.pieceRows = 0;
    this.pieceBytes = 0;
  }

  private flush(): void {
    if (this.at === 0) return;
    this.hash.update(this.batch.subarray(0, this.at));
    this.at = 0;
  }
}

/**
 * A decimal as the server prints it (`-?digits[.digits]`, or NaN/Infinity) without trailing
 * fractional zeros or a trailing '.', and zero as `0`, in place: what core/canonical.ts's
 * canonicalDecimal makes of such text. Returns the new end.
 */
export function canonicalDecimalAt(b: Buffer, start: number, end: number): number {
  const dot = b.indexOf(DOT, start);
  if (dot >= 0 && dot < end) {
    while (end > dot && b[end - 1] === ZERO) end--;
    if (b[end - 1] === DOT) end--;
  }
  let i = b[start] === MINUS ? start + 1 : start;
  if (i >= end) return end;
  for (; i < end; i++) if (b[i] !== ZERO) return end;
  b[start] = ZERO;
  return start + 1;
}

/** A time or timestamp with its fraction of a second padded to six digits (`.000000` when it has none). */
function sixFractionDigits(b: Buffer, start: number, end: number): number {
  const dot = b.indexOf(DOT, start);
  let digits = 0;
  if (dot < 0 || dot >= end) b[end++] = DOT;
  else digits = end - dot - 1;
  for (; digits < 6; digits++) b[end++] = ZERO;
  return end;
}
