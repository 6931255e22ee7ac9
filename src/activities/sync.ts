/**
 * Incremental sync and table-lock activities: the high-water mark of a watermark column, one chunk of
 * a change window copied as upserts, the state the last completed sync of a job left behind (read
 * through Temporal visibility with the worker's own client), and who holds a table lock.
 */
import { Transform } from 'node:stream';
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { SyncReport, SyncState } from '../core/compare-report.js';
import type { Column } from '../core/column-model.js';
import { describeRange, type KeyRange, type KeyTuple } from '../core/key-range.js';
import type { ChangeRequest } from '../dialects/dialect.js';
import { FerryJobKey, FerryKindKey } from '../shared.js';
import type { TableRange } from './compare-range.js';
import type { ActivityDeps } from './deps.js';
import { dialectFor } from './deps.js';
import { withFailures } from './failures.js';
import { shapedRows, sourceColumns, sourceFor, type SourceSide } from './source-side.js';

/** Input of {@link watermarkMax}. */
export interface WatermarkMaxInput extends SourceSide {
  column: Column;
}

/** The largest watermark value of a source table (checksum form), or null when none. */
export async function watermarkMax(deps: ActivityDeps, input: WatermarkMaxInput): Promise<string | null> {
  return withFailures(`reading the high-water mark of ${input.table}.${input.column.name}`, () =>
    sourceFor(deps, input).maxValue(input.table, input.column),
  );
}

/** Input of {@link syncChunk}: the rest of a change window after the cursor `range.lo`. */
export interface SyncChunkInput extends TableRange {
  watermark: Column;
  after: string | null;
  upTo: string;
  /** Over (watermark, ...key): from the cursor (exclusive); `hi` null. */
  range: KeyRange;
  chunkRows: number;
}

/** Result of {@link syncChunk}. */
export interface SyncChunkResult {
  rows: number;
  /** (watermark, ...key) of the chunk's last row: the next cursor. */
  end: KeyTuple | null;
  done: boolean;
}

/**
 * Upserts the next chunk of a change window into the target. The chunk's end is fixed before any
 * write and kept in the heartbeat, so a retry upserts the same rows (an upsert is idempotent).
 */
export async function syncChunk(deps: ActivityDeps, input: SyncChunkInput): Promise<SyncChunkResult> {
  const ctx = Context.current();
  return withFailures(`syncing ${input.table} after ${describeRange(input.range)}`, async () => {
    const source = sourceFor(deps, input);
    const target = dialectFor(deps, input.target);
    const req: ChangeRequest = { table: input.table, columns: sourceColumns(input), key: input.key, watermark: input.watermark, after: input.after, upTo: input.upTo, range: input.range };
    const previous = ctx.info.heartbeatDetails as { end: KeyTuple | null } | undefined;
    const end = previous !== undefined ? previous.end : await source.changeChunkEnd(req, input.chunkRows);
    ctx.heartbeat({ end });
    const data = await shapedRows(input, source, (d, columns) => d.readChanges({ ...req, columns, range: { lo: input.range.lo, hi: end } }));
    const metered = new Transform({
      transform(b: Buffer, _enc, done) {
        ctx.heartbeat({ end });
        done(null, b);
      },
    });
    data.on('error', (e) => metered.destroy(e));
    try {
      const rows = await target.upsertRows({ table: input.targetTable, columns: input.columns, key: input.key }, data.pipe(metered));
      return { rows, end, done: end === null };
    } catch (e) {
      data.destroy();
      throw e;
    }
  });
}

/**
 * The state left by the latest completed sync of `job`, found through visibility
 * (`FerryJob = job AND FerryKind = "sync"`) and read from that run's result. Null for the first run.
 * Visibility is eventually consistent: a run that closed a moment ago may be missed, which only makes
 * this run's window start earlier (upserts are idempotent).
 */
export async function lastSyncState(_deps: ActivityDeps, input: { job: string }): Promise<SyncState | null> {
  const client = Context.current().client;
  const query =
    `${FerryJobKey.name} = ${JSON.stringify(input.job)} AND ${FerryKindKey.name} = "sync" AND ExecutionStatus = "Completed"`;
  let best: { workflowId: string; runId: string; closed: number } | undefined;
  let seen = 0;
  for await (const wf of client.workflow.list({ query, pageSize: 20 })) {
    const closed = wf.closeTime?.getTime() ?? 0;
    if (!best || closed > best.closed) best = { workflowId: wf.workflowId, runId: wf.runId, closed };
    // Visibility lists newest first; a few pages are plenty to find the latest close.
    if (++seen >= 50) break;
  }
  if (!best) return null;
  const report = (await client.workflow.getHandle(best.workflowId, best.runId, { followRuns: false }).result()) as SyncReport | undefined;
  return report?.state ?? null;
}

/**
 * The workflow that holds a table lock (its ID, run, and whether that run is still open), or null when
 * the lock is not running.
 */
export async function lockHolder(_deps: ActivityDeps, input: { lockId: string }): Promise<{ workflowId: string; runId: string; open: boolean } | null> {
  const client = Context.current().client;
  const lock = await client.workflow
    .getHandle(input.lockId)
    .describe()
    .catch(() => undefined);
  if (!lock || lock.status.name !== 'RUNNING') return null;
  const workflowId = lock.parentExecution?.workflowId ?? '';
  const runId = lock.parentExecution?.runId ?? '';
  if (!workflowId) return { workflowId, runId, open: false };
  try {
    const parent = await client.workflow.getHandle(workflowId, runId).describe();
    return { workflowId, runId, open: parent.status.name === 'RUNNING' };
  } catch (e) {
    // Only a holder known to be gone counts as closed; any other error leaves the lock alone.
    if (e instanceof WorkflowNotFoundError) return { workflowId, runId, open: false };
    throw e;
  }
}
