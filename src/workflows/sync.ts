/**
 * `sync`: brings target tables up to date. An incremental pass upserts the rows whose watermark lies
 * past the last high-water mark (minus an overlap for late commits), chunk by chunk in (watermark, key)
 * order; a full pass (`mode: full`, or every `fullEvery`-th run) diffs and repairs, deleting extra rows.
 * The high-water marks are this workflow's result; the next run finds the last completed run of the
 * same job through visibility, so the state lives in Temporal, not in the target database.
 */
import { ApplicationFailure, proxyActivities, setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import type { FerryActivities, SyncChunkResult } from '../activities/index.js';
import type { SyncInput, SyncReport, SyncState, SyncTableReport } from '../core/compare-report.js';
import { mappingOf, tableSides, type TablePlan } from '../core/report.js';
import { watermarkProblem, windowStart } from '../core/watermark.js';
import { FerryJobKey, FerryKindKey } from '../shared.js';
import { boundedAll } from '../core/bounded.js';
import { planInput } from './compare.js';
import { compareTables } from './compare-tables.js';
import { acquireTableLocks } from './table-lock.js';

const retry = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' };
const { planMigration, prepareTable, createIndexes, watermarkMax, lastSyncState } = proxyActivities<FerryActivities>({
  startToCloseTimeout: '1 hour',
  retry,
});
const { syncChunk } = proxyActivities<FerryActivities>({ startToCloseTimeout: '1 hour', heartbeatTimeout: '30 seconds', retry });

/** Runs one sync pass over the job's tables and returns what it did and the new high-water marks. */
export async function sync(input: SyncInput): Promise<SyncReport> {
  // Runs started by hand, by a schedule or by another tool are all found by the next run's lookup.
  upsertSearchAttributes([
    { key: FerryJobKey, value: input.job },
    { key: FerryKindKey, value: 'sync' },
  ]);
  const plan = await planMigration(planInput(input));
  const watermarks = plan.tables.map((t) => watermarkColumn(t, input));
  const locks = await acquireTableLocks(input.target, plan.tables.map((t) => t.target));
  try {
    await Promise.all(plan.tables.map((t) => prepareTable({ target: input.target, schema: t.schema, onExisting: 'append' })));
    const previous = await lastSyncState({ job: input.job });
    const run = (previous?.run ?? 0) + 1;
    const full = input.mode === 'full' || (input.fullEvery !== undefined && input.fullEvery > 0 && run % input.fullEvery === 0);
    const prevMarks = previous && previous.watermark === (input.watermark ?? null) ? previous.marks : {};
    // High-water marks are read before any copying, so rows changed while this pass runs are past them.
    const upTo = await Promise.all(
      plan.tables.map((t, i) => (watermarks[i] ? watermarkMax({ source: input.source, table: t.source, column: watermarks[i], ...mappingOf(t) }) : Promise.resolve(null))),
    );
    setCurrentDetails(`run ${run}: ${full ? 'full pass (diff and repair)' : 'incremental'} over ${plan.tables.length} table(s)`);
    let tables: SyncTableReport[];
    if (full) {
      const { tables: diffs } = await compareTables({ ...input, repair: { dryRun: false, deleteExtra: true } }, plan.tables);
      tables = diffs.map(({ table, ...diff }) => ({ table, rowsUpserted: (diff.repaired?.inserted ?? 0) + (diff.repaired?.updated ?? 0), diff }));
    } else {
      tables = await boundedAll(plan.tables, input.parallelism, (t, i) =>
        syncTable(input, t, watermarks[i]!, prevMarks[t.target] ?? null, upTo[i] ?? null),
      );
    }
    await Promise.all(plan.tables.map((t) => createIndexes({ target: input.target, schema: t.schema })));
    const marks: SyncState['marks'] = {};
    plan.tables.forEach((t, i) => (marks[t.target] = upTo[i] ?? prevMarks[t.target] ?? null));
    return { status: 'completed', job: input.job, pass: full ? 'full' : 'incremental', tables, state: { run, watermark: input.watermark ?? null, marks } };
  } finally {
    await locks.release();
  }
}

function watermarkColumn(t: TablePlan, input: SyncInput): TablePlan['key'][number] | undefined {
  if (!input.watermark) {
    if (input.mode === 'incremental') throw ApplicationFailure.nonRetryable('incremental sync needs --watermark <column>', 'JobSpecError');
    return undefined;
  }
  const col = t.schema.columns.find((c) => c.name === input.watermark);
  const problem = watermarkProblem(t.source, input.watermark, col?.type);
  if (problem) throw ApplicationFailure.nonRetryable(problem, 'JobSpecError');
  return col;
}

/** Upserts one table's change window chunk by chunk; the cursor lives in workflow state. */
async function syncTable(input: SyncInput, t: TablePlan, watermark: TablePlan['key'][number], mark: string | null, upTo: string | null): Promise<SyncTableReport> {
  if (upTo === null) return { table: t.target, rowsUpserted: 0, window: { after: mark, upTo: null } };
  let after: string | null;
  try {
    after = mark === null ? null : windowStart(watermark.type, mark, input.overlap);
  } catch (e) {
    throw ApplicationFailure.nonRetryable(`--overlap: ${(e as Error).message}`, 'JobSpecError');
  }
  let cursor: string[] | null = null;
  let rows = 0;
  for (;;) {
    const r: SyncChunkResult = await syncChunk({
      ...tableSides(input, t),
      watermark,
      after,
      upTo,
      range: { lo: cursor, hi: null },
      chunkRows: input.chunkRows,
    });
    rows += r.rows;
    if (r.done) break;
    cursor = r.end;
  }
  return { table: t.target, rowsUpserted: rows, window: { after, upTo } };
}
