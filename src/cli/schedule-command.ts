/**
 * `ferry schedule create|list|describe|pause|resume|trigger|delete`: sync jobs on Temporal Schedules.
 * A schedule starts the `sync` workflow with the job as its argument, tagged FerryJob/FerryKind so its
 * runs are searchable by job (and found by the next run's high-water-mark lookup). Overlap policy SKIP
 * by default: a sync never runs twice at once.
 */
import { ScheduleOverlapPolicy, type Client, type ScheduleDescription, type ScheduleSpec } from '@temporalio/client';
import { JobSpecError } from '../errors.js';
import { FerryJobKey, FerryKindKey } from '../shared.js';
import { connectClient, loadConnectConfig } from '../temporal/connection.js';
import { taskQueue } from '../temporal/task-queue.js';
import { syncInput, type SyncFlags } from './job-run.js';
import { EXIT_OK, reportError } from './output.js';

/** Flags of `ferry schedule create`. */
export interface ScheduleCreateFlags extends SyncFlags {
  every?: string;
  cron?: string;
  overlapPolicy?: string;
  paused?: boolean;
  note?: string;
}

const POLICIES: Record<string, ScheduleOverlapPolicy> = {
  skip: ScheduleOverlapPolicy.SKIP,
  'buffer-one': ScheduleOverlapPolicy.BUFFER_ONE,
  'buffer-all': ScheduleOverlapPolicy.BUFFER_ALL,
  'cancel-other': ScheduleOverlapPolicy.CANCEL_OTHER,
  'terminate-other': ScheduleOverlapPolicy.TERMINATE_OTHER,
  'allow-all': ScheduleOverlapPolicy.ALLOW_ALL,
};

async function withClient<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = await connectClient();
  try {
    return await fn(client);
  } finally {
    await client.connection.close();
  }
}

/** Creates a schedule that runs `ferry sync` with the job's settings. */
export async function scheduleCreateCommand(file: string | undefined, flags: ScheduleCreateFlags): Promise<number> {
  const json = flags.json === true;
  try {
    if (!flags.id) throw new JobSpecError('--id', 'name the schedule with --id (letters, digits, "-", "_")');
    if (!flags.every === !flags.cron) throw new JobSpecError('--every', 'give exactly one of --every 15m or --cron "*/15 * * * *"');
    if (flags.every && !/^\d+(s|m|h|d)$/.test(flags.every)) throw new JobSpecError('--every', `expected a duration such as 30s, 15m, 1h or 1d, got "${flags.every}"`);
    const overlap = POLICIES[(flags.overlapPolicy ?? 'skip').toLowerCase()];
    if (!overlap) throw new JobSpecError('--overlap-policy', `expected one of ${Object.keys(POLICIES).join(', ')}`);
    const input = syncInput(file, flags);
    const spec: ScheduleSpec = flags.every ? { intervals: [{ every: flags.every }] } : { cronExpressions: [flags.cron!] };
    const id = flags.id;
    await withClient(async (client) => {
      await client.schedule.create({
        scheduleId: id,
        spec,
        action: {
          type: 'startWorkflow',
          workflowType: 'sync',
          // Temporal appends the scheduled time to this ID for each run.
          workflowId: `sync-${input.job}`,
          taskQueue: taskQueue(),
          args: [input],
          typedSearchAttributes: [
            { key: FerryJobKey, value: input.job },
            { key: FerryKindKey, value: 'sync' },
          ],
          staticSummary: `scheduled sync ${input.job} (${input.mode}) by ${id}`,
        },
        policies: { overlap, catchupWindow: '1 minute' },
        state: { paused: flags.paused === true, ...(flags.note ? { note: flags.note } : {}) },
        memo: { job: input.job, mode: input.mode },
      });
    });
    if (json) console.log(JSON.stringify({ status: 'created', scheduleId: id, job: input.job, mode: input.mode, spec: flags.every ? { every: flags.every } : { cron: flags.cron }, overlapPolicy: overlap }));
    else console.log(`created schedule ${id}: sync ${input.job} (${input.mode}) ${flags.every ? `every ${flags.every}` : `on cron "${flags.cron}"`}, overlap ${overlap}`);
    return EXIT_OK;
  } catch (e) {
    return reportError(e, json);
  }
}

