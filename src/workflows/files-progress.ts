/**
 * Live progress of `exportTables` and `importFiles`, the way `migrate` has it: the parent answers the
 * `progress` query (same shape as migrate's) from its shards' results and from the chunk signals its
 * children send, batched to at most one a second per child, none after the last chunk.
 *
 * Runs started before this existed have no signals or status updates in their history; the patch
 * keeps replaying them deterministic.
 */
import { getExternalWorkflowHandle, isCancellation, patched, setCurrentDetails, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { MigrationPhase } from '../core/report.js';
import { ChunkBatcher, addChunks, finishShard, newRunProgress, progressOf, setRowsTotal, type ChunkOutcome, type RunTable } from '../core/run-progress.js';
import { FerryStatusKey, chunkDoneSignal, progressQuery } from '../shared.js';
import { progressMarkdown } from './progress-markdown.js';

const FILES_PROGRESS_PATCH = 'ferry-files-progress';

/** What a parent does with its progress. */
export interface ProgressTracker {
  /** Sets the planned tables (the shards start at zero rows). */
  planned(tables: RunTable[]): void;
  /** Moves to `phase`; the end states only update the FerryStatus search attribute. */
  phase(phase: MigrationPhase | 'completed' | 'failed' | 'cancelled'): void;
  /** A shard child returned: its exact rows replace what its signals added up to. */
  shardDone(table: number, shard: number, rows: number): void;
  /** Replaces a table's expected rows with the exact count. */
  exactTotal(table: string, rows: number): void;
}

/**
 * Runs a parent workflow's `body` with progress tracking; its end phase comes from `ended` (given the
 * result), or `failed`/`cancelled` when it throws.
 */
export async function withProgress<R>(body: (progress: ProgressTracker) => Promise<R>, ended: (result: R) => 'completed' | 'failed'): Promise<R> {
  const progress = trackProgress();
  try {
    const result = await body(progress);
    progress.phase(ended(result));
    return result;
  } catch (e) {
    progress.phase(isCancellation(e) ? 'cancelled' : 'failed');
    throw e;
  }
}

/** Registers the `progress` query and the chunk signal on the calling (parent) workflow. */
export function trackProgress(): ProgressTracker {
  const visible = patched(FILES_PROGRESS_PATCH);
  let p = newRunProgress(workflowInfo().startTime.getTime());
  const show = () => setCurrentDetails(progressMarkdown(progressOf(p)));
  setHandler(progressQuery, () => progressOf(p));
  setHandler(chunkDoneSignal, (c) => {
    if (addChunks(p, c)) show();
  });
  return {
    planned(tables) {
      p = newRunProgress(p.startedAtMs, tables, p.phase);
      show();
    },
    phase(phase) {
      if (phase !== 'completed' && phase !== 'failed' && phase !== 'cancelled') p.phase = phase;
      if (visible) upsertSearchAttributes([{ key: FerryStatusKey, value: phase }]);
      show();
    },
    shardDone(table, shard, rows) {
      finishShard(p, table, shard, rows);
      show();
    },
    exactTotal(table, rows) {
      setRowsTotal(p, table, rows);
    },
  };
}

/**
 * For a shard child: returns the function to call after each chunk, which signals the parent with the
 * rows since the previous signal at most once a second (workflow time, so replay sends the same).
 */
export function chunkReporter(table: string, shard: number): (c: ChunkOutcome) => void {
  const parent = workflowInfo().parent;
  const batcher = new ChunkBatcher(table, shard);
  return (c) => {
    if (!parent) return;
    // Date.now() in workflow code is the workflow task time, identical on replay.
    const batch = batcher.add(c, Date.now());
    if (batch && patched(FILES_PROGRESS_PATCH)) {
      // Fire and forget: a lost signal only delays the count until the child's result arrives.
      void getExternalWorkflowHandle(parent.workflowId).signal(chunkDoneSignal, batch).catch(() => undefined);
    }
  };
}
