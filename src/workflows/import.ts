/**
 * `importFiles`: plan (manifest read, every chunk file checked, types mapped) → target-table locks →
 * create or prepare the tables → one `importShard` child per shard loading its chunk files in order →
 * indexes, then foreign keys → every shard compared with the manifest's counts and checksums → report.
 */
import { ParentClosePolicy, continueAsNew, executeChild, proxyActivities, setCurrentDetails, workflowInfo } from '@temporalio/workflow';
import type { FerryActivities } from '../activities/index.js';
import type { ImportInput, ImportPlan, ImportReport, ImportShardInput, ImportTableReport, LoadShardResult } from '../core/files-report.js';
import { describeRange } from '../core/key-range.js';
import { FerryJobKey, FerryKindKey, FerryTableKey } from '../shared.js';
import { boundedAll } from '../core/bounded.js';
import { chunkReporter, withProgress, type ProgressTracker } from './files-progress.js';
import { acquireTableLocks } from './table-lock.js';
import { acts } from './migrate-activities.js';
import { prepareTargets, restoreForeignKeys } from './prepare-targets.js';

const retry = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' };
const checks = proxyActivities<FerryActivities>({ startToCloseTimeout: '2 hours', heartbeatTimeout: '1 minute', retry });
const chunkOptions = { startToCloseTimeout: '30 minutes', heartbeatTimeout: '15 seconds', retry } as const;
const { importChunk } = proxyActivities<FerryActivities>(chunkOptions);

/** Loads an export directory into the target and verifies it against the manifest. */
export async function importFiles(input: ImportInput): Promise<ImportReport> {
  return withProgress((progress) => importAll(input, progress), (r) => r.status);
}

async function importAll(input: ImportInput, progress: ProgressTracker): Promise<ImportReport> {
  progress.phase('planning');
  setCurrentDetails(`checking the export in ${input.dir}`);
  const plan: ImportPlan = await checks.planImport({ dir: input.dir, target: input.target, tables: input.tables });
  const names = plan.tables.map((t) => t.name);
  // The manifest's counts are exact, so the bars end at 100%.
  progress.planned(plan.tables.map((t) => ({ source: t.name, target: t.name, rowsTotal: t.rows, shards: t.shards.length })));
  progress.phase('preparing');
  const locks = await acquireTableLocks(input.target, names);
  try {
    await prepareTargets({ target: input.target, tables: names, schemas: plan.tables.map((t) => t.schema), onExisting: input.onExisting });
    const shards = plan.tables.flatMap((t, ti) => t.shards.map((s, shard) => ({ t, ti, shard, s })));
    progress.phase('copying');
    const loaded = await boundedAll(shards, input.parallelism, async ({ t, ti, shard, s }) => {
      const r = await executeChild(importShard, {
        workflowId: `${workflowInfo().workflowId}/${t.name}/${shard}`,
        args: [{ dir: input.dir, target: input.target, table: t.name, shard, chunks: s.chunks }],
        staticSummary: `import ${t.name}, shard ${shard + 1}/${t.shards.length}, keys ${describeRange(s)}, ${s.chunks} chunk files`,
        typedSearchAttributes: [
          { key: FerryJobKey, value: input.job },
          { key: FerryTableKey, value: t.name },
          { key: FerryKindKey, value: 'importShard' },
        ],
        parentClosePolicy: ParentClosePolicy.TERMINATE,
      });
      progress.shardDone(ti, shard, r.rows);
      return r;
    });
    progress.phase('indexing');
    await Promise.all(plan.tables.map((t) => acts.createIndexes({ target: input.target, schema: t.schema })));
    const warnings = [...plan.tables.flatMap((t) => t.schema.warnings ?? []), ...(await restoreForeignKeys(input.target, plan.tables.map((t) => t.schema)))];
    const tables: ImportTableReport[] = plan.tables.map((t, ti) => {
      const own = loaded.filter((_, i) => shards[i]!.ti === ti);
      const workers: Record<string, number> = {};
      for (const r of own) for (const [k, n] of Object.entries(r.workers)) workers[k] = (workers[k] ?? 0) + n;
      return { table: t.name, rowsLoaded: own.reduce((a, r) => a + r.rows, 0), fileRows: t.rows, targetRows: 0, verified: input.verify !== 'none', rowsRedone: own.reduce((a, r) => a + r.redone, 0), workers };
    });
    if (input.verify !== 'none') {
      progress.phase('verifying');
      const mode = input.verify;
      const results = await boundedAll(shards, input.parallelism, ({ t, shard }) => checks.checkAgainstFiles({ dir: input.dir, url: input.target, table: t.name, shard, mode }));
      results.forEach((r, i) => {
        const rep = tables[shards[i]!.ti]!;
        rep.targetRows += r.dbRows;
        if (!r.match) {
          rep.verified = false;
          (rep.mismatchedRanges ??= []).push(...r.mismatched);
        }
      });
    }
    const ok = input.verify === 'none' || tables.every((t) => t.verified);
    progress.phase('done');
    return { status: ok ? 'completed' : 'failed', job: input.job, verify: input.verify, tables, ...(warnings.length ? { warnings } : {}) };
  } finally {
    await locks.release();
  }
}

/** Loads the chunk files of one shard in order; the chunk number is the cursor. */
export async function importShard(input: ImportShardInput): Promise<LoadShardResult> {
  const state: LoadShardResult = input.carried ?? { rows: 0, chunks: 0, redone: 0, workers: {} };
  const report = chunkReporter(input.table, input.shard);
  for (let n = input.from ?? 0; n < input.chunks; n++) {
    const r = await importChunk.executeWithOptions({ ...chunkOptions, summary: `${input.table} shard ${input.shard}, chunk ${n + 1}/${input.chunks}` }, [
      { dir: input.dir, target: input.target, table: input.table, shard: input.shard, n },
    ]);
    state.rows += r.rows;
    state.chunks += 1;
    if (r.attempt > 1) state.redone += r.rows;
    state.workers[r.worker] = (state.workers[r.worker] ?? 0) + r.rows;
    setCurrentDetails(`**${input.table}** shard ${input.shard}: ${state.chunks} of ${input.chunks} chunk files loaded, ${state.rows.toLocaleString('en-US')} rows`);
    report({ rows: r.rows, end: null, worker: r.worker, attempt: r.attempt, last: n + 1 >= input.chunks });
    if (n + 1 < input.chunks && workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof importShard>({ ...input, from: n + 1, carried: state });
    }
  }
  return state;
}
