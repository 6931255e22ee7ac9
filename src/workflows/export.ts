/**
 * `exportTables`: plan → one `exportShard` child per shard (bounded by `parallelism`, IDs
 * `<workflowId>/<table>/<shard>`) writing chunk files → the manifest. `exportShard` writes its range
 * chunk by chunk; its cursor lives in workflow state, so after a crash the shard resumes at the first
 * chunk not yet written, and a re-run of the whole export skips the chunks already on disk.
 */
import { ParentClosePolicy, continueAsNew, executeChild, proxyActivities, setCurrentDetails, workflowInfo } from '@temporalio/workflow';
import type { FerryActivities } from '../activities/index.js';
import type { ExportInput, ExportReport, ExportShardInput, ExportShardResult, ExportTableReport } from '../core/files-report.js';
import { describeRange, type KeyTuple } from '../core/key-range.js';
import { FerryJobKey, FerryKindKey, FerryTableKey } from '../shared.js';
import { boundedAll } from '../core/bounded.js';
import { chunkReporter, withProgress, type ProgressTracker } from './files-progress.js';

const retry = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' };
const { planExport, finishExport } = proxyActivities<FerryActivities>({ startToCloseTimeout: '1 hour', retry });
const chunkOptions = {
  startToCloseTimeout: '30 minutes',
  // Short enough that a chunk on a killed worker is written again elsewhere within seconds.
  heartbeatTimeout: '15 seconds',
  retry,
} as const;
const { exportChunk } = proxyActivities<FerryActivities>(chunkOptions);

/** Exports the job's tables into `input.dir` and returns what was written per table. */
export async function exportTables(input: ExportInput): Promise<ExportReport> {
  return withProgress((progress) => exportAll(input, progress), () => 'completed');
}

async function exportAll(input: ExportInput, progress: ProgressTracker): Promise<ExportReport> {
  progress.phase('planning');
  setCurrentDetails(`planning the export of ${input.tables === '*' ? 'all tables' : input.tables.join(', ')} into ${input.dir}`);
  const plan = await planExport(input);
  // Expected rows come from the source's statistics until the manifest gives the exact counts.
  progress.planned(plan.tables.map((t) => ({ source: t.name, target: `${input.dir}/${t.dir}`, rowsTotal: t.estimatedRows ?? 0, shards: t.shards.length })));
  progress.phase('copying');
  const shards = plan.tables.flatMap((t, ti) => t.shards.map((range, shard) => ({ t, ti, shard, range })));
  const results = await boundedAll(shards, input.parallelism, async ({ t, ti, shard, range }) => {
    const r = await executeChild(exportShard, {
      workflowId: `${workflowInfo().workflowId}/${t.name}/${shard}`,
      args: [{ source: input.source, dir: input.dir, table: t.name, tableDir: t.dir, shard, columns: t.columns, key: t.key, range, chunkRows: input.chunkRows, format: input.format }],
      staticSummary: `export ${t.name}, shard ${shard + 1}/${t.shards.length}, keys ${describeRange(range)}`,
      typedSearchAttributes: [
        { key: FerryJobKey, value: input.job },
        { key: FerryTableKey, value: t.name },
        { key: FerryKindKey, value: 'exportShard' },
      ],
      parentClosePolicy: ParentClosePolicy.TERMINATE,
    });
    progress.shardDone(ti, shard, r.rows);
    return r;
  });
  const written = await finishExport({ dir: input.dir });
  for (const w of written.tables) progress.exactTotal(w.table, w.rows);
  progress.phase('done');
  const tables: ExportTableReport[] = plan.tables.map((t, ti) => {
    const own = results.filter((_, i) => shards[i]!.ti === ti);
    const w = written.tables.find((x) => x.table === t.name);
    const workers: Record<string, number> = {};
    for (const r of own) for (const [k, n] of Object.entries(r.workers)) workers[k] = (workers[k] ?? 0) + n;
    return {
      table: t.name,
      rows: w?.rows ?? 0,
      chunks: w?.chunks ?? 0,
      bytes: w?.bytes ?? 0,
      skippedChunks: own.reduce((a, r) => a + r.skipped, 0),
      rowsRedone: own.reduce((a, r) => a + r.redone, 0),
      workers,
    };
  });
  return { status: 'completed', job: input.job, dir: input.dir, format: input.format, tables, ...(plan.warnings ? { warnings: plan.warnings } : {}) };
}

/** Writes `input.range` of `input.table` as chunk files and returns the rows written. */
export async function exportShard(input: ExportShardInput): Promise<ExportShardResult> {
  const state: ExportShardResult = input.carried ?? { rows: 0, chunks: 0, skipped: 0, redone: 0, workers: {} };
  let cursor: KeyTuple | null = input.range.lo;
  const report = chunkReporter(input.table, input.shard);
  for (let n = input.n ?? 0; ; n++) {
    const range = { lo: cursor, hi: input.range.hi };
    const { carried: _c, n: _n, ...base } = input;
    const r = await exportChunk.executeWithOptions({ ...chunkOptions, summary: `${input.table} chunk ${n}, keys ${describeRange(range)}, up to ${input.chunkRows} rows` }, [
      { ...base, range, n },
    ]);
    state.rows += r.rows;
    state.chunks += 1;
    if (r.skipped) state.skipped += 1;
    else state.workers[r.worker] = (state.workers[r.worker] ?? 0) + r.rows;
    if (r.attempt > 1 && !r.skipped) state.redone += r.rows;
    setCurrentDetails(`**${input.table}** shard ${input.shard}: ${state.rows.toLocaleString('en-US')} rows in ${state.chunks} chunks (${state.skipped} already written)`);
    report({ rows: r.rows, end: r.end, worker: r.worker, attempt: r.skipped ? 1 : r.attempt, last: r.done });
    if (r.done) break;
    cursor = r.end;
    if (workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof exportShard>({ ...input, range: { lo: cursor, hi: input.range.hi }, n: n + 1, carried: state });
    }
  }
  return state;
}
