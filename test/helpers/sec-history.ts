/**
 * Helpers for the security suites: every history of a job (parent, children, continued runs) fetched
 * raw, flattened to searchable text with every base64 payload decoded, and activity attempt counts.
 */
import { Client, Connection } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import type { temporal } from '@temporalio/proto';

type History = temporal.api.history.v1.IHistory;

/** A client without any data converter: it sees payloads exactly as the server stores them. */
export async function rawClient(address: string): Promise<Client> {
  const connection = await Connection.connect({ address });
  return new Client({ connection, namespace: 'default' });
}

/** Histories of every execution whose FerryJob is `job` (waits until visibility lists at least `min`). */
export async function jobHistories(client: Client, job: string, min = 1): Promise<{ workflowId: string; runId: string; history: History }[]> {
  let found: { workflowId: string; runId: string }[] = [];
  for (let i = 0; i < 100; i++) {
    found = [];
    for await (const w of client.workflow.list({ query: `FerryJob="${job}"` })) found.push({ workflowId: w.workflowId, runId: w.runId });
    if (found.length >= min) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const out = [];
  for (const f of found) out.push({ ...f, history: await client.workflow.getHandle(f.workflowId, f.runId).fetchHistory() });
  return out;
}

const BASE64 = /^[A-Za-z0-9+/]{4,}={0,2}$/;

/** The history as JSON text plus the UTF-8 decoding of every base64 string in it (payload data, metadata). */
export function historyText(history: History): string {
  const json = historyToJSON(history);
  const decoded: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') {
      if (v.length % 4 === 0 && BASE64.test(v)) decoded.push(Buffer.from(v, 'base64').toString('utf8'));
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(JSON.parse(json));
  return `${json}\n${decoded.join('\n')}`;
}

/** Every Payload object in a history's JSON (anything with a `metadata` map and optional `data`), with its path. */
export function payloadsOf(history: History): { path: string; metadata: Record<string, string>; data?: string }[] {
  const out: { path: string; metadata: Record<string, string>; data?: string }[] = [];
  const walk = (v: unknown, path: string): void => {
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`));
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o['metadata'] && typeof o['metadata'] === 'object' && !Array.isArray(o['metadata']) && Object.values(o['metadata']).every((x) => typeof x === 'string')) {
        out.push({ path, metadata: o['metadata'] as Record<string, string>, ...(typeof o['data'] === 'string' ? { data: o['data'] } : {}) });
        return;
      }
      for (const [k, x] of Object.entries(o)) walk(x, `${path}.${k}`);
    }
  };
  walk(JSON.parse(historyToJSON(history)), '');
  return out;
}

/** Attempt numbers of the started events of activities of `type` (a non-retried failure shows [1]). */
export function activityAttempts(history: History, type: string): { attempts: number[]; failures: { message: string; nonRetryable: boolean }[] } {
  const events = history.events ?? [];
  const scheduled = new Map<string, string>();
  const attempts: number[] = [];
  const failures: { message: string; nonRetryable: boolean }[] = [];
  for (const e of events) {
    const id = String(e.eventId);
    if (e.activityTaskScheduledEventAttributes) scheduled.set(id, e.activityTaskScheduledEventAttributes.activityType?.name ?? '');
    const started = e.activityTaskStartedEventAttributes;
    if (started && scheduled.get(String(started.scheduledEventId)) === type) attempts.push(started.attempt ?? 0);
    const failed = e.activityTaskFailedEventAttributes;
    if (failed && scheduled.get(String(failed.scheduledEventId)) === type) {
      failures.push({ message: failed.failure?.message ?? '', nonRetryable: failed.failure?.applicationFailureInfo?.nonRetryable === true });
    }
  }
  return { attempts, failures };
}

/** Every failed activity of a history: its type, the attempt that failed, the message, and whether it was final. */
export function failedActivities(history: History): { type: string; attempt: number; message: string; nonRetryable: boolean }[] {
  const scheduled = new Map<string, string>();
  const startedAttempt = new Map<string, number>();
  const out: { type: string; attempt: number; message: string; nonRetryable: boolean }[] = [];
  for (const e of history.events ?? []) {
    if (e.activityTaskScheduledEventAttributes) scheduled.set(String(e.eventId), e.activityTaskScheduledEventAttributes.activityType?.name ?? '');
    const s = e.activityTaskStartedEventAttributes;
    if (s) startedAttempt.set(String(s.scheduledEventId), s.attempt ?? 0);
    const f = e.activityTaskFailedEventAttributes;
    if (f) {
      const id = String(f.scheduledEventId);
      out.push({
        type: scheduled.get(id) ?? '',
        attempt: startedAttempt.get(id) ?? 0,
        message: f.failure?.message ?? '',
        nonRetryable: f.failure?.applicationFailureInfo?.nonRetryable === true,
      });
    }
  }
  return out;
}
