/**
 * Bisection of key ranges for `diff`: which ranges to split further, where to cut them, and how to
 * merge the capped key lists of the leaves. Pure logic, no Temporal or drivers.
 *
 * A range that differs is cut into parts by the keys of the side holding more of its rows (so a range
 * holding only target rows can still be cut); the parts partition the range, so every row of either
 * side falls into exactly one part. Cutting stops at {@link BisectOptions.leafRows}: a leaf's rows are
 * read from both sides and compared in the worker.
 */
import type { KeyRange, KeyTuple } from './key-range.js';

/** Count and checksum comparison of one range, as the compare activities report it. */
export interface RangeCompare {
  range: KeyRange;
  sourceRows: number;
  targetRows: number;
  /** True when counts, SQL checksums and the worker-canonical hash of json/float columns agree. */
  match: boolean;
  /**
   * Across engines with json/float columns: whether those columns' stored text looked alike on both
   * sides (a probe of the range's first rows), so parts of this range may be hashed as stored text.
   */
  rawAlike?: boolean;
}

/** Tuning of the bisection. */
export interface BisectOptions {
  /** A differing range with at most this many rows on each side is compared row by row. Default 2000. */
  leafRows: number;
  /** Parts a differing range is cut into. Default 16. */
  parts: number;
  /** Depth after which a range is compared row by row whatever its size (a safety net). Default 12. */
  maxDepth: number;
}

export const BISECT_DEFAULTS: BisectOptions = { leafRows: 2000, parts: 16, maxDepth: 12 };

/** What to do with a compared range. */
export type BisectStep =
  | { kind: 'same' }
  /** Compare rows in the worker (few rows, or only one side holds rows, which needs no bisection). */
  | { kind: 'leaf' }
  /** Cut by `side`'s keys into parts of `rowsPerPart` rows of that side. */
  | { kind: 'split'; side: 'source' | 'target'; rowsPerPart: number };

/** The next step for a compared range found at `depth` (shards are depth 0). */
export function nextStep(c: RangeCompare, depth: number, opts: BisectOptions = BISECT_DEFAULTS): BisectStep {
  if (c.match) return { kind: 'same' };
  const most = Math.max(c.sourceRows, c.targetRows);
  // One side empty: every row of the other side differs; the leaf streams them without bisecting.
  if (most <= opts.leafRows || c.sourceRows === 0 || c.targetRows === 0 || depth >= opts.maxDepth) return { kind: 'leaf' };
  const side = c.sourceRows >= c.targetRows ? 'source' : 'target';
  return { kind: 'split', side, rowsPerPart: Math.max(1, Math.ceil(most / Math.max(2, opts.parts))) };
}

/**
 * Consecutive parts of `range` ending at each of `ends` (inclusive, sorted, inside the range), the
 * last part running to the range's own end. Duplicate ends and an end equal to the range's end are
 * dropped, so no part is empty by construction.
 */
export function cutRange(range: KeyRange, ends: KeyTuple[]): KeyRange[] {
  const parts: KeyRange[] = [];
  let lo = range.lo;
  const same = (a: KeyTuple | null, b: KeyTuple | null) => a !== null && b !== null && JSON.stringify(a) === JSON.stringify(b);
  for (const end of ends) {
    if (same(end, lo) || same(end, range.hi)) continue;
    parts.push({ lo, hi: end });
    lo = end;
  }
  parts.push({ lo, hi: range.hi });
  return parts;
}

/** A position in the bisection tree: shard index, then part index at each level. Orders ranges by key. */
export type RangePath = number[];

/** Lexicographic order of paths, which is the key order of the ranges they name. */
export function comparePaths(a: RangePath, b: RangePath): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** Appends `items` to `into` while it holds fewer than `cap`; returns true when some were left out. */
export function appendCapped<T>(into: T[], items: readonly T[], cap: number): boolean {
  const room = Math.max(0, cap - into.length);
  into.push(...items.slice(0, room));
  return items.length > room;
}
