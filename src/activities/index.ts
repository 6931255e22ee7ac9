/**
 * The activity factory. The worker builds the dependencies (pools) once and registers what this
 * returns; workflows import only its type.
 */
import { hostname } from 'node:os';
import { copyChunk, type CopyChunkInput } from './copy-chunk.js';
import type { ActivityDeps } from './deps.js';
import { planMigration } from './plan.js';
import { previewMigration } from './plan-preview.js';
import {
  addPrimaryKey,
  createForeignKeys,
  createIndexes,
  dropForeignKeys,
  prepareTable,
  prepareTargets,
  type CreateIndexesInput,
  type PrepareTableInput,
  type PrepareTargetsInput,
} from './schema.js';
import { countLossy, verifyShard, type CountLossyInput, type VerifyShardInput } from './verify.js';
import { compareParts, diffLeaf, type ComparePartsInput, type DiffLeafInput } from './diff.js';
import { compareRange, type CompareRangeInput } from './compare-range.js';
import { lastSyncState, lockHolder, syncChunk, watermarkMax, type SyncChunkInput, type WatermarkMaxInput } from './sync.js';
import type { MigrateInput } from '../core/report.js';
import type { TableSchema } from '../core/column-model.js';
import type { ExportInput } from '../core/files-report.js';
import { exportChunk, planExport, type ExportChunkInput } from './export.js';
import { finishExport } from './export-finish.js';
import { importChunk, planImport, type ImportChunkInput, type PlanImportInput } from './import.js';
import { checkAgainstFiles, type CheckAgainstFilesInput } from './files-check.js';
import { whileAlive } from './liveness.js';

export type { ActivityDeps } from './deps.js';
export type { CopyChunkInput, CopyChunkResult } from './copy-chunk.js';
export type { CountLossyInput, VerifyShardInput, VerifyShardResult } from './verify.js';
export type { ComparePartsInput, DiffLeafInput } from './diff.js';
export type { CompareRangeInput, TableRange } from './compare-range.js';
export type { SyncChunkInput, SyncChunkResult, WatermarkMaxInput } from './sync.js';
export type { ExportChunkInput, ExportChunkResult } from './export.js';
export type { ImportChunkInput, ImportChunkResult, PlanImportInput } from './import.js';
export type { CheckAgainstFilesInput } from './files-check.js';

/** Builds ferry's activities bound to `deps`. */
export function createActivities(deps: ActivityDeps) {
  const d: ActivityDeps = { ...deps, workerName: deps.workerName ?? `${hostname()}:${process.pid}` };
  return {
    planMigration: (input: MigrateInput) => planMigration(d, input),
    previewMigration: (input: MigrateInput) => previewMigration(d, input),
    dropForeignKeys: (input: { target: string; tables: string[] }) => dropForeignKeys(d, input),
    prepareTable: (input: PrepareTableInput) => prepareTable(d, input),
    prepareTargets: (input: PrepareTargetsInput) => prepareTargets(d, input),
    copyChunk: (input: CopyChunkInput) => copyChunk(d, input),
    createIndexes: (input: CreateIndexesInput) => createIndexes(d, input),
    addPrimaryKey: (input: { target: string; schema: TableSchema }) => addPrimaryKey(d, input),
    createForeignKeys: (input: { target: string; schemas: TableSchema[] }) => createForeignKeys(d, input),
    verifyShard: (input: VerifyShardInput) => whileAlive(() => verifyShard(d, input)),
    countLossy: (input: CountLossyInput) => countLossy(d, input),
    compareRange: (input: CompareRangeInput) => whileAlive(() => compareRange(d, input)),
    compareParts: (input: ComparePartsInput) => whileAlive(() => compareParts(d, input)),
    diffLeaf: (input: DiffLeafInput) => whileAlive(() => diffLeaf(d, input)),
    watermarkMax: (input: WatermarkMaxInput) => watermarkMax(d, input),
    syncChunk: (input: SyncChunkInput) => syncChunk(d, input),
    lastSyncState: (input: { job: string }) => lastSyncState(d, input),
    lockHolder: (input: { lockId: string }) => lockHolder(d, input),
    planExport: (input: ExportInput) => planExport(d, input),
    exportChunk: (input: ExportChunkInput) => exportChunk(d, input),
    finishExport: (input: { dir: string }) => finishExport(d, input),
    planImport: (input: PlanImportInput) => planImport(d, input),
    importChunk: (input: ImportChunkInput) => importChunk(d, input),
    checkAgainstFiles: (input: CheckAgainstFilesInput) => whileAlive(() => checkAgainstFiles(d, input)),
  };
}

/** The activity interface as workflows see it. */
export type FerryActivities = ReturnType<typeof createActivities>;
