/**
 * Where a ferry run spent its time, read from the Temporal histories of the `migrate` workflow and its
 * `copyShard` children (what `temporal workflow show` prints, summed up): one span per phase, and how
 * long chunks took against the time a shard spent between them.
 */
import type { Client } from '@temporalio/client';

/** Time of one phase of a `migrate` run. */
export interface PhaseTime {
  /** Activity type (planMigration, prepareTargets, createIndexes, createForeignKeys, verifyShard) or `copyShard children`. */
  name: string;
  /** First scheduled → last completed. */
  ms: number;
}

/** Where one `migrate` run spent its time. */
export interface PhaseBreakdown {
  /** Workflow started → completed, as the server recorded it. */
  workflowMs: number;
  phases: PhaseTime[];
  /** workflowMs minus the phases: workflow tasks between phases. */
  otherMs: number;
  shards: number;
  chunks: number;
  /** Mean copyChunk activity time (started → completed). */
  chunkMeanMs: number;
  chunkMaxMs: number;
  /** copyChunk schedule-to-start (waiting for a worker slot or poller), mean and max. */
  chunkQueueMeanMs: number;
  chunkQueueMaxMs: number;
  /** Per shard, mean of (shard span − its chunks' activity time): scheduling and workflow tasks. */
  shardOverheadMs: number;
  /**
   * Temporal's cost per chunk on the critical path: mean time from one chunk's completion to the start
   * of the next chunk of the same shard (activity result → workflow task → next activity dispatched).
   */
  chunkGapMeanMs: number;
  /** History events of the run and its children: what the Temporal server stores and dispatches. */
  events: number;
}

type HistoryEvent = NonNullable<Awaited<ReturnType<ReturnType<Client['workflow']['getHandle']>['fetchHistory']>>['events']>[number];

function ms(ts: HistoryEvent['eventTime']): number {
  if (!ts) return 0;
  const s = ts.seconds;
  const seconds = typeof s === 'number' ? s : s ? s.toNumber() : 0;
  return seconds * 1000 + (ts.nanos ?? 0) / 1e6;
}

function eventId(id: unknown): string {
  return String(id ?? '');
}

/** Activity spans of one history, keyed by activity type, plus child workflow spans. */
function spans(events: HistoryEvent[]) {
  const scheduled = new Map<string, { type: string; at: number }>();
  const started = new Map<string, number>();
  const activities: { type: string; scheduledAt: number; startedAt: number; endAt: number }[] = [];
  const childStarts: number[] = [];
  const childEnds: number[] = [];
  const childIds: string[] = [];
  for (const e of events) {
    const at = ms(e.eventTime);
    if (e.activityTaskScheduledEventAttributes) {
      scheduled.set(eventId(e.eventId), { type: e.activityTaskScheduledEventAttributes.activityType?.name ?? '?', at });
    } else if (e.activityTaskStartedEventAttributes) {
      started.set(eventId(e.activityTaskStartedEventAttributes.scheduledEventId), at);
    } else if (e.activityTaskCompletedEventAttributes) {
      const id = eventId(e.activityTaskCompletedEventAttributes.scheduledEventId);
      const s = scheduled.get(id);
      if (s) activities.push({ type: s.type, scheduledAt: s.at, startedAt: started.get(id) ?? s.at, endAt: at });
    } else if (e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowType?.name === 'copyShard') {
      // Only the copy children: the table-lock child lives as long as the whole run and would count
      // as one more "shard" made entirely of overhead.
      childStarts.push(at);
      childIds.push(e.startChildWorkflowExecutionInitiatedEventAttributes.workflowId ?? '');
    } else if (e.childWorkflowExecutionCompletedEventAttributes?.workflowType?.name === 'copyShard') {
      childEnds.push(at);
    }
  }
  const first = events.length ? ms(events[0]!.eventTime) : 0;
  const last = events.length ? ms(events[events.length - 1]!.eventTime) : 0;
  return { activities, childStarts, childEnds, childIds, first, last, events: events.length };
}

