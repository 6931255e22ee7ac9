/**
 * `ferry migrate`: validates the job on the client (which never connects to a database), starts the
 * `migrate` workflow, and either returns its ID and Web UI link or follows it to the end.
 */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { failureMessage } from './failure-message.js';
import { tableNames, type MigrateInput, type MigrationReport } from '../core/report.js';
import type { JobSpec } from '../job/job-spec.js';
import { loadJob, type JobFlags } from '../job/load-job.js';
import { parseConnectionUrl } from '../job/connection-url.js';
import { FerryJobKey, FerryKindKey, WORKFLOW_MIGRATE, resumeStateQuery } from '../shared.js';
import { connectClient, loadConnectConfig } from '../temporal/connection.js';
import { taskQueue } from '../temporal/task-queue.js';
import { EXIT_DIFFERENT, EXIT_ERROR, EXIT_OK, fmtRows, reportError, uiLink } from './output.js';
import { FerryError, JobSpecError } from '../errors.js';

/** Flags of `ferry migrate` beyond the job settings. */
export interface MigrateFlags extends JobFlags {
  wait?: boolean;
  json?: boolean;
  id?: string;
  /** Workflow ID of a cancelled or failed run to continue. */
  resume?: string;
  maxRowsPerSecond?: string;
}

/** Runs `ferry migrate` and returns the process exit code. */
export async function migrateCommand(file: string | undefined, flags: MigrateFlags): Promise<number> {
  const json = flags.json === true;
  let client: Client | undefined;
  try {
    // A bad job is reported before anything connects.
    const fresh = flags.resume ? undefined : withRate(toInput(loadJob(file, flags)), flags.maxRowsPerSecond);
    client = await connectClient();
    const { namespace } = await loadConnectConfig();
    const input = fresh ?? (await resumeInput(client, flags.resume!));
    const workflowId = flags.resume ?? flags.id ?? `migrate-${input.job}`;
    const handle = await client.workflow
      .start(WORKFLOW_MIGRATE, {
        taskQueue: taskQueue(),
        workflowId,
        args: [input],
        typedSearchAttributes: [
          { key: FerryJobKey, value: input.job },
          { key: FerryKindKey, value: 'migrate' },
        ],
        staticSummary: `migrate ${input.tables === '*' ? 'all tables' : tableNames(input.tables).join(', ')}: ${describeSide(input.source)} → ${describeSide(input.target)}`,
      })
      .catch((e: unknown) => {
        if (e instanceof WorkflowExecutionAlreadyStartedError) {
          throw new FerryError(
            `migration ${workflowId} is already running against this target; wait for it (npx ferry status ${workflowId}) ` +
              `or give this run another --id`,
          );
        }
        throw e;
      });
    const link = uiLink(namespace, workflowId);
    if (!flags.wait) {
      if (json) console.log(JSON.stringify({ status: 'running', workflowId, runId: handle.firstExecutionRunId, url: link }));
      else console.log(`started ${workflowId}\n${link}`);
      return EXIT_OK;
    }
    if (!json) console.error(`started ${workflowId}\n${link}`);
    const result = handle.result() as Promise<MigrationReport>;
    // Handled below; without this a failure arriving while the bars load would count as unhandled.
    result.catch(() => undefined);
    if (!json) {
      // Loaded only for the bars: a --json caller (a script) does not pay for them at start-up.
      const { progressOfReport, showProgress } = await import('./progress-view.js');
      await showProgress(handle, result, progressOfReport);
    }
    let report: MigrationReport;
    try {
      report = await result;
    } catch (e) {
      const desc = await handle.describe().catch(() => undefined);
      const durationMs = desc?.closeTime ? desc.closeTime.getTime() - desc.startTime.getTime() : 0;
      const message = failureMessage(e);
      if (json) console.log(JSON.stringify({ status: 'failed', workflowId, durationMs, error: message, tables: [] }));
      else console.error(`ferry: migration ${workflowId} failed: ${message}\n${link}`);
      return EXIT_ERROR;
    }
    // The report carries its duration (workflow time from the first run's start); no describe call.
    if (json) {
      console.log(JSON.stringify({ status: report.status, workflowId, durationMs: report.durationMs, tables: report.tables, ...(report.warnings ? { warnings: report.warnings } : {}) }));
    } else {
      printReport(report, workflowId, link);
    }
    return report.status === 'completed' ? EXIT_OK : EXIT_DIFFERENT;
  } catch (e) {
    return reportError(e, json);
  } finally {
    await client?.connection.close();
  }
}

