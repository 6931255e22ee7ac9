/**
 * What a running job is retrying, and why: activities of the workflow and of its running shard
 * children that failed at least once (a transient fault such as an unreachable host is retried with
 * backoff forever, so without this `migrate --wait`, `status` and the waiting job commands verify,
 * diff, repair and sync would only show a run that does not move).
 */
import type { WorkflowClient, WorkflowExecutionDescription, WorkflowHandle } from '@temporalio/client';
import { decodeOptionalFailureToOptionalError } from '@temporalio/common/lib/internal-non-workflow/index.js';
import { WORKFLOW_TABLE_LOCK } from '../shared.js';

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


/** A retrying activity is said again after this many more attempts with the same failure. */
export const RETRYING_REPEAT_ATTEMPTS = 5;

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
  // Table-lock children run no activity: describing them finds nothing, and in a many-table run they
  // would use up MAX_CHILDREN.
  const children = (d.raw.pendingChildren ?? []).filter((c) => c.workflowTypeName !== WORKFLOW_TABLE_LOCK).slice(0, MAX_CHILDREN);
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

/**
 * Remembers what was said, for a command that polls while it waits: the returned function gives the
 * lines to print for one poll. An activity is said when it starts retrying, when its failure message
 * changes, and again every {@link RETRYING_REPEAT_ATTEMPTS} attempts; one that stops retrying and
 * starts again later is said anew. Several activities of one type in one workflow failing alike (shards
 * in parallel against the same host) make one line.
 */
export function retryingAnnouncer(repeatAttempts = RETRYING_REPEAT_ATTEMPTS): (list: RetryingActivity[]) => string[] {
  let said = new Map<string, number>();
  return (list) => {
    const now = new Map<string, number>();
    const out: RetryingActivity[] = [];
    for (const r of list) {
      const key = JSON.stringify([r.workflowId, r.activity, r.lastFailure]);
      const before = now.get(key) ?? said.get(key);
      if (before === undefined || r.attempt >= before + repeatAttempts) {
        out.push(r);
        now.set(key, r.attempt);
      } else now.set(key, before);
    }
    said = now;
    return retryingLines(out);
  };
}

/** Timing of {@link watchRetrying}. */
export interface WatchRetryingOptions {
  /** Wait before the first look (default 2000 ms): a run that ends sooner makes no extra call. */
  firstMs?: number;
  /** Wait between looks after that (default 2500 ms), counted from the end of the previous look. */
  everyMs?: number;
}

/**
 * Looks at the run behind `handle` now and then until the returned function is called, and passes
 * each retrying line worth saying (see {@link retryingAnnouncer}) to `say`. Failed looks are skipped,
 * and the timer never keeps the process alive.
 */
export function watchRetrying(handle: WorkflowHandle, say: (line: string) => void, opts: WatchRetryingOptions = {}): () => void {
  const announce = retryingAnnouncer();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const schedule = (ms: number) => {
    timer = setTimeout(() => void look().catch(() => undefined), ms);
    timer.unref();
  };
  const look = async () => {
    const list = await retryingActivities(handle).catch(() => undefined);
    if (stopped) return;
    if (list) for (const l of announce(list)) say(l);
    schedule(opts.everyMs ?? 2500);
  };
  schedule(opts.firstMs ?? 2000);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
