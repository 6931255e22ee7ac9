/**
 * `copyShard`: copies one key range of one table, chunk by chunk. The cursor (last key copied) lives in
 * workflow state, so after any crash the shard resumes at the first chunk not yet committed.
 */
import {
  continueAsNew,
  getExternalWorkflowHandle,
  proxyActivities,
  setCurrentDetails,
  workflowInfo,
} from '@temporalio/workflow';
import type { FerryActivities } from '../activities/index.js';
import { describeRange, type KeyTuple } from '../core/key-range.js';
import type { CopyShardInput, CopyShardResult } from '../core/report.js';
import { chunkDoneSignal } from '../shared.js';

const { copyChunk } = proxyActivities<FerryActivities>({
  startToCloseTimeout: '30 minutes',
  // Short enough that a chunk on a killed worker is retried elsewhere within seconds.
  heartbeatTimeout: '15 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

/** Copies `input.range` of `input.table` and returns the rows copied. */
export async function copyShard(input: CopyShardInput): Promise<CopyShardResult> {
  let cursor: KeyTuple | null = input.range.lo;
  let rows = input.rowsSoFar ?? 0;
  let chunks = input.chunksSoFar ?? 0;
  const parent = workflowInfo().parent;
  for (;;) {
    const range = { lo: cursor, hi: input.range.hi };
    const r = await copyChunk({
      source: input.source,
      target: input.target,
      table: input.table,
      targetTable: input.targetTable,
      columns: input.columns,
      key: input.key,
      range,
      chunkRows: input.chunkRows,
    });
    rows += r.rows;
    chunks += 1;
    setCurrentDetails(
      `**${input.table}** shard ${input.shard}: ${rows.toLocaleString('en-US')} rows in ${chunks} chunks; ` +
        `last chunk ${r.rows} rows by ${r.worker}; ${r.done ? 'done' : `next after ${describeRange({ lo: r.end, hi: input.range.hi })}`}`,
    );
    if (parent) {
      // Progress only: the parent also gets the exact total as this workflow's result.
      void getExternalWorkflowHandle(parent.workflowId)
        .signal(chunkDoneSignal, { table: input.table, shard: input.shard, rows: r.rows })
        .catch(() => undefined);
    }
    if (r.done) break;
    cursor = r.end;
    if (workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof copyShard>({ ...input, range: { lo: cursor, hi: input.range.hi }, rowsSoFar: rows, chunksSoFar: chunks });
    }
  }
  return { rows, chunks };
}
