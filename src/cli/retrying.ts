/**
 * What a running migration is retrying, and why: activities of the workflow and of its running shard
 * children that failed at least once (a transient fault such as an unreachable host is retried with
 * backoff forever, so without this `--wait` and `status` would only show a run that does not move).
 */
import type { WorkflowClient, WorkflowExecutionDescription, WorkflowHandle } from '@temporalio/client';
import { decodeOptionalFailureToOptionalError } from '@temporalio/common/lib/internal-non-workflow/index.js';

/** An activity that is being retried after a failure. */
export interface RetryingActivity {
  workflowId: string;
  activity: string;
  /** The attempt now scheduled or running (2 = first retry). */
  attempt: number;
  /** Message of the last failure (ferry's message, naming the table and the fix where it can). */
  lastFailure: string;
}

/** Children described per call at most; a run has few shards in flight (its parallelism). */
const MAX_CHILDREN = 16;

type PendingActivity = NonNullable<WorkflowExecutionDescription['raw']['pendingActivities']>[number];

async function failureText(client: WorkflowClient, p: PendingActivity): Promise<string> {
  const f = p.lastFailure;
  if (!f) return '';
  try {
    // With payload encryption on, the message is in an encrypted payload; the client's converter opens it.
    // lastFailure is the activity's own failure: ferry's message (its causes are the raw driver errors).
    const err = await decodeOptionalFailureToOptionalError(client.options.loadedDataConverter, f);
    return err?.message ?? f.message ?? '';
  } catch {
    return f.message ?? '';
  }
}

async function fromDescription(client: WorkflowClient, workflowId: string, desc: WorkflowExecutionDescription): Promise<RetryingActivity[]> {
  const out: RetryingActivity[] = [];
  for (const p of desc.raw.pendingActivities ?? []) {
    if ((p.attempt ?? 1) < 2 || !p.lastFailure) continue;
    out.push({ workflowId, activity: p.activityType?.name ?? 'activity', attempt: p.attempt ?? 2, lastFailure: await failureText(client, p) });
  }
  return out;
}

/** Retrying activities of the workflow behind `handle` and of its running children. */
export async function retryingActivities(handle: WorkflowHandle, desc?: WorkflowExecutionDescription): Promise<RetryingActivity[]> {
  const d = desc ?? (await handle.describe());
  if (d.status.name !== 'RUNNING') return [];
  const out = await fromDescription(handle.client, handle.workflowId, d);
  const children = (d.raw.pendingChildren ?? []).slice(0, MAX_CHILDREN);
  for (const c of children) {
    if (!c.workflowId) continue;
    const cd = await handle.client.getHandle(c.workflowId).describe().catch(() => undefined);
    if (cd) out.push(...(await fromDescription(handle.client, c.workflowId, cd)));
  }
  return out;
}

/** One line per retrying activity, for terminals and logs. */
export function retryingLines(list: RetryingActivity[]): string[] {
  return list.map((r) => `retrying ${r.activity} of ${r.workflowId} (attempt ${r.attempt}): ${r.lastFailure}`);
}
