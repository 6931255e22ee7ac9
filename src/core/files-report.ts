/**
 * Shapes of `export`, `import` and verification against an export directory that cross Temporal:
 * inputs, plans and reports. Small by construction: rows and chunk lists stay in the files.
 */
import type { Column, TableSchema } from './column-model.js';
import type { KeyRange, KeyTuple } from './key-range.js';

/** Chunk file formats (see files/manifest.ts). */
export type ExportFormat = 'csv' | 'ndjson';

/** Input of the `exportTables` workflow. */
export interface ExportInput {
  job: string;
  /** Source URL with its `${ENV}` placeholders. */
  source: string;
  /** Absolute path of the export directory, as the workers see it. */
  dir: string;
  tables: string[] | '*';
  chunkRows: number;
  parallelism: number;
  keys: Record<string, string[]>;
  format: ExportFormat;
}

/** One table of an export plan. */
export interface ExportTablePlan {
  name: string;
  /** Its folder under the export directory. */
  dir: string;
  columns: Column[];
  key: Column[];
  shards: KeyRange[];
  /** Rows expected, from the source's statistics (for progress only). Absent in plans of older versions. */
  estimatedRows?: number;
}

/** Result of the `planExport` activity. */
export interface ExportPlan {
  tables: ExportTablePlan[];
  warnings?: string[];
}

/** Input of an `exportShard` child workflow. */
export interface ExportShardInput {
  source: string;
  dir: string;
  table: string;
  tableDir: string;
  shard: number;
  columns: Column[];
  key: Column[];
  range: KeyRange;
  chunkRows: number;
  format: ExportFormat;
  /** Number of the chunk at `range.lo` (0 for a fresh shard; more after a continue-as-new). */
  n?: number;
  /** Progress carried over a continue-as-new. */
  carried?: ExportShardResult;
}

/** Result of an `exportShard` child. */
export interface ExportShardResult {
  rows: number;
  chunks: number;
  /** Chunks a re-run found written and intact, and kept. */
  skipped: number;
  /** Rows written again because a chunk attempt failed or its worker died. */
  redone: number;
  workers: Record<string, number>;
}

/** One table of an export report. */
export interface ExportTableReport {
  table: string;
  rows: number;
  chunks: number;
  bytes: number;
  skippedChunks: number;
  rowsRedone: number;
  workers: Record<string, number>;
}

/** Result of the `exportTables` workflow. */
export interface ExportReport {
  status: 'completed';
  job: string;
  dir: string;
  format: ExportFormat;
  tables: ExportTableReport[];
  warnings?: string[];
}

/** Input of the `importFiles` workflow. */
export interface ImportInput {
  job: string;
  dir: string;
  /** Target URL with its `${ENV}` placeholders. */
  target: string;
  /** Tables of the export to load; `*` = all. */
  tables: string[] | '*';
  parallelism: number;
  onExisting: 'fail' | 'truncate' | 'append';
  verify: 'none' | 'count' | 'checksum';
}

/** One shard of an import plan: its range and how many chunk files it has. */
export interface ImportShardPlan {
  lo: KeyTuple | null;
  hi: KeyTuple | null;
  chunks: number;
}

/** One table of an import plan. */
export interface ImportTablePlan {
  name: string;
  schema: TableSchema;
  key: Column[];
  rows: number;
  shards: ImportShardPlan[];
}

/** Result of the `planImport` activity (every chunk file checked). */
export interface ImportPlan {
  tables: ImportTablePlan[];
  source: string;
}

/** Input of an `importShard` child workflow and of its `importChunk` activities. */
export interface ImportShardInput {
  dir: string;
  target: string;
  table: string;
  shard: number;
  chunks: number;
  /** First chunk to load (a continued run starts past the loaded ones). */
  from?: number;
  carried?: LoadShardResult;
}

/** Result of an `importShard` child (also its state across continue-as-new). */
export interface LoadShardResult {
  rows: number;
  chunks: number;
  redone: number;
  workers: Record<string, number>;
}

/** Result of the `checkAgainstFiles` activity for one shard. */
export interface ShardCheck {
  dbRows: number;
  fileRows: number;
  match: boolean;
  /** Chunk ranges that differ, readable, each with its file (at most 20). */
  mismatched: string[];
}

/** One table of an import report. */
export interface ImportTableReport {
  table: string;
  rowsLoaded: number;
  fileRows: number;
  targetRows: number;
  verified: boolean;
  mismatchedRanges?: string[];
  rowsRedone: number;
  workers: Record<string, number>;
}

/** Result of the `importFiles` workflow. */
export interface ImportReport {
  status: 'completed' | 'failed';
  job: string;
  verify: ImportInput['verify'];
  tables: ImportTableReport[];
  warnings?: string[];
}

/** Input of the `verifyFiles` workflow: a database compared with an export directory. */
export interface VerifyFilesInput {
  job: string;
  dir: string;
  /** The database side. */
  url: string;
  /** Which side of the command line the directory was: reports keep source/target in that order. */
  dirSide: 'source' | 'target';
  tables: string[] | '*';
  parallelism: number;
}
