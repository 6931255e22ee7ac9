/**
 * The checksums of rows computed in the worker from their transfer-form values, by the same rules the
 * dialects apply in SQL (see "Checksum text" in dialects/dialect.ts), so a file's rows and a table's
 * range can be compared without moving either: `sum` equals {@link Dialect.checksumRange}'s sum over
 * the same rows. json, float and array columns, which SQL leaves out, go into `canonicalSum`: the same
 * 60-bit md5 sum over the key's checksum forms followed by those columns' canonical forms.
 */
import { createHash } from 'node:crypto';
import { canonicalTransferValue } from '../core/canonical.js';
import type { Column } from '../core/column-model.js';
import { needsWorkerCanonical } from '../core/column-model.js';

const SEP = '\x1f';
const NULL_MARK = '\\N';

/** The 60-bit hash of one row string: the first 15 hex digits of its md5, as an unsigned integer. */
export function rowHash(text: string): bigint {
  return BigInt('0x' + createHash('md5').update(text, 'utf8').digest('hex').slice(0, 15));
}

/** Columns a table's canonical sum covers besides its key (json, float, array), in table order. */
export function canonicalColumns(columns: readonly Column[]): Column[] {
  return columns.filter((c) => needsWorkerCanonical(c.type));
}

/** Accumulates the row count, SQL-rule sum and canonical sum of rows given in `columns` order. */
export class RowHasher {
  rows = 0;
  sum = 0n;
  canonicalSum = 0n;
  private readonly sqlIdx: number[];
  private readonly canonIdx: number[];
  private readonly keyIdx: number[];

  /**
   * `columns` are the columns of the rows to be added, `key` the table's key columns (found by name
   * among `columns`). With `sqlSum` false only the canonical sum is kept (for rows read with just the
   * key and the canonical columns).
   */
  constructor(
    private readonly columns: readonly Column[],
    key: readonly Column[],
    private readonly sqlSum = true,
  ) {
    this.sqlIdx = columns.flatMap((c, i) => (needsWorkerCanonical(c.type) ? [] : [i]));
    this.canonIdx = columns.flatMap((c, i) => (needsWorkerCanonical(c.type) ? [i] : []));
    this.keyIdx = key.map((k) => {
      const i = columns.findIndex((c) => c.name === k.name);
      if (i < 0) throw new Error(`key column ${k.name} is not among the columns hashed`);
      return i;
    });
  }

  /** Adds one row. */
  add(values: readonly (string | null)[]): void {
    this.rows++;
    if (this.sqlSum) this.sum += rowHash(this.join(this.sqlIdx, values));
    if (this.canonIdx.length > 0) this.canonicalSum += rowHash(this.join(this.keyIdx, values) + SEP + this.join(this.canonIdx, values));
  }

  private join(idx: readonly number[], values: readonly (string | null)[]): string {
    let s = '';
    for (let j = 0; j < idx.length; j++) {
      const i = idx[j]!;
      if (j > 0) s += SEP;
      s += canonicalTransferValue(this.columns[i]!.type, values[i] ?? null) ?? NULL_MARK;
    }
    return s;
  }
}
