/**
 * `ferry status <workflowId>`: state and per-table progress of a migrate, export or import run, running
 * or finished (all three answer the same `progress` query). Other runs show their state and report.
 */
import type { WorkflowExecutionStatusName } from '@temporalio/client';
import type { MigrationProgress } from '../core/report.js';
import { progressQuery } from '../shared.js';
import { connectClient, loadConnectConfig } from '../temporal/connection.js';
import { EXIT_OK, fmtRows, reportError, uiLink } from './output.js';
import { retryingActivities, retryingLines } from './retrying.js';

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
      const end = desc.closeTime?.getTime() ?? Date.now();
      const seconds = Math.max(0.001, (end - (progress?.startedAtMs ?? desc.startTime.getTime())) / 1000);
      const rate = (done: number) => Math.round(done / seconds);
      const eta = (done: number, total: number) => (status === 'running' && done > 0 && total > done ? Math.round((total - done) / (done / seconds)) : null);
      const tables = (progress?.tables ?? []).map((t) => ({
        source: t.source,
        target: t.target,
        rowsDone: t.rowsDone,
        rowsTotal: t.rowsTotal,
        shardsDone: t.shardsDone,
        shardsTotal: t.shardsTotal,
        rowsPerSecond: rate(t.rowsDone),
        etaSeconds: eta(t.rowsDone, t.rowsTotal),
      }));
      // A finished run's report (the workflow result) is cheap to fetch and says what was verified.
      const report = desc.status.name === 'COMPLETED' ? await handle.result().catch(() => undefined) : undefined;
      // A transient fault (unreachable host, …) is retried forever: say what is failing.
      const retrying = await retryingActivities(handle, desc).catch(() => []);
      const done = tables.reduce((a, t) => a + t.rowsDone, 0);
      const total = tables.reduce((a, t) => a + t.rowsTotal, 0);
      if (json) {
        console.log(
          JSON.stringify({
            status,
            workflowId,
            type: desc.type,
            phase: progress?.phase ?? null,
            startTime: desc.startTime,
            closeTime: desc.closeTime ?? null,
            total: { rowsDone: done, rowsTotal: total, rowsPerSecond: rate(done), etaSeconds: eta(done, total) },
            tables,
            retrying,
            ...(report ? { report } : {}),
          }),
        );
      } else {
        console.log(`${workflowId} (${desc.type}): ${status}${progress ? ` (${progress.phase})` : ''}`);
        const etaText = (s: number | null) => (s === null ? '' : `, ETA ${s}s`);
        for (const t of tables) {
          console.log(`  ${t.source} → ${t.target}: ${fmtRows(t.rowsDone)} / ~${fmtRows(t.rowsTotal)} rows, ${fmtRows(t.rowsPerSecond)} rows/s, shards ${t.shardsDone}/${t.shardsTotal}${etaText(t.etaSeconds)}`);
        }
        console.log(`  total: ${fmtRows(done)} / ~${fmtRows(total)} rows, ${fmtRows(rate(done))} rows/s${etaText(eta(done, total))}`);
        for (const l of retryingLines(retrying)) console.log(`  ${l}`);
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
