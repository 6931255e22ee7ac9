/**
 * Key ranges: how tables are cut into shards and chunks. Pure logic, no drivers.
 *
 * A key value travels as a tuple of strings (one per key column, in the canonical text form of its
 * type) so it is small, JSON-safe and exact for 64-bit integers.
 */

/** One key value: a string per key column. */
export type KeyTuple = string[];

/** Rows with `lo < key <= hi`; a null bound is unbounded. Open below so a chunk cursor is the last key copied. */
export interface KeyRange {
  lo: KeyTuple | null;
  hi: KeyTuple | null;
}

/** The whole table. */
export const FULL_RANGE: KeyRange = { lo: null, hi: null };

/**
 * Splits the integer interval [min, max] into `parts` ranges of near-equal width and returns the
 * `parts - 1` inner boundaries. Boundaries are strings so 64-bit keys stay exact.
 */
export function splitIntegerBounds(min: string, max: string, parts: number): KeyTuple[] {
  const lo = BigInt(min);
  const hi = BigInt(max);
  if (parts <= 1 || hi <= lo) return [];
  const width = hi - lo + 1n;
  const n = BigInt(Math.min(parts, Number(width < 1_000_000n ? width : 1_000_000n)));
  const bounds: KeyTuple[] = [];
  for (let i = 1n; i < n; i++) {
    // lo - 1 + i*width/n: the last key of shard i; computed exactly with bigint.
    bounds.push([(lo - 1n + (i * width) / n).toString()]);
  }
  return dedupeBounds(bounds);
}

/** Turns sorted inner boundaries into consecutive ranges covering everything: (-inf,b1], (b1,b2], …, (bn,+inf). */
export function rangesFromBounds(bounds: KeyTuple[]): KeyRange[] {
  const ranges: KeyRange[] = [];
  let lo: KeyTuple | null = null;
  for (const b of bounds) {
    ranges.push({ lo, hi: b });
    lo = b;
  }
  ranges.push({ lo, hi: null });
  return ranges;
}

function dedupeBounds(bounds: KeyTuple[]): KeyTuple[] {
  const seen = new Set<string>();
  return bounds.filter((b) => {
    const k = JSON.stringify(b);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Removes duplicate boundaries (sampling can repeat a key) while keeping order. */
export function uniqueBounds(bounds: KeyTuple[]): KeyTuple[] {
  return dedupeBounds(bounds);
}

/** Human-readable form of a range for summaries and error messages, e.g. `(100, 200]`. */
export function describeRange(r: KeyRange): string {
  const fmt = (t: KeyTuple | null, inf: string) => (t === null ? inf : t.length === 1 ? t[0]! : `(${t.join(', ')})`);
  return `(${fmt(r.lo, '-∞')}, ${fmt(r.hi, '+∞')}]`;
}
