/**
 * Checksums of several consecutive parts of a key range in one scan (`Dialect.checksumParts`): each
 * row's part number in SQL, then the rows of the grouped query back into one checksum per part.
 */
import type { KeyTuple } from '../core/key-range.js';
import type { RangeChecksum } from './dialect.js';

/**
 * Part number of a row among consecutive parts ending at `ends` (inclusive; the last part has no end
 * of its own): a CASE nested as a binary search, so a row costs log2(parts) key comparisons.
 * `atMost(end)` is the engine's predicate "key <= end".
 */
export function partExpr(ends: KeyTuple[], atMost: (end: KeyTuple) => string, lo = 0, hi = ends.length): string {
  if (lo === hi) return String(lo);
  const mid = (lo + hi) >> 1;
  return `CASE WHEN ${atMost(ends[mid]!)} THEN ${partExpr(ends, atMost, lo, mid)} ELSE ${partExpr(ends, atMost, mid + 1, hi)} END`;
}

/** Checksums of `count` parts from rows `[part, rows, sum]` of a grouped query; absent parts have no rows. */
export function partsFromRows(count: number, rows: [number, string | number | null, string | null][]): RangeChecksum[] {
  const out: RangeChecksum[] = Array.from({ length: count }, () => ({ rows: 0, sum: '0' }));
  for (const [part, n, sum] of rows) {
    if (part >= 0 && part < count) out[part] = { rows: Number(n ?? 0), sum: sum ?? '0' };
  }
  return out;
}
