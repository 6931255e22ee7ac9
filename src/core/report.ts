/**
 * Small, JSON-safe shapes that cross Temporal: workflow inputs, the plan, progress and the report.
 * Rows never travel through Temporal; only these summaries do.
 */
import type { Column, TableSchema } from './column-model.js';
import type { CopiedDigests } from './copied-digest.js';
import type { KeyRange, KeyTuple } from './key-range.js';
import type { SourceView, TableMapping, TransformRef } from './table-mapping.js';

/** Input of the `migrate` workflow: a validated job whose URLs still hold their `${ENV}` placeholders. */
export interface MigrateInput {
  /** Job name: used in child workflow IDs and the FerryJob search attribute. */
  job: string;
  source: string;
  target: string;
  /** Source table names, or mappings that reshape them (see core/table-mapping.ts), or `"*"`. */
  tables: (string | TableMapping)[] | '*';
  chunkRows: number;
  parallelism: number;
  onExisting: 'fail' | 'truncate' | 'append';
  verify: 'none' | 'count' | 'checksum';
  keys: Record<string, string[]>;
  /** Target column types by `"table.column"`, overriding the mapping. Absent = none. */
  types?: Record<string, string>;
  /** Per `"table.column"`: what to do with values the target cannot hold. Absent = error everywhere. */
  onLossy?: Record<string, 'error' | 'null' | 'replace'>;
  /** Job-wide copy rate limit in rows per second, shared evenly by the shards in flight. Absent = unlimited. */
  maxRowsPerSecond?: number;
  /** Continue a cancelled or failed run: its plan and how far each shard got (from its `resumeState` query). */
  resume?: ResumeState;
  /** Carried over continue-as-new; never set by clients. */
  carried?: CarriedState;
  /** Continue-as-new once history holds this many events (default: when the server suggests it). For tests. */
  historyLimit?: number;
}

/** How far one shard got. */
export interface ShardState {
  /** Index of the table in the plan. */
  table: number;
  shard: number;
  done: boolean;
  /** Last key committed (null = nothing yet). */
  cursor: KeyTuple | null;
  rows: number;
  /** Rows copied again because a chunk attempt failed or its worker died after committing. */
  redone: number;
  /** Rows copied per worker identity. */
  workers: Record<string, number>;
  /** Digests of the rows the shard's copy read, when it took them for all of its chunks (verify uses them). */
  digests?: CopiedDigests;
}

/** Everything a new run needs to continue an earlier one. */
export interface ResumeState {
  plan: MigrationPlan;
  shards: ShardState[];
}

/** What a run's `resumeState` query answers: its job as started, plan and shard progress. */
export interface ResumeAnswer extends ResumeState {
  input: Omit<MigrateInput, 'resume' | 'carried'>;
}

/** State a `migrate` run hands to its continuation. */
export interface CarriedState extends ResumeState {
  startedAtMs: number;
}

/** One table of a plan: its schema (for the target DDL), key and shards. */
export interface TablePlan {
  source: string;
  target: string;
  schema: TableSchema;
  /** Key columns, in key order. */
  key: Column[];
  shards: KeyRange[];
  /** How the source is read when the job reshapes the table; absent = as it is. */
  view?: SourceView;
  /** The job's row transform for this table; absent = none. */
  transform?: TransformRef;
  /** Target columns verify cannot compare, with why; absent = none. */
  unverified?: { column: string; reason: string }[];
  /**
   * The target table was created without its primary key, which is added after the copy; set by the
   * run that prepared it. Absent = the key is in place (or the table has none).
   */
  deferredKey?: boolean;
  /**
   * The existing target table's own columns (the names and order of `schema.columns`, the target's
   * types), set in planning when the two databases are one engine and a compared column is declared
   * differently on the target (see core/type-drift.ts). The target side is then read and hashed by
   * these, in canonical text rather than the same-engine whole-row form. Absent = declared alike.
   */
  targetColumns?: Column[];
}

/** How a table's source side is read, as range activities take it (see {@link TablePlan}). */
export interface TableMappingFields {
  view?: SourceView;
  transform?: TransformRef;
  /** Target columns verify and diff leave out. */
  unverified?: string[];
}

/** The mapping fields of a planned table, to spread into activity and child inputs. */
export function mappingOf(t: TablePlan): TableMappingFields {
  return {
    ...(t.view ? { view: t.view } : {}),
    ...(t.transform ? { transform: t.transform } : {}),
    ...(t.unverified && t.unverified.length > 0 ? { unverified: t.unverified.map((u) => u.column) } : {}),
  };
}

/** A planned table as the activities working on a range of it take it: both sides, columns, key and mapping. */
export function tableSides(job: { source: string; target: string }, t: TablePlan) {
  return {
    source: job.source,
    target: job.target,
    table: t.source,
    targetTable: t.target,
    columns: t.schema.columns,
    key: t.key,
    ...mappingOf(t),
    ...(t.targetColumns ? { targetColumns: t.targetColumns } : {}),
  };
}

