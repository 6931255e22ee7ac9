/**
 * Import activities: plan an import from a manifest (checking every chunk file before anything is
 * written) and load one chunk file into its key range through the target's bulk path.
 */
import { join } from 'node:path';
import { Context } from '@temporalio/activity';
import type { Column, TableSchema } from '../core/column-model.js';
import type { ImportPlan, ImportShardInput } from '../core/files-report.js';
import { ChunkFileError, FerryError, JobSpecError } from '../errors.js';
import { readChunkFile } from '../files/chunk-read.js';
import { hashFile } from '../files/file-io.js';
import type { Manifest, TableEntry } from '../files/manifest.js';
import { loadManifest } from '../files/manifest-io.js';
import type { ActivityDeps } from './deps.js';
import { dialectFor } from './deps.js';
import { withFailures } from './failures.js';

/** The key columns of a manifest table, in key order. */
export function keyOf(t: TableEntry): Column[] {
  return t.key.map((k) => t.schema.columns.find((c) => c.name === k)!);
}

/** The manifest's tables named by `tables` (`*` = all), refusing names the export does not hold. */
export function selectTables(m: Manifest, tables: string[] | '*', path: string): TableEntry[] {
  if (tables === '*') return m.tables;
  return tables.map((name) => {
    const t = m.tables.find((x) => x.name === name);
    if (!t) throw new JobSpecError('tables', `"${name}" is not in the export ${path} (it holds ${m.tables.map((x) => x.name).join(', ')})`);
    return t;
  });
}

/** Input of {@link planImport}. */
export interface PlanImportInput {
  dir: string;
  target: string;
  tables: string[] | '*';
}

/**
 * Reads and validates the manifest, checks that every chunk file of the chosen tables exists with the
 * recorded size and sha256 (so a damaged export is refused before any row is written, naming the
 * file), and that every column maps to the target engine as `migrate` would map it.
 */
export async function planImport(deps: ActivityDeps, input: PlanImportInput): Promise<ImportPlan> {
  const ctx = Context.current();
  return withFailures(`planning the import from ${input.dir}`, async () => {
    const m = await loadManifest(input.dir);
    const tables = selectTables(m, input.tables, input.dir);
    const target = dialectFor(deps, input.target);
    for (const t of tables) checkMapping(target.nativeType.bind(target), target.createTableSql.bind(target), t.schema);
    const files = tables.flatMap((t) => t.shards.flatMap((s) => s.chunks));
    let checked = 0;
    const lanes = Array.from({ length: 4 }, async () => {
      while (checked < files.length) {
        const c = files[checked++]!;
        const path = join(input.dir, c.file);
        const onDisk = await hashFile(path);
        if (!onDisk) throw new ChunkFileError(path, 'is missing');
        if (onDisk.bytes !== c.bytes) throw new ChunkFileError(path, `is damaged: it has ${onDisk.bytes} bytes, the manifest says ${c.bytes}`);
        if (onDisk.sha256 !== c.sha256) throw new ChunkFileError(path, `is damaged: its sha256 is ${onDisk.sha256}, the manifest says ${c.sha256}`);
        ctx.heartbeat({ checked });
      }
    });
    await Promise.all(lanes);
    return {
      source: m.source,
      tables: tables.map((t) => ({ name: t.name, schema: t.schema, key: keyOf(t), rows: t.rows, shards: t.shards.map((s) => ({ lo: s.lo, hi: s.hi, chunks: s.chunks.length })) })),
    };
  });
}

function checkMapping(nativeType: (table: string, c: Column) => string, createSql: (s: TableSchema) => string, schema: TableSchema): void {
  for (const c of schema.columns) nativeType(schema.name, c);
  createSql(schema);
}

/** Input of {@link importChunk}. */
export interface ImportChunkInput extends Pick<ImportShardInput, 'dir' | 'target' | 'table' | 'shard'> {
  n: number;
}

/** Result of {@link importChunk}. */
export interface ImportChunkResult {
  rows: number;
  worker: string;
  attempt: number;
}

/**
 * Loads chunk `n` of a shard: streams its file (checked on the way) into `writeRange`, which deletes
 * the chunk's key range and bulk-loads the rows in one transaction. A retry leaves the same rows; a
 * damaged file fails non-retryably before the transaction commits, so its range is left as it was.
 */
export async function importChunk(deps: ActivityDeps, input: ImportChunkInput): Promise<ImportChunkResult> {
  const ctx = Context.current();
  return withFailures(`loading chunk ${input.n} of shard ${input.shard} of ${input.table}`, async () => {
    const m = await loadManifest(input.dir);
    const t = m.tables.find((x) => x.name === input.table);
    const c = t?.shards[input.shard]?.chunks[input.n];
    if (!t || !c) throw new FerryError(`${input.dir}: the manifest has no chunk ${input.n} in shard ${input.shard} of table ${input.table}; it changed after the import started, so start the import again`);
    const range = { lo: c.lo, hi: c.hi };
    const path = join(input.dir, c.file);
    const target = dialectFor(deps, input.target);
    const src = readChunkFile(path, t.schema.columns.map((x) => x.name), m.format, c);
    const beat = setInterval(() => ctx.heartbeat({ rows: src.rows() }), 2000);
    const onCancel = () => src.stream.destroy(new Error('chunk cancelled'));
    ctx.cancellationSignal.addEventListener('abort', onCancel, { once: true });
    try {
      const rows = await target.writeRange({ table: t.name, columns: t.schema.columns, key: keyOf(t), range }, src.stream);
      return { rows, worker: deps.workerName ?? 'worker', attempt: ctx.info.attempt };
    } catch (e) {
      // The file's fault, not the database's: name the file, and do not retry.
      throw src.failure() ?? e;
    } finally {
      clearInterval(beat);
      ctx.cancellationSignal.removeEventListener('abort', onCancel);
    }
  });
}
