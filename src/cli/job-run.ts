/**
 * Starting a job workflow (verify, diff, repair, sync) and waiting for its result, shared by those
 * commands. The client validates the job and never connects to a database.
 */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { JobInput, SyncInput } from '../core/compare-report.js';
import { DEFAULT_OVERLAP } from '../core/watermark.js';
import { FerryError, JobSpecError } from '../errors.js';
import { parseJobSpec, type JobSpec } from '../job/job-spec.js';
import { loadJob, type JobFlags } from '../job/load-job.js';
import { FerryJobKey, FerryKindKey } from '../shared.js';
import { connectClient, loadConnectConfig } from '../temporal/connection.js';
import { taskQueue } from '../temporal/task-queue.js';
import { failureMessage } from './failure-message.js';
import { toInput } from './migrate-command.js';
import { uiLink } from './output.js';
import { watchRetrying } from './retrying.js';

/** Flags every job command takes besides the job settings. */
export interface JobRunFlags extends JobFlags {
  id?: string;
  json?: boolean;
}

/** Sync settings as flags. */
export interface SyncFlags extends JobRunFlags {
  mode?: string;
  watermark?: string;
  overlap?: string;
  fullEvery?: string;
}

/** The job's settings every compare workflow takes. */
export function jobInput(job: JobSpec): JobInput {
  const { job: name, source, target, tables, chunkRows, parallelism, keys } = toInput(job);
  return { job: name, source, target, tables, chunkRows, parallelism, keys };
}

/** Builds a validated sync input from a job file and flags (flags win). */
export function syncInput(file: string | undefined, flags: SyncFlags): SyncInput {
  const base = loadJob(file, flags);
  const merged: Record<string, unknown> = { ...base };
  if (flags.mode !== undefined) merged['mode'] = flags.mode;
  if (flags.watermark !== undefined) merged['watermark'] = flags.watermark;
  if (flags.overlap !== undefined) merged['overlap'] = flags.overlap;
  if (flags.fullEvery !== undefined) {
    if (!/^\d+$/.test(flags.fullEvery)) throw new JobSpecError('--full-every', `expected a positive whole number, got "${flags.fullEvery}"`);
    merged['fullEvery'] = Number(flags.fullEvery);
  }
  const job = parseJobSpec(merged);
  const mode = job.mode ?? 'incremental';
  if (mode === 'incremental' && !job.watermark) {
    throw new JobSpecError('watermark', 'incremental sync needs a watermark column (--watermark updated_at), or use --mode full');
  }
  return {
    ...jobInput(job),
    mode,
    overlap: job.overlap ?? DEFAULT_OVERLAP,
    maxKeys: 100,
    ...(job.watermark ? { watermark: job.watermark } : {}),
    ...(job.fullEvery ? { fullEvery: job.fullEvery } : {}),
  };
}

/** What {@link runJobWorkflow} returns. */
export type JobRun<R> = { ok: true; result: R; workflowId: string; durationMs: number; link: string } | { ok: false; error: string; workflowId: string; link: string };

/**
 * Starts `workflowType` with `input` under `workflowId` (refused while a run with that ID is open) and
 * waits for its result. Failures of the run come back as `{ ok: false }` with ferry's own message.
 * While it waits, what the run is retrying (an unreachable host is retried, not failed) goes to stderr,
 * so stdout keeps only the result.
 */
export async function runJobWorkflow<R>(opts: {
  workflowType: string;
  workflowId: string;
  kind: string;
  input: JobInput;
  summary: string;
  onStart?: (workflowId: string, link: string) => void;
}): Promise<JobRun<R>> {
  let client: Client | undefined;
  try {
    client = await connectClient();
    const { namespace } = await loadConnectConfig();
    const link = uiLink(namespace, opts.workflowId);
    const handle = await client.workflow
      .start(opts.workflowType, {
        taskQueue: taskQueue(),
        workflowId: opts.workflowId,
        args: [opts.input],
        typedSearchAttributes: [
          { key: FerryJobKey, value: opts.input.job },
          { key: FerryKindKey, value: opts.kind },
        ],
        staticSummary: opts.summary,
      })
      .catch((e: unknown) => {
        if (e instanceof WorkflowExecutionAlreadyStartedError) {
          throw new FerryError(`${opts.kind} ${opts.workflowId} is already running; wait for it (npx ferry status ${opts.workflowId}) or give this run another --id`);
        }
        throw e;
      });
    opts.onStart?.(opts.workflowId, link);
    const stopWatching = watchRetrying(handle, (line) => process.stderr.write(`${line}\n`));
    try {
      const result = (await handle.result().finally(stopWatching)) as R;
      const desc = await handle.describe();
      const durationMs = desc.closeTime ? desc.closeTime.getTime() - desc.startTime.getTime() : 0;
      return { ok: true, result, workflowId: opts.workflowId, durationMs, link };
    } catch (e) {
      return { ok: false, error: failureMessage(e), workflowId: opts.workflowId, link };
    }
  } finally {
    await client?.connection.close();
  }
}