/** Source table names of a job's `tables` list. */
export function tableNames(tables: (string | TableMapping)[]): string[] {
  return tables.map((t) => (typeof t === 'string' ? t : t.name));
}

/** Result of the planning activity. */
export interface MigrationPlan {
  tables: TablePlan[];
  /** What the source has outside any table that ferry does not carry (stored routines), named. Absent = none. */
  warnings?: string[];
}

/** One column of a plan as `ferry plan` shows it. */
export interface ColumnPlan {
  name: string;
  sourceType: string;
  targetType: string;
  nullable: boolean;
}

/** What `ferry plan` prints per table: DDL on both sides, the type mapping, estimate and shards. */
export interface TablePreview {
  source: string;
  target: string;
  sourceDdl: string;
  targetDdl: string;
  columns: ColumnPlan[];
  estimatedRows: number;
  shards: KeyRange[];
  warnings: string[];
}

/** Result of the `plan` workflow. */
export interface PlanPreview {
  tables: TablePreview[];
  warnings: string[];
}

/** Input of a `copyShard` child workflow. */
export interface CopyShardInput extends TableMappingFields {
  job: string;
  source: string;
  target: string;
  table: string;
  targetTable: string;
  shard: number;
  columns: Column[];
  key: Column[];
  range: KeyRange;
  chunkRows: number;
  /** This shard's share of the job's rate limit (rows/s). */
  maxRowsPerSecond?: number;
  /** See `CopyChunkInput.freshTarget`. */
  freshTarget?: boolean;
  /** See `CopyChunkInput.digest`. */
  digest?: boolean;
  /** Progress carried over a continue-as-new. */
  carried?: CopyShardResult;
}

/** Result of a `copyShard` child (also its state across continue-as-new). */
export interface CopyShardResult {
  rows: number;
  chunks: number;
  redone: number;
  workers: Record<string, number>;
  /**
   * The chunks' digests of the rows copied (see core/copied-digest.ts): absent before the first
   * chunk, null once a chunk had none.
   */
  digests?: CopiedDigests | null;
}

/** Per-table progress as the `progress` query reports it. */
export interface TableProgress {
  source: string;
  target: string;
  rowsDone: number;
  /** Row estimate from the plan (statistics), replaced by the exact count once verified. */
  rowsTotal: number;
  shardsDone: number;
  shardsTotal: number;
}

/** Phases of a migration, in order. */
export type MigrationPhase = 'planning' | 'preparing' | 'copying' | 'indexing' | 'verifying' | 'done';

/** Answer of the `progress` query. */
export interface MigrationProgress {
  phase: MigrationPhase;
  /** When the job's first run started (ms since epoch), for rates across continue-as-new. */
  startedAtMs: number;
  tables: TableProgress[];
}

/** Verification result of one table. */
export interface TableVerification {
  sourceRows: number;
  targetRows: number;
  /** True when counts (and, for `checksum`, checksums) match in every shard. */
  verified: boolean;
  /** Shards whose count or checksum differ, as readable key ranges. */
  mismatchedRanges: string[];
}

/** One table of the final report. */
export interface TableReport {
  source: string;
  target: string;
  rowsCopied: number;
  sourceRows: number;
  targetRows: number;
  verified: boolean;
  mismatchedRanges?: string[];
  /** Rows copied more than once because a chunk was retried (a crash costs at most the chunks in flight). */
  rowsRedone: number;
  /** Rows copied by each worker. */
  workers: Record<string, number>;
  /**
   * Per column with onLossy `null`/`replace`: source rows whose value the target could not hold and
   * that were written as NULL (`nulled`) or as the stated replacement (`replaced`). Absent = none.
   */
  lossy?: Record<string, { nulled?: number; replaced?: number }>;
  /** Target columns verification left out, each as `column (why)`. Absent = every column was compared. */
  unverified?: string[];
}

/** A planned table's unverified columns as reports list them, or nothing. */
export function unverifiedOf(t: TablePlan): { unverified?: string[] } {
  return t.unverified && t.unverified.length > 0 ? { unverified: t.unverified.map((u) => `${u.column} (${u.reason})`) } : {};
}

/** Result of the `migrate` workflow. */
export interface MigrationReport {
  status: 'completed' | 'failed';
  job: string;
  verify: MigrateInput['verify'];
  /** From the first run's start (workflow time, deterministic); the CLI replaces it with the server's start-to-close time. */
  durationMs: number;
  tables: TableReport[];
  /** Things ferry did not carry over, named (e.g. foreign keys to tables outside the job). */
  warnings?: string[];
}