/**
 * The input of a run continuing `workflowId`: the job it ran, its plan and each shard's progress,
 * read through its `resumeState` query (answered by replay even though the run has closed).
 */
async function resumeInput(client: Client, workflowId: string): Promise<MigrateInput> {
  const handle = client.workflow.getHandle(workflowId);
  const desc = await handle.describe();
  if (desc.status.name === 'RUNNING') {
    throw new FerryError(`migration ${workflowId} is still running; cancel it first (npx ferry cancel ${workflowId}) or follow it with npx ferry status ${workflowId}`);
  }
  if (desc.status.name === 'COMPLETED') throw new FerryError(`migration ${workflowId} already completed; nothing to resume`);
  const state = await handle.query(resumeStateQuery);
  if (state.plan.tables.length === 0) return state.input;
  return { ...state.input, resume: { plan: state.plan, shards: state.shards } };
}

function withRate(input: MigrateInput, rate: string | undefined): MigrateInput {
  if (rate === undefined) return input;
  if (!/^\d+$/.test(rate) || Number(rate) < 1) throw new JobSpecError('--max-rows-per-second', `expected a positive whole number, got "${rate}"`);
  return { ...input, maxRowsPerSecond: Number(rate) };
}

/** Turns a validated job into the workflow input (URLs keep their placeholders). */
export function toInput(job: JobSpec): MigrateInput {
  return {
    job: job.name ?? defaultJobName(job),
    source: job.source,
    target: job.target,
    tables: job.tables,
    chunkRows: job.chunkRows,
    parallelism: job.parallelism,
    onExisting: job.onExisting,
    verify: job.verify,
    keys: job.keys,
    ...(job.types ? { types: job.types } : {}),
    ...(job.onLossy ? { onLossy: job.onLossy } : {}),
  };
}

function defaultJobName(job: JobSpec): string {
  const db = (url: string) => {
    const u = parseConnectionUrl(url);
    return `${u.protocol.replace(':', '').replace('postgresql', 'postgres')}-${u.pathname.replace(/^\//, '') || 'default'}`;
  };
  return `${db(job.source)}-to-${db(job.target)}`.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 100);
}

function describeSide(url: string): string {
  const u = parseConnectionUrl(url);
  return `${u.protocol.replace(':', '')} ${u.host}${u.pathname}`;
}

function printReport(report: MigrationReport, workflowId: string, link: string): void {
  const w = Math.max(5, ...report.tables.map((t) => `${t.source} → ${t.target}`.length));
  console.log(`\n${report.status === 'completed' ? '✔' : '✘'} ${workflowId} ${report.status} in ${(report.durationMs / 1000).toFixed(1)} s (verify: ${report.verify})`);
  console.log(`${'table'.padEnd(w)}  ${'copied'.padStart(12)}  ${'source'.padStart(12)}  ${'target'.padStart(12)}  verified`);
  for (const t of report.tables) {
    console.log(
      `${`${t.source} → ${t.target}`.padEnd(w)}  ${fmtRows(t.rowsCopied).padStart(12)}  ${fmtRows(t.sourceRows).padStart(12)}  ${fmtRows(t.targetRows).padStart(12)}  ${t.verified ? 'yes' : 'NO'}` +
        (t.mismatchedRanges?.length ? `  (differs in keys ${t.mismatchedRanges.join(', ')})` : ''),
    );
  }
  for (const t of report.tables) for (const u of t.unverified ?? []) console.log(`not verified: ${t.target}.${u}`);
  for (const t of report.tables) {
    for (const [c, n] of Object.entries(t.lossy ?? {})) {
      console.log(`lossy: ${t.source}.${c}: ${n.nulled ? `${n.nulled} value(s) the target cannot hold written as NULL` : `${n.replaced ?? 0} value(s) the target cannot hold replaced`}`);
    }
  }
  for (const warning of report.warnings ?? []) console.log(`warning: ${warning}`);
  console.log(link);
}

export { EXIT_ERROR };
