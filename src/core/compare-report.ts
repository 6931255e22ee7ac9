/**
 * Shapes of verify, diff, repair and sync that cross Temporal: inputs, activity results and reports.
 * Small by construction: counts, key ranges and capped key lists; rows never travel through Temporal.
 */
import type { BisectOptions } from './bisect.js';
import type { KeyTuple } from './key-range.js';
import type { MigrateInput } from './report.js';
import type { ChangedRow } from './row-diff.js';

/** The job settings every compare and sync workflow takes (URLs keep their `${ENV}` placeholders). */
export type JobInput = Pick<MigrateInput, 'job' | 'source' | 'target' | 'tables' | 'chunkRows' | 'parallelism' | 'keys'>;

/** Input of the `verify` workflow. */
export type VerifyInput = JobInput;

/** One table of a verify report. */
export interface TableVerifyReport {
  table: string;
  sourceRows: number;
  targetRows: number;
  verified: boolean;
  /** Key ranges whose count or checksum differ, readable (e.g. `(100, 200]`). */
  mismatchedRanges: string[];
  /** Columns left out of the comparison, each as `column (why)`. Absent = every column was compared. */
  unverified?: string[];
}

/** Result of the `verify` workflow. */
export interface VerifyReport {
  status: 'same' | 'different';
  job: string;
  tables: TableVerifyReport[];
}

/** What a repair may do. */
export interface RepairOptions {
  /** Report only; write nothing. */
  dryRun: boolean;
  /** Delete target rows the source does not have (otherwise they are reported and kept). */
  deleteExtra: boolean;
}

/** Input of the `diff` and `repair` workflows. */
export interface DiffInput extends JobInput {
  /** Keys listed per kind and table (default 100); counts are always exact. */
  maxKeys: number;
  /** Present for `repair`. */
  repair?: RepairOptions;
  /** Overrides of the bisection defaults (tests use small leaves). */
  bisect?: Partial<BisectOptions>;
}

/** Up to `maxKeys` keys of each kind. */
export interface DiffKeys {
  missing: KeyTuple[];
  extra: KeyTuple[];
  changed: ChangedRow[];
}

/** What a repair wrote to one table. */
export interface RepairCounts {
  inserted: number;
  updated: number;
  deleted: number;
}

/** One table of a diff or repair report. `missing` = in the source, not in the target. */
export interface TableDiff {
  table: string;
  missing: number;
  extra: number;
  changed: number;
  keys: DiffKeys;
  /** True when some keys were left out of `keys` (raise the cap with --max-keys). */
  truncated: boolean;
  /** Set by repair (zero in a dry run). */
  repaired?: RepairCounts;
}

/** Result of the `diff` and `repair` workflows. */
export interface DiffReport {
  status: 'same' | 'different';
  job: string;
  tables: TableDiff[];
  /** Set by repair. */
  repair?: RepairOptions;
  /** Ranges checksummed and leaves compared row by row: how much work the bisection took. */
  stats: { rangesCompared: number; leaves: number };
}

/** Result of the `diffLeaf` activity for one range. */
export interface LeafResult {
  missing: number;
  extra: number;
  changed: number;
  keys: DiffKeys;
  repaired: RepairCounts;
}

/** Input of the `sync` workflow. */
export interface SyncInput extends JobInput {
  /** `incremental`: rows past the high-water mark as upserts; `full`: diff then repair, deleting extras. */
  mode: 'incremental' | 'full';
  /** Watermark column (same name in every table); required for incremental. */
  watermark?: string;
  /** Overlap behind the high-water mark (duration for dates/timestamps, number otherwise). Default 5m. */
  overlap: string;
  /** In incremental mode, every N-th run is a full pass (catches deletes). */
  fullEvery?: number;
  /** Keys listed per kind in full passes (default 100). */
  maxKeys: number;
}

/** What a sync run leaves for the next one (its result carries it; the next run finds it through visibility). */
export interface SyncState {
  /** Sequence number of the run: 1 for the first sync of a job. */
  run: number;
  /** Watermark column the marks belong to; marks of another column are ignored. */
  watermark: string | null;
  /** High-water mark per target table (checksum form), null when the table had no watermark value. */
  marks: Record<string, string | null>;
}

/** One table of a sync report. */
export interface SyncTableReport {
  table: string;
  /** Rows written as upserts by the incremental window. */
  rowsUpserted: number;
  /** The window copied: `after < watermark <= upTo` (after null = from the beginning). */
  window?: { after: string | null; upTo: string | null };
  /** Set by a full pass. */
  diff?: Omit<TableDiff, 'table'>;
}

/** Result of the `sync` workflow. */
export interface SyncReport {
  status: 'completed';
  job: string;
  /** What this run did: a full pass when `--mode full` or when `fullEvery` says so. */
  pass: 'incremental' | 'full';
  tables: SyncTableReport[];
  state: SyncState;
}
