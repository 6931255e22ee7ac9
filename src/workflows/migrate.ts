/**
 * `migrate`: plan → prepare target tables → copy shards as child workflows (bounded) → indexes and
 * foreign keys → verify → report. Orchestration only; every database touch is an activity.
 *
 * Durability: each shard's cursor arrives by signal after every committed chunk, so `resumeState`
 * (answered even by a cancelled or failed run) lets `ferry migrate --resume` continue from there. The
 * run drains its children and continues as new when history grows, carrying that same state.
 */
import {
  ParentClosePolicy,
  continueAsNew,
  executeChild,
  isCancellation,
  patched,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { mappingOf, type MigrateInput, type MigrationPhase, type MigrationPlan, type MigrationProgress, type MigrationReport, type ShardState } from '../core/report.js';
import { FerryJobKey, FerryKindKey, FerryStatusKey, FerryTableKey, chunkDoneSignal, progressQuery, resumeStateQuery } from '../shared.js';
import { boundedAll } from '../core/bounded.js';
import { copyShard } from './copy-shard.js';
import { acts } from './migrate-activities.js';
import { prepareTargets, restoreForeignKeys } from './prepare-targets.js';
import { progressMarkdown } from './progress-markdown.js';
import { acquireTableLocks } from './table-lock.js';
import { verifyTables } from './verify-tables.js';

/** Migrates the job's tables and returns a small per-table report. */
export async function migrate(input: MigrateInput): Promise<MigrationReport> {
  const carried = input.carried;
  let plan: MigrationPlan = carried?.plan ?? { tables: [] };
  let shards: ShardState[] = carried?.shards ?? [];
  const progress: MigrationProgress = { phase: 'planning', startedAtMs: carried?.startedAtMs ?? workflowInfo().startTime.getTime(), tables: [] };

  const refresh = () => {
    progress.tables = plan.tables.map((t, ti) => {
      const own = shards.filter((s) => s.table === ti);
      return {
        source: t.source,
        target: t.target,
        rowsDone: own.reduce((a, s) => a + s.rows, 0),
        rowsTotal: t.schema.estimatedRows,
        shardsDone: own.filter((s) => s.done).length,
        shardsTotal: own.length,
      };
    });
    setCurrentDetails(progressMarkdown(progress));
  };
  const setPhase = (phase: MigrationPhase | 'completed' | 'failed' | 'cancelled') => {
    if (phase !== 'completed' && phase !== 'failed' && phase !== 'cancelled') progress.phase = phase;
    upsertSearchAttributes([{ key: FerryStatusKey, value: phase }]);
    refresh();
  };
  setHandler(progressQuery, () => progress);
  setHandler(resumeStateQuery, () => {
    const { resume: _resume, carried: _carried, ...job } = input;
    return { input: job, plan, shards };
  });
  setHandler(chunkDoneSignal, (c) => {
    const ti = plan.tables.findIndex((t) => t.source === c.table);
    const s = shards.find((x) => x.table === ti && x.shard === c.shard);
    if (!s || s.done) return;
    s.rows += c.rows;
    s.cursor = c.end;
    s.redone += c.redone;
    for (const [w, n] of Object.entries(c.workers)) s.workers[w] = (s.workers[w] ?? 0) + n;
    refresh();
  });

  let lockedEarly: string[] = [];
  try {
    if (!carried) {
      if (input.resume) {
        plan = input.resume.plan;
        shards = input.resume.shards.map((s) => ({ ...s, workers: { ...s.workers } }));
      } else {
        setPhase('planning');
        // The target tables a listed job names are locked while the source is planned (planning only
        // reads); any other target the plan comes to is locked just below.
        const named = patched('ferry-lock-while-planning') ? namedTargets(input) : [];
        [plan] = await Promise.all([acts.planMigration(input), acquireTableLocks(input.target, named)]);
        lockedEarly = named;
        shards = plan.tables.flatMap((t, ti) => t.shards.map((_, shard) => ({ table: ti, shard, done: false, cursor: null, rows: 0, redone: 0, workers: {} })));
      }
    }
    // Every run takes the target-table locks (a continue-as-new ends the previous run's) before writing.
    if (patched('ferry-table-locks')) await acquireTableLocks(input.target, plan.tables.map((t) => t.target).filter((t) => !lockedEarly.includes(t)));
    if (!carried) {
      setPhase('preparing');
      const prepared = await prepareTargets({
        source: input.source,
        target: input.target,
        tables: plan.tables.map((t) => t.target),
        schemas: plan.tables.map((t) => t.schema),
        onExisting: input.onExisting,
        resume: input.resume !== undefined,
        deferPrimaryKey: true,
      });
      prepared.forEach((p, i) => {
        if (p.keyDeferred) plan.tables[i]!.deferredKey = true;
        // A table created with the job's column types: verification compares it in its own types.
        if (p.targetColumns) plan.tables[i]!.targetColumns = p.targetColumns;
      });
      if (input.resume) {
        // Ranges an earlier run may have written are copied again, each deleted first: through the
        // key's index, not by scanning the table. Plans made before keys were deferred have none.
        const deferred = plan.tables.filter((t) => t.deferredKey);
        await Promise.all(deferred.map((t) => acts.addPrimaryKey({ target: input.target, schema: t.schema })));
        for (const t of deferred) delete t.deferredKey;
      }
    }
    refresh();
    setPhase('copying');
    const drained = await copyPendingShards(input, plan, shards, refresh);
    if (drained) {
      await continueAsNew<typeof migrate>({ ...input, resume: undefined, carried: { plan, shards: carriedShards(shards), startedAtMs: progress.startedAtMs } });
    }
    setPhase('indexing');
    await Promise.all(plan.tables.map((t) => acts.createIndexes({ target: input.target, schema: t.schema, ...(t.deferredKey ? { primaryKey: true } : {}) })));
    // What the source has that ferry does not carry (views, triggers, untranslatable defaults…), named.
    const warnings = [...plan.tables.flatMap((t) => t.schema.warnings ?? []), ...(plan.warnings ?? []), ...(await restoreForeignKeys(input.target, plan.tables.map((t) => t.schema)))];
    setPhase('verifying');
    const tables = await verifyTables(input, plan, shards);
    setPhase('done');
    const ok = input.verify === 'none' || tables.every((t) => t.verified);
    setPhase(ok ? 'completed' : 'failed');
    return { status: ok ? 'completed' : 'failed', job: input.job, verify: input.verify, durationMs: Date.now() - progress.startedAtMs, tables, ...(warnings.length ? { warnings } : {}) };
  } catch (e) {
    if (!(e instanceof Error && e.name === 'ContinueAsNew')) setPhase(isCancellation(e) ? 'cancelled' : 'failed');
    throw e;
  }
}


/**
 * Runs a child per unfinished shard, at most `parallelism` at once. Stops starting children when the
 * history should be cut, waits for those in flight, and returns true when shards remain (the caller
 * then continues as new).
 */
async function copyPendingShards(input: MigrateInput, plan: MigrationPlan, shards: ShardState[], refresh: () => void): Promise<boolean> {
  // Only after this run has finished a shard of its own: whatever else filled the history (locks,
  // preparing hundreds of tables), every run then makes progress and the chain cannot loop.
  let finishedHere = 0;
  const cut = () =>
    finishedHere > 0 && (workflowInfo().continueAsNewSuggested || (input.historyLimit !== undefined && workflowInfo().historyLength >= input.historyLimit));
  let stopped = false;
  const pending = shards.filter((s) => !s.done);
  const inFlight = Math.min(input.parallelism, pending.length);
  await boundedAll(pending, input.parallelism, async (s) => {
    if (stopped || cut()) {
      stopped = true;
      return;
    }
    const t = plan.tables[s.table]!;
    const range = { lo: s.cursor ?? t.shards[s.shard]!.lo, hi: t.shards[s.shard]!.hi };
    const result = await executeChild(copyShard, {
      workflowId: `${workflowInfo().workflowId}/${t.target}/${s.shard}`,
      args: [
        {
          job: input.job,
          source: input.source,
          target: input.target,
          table: t.source,
          targetTable: t.target,
          shard: s.shard,
          columns: t.schema.columns,
          key: t.key,
          ...mappingOf(t),
          range,
          chunkRows: input.chunkRows,
          // Only the run that created the table empty copies into it fresh; a resumed one added the key first.
          ...(t.deferredKey ? { freshTarget: true } : {}),
          // A checksum verify then reads only the target where these digests cover a shard.
          ...(input.verify === 'checksum' ? { digest: true } : {}),
          ...(input.maxRowsPerSecond ? { maxRowsPerSecond: input.maxRowsPerSecond / Math.max(1, inFlight) } : {}),
          carried: { rows: s.rows, chunks: 0, redone: s.redone, workers: s.workers },
        },
      ],
      staticSummary: `copy ${t.source} → ${t.target}, shard ${s.shard + 1}/${t.shards.length}, keys ${describe(range)}`,
      typedSearchAttributes: [
        { key: FerryJobKey, value: input.job },
        { key: FerryTableKey, value: t.target },
        { key: FerryKindKey, value: 'copyShard' },
      ],
      parentClosePolicy: ParentClosePolicy.TERMINATE,
    });
    Object.assign(s, { done: true, cursor: range.hi, rows: result.rows, redone: result.redone, workers: result.workers });
    if (result.digests) s.digests = result.digests;
    else delete s.digests;
    finishedHere += 1;
    refresh();
  });
  return shards.some((s) => !s.done);
}

/** Target tables of a job that lists its tables, by the names it gives them; none for `tables: '*'`. */
function namedTargets(input: MigrateInput): string[] {
  if (input.tables === '*') return [];
  return input.tables.map((t) => (typeof t === 'string' ? t : (t.as ?? t.name)));
}

/**
 * Most copied-digest pieces a continuation carries (~100 bytes each): a job cut into many shards would
 * otherwise carry them past what one payload may hold. Without them verify reads both sides.
 */
const CARRIED_PIECES = 2000;

/** The shards' state for a continuation, without their digests when there are too many of them. */
function carriedShards(shards: ShardState[]): ShardState[] {
  const pieces = shards.reduce((n, s) => n + (s.digests?.pieces.length ?? 0), 0);
  return pieces <= CARRIED_PIECES ? shards : shards.map(({ digests: _digests, ...s }) => s);
}

function describe(r: { lo: string[] | null; hi: string[] | null }): string {
  const f = (t: string[] | null, inf: string) => (t === null ? inf : t.join(', '));
  return `(${f(r.lo, '-∞')}, ${f(r.hi, '+∞')}]`;
}
