/**
 * `copyShard`: copies one key range of one table, chunk by chunk. The cursor (last key copied) lives in
 * workflow state, so after any crash the shard resumes at the first chunk not yet committed.
 */
import {
  continueAsNew,
  getExternalWorkflowHandle,
  patched,
  proxyActivities,
  setCurrentDetails,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { FerryActivities } from '../activities/index.js';
import { appendCopied } from '../core/copied-digest.js';
import { describeRange, type KeyTuple } from '../core/key-range.js';
import type { CopyShardInput, CopyShardResult } from '../core/report.js';
import { chunkDoneSignal, type ChunkDone } from '../shared.js';

const chunkOptions = {
  startToCloseTimeout: '30 minutes',
  // Short enough that a chunk on a killed worker is retried elsewhere within seconds.
  heartbeatTimeout: '15 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
} as const;
const { copyChunk } = proxyActivities<FerryActivities>(chunkOptions);
/**
 * Least time between two progress signals to the parent. A signal costs about as many history events
 * and workflow tasks as a chunk, but progress (`ferry status`, the bars) should not lag more than a
 * second; with chunks of a few seconds this is one signal per chunk anyway.
 */
const SIGNAL_EVERY_MS = 1000;

/** Copies `input.range` of `input.table` and returns the rows copied. */
export async function copyShard(input: CopyShardInput): Promise<CopyShardResult> {
  let cursor: KeyTuple | null = input.range.lo;
  const state: CopyShardResult = input.carried ?? { rows: 0, chunks: 0, redone: 0, workers: {} };
  const parent = workflowInfo().parent;
  let unsent: ChunkDone | undefined;
  let lastSentMs = 0;
  for (;;) {
    const range = { lo: cursor, hi: input.range.hi };
    // Date in workflow code is the workflow task's clock, replayed identically: safe for pacing.
    const startedMs = Date.now();
    const r = await copyChunk.executeWithOptions({ ...chunkOptions, summary: `${input.table} keys ${describeRange(range)}, up to ${input.chunkRows} rows` }, [
      {
        source: input.source,
        target: input.target,
        table: input.table,
        targetTable: input.targetTable,
        columns: input.columns,
        key: input.key,
        ...(input.view ? { view: input.view } : {}),
        ...(input.transform ? { transform: input.transform } : {}),
        range,
        chunkRows: input.chunkRows,
        ...(input.freshTarget ? { freshTarget: true } : {}),
        ...(input.digest ? { digest: true } : {}),
      },
    ]);
    state.rows += r.rows;
    state.chunks += 1;
    if (r.attempt > 1) state.redone += r.rows;
    state.workers[r.worker] = (state.workers[r.worker] ?? 0) + r.rows;
    state.digests = appendCopied(state.digests, r.digests);
    setCurrentDetails(
      `**${input.table}** shard ${input.shard}: ${state.rows.toLocaleString('en-US')} rows in ${state.chunks} chunks; ` +
        `last chunk ${r.rows} rows by ${r.worker}${r.attempt > 1 ? ` (attempt ${r.attempt})` : ''}; ` +
        (r.done ? 'done' : `next after ${describeRange({ lo: r.end, hi: input.range.hi })}`),
    );
    // None after the last chunk: the parent takes the exact totals from this workflow's result a moment
    // later. Runs started before that change (patch marker absent) still send it, so they replay.
    if (parent && (!r.done || !patched('ferry-no-final-signal'))) {
      // Progress and resume cursor for the parent, batched (SIGNAL_EVERY_MS).
      unsent ??= { table: input.table, shard: input.shard, rows: 0, end: null, workers: {}, redone: 0 };
      unsent.rows += r.rows;
      unsent.end = r.done ? input.range.hi : r.end;
      unsent.workers[r.worker] = (unsent.workers[r.worker] ?? 0) + r.rows;
      if (r.attempt > 1) unsent.redone += r.rows;
      if (r.done || Date.now() - lastSentMs >= SIGNAL_EVERY_MS) {
        const batch = unsent;
        unsent = undefined;
        lastSentMs = Date.now();
        void getExternalWorkflowHandle(parent.workflowId).signal(chunkDoneSignal, batch).catch(() => undefined);
      }
    }
    if (r.done) break;
    cursor = r.end;
    if (input.maxRowsPerSecond) {
      // Pace the shard: a chunk of N rows takes at least N / rate seconds.
      const minMs = (r.rows / input.maxRowsPerSecond) * 1000;
      const spentMs = Date.now() - startedMs;
      if (minMs > spentMs) await sleep(Math.ceil(minMs - spentMs));
    }
    if (workflowInfo().continueAsNewSuggested) {
      // Unsent progress is not lost: the parent takes the exact totals from this shard's result.
      await continueAsNew<typeof copyShard>({ ...input, range: { lo: cursor, hi: input.range.hi }, carried: state });
    }
  }
  return state;
}
