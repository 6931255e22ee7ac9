/**
 * Where the next chunk of a shard ends. Finding it by counting rows (`LIMIT 1 OFFSET chunkRows - 1`
 * in key order) walks a chunk's worth of index entries, and on a table whose visibility map is not
 * set (one recently loaded) it visits every row in the heap too: 0.3 s per 250K-row chunk on the
 * bench table, run before each shard's copy can start. An integer key makes that walk unnecessary
 * whenever the range is short enough: its keys are distinct integers, so (lo, hi] holds at most
 * hi − lo rows.
 */
import { isIntegerKind, type Column } from '../core/column-model.js';
import type { KeyRange, KeyTuple } from '../core/key-range.js';
import type { Dialect } from '../dialects/dialect.js';

/** A rest of a shard this much smaller than a chunk is copied with the chunk before it. */
export const TAIL_FRACTION = 0.25;

/** What {@link nextChunkEnd} needs to know of the range. */
export interface ChunkEndRequest {
  table: string;
  key: Column[];
  range: KeyRange;
  chunkRows: number;
  /**
   * The source reads the table through a view (a row filter, computed columns): the key's extent
   * over it may cost a scan, so open-ended ranges are then counted as before.
   */
  viewed?: boolean;
}

/**
 * The end of the next chunk, or null when it runs to the range's end. Shards are cut from sampled
 * key bounds, so one is often a little longer than a chunk; its few remaining rows would then be a
 * chunk of their own, a whole extra activity at the very end of the run while every other shard is
 * done (0.3–0.5 s of a 1M-row migration). Up to a quarter chunk more is taken into this one instead.
 */
export async function nextChunkEnd(source: Dialect, req: ChunkEndRequest): Promise<KeyTuple | null> {
  const tail = Math.floor(req.chunkRows * TAIL_FRACTION);
  if (await fitsByKeySpan(source, req, req.chunkRows + Math.max(0, tail))) return null;
  const end = await source.chunkEnd(req.table, req.key, req.range, req.chunkRows);
  if (end === null || tail < 1) return end;
  const beyond = await source.chunkEnd(req.table, req.key, { lo: end, hi: req.range.hi }, tail);
  return beyond === null ? null : end;
}

/**
 * True when a single integer key shows that the range cannot hold more than `rows` rows. An open
 * end is closed at the key's current minimum or maximum (two index probes): rows inserted beyond it
 * later still belong to the open range, so the chunk, which runs to that end, takes them as well.
 */
async function fitsByKeySpan(source: Dialect, req: ChunkEndRequest, rows: number): Promise<boolean> {
  const span = await integerKeySpan(source, req);
  return span !== null && span.hi - span.lo <= BigInt(rows);
}

/** The keys a range can hold: integers k with lo < k <= hi. */
export interface IntegerSpan {
  lo: bigint;
  hi: bigint;
}

/**
 * The range as integers when its key is a single integer column, with an open end closed at the key's
 * current minimum or maximum (an empty table gives an empty span); null for any other key, or for an
 * open range read through a view (where the extent may cost a scan).
 */
export async function integerKeySpan(source: Dialect, req: Omit<ChunkEndRequest, 'chunkRows'>): Promise<IntegerSpan | null> {
  const [only, ...more] = req.key;
  if (!only || more.length > 0 || !isIntegerKind(only.type)) return null;
  const lo = integer(req.range.lo);
  const hi = integer(req.range.hi);
  if (lo === undefined || hi === undefined) return null;
  if (lo !== null && hi !== null) return { lo, hi };
  if (req.viewed) return null;
  const extent = await source.integerKeyExtent(req.table, only);
  if (extent === null) return { lo: 0n, hi: 0n };
  return { lo: lo ?? BigInt(extent.min) - 1n, hi: hi ?? BigInt(extent.max) };
}

/** The bound as an integer, null for an open end, undefined when it is not a plain integer. */
function integer(bound: KeyTuple | null): bigint | null | undefined {
  if (bound === null) return null;
  const [v, ...rest] = bound;
  if (v === undefined || rest.length > 0 || !/^-?\d+$/.test(v)) return undefined;
  return BigInt(v);
}