/** Reads the histories of a finished `migrate` run and its children. */
export async function phaseBreakdown(client: Client, workflowId: string): Promise<PhaseBreakdown> {
  const parent = spans((await client.workflow.getHandle(workflowId).fetchHistory()).events ?? []);
  const phases: PhaseTime[] = [];
  const byType = new Map<string, { from: number; to: number }>();
  for (const a of parent.activities) {
    const p = byType.get(a.type);
    byType.set(a.type, p ? { from: Math.min(p.from, a.scheduledAt), to: Math.max(p.to, a.endAt) } : { from: a.scheduledAt, to: a.endAt });
  }
  for (const [name, p] of byType) phases.push({ name, ms: p.to - p.from });
  if (parent.childStarts.length && parent.childEnds.length) {
    phases.push({ name: 'copyShard children', ms: Math.max(...parent.childEnds) - Math.min(...parent.childStarts) });
  }
  // Keep the order the workflow runs them in.
  const order = ['planMigration', 'dropForeignKeys', 'prepareTable', 'prepareTargets', 'copyShard children', 'createIndexes', 'createForeignKeys', 'verifyShard'];
  phases.sort((a, b) => rank(order, a.name) - rank(order, b.name));

  let chunks = 0;
  let chunkTotal = 0;
  let chunkMax = 0;
  let overhead = 0;
  let queued = 0;
  let queuedMax = 0;
  let gaps = 0;
  let gapTotal = 0;
  let events = parent.events;
  for (const id of parent.childIds) {
    const child = spans((await client.workflow.getHandle(id).fetchHistory()).events ?? []);
    events += child.events;
    const copies = child.activities.filter((a) => a.type === 'copyChunk').sort((a, b) => a.startedAt - b.startedAt);
    for (let i = 1; i < copies.length; i++) {
      gaps += 1;
      gapTotal += copies[i]!.startedAt - copies[i - 1]!.endAt;
    }
    const active = copies.reduce((sum, a) => sum + (a.endAt - a.startedAt), 0);
    chunks += copies.length;
    chunkTotal += active;
    chunkMax = Math.max(chunkMax, ...copies.map((a) => a.endAt - a.startedAt));
    overhead += child.last - child.first - active;
    for (const a of copies) {
      queued += a.startedAt - a.scheduledAt;
      queuedMax = Math.max(queuedMax, a.startedAt - a.scheduledAt);
    }
  }
  const workflowMs = parent.last - parent.first;
  const shards = parent.childIds.length;
  return {
    workflowMs,
    phases,
    otherMs: workflowMs - phases.reduce((s, p) => s + p.ms, 0),
    shards,
    chunks,
    chunkMeanMs: chunks ? chunkTotal / chunks : 0,
    chunkMaxMs: chunkMax,
    chunkQueueMeanMs: chunks ? queued / chunks : 0,
    chunkQueueMaxMs: queuedMax,
    shardOverheadMs: shards ? overhead / shards : 0,
    chunkGapMeanMs: gaps ? gapTotal / gaps : 0,
    events,
  };
}

function rank(order: string[], name: string): number {
  const i = order.indexOf(name);
  return i < 0 ? order.length : i;
}

/** One line such as `plan 0.05 s · copy 3.10 s · indexes 0.40 s · verify 1.20 s · other 0.10 s`. */
export function describePhases(b: PhaseBreakdown): string {
  const short: Record<string, string> = {
    planMigration: 'plan',
    dropForeignKeys: 'drop fks',
    prepareTable: 'prepare',
    prepareTargets: 'prepare',
    'copyShard children': 'copy',
    createIndexes: 'indexes',
    createForeignKeys: 'fks',
    verifyShard: 'verify',
  };
  const parts = b.phases.map((p) => `${short[p.name] ?? p.name} ${(p.ms / 1000).toFixed(2)} s`);
  parts.push(`other ${(b.otherMs / 1000).toFixed(2)} s`);
  return (
    `${parts.join(' · ')} (workflow ${(b.workflowMs / 1000).toFixed(2)} s; ${b.shards} shards, ${b.chunks} chunks, ` +
    `chunk mean ${(b.chunkMeanMs / 1000).toFixed(2)} s / max ${(b.chunkMaxMs / 1000).toFixed(2)} s, ` +
    `chunk schedule-to-start mean ${(b.chunkQueueMeanMs / 1000).toFixed(2)} s / max ${(b.chunkQueueMaxMs / 1000).toFixed(2)} s, ` +
    `per-shard time outside chunks ${(b.shardOverheadMs / 1000).toFixed(2)} s, ` +
    `chunk end → next chunk start mean ${(b.chunkGapMeanMs / 1000).toFixed(3)} s, ${b.events} history events)`
  );
}