/** Lists the schedules that run ferry syncs. */
export async function scheduleListCommand(flags: { json?: boolean }): Promise<number> {
  const json = flags.json === true;
  try {
    const rows = await withClient(async (client) => {
      const out: Record<string, unknown>[] = [];
      for await (const s of client.schedule.list()) {
        if (s.action?.workflowType !== 'sync') continue;
        out.push({
          scheduleId: s.scheduleId,
          job: s.memo?.['job'] ?? null,
          paused: s.state.paused,
          nextRun: s.info.nextActionTimes[0]?.toISOString() ?? null,
          lastRun: s.info.recentActions.at(-1)?.takenAt.toISOString() ?? null,
        });
      }
      return out;
    });
    if (json) console.log(JSON.stringify(rows));
    else if (rows.length === 0) console.log('no ferry schedules');
    else for (const r of rows) console.log(`${String(r.scheduleId).padEnd(24)} ${r.paused ? 'paused ' : 'active '} job ${String(r.job)}  next ${String(r.nextRun ?? '-')}  last ${String(r.lastRun ?? '-')}`);
    return EXIT_OK;
  } catch (e) {
    return reportError(e, json);
  }
}

/** Shows a schedule: spec, state, recent runs and the next run times. */
export async function scheduleDescribeCommand(id: string, flags: { json?: boolean }): Promise<number> {
  const json = flags.json === true;
  try {
    const { namespace } = await loadConnectConfig();
    const d = await withClient((client) => client.schedule.getHandle(id).describe());
    const view = describeView(d);
    if (json) console.log(JSON.stringify(view));
    else {
      console.log(`schedule ${id}: ${view.paused ? 'paused' : 'active'}${view.note ? ` (${view.note})` : ''}; job ${String(view.job)}; overlap ${view.overlapPolicy}`);
      console.log(`  spec: ${view.spec.intervals.length ? `every ${view.spec.intervals.join(', ')}` : ''}${view.spec.calendars.length ? ` calendar ${JSON.stringify(view.spec.calendars)}` : ''}`);
      console.log(`  runs: ${view.actionsTaken} taken, ${view.skippedOverlap} skipped (overlap)`);
      for (const r of view.recentRuns) console.log(`  recent: ${r.takenAt} ${r.workflowId}`);
      for (const r of view.runningRuns) console.log(`  running: ${r}`);
      for (const t of view.nextRuns.slice(0, 3)) console.log(`  next: ${t}`);
      console.log(`  ${(process.env['FERRY_UI_URL'] || 'http://localhost:8233').replace(/\/$/, '')}/namespaces/${encodeURIComponent(namespace)}/schedules/${encodeURIComponent(id)}`);
    }
    return EXIT_OK;
  } catch (e) {
    return reportError(e, json);
  }
}

function describeView(d: ScheduleDescription) {
  return {
    scheduleId: d.scheduleId,
    job: d.memo?.['job'] ?? null,
    paused: d.state.paused,
    note: d.state.note ?? null,
    overlapPolicy: d.policies.overlap,
    spec: { intervals: d.spec.intervals?.map((i) => span(Number(i.every))) ?? [], calendars: d.spec.calendars ?? [] },
    actionsTaken: d.info.numActionsTaken,
    skippedOverlap: d.info.numActionsSkippedOverlap,
    recentRuns: d.info.recentActions.map((a) => ({ scheduledAt: a.scheduledAt.toISOString(), takenAt: a.takenAt.toISOString(), workflowId: a.action.workflow.workflowId })),
    runningRuns: d.info.runningActions.map((a) => a.workflow.workflowId),
    nextRuns: d.info.nextActionTimes.map((t) => t.toISOString()),
  };
}

/** Milliseconds as the largest whole unit: 900000 → 15m. */
function span(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

/** `pause`, `resume`, `trigger` and `delete` of one schedule. */
export async function scheduleActionCommand(action: 'pause' | 'resume' | 'trigger' | 'delete', id: string, flags: { json?: boolean; note?: string }): Promise<number> {
  const json = flags.json === true;
  try {
    await withClient(async (client) => {
      const h = client.schedule.getHandle(id);
      if (action === 'pause') await h.pause(flags.note ?? 'paused with ferry schedule pause');
      else if (action === 'resume') await h.unpause(flags.note ?? 'resumed with ferry schedule resume');
      else if (action === 'delete') await h.delete();
      // A manual run keeps the schedule's overlap policy (the SDK's default would allow overlaps).
      else await h.trigger((await h.describe()).policies.overlap);
    });
    const done = { pause: 'paused', resume: 'resumed', trigger: 'triggered', delete: 'deleted' }[action];
    if (json) console.log(JSON.stringify({ status: done, scheduleId: id }));
    else console.log(`${done} schedule ${id}`);
    return EXIT_OK;
  } catch (e) {
    return reportError(e, json);
  }
}
