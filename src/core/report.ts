/**
 * Small, JSON-safe shapes that cross Temporal: workflow inputs, the plan, progress and the report.
 * Rows never travel through Temporal; only these summaries do.
 */
import type { Column, TableSchema } from './column-model.js';
import type { KeyRange } from './key-range.js';

/** Input of the `migrate` workflow: a validated job whose URLs still hold their `${ENV}` placeholders. */
export interface MigrateInput {
  /** Job name: used in child workflow IDs and the FerryJob search attribute. */
  job: string;
  source: string;
  target: string;
  tables: string[] | '*';
  chunkRows: number;
  parallelism: number;
  onExisting: 'fail' | 'truncate' | 'append';
  verify: 'none' | 'count' | 'checksum';
  keys: Record<string, string[]>;
}

/** One table of a plan: its schema (for the target DDL), key and shards. */
export interface TablePlan {
  source: string;
  target: string;
  schema: TableSchema;
  /** Key columns, in key order. */
  key: Column[];
  shards: KeyRange[];
}

/** Result of the planning activity. */
export interface MigrationPlan {
  tables: TablePlan[];
}

/** Input of a `copyShard` child workflow. */
export interface CopyShardInput {
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
  /** Progress carried over a continue-as-new. */
  rowsSoFar?: number;
  chunksSoFar?: number;
}

/** Result of a `copyShard` child. */
export interface CopyShardResult {
  rows: number;
  chunks: number;
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
}

/** Result of the `migrate` workflow. */
export interface MigrationReport {
  status: 'completed' | 'failed';
  job: string;
  verify: MigrateInput['verify'];
  /** Filled by the client from the workflow's start and close times (workflow code has no clock to spare). */
  durationMs: number;
  tables: TableReport[];
  /** Things ferry did not carry over, named (e.g. foreign keys to tables outside the job). */
  warnings?: string[];
}
