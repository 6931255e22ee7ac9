/**
 * `migrate`: plan → prepare target tables → copy shards as child workflows (bounded) → indexes and
 * foreign keys → verify → report. Orchestration only; every database touch is an activity.
 */
import { ParentClosePolicy, executeChild, proxyActivities, setCurrentDetails, setHandler, workflowInfo } from '@temporalio/workflow';
import type { FerryActivities } from '../activities/index.js';
import { describeRange } from '../core/key-range.js';
import type { MigrateInput, MigrationProgress, MigrationReport, TablePlan, TableReport } from '../core/report.js';
import { FerryJobKey, FerryKindKey, FerryTableKey, chunkDoneSignal, progressQuery } from '../shared.js';
import { boundedAll } from './bounded.js';
import { copyShard } from './copy-shard.js';
import { progressMarkdown } from './progress-markdown.js';

const retry = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' };
const { planMigration, dropForeignKeys, prepareTable, createIndexes, createForeignKeys } = proxyActivities<FerryActivities>({
  startToCloseTimeout: '1 hour',
  retry,
});
const { verifyShard } = proxyActivities<FerryActivities>({ startToCloseTimeout: '1 hour', heartbeatTimeout: '1 minute', retry });

/** Migrates the job's tables and returns a small per-table report. */
export async function migrate(input: MigrateInput): Promise<MigrationReport> {
  const progress: MigrationProgress = { phase: 'planning', tables: [] };
  // rows per "table/shard": incremented by child signals, then set exactly from each child's result.
  const shardRows = new Map<string, number>();
  const refresh = () => {
    for (const t of progress.tables) {
      let sum = 0;
      for (const [k, v] of shardRows) if (k.startsWith(`${t.source}\u0000`)) sum += v;
      t.rowsDone = sum;
    }
    setCurrentDetails(progressMarkdown(progress));
  };
  setHandler(progressQuery, () => progress);
  setHandler(chunkDoneSignal, ({ table, shard, rows }) => {
    const k = `${table}\u0000${shard}`;
    shardRows.set(k, (shardRows.get(k) ?? 0) + rows);
    refresh();
  });

  const plan = await planMigration(input);
  progress.tables = plan.tables.map((t) => ({
    source: t.source,
    target: t.target,
    rowsDone: 0,
    rowsTotal: t.schema.estimatedRows,
    shardsDone: 0,
    shardsTotal: t.shards.length,
  }));
  progress.phase = 'preparing';
  refresh();
  // Foreign keys on existing target tables go before the load and come back after it. With `fail`, the
  // refusal check runs first so a refused target is left untouched; otherwise they go first, because
  // PostgreSQL will not truncate a table that another one references.
  const dropFks = () => dropForeignKeys({ target: input.target, tables: plan.tables.map((t) => t.target) });
  const prepare = () => Promise.all(plan.tables.map((t) => prepareTable({ target: input.target, schema: t.schema, onExisting: input.onExisting })));
  if (input.onExisting === 'fail') {
    await prepare();
    await dropFks();
  } else {
    await dropFks();
    await prepare();
  }

  progress.phase = 'copying';
  refresh();
  const shards = plan.tables.flatMap((t, ti) => t.shards.map((range, shard) => ({ t, ti, range, shard })));
  const copied = await boundedAll(shards, input.parallelism, async ({ t, ti, range, shard }) => {
    const result = await executeChild(copyShard, {
      workflowId: `${workflowInfo().workflowId}/${t.target}/${shard}`,
      args: [
        {
          job: input.job,
          source: input.source,
          target: input.target,
          table: t.source,
          targetTable: t.target,
          shard,
          columns: t.schema.columns,
          key: t.key,
          range,
          chunkRows: input.chunkRows,
        },
      ],
      staticSummary: `copy ${t.source} → ${t.target}, shard ${shard + 1}/${t.shards.length}, keys ${describeRange(range)}`,
      typedSearchAttributes: [
        { key: FerryJobKey, value: input.job },
        { key: FerryTableKey, value: t.target },
        { key: FerryKindKey, value: 'copyShard' },
      ],
      parentClosePolicy: ParentClosePolicy.TERMINATE,
    });
    shardRows.set(`${t.source}\u0000${shard}`, result.rows);
    progress.tables[ti]!.shardsDone += 1;
    refresh();
    return result.rows;
  });

  progress.phase = 'indexing';
  refresh();
  await Promise.all(plan.tables.map((t) => createIndexes({ target: input.target, schema: t.schema })));
  const warnings = await createForeignKeys({ target: input.target, schemas: plan.tables.map((t) => t.schema) });

  progress.phase = 'verifying';
  refresh();
  const tables = await verifyTables(input, plan.tables, shards, copied);
  progress.phase = 'done';
  refresh();
  const ok = input.verify === 'none' || tables.every((t) => t.verified);
  return { status: ok ? 'completed' : 'failed', job: input.job, verify: input.verify, durationMs: 0, tables, ...(warnings.length ? { warnings } : {}) };
}

async function verifyTables(
  input: MigrateInput,
  tables: TablePlan[],
  shards: { t: TablePlan; ti: number; range: TablePlan['shards'][number] }[],
  copied: number[],
): Promise<TableReport[]> {
  const reports: TableReport[] = tables.map((t) => ({ source: t.source, target: t.target, rowsCopied: 0, sourceRows: 0, targetRows: 0, verified: input.verify !== 'none' }));
  shards.forEach((s, i) => (reports[s.ti]!.rowsCopied += copied[i] ?? 0));
  if (input.verify === 'none') return reports;
  const mode = input.verify;
  const results = await boundedAll(shards, input.parallelism, ({ t, range }) =>
    verifyShard({ source: input.source, target: input.target, table: t.source, targetTable: t.target, columns: t.schema.columns, key: t.key, range, mode }),
  );
  results.forEach((r, i) => {
    const s = shards[i]!;
    const rep = reports[s.ti]!;
    rep.sourceRows += r.sourceRows;
    rep.targetRows += r.targetRows;
    if (!r.match) {
      rep.verified = false;
      (rep.mismatchedRanges ??= []).push(describeRange(s.range));
    }
  });
  return reports;
}
