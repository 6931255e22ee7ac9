/**
 * Progress of a run that fans its tables out as shard children (export, import): the tally the parent
 * keeps from its children's chunk signals and results, and the batching those children use so the
 * parent gets at most one signal a second from each. Pure, so workflows and tests share it.
 */
import type { KeyTuple } from './key-range.js';
import type { MigrationPhase, MigrationProgress } from './report.js';
import type { ChunkDone } from '../shared.js';

/** One table as the progress query names and sizes it. */
export interface RunTable {
  /** Name the children signal with (the table's name). */
  source: string;
  /** Where its rows go: the target table, or the export's folder of the table. */
  target: string;
  /** Rows expected: the plan's estimate (statistics) or, from a manifest, the exact count. */
  rowsTotal: number;
  /** Number of shards. */
  shards: number;
}

/** The parent's tally: rows per shard, and which shards have returned their result. */
export interface RunProgress {
  phase: MigrationPhase;
  /** When the run started (ms since epoch). */
  startedAtMs: number;
  tables: RunTable[];
  /** Per table, per shard: rows so far and whether its child has finished. */
  shards: { rows: number; done: boolean }[][];
}

/** Rows a shard child reports since its previous report: the payload of `chunkDoneSignal`. */
export type ChunkBatch = ChunkDone;

/** A fresh tally in `phase` for `tables` (none yet while planning). */
export function newRunProgress(startedAtMs: number, tables: RunTable[] = [], phase: MigrationPhase = 'planning'): RunProgress {
  return { phase, startedAtMs, tables, shards: tables.map((t) => Array.from({ length: t.shards }, () => ({ rows: 0, done: false }))) };
}

/**
 * Adds a child's chunk report. Reports of a finished shard (a signal delivered after the child's
 * result) and of unknown tables or shards are ignored: the result already holds the exact count.
 * Returns whether anything changed.
 */
export function addChunks(p: RunProgress, c: Pick<ChunkBatch, 'table' | 'shard' | 'rows'>): boolean {
  const ti = p.tables.findIndex((t) => t.source === c.table);
  const s = p.shards[ti]?.[c.shard];
  if (!s || s.done) return false;
  s.rows += c.rows;
  return true;
}

/** Records a shard child's result: its exact rows replace whatever its signals added up to. */
export function finishShard(p: RunProgress, table: number, shard: number, rows: number): void {
  const s = p.shards[table]?.[shard];
  if (s) Object.assign(s, { rows, done: true });
}

/** Sets a table's expected rows (e.g. the exact count once the run knows it). */
export function setRowsTotal(p: RunProgress, table: string, rows: number): void {
  const t = p.tables.find((x) => x.source === table);
  if (t) t.rowsTotal = rows;
}

/** The answer of the `progress` query: the same shape `migrate` answers. */
export function progressOf(p: RunProgress): MigrationProgress {
  return {
    phase: p.phase,
    startedAtMs: p.startedAtMs,
    tables: p.tables.map((t, ti) => {
      const own = p.shards[ti] ?? [];
      return {
        source: t.source,
        target: t.target,
        rowsDone: own.reduce((a, s) => a + s.rows, 0),
        rowsTotal: t.rowsTotal,
        shardsDone: own.filter((s) => s.done).length,
        shardsTotal: own.length,
      };
    }),
  };
}

/** One finished chunk as a shard child sees it. */
export interface ChunkOutcome {
  rows: number;
  end: KeyTuple | null;
  worker: string;
  attempt: number;
  /** The shard's last chunk: nothing is sent, since the child's result carries the totals. */
  last: boolean;
}

/**
 * Collects a shard child's chunks into reports of at most one per `everyMs` (workflow time), so the
 * parent's history grows with the run's duration, not with its number of chunks.
 */
export class ChunkBatcher {
  private unsent: ChunkBatch | undefined;
  private lastSentMs = 0;

  constructor(
    private readonly table: string,
    private readonly shard: number,
    private readonly everyMs = 1000,
  ) {}

  /** Adds a chunk; returns the batch to send now, or undefined to wait (always on the last chunk). */
  add(c: ChunkOutcome, nowMs: number): ChunkBatch | undefined {
    if (c.last) {
      this.unsent = undefined;
      return undefined;
    }
    const b = (this.unsent ??= { table: this.table, shard: this.shard, rows: 0, end: null, workers: {}, redone: 0 });
    b.rows += c.rows;
    b.end = c.end;
    b.workers[c.worker] = (b.workers[c.worker] ?? 0) + c.rows;
    if (c.attempt > 1) b.redone += c.rows;
    if (nowMs - this.lastSentMs < this.everyMs) return undefined;
    this.unsent = undefined;
    this.lastSentMs = nowMs;
    return b;
  }
}
