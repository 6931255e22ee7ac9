/**
 * Export activities: plan the export (the migration's planning, plus the directory's saved layout),
 * write one chunk file, and write the manifest once every chunk is on disk.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Context } from '@temporalio/activity';
import { describeRange, type KeyRange, type KeyTuple } from '../core/key-range.js';
import type { ExportInput, ExportPlan, ExportShardInput } from '../core/files-report.js';
import { FerryError, ManifestError } from '../errors.js';
import { writeChunkFile } from '../files/chunk-write.js';
import { hashFile, readJsonIfExists, removeIfExists, writeFileAtomic } from '../files/file-io.js';
import { MANIFEST_FILE, MANIFEST_VERSION, PLAN_FILE, chunkFileName, chunkRecordName, sameKey, tableDirNames, type ChunkRecord, type ExportPlanFile } from '../files/manifest.js';
import type { ActivityDeps } from './deps.js';
import { dialectFor } from './deps.js';
import { withFailures } from './failures.js';
import { planMigration } from './plan.js';

/**
 * Plans an export: the source's tables, keys and shards exactly as `migrate` plans them (the source
 * stands in for the target, so types are checked against their own engine). When the directory
 * already holds the plan of an earlier run of the same export, its shards are kept, so the re-run
 * finds and skips the chunks that run finished. Removes manifest.json: until this export writes it
 * again, the directory is not importable.
 */
export async function planExport(deps: ActivityDeps, input: ExportInput): Promise<ExportPlan> {
  const plan = await planMigration(deps, { ...input, target: input.source, onExisting: 'append', verify: 'checksum' });
  return withFailures(`planning the export into ${input.dir}`, async () => {
    const source = dialectFor(deps, input.source);
    try {
      await mkdir(input.dir, { recursive: true });
    } catch (e) {
      throw new FerryError(`cannot create the export directory ${input.dir} on worker ${deps.workerName}: ${(e as Error).message}; give --to a directory the workers can write`, { cause: e });
    }
    const planPath = join(input.dir, PLAN_FILE);
    const previous = (await readJsonIfExists(planPath)) as ExportPlanFile | undefined;
    if (previous && (previous.ferryExport !== MANIFEST_VERSION || previous.source !== source.label || previous.format !== input.format || previous.chunkRows !== input.chunkRows)) {
      throw new ManifestError(
        planPath,
        `the directory holds an export of ${previous.source} as ${previous.format} with ${previous.chunkRows} rows per chunk; ` +
          `re-run with the same --format and --chunk-rows to finish it, export into an empty directory, or delete this one`,
      );
    }
    const dirs = tableDirNames(plan.tables.map((t) => t.source));
    const tables = plan.tables.map((t, i) => {
      const old = previous?.tables.find((p) => p.name === t.source);
      const same = old && JSON.stringify(old.schema.columns) === JSON.stringify(t.schema.columns) && JSON.stringify(old.key) === JSON.stringify(t.key.map((k) => k.name));
      return { name: t.source, dir: dirs[i]!, schema: t.schema, key: t.key.map((k) => k.name), shards: same ? old.shards : t.shards, columns: t.schema.columns, keyColumns: t.key };
    });
    await removeIfExists(join(input.dir, MANIFEST_FILE));
    for (const t of tables) await mkdir(join(input.dir, t.dir), { recursive: true });
    const file: ExportPlanFile = {
      ferryExport: MANIFEST_VERSION,
      source: source.label,
      engine: source.engine,
      format: input.format,
      chunkRows: input.chunkRows,
      tables: tables.map(({ name, dir, schema, key, shards }) => ({ name, dir, schema, key, shards })),
    };
    await writeFileAtomic(planPath, JSON.stringify(file, null, 1));
    return {
      tables: tables.map((t) => ({ name: t.name, dir: t.dir, columns: t.columns, key: t.keyColumns, shards: t.shards, estimatedRows: t.schema.estimatedRows })),
      ...(plan.warnings ? { warnings: plan.warnings } : {}),
    };
  });
}

/** Input of {@link exportChunk}: the rest of a shard from the cursor `range.lo` and the chunk's number in it. */
export interface ExportChunkInput extends Omit<ExportShardInput, 'shard'> {
  shard: number;
  n: number;
}

/** Result of {@link exportChunk}. */
export interface ExportChunkResult {
  rows: number;
  /** Last key of the chunk: the cursor of the next one. */
  end: KeyTuple | null;
  done: boolean;
  /** The chunk was already written and intact (a re-run), so nothing was read or written. */
  skipped: boolean;
  worker: string;
  attempt: number;
}

interface ExportHeartbeat {
  end: KeyTuple | null;
  rows?: number;
}

/**
 * Writes chunk `n` of a shard: up to `chunkRows` rows after the cursor into `<shard>-<n>.<format>.gz`
 * (atomically), then its record. A chunk whose record and file match (same start, same shard, file
 * bytes as recorded) is kept as it is; a damaged or missing one is written again over the same range.
 */
export async function exportChunk(deps: ActivityDeps, input: ExportChunkInput): Promise<ExportChunkResult> {
  const ctx = Context.current();
  return withFailures(`exporting ${input.table} keys ${describeRange(input.range)}`, async () => {
    const folder = join(input.dir, input.tableDir);
    const filePath = join(folder, chunkFileName(input.shard, input.n, input.format));
    const recordPath = join(folder, chunkRecordName(input.shard, input.n));
    const worker = deps.workerName ?? 'worker';
    const record = (await readJsonIfExists(recordPath).catch(() => undefined)) as ChunkRecord | undefined;
    const sameChunk = record !== undefined && sameKey(record.lo, input.range.lo) && sameKey(record.shardHi, input.range.hi) && record.format === input.format;
    if (sameChunk) {
      const onDisk = await hashFile(filePath);
      if (onDisk && onDisk.sha256 === record.sha256 && onDisk.bytes === record.bytes) {
        return { rows: record.rows, end: record.end, done: record.done, skipped: true, worker, attempt: ctx.info.attempt };
      }
    }
    const source = dialectFor(deps, input.source);
    const previous = ctx.info.heartbeatDetails as ExportHeartbeat | undefined;
    // The same end as before (a retry, or a damaged chunk rewritten) keeps the chunks after it valid.
    const end = sameChunk ? record.end : previous !== undefined ? previous.end : await source.chunkEnd(input.table, input.key, input.range, input.chunkRows);
    ctx.heartbeat({ end } satisfies ExportHeartbeat);
    const chunk: KeyRange = { lo: input.range.lo, hi: end ?? input.range.hi };
    const data = await source.readRange({ table: input.table, columns: input.columns, key: input.key, range: chunk });
    const onCancel = () => data.destroy(new Error('chunk cancelled'));
    ctx.cancellationSignal.addEventListener('abort', onCancel, { once: true });
    try {
      const written = await writeChunkFile(data, filePath, { columns: input.columns, key: input.key, format: input.format, onProgress: (rows) => ctx.heartbeat({ end, rows } satisfies ExportHeartbeat) });
      const done = end === null || (input.range.hi !== null && sameKey(end, input.range.hi));
      const rec: ChunkRecord = { lo: input.range.lo, end, shardHi: input.range.hi, done, format: input.format, ...written };
      await writeFileAtomic(recordPath, JSON.stringify(rec));
      return { rows: written.rows, end, done, skipped: false, worker, attempt: ctx.info.attempt };
    } finally {
      ctx.cancellationSignal.removeEventListener('abort', onCancel);
    }
  });
}
