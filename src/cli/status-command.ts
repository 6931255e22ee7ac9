/**
 * `ferry status <workflowId>`: state and per-table progress of a migration, running or finished.
 */
import type { WorkflowExecutionStatusName } from '@temporalio/client';
import type { MigrationProgress } from '../core/report.js';
import { progressQuery } from '../shared.js';
import { connectClient, loadConnectConfig } from '../temporal/connection.js';
import { EXIT_OK, fmtRows, reportError, uiLink } from './output.js';

const STATUS: Record<WorkflowExecutionStatusName, string> = {
  RUNNING: 'running',
  COMPLETED: 'completed',
  FAILED: 'failed',
  CANCELLED: 'cancelled',
  TERMINATED: 'terminated',
  TIMED_OUT: 'timed_out',
  CONTINUED_AS_NEW: 'running',
  PAUSED: 'running',
  UNKNOWN: 'unknown',
  UNSPECIFIED: 'unknown',
};

/** Runs `ferry status` and returns the exit code. */
export async function statusCommand(workflowId: string, flags: { json?: boolean }): Promise<number> {
  const json = flags.json === true;
  try {
    const client = await connectClient();
    try {
      const { namespace } = await loadConnectConfig();
      const handle = client.workflow.getHandle(workflowId);
      const desc = await handle.describe();
      const status = STATUS[desc.status.name] ?? desc.status.name.toLowerCase();
      // Queries on a closed workflow are answered by replaying it on a worker; without one, show what we have.
      const progress: MigrationProgress | undefined = await handle.query(progressQuery).catch(() => undefined);
      const tables = (progress?.tables ?? []).map((t) => ({ source: t.source, target: t.target, rowsDone: t.rowsDone, rowsTotal: t.rowsTotal, shardsDone: t.shardsDone, shardsTotal: t.shardsTotal }));
      if (json) {
        console.log(JSON.stringify({ status, workflowId, phase: progress?.phase ?? null, startTime: desc.startTime, closeTime: desc.closeTime ?? null, tables }));
      } else {
        console.log(`${workflowId}: ${status}${progress ? ` (${progress.phase})` : ''}`);
        for (const t of tables) console.log(`  ${t.source} → ${t.target}: ${fmtRows(t.rowsDone)} / ~${fmtRows(t.rowsTotal)} rows, shards ${t.shardsDone}/${t.shardsTotal}`);
        console.log(uiLink(namespace, workflowId));
      }
      return EXIT_OK;
    } finally {
      await client.connection.close();
    }
  } catch (e) {
    return reportError(e, json);
  }
}
