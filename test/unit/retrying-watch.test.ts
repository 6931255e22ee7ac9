/**
 * What a waiting job command says about retried activities: once when one starts retrying, again when
 * its failure changes or every few attempts, never a line per look; and no look at all for a run that
 * ends before the first one is due. Table-lock children, which run no activity, are not described.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { retryingActivities, retryingAnnouncer, watchRetrying, type RetryingActivity } from '../../src/cli/retrying.js';

const refused = 'planning: reading table "t" on postgres 127.0.0.1:1/test: connection lost or refused (connect ECONNREFUSED 127.0.0.1:1); will retry';
const r = (attempt: number, lastFailure = refused, activity = 'planMigration', workflowId = 'verify-j'): RetryingActivity => ({ workflowId, activity, attempt, lastFailure });

describe('retryingAnnouncer', () => {
  it('says an activity when it starts retrying, then only every few attempts', () => {
    const say = retryingAnnouncer(5);
    expect(say([])).toEqual([]);
    expect(say([r(2)])).toEqual([`retrying planMigration of verify-j (attempt 2): ${refused}`]);
    expect(say([r(2)])).toEqual([]);
    expect(say([r(3)])).toEqual([]);
    expect(say([r(6)])).toEqual([]);
    expect(say([r(7)])).toEqual([`retrying planMigration of verify-j (attempt 7): ${refused}`]);
    expect(say([r(8)])).toEqual([]);
  });

  it('says it again when the failure message changes', () => {
    const say = retryingAnnouncer(5);
    expect(say([r(2)])).toHaveLength(1);
    expect(say([r(3, 'password authentication failed')])).toEqual(['retrying planMigration of verify-j (attempt 3): password authentication failed']);
    expect(say([r(4, 'password authentication failed')])).toEqual([]);
  });

  it('says an activity anew when it retries again after it stopped', () => {
    const say = retryingAnnouncer(5);
    expect(say([r(2)])).toHaveLength(1);
    expect(say([])).toEqual([]);
    expect(say([r(2)])).toHaveLength(1);
  });

  it('makes one line of several activities of a type failing alike, and one per workflow or activity', () => {
    const say = retryingAnnouncer(5);
    expect(say([r(2, refused, 'compareRange'), r(3, refused, 'compareRange'), r(2, refused, 'compareRange', 'child')])).toEqual([
      `retrying compareRange of verify-j (attempt 2): ${refused}`,
      `retrying compareRange of child (attempt 2): ${refused}`,
    ]);
    expect(say([r(3, refused, 'compareRange'), r(4, refused, 'compareRange'), r(3, refused, 'compareRange', 'child')])).toEqual([]);
  });
});

/** A handle whose run has one activity retrying at an attempt that grows with every look. */
function fakeHandle() {
  let looks = 0;
  const handle = {
    workflowId: 'verify-j',
    client: { options: {}, getHandle: () => handle },
    describe: async () => {
      looks++;
      return {
        status: { name: 'RUNNING' },
        raw: { pendingActivities: [{ activityType: { name: 'planMigration' }, attempt: looks + 1, lastFailure: { message: refused } }], pendingChildren: [] },
      };
    },
  };
  return { handle: handle as unknown as WorkflowHandle, looks: () => looks };
}

const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));

describe('watchRetrying', () => {
  it('makes no call for a run that ends before the first look', async () => {
    const { handle, looks } = fakeHandle();
    const lines: string[] = [];
    const stop = watchRetrying(handle, (l) => lines.push(l), { firstMs: 100, everyMs: 10 });
    await sleep(30);
    stop();
    await sleep(150);
    expect(looks()).toBe(0);
    expect(lines).toEqual([]);
  });

  it('looks again and again, says each retry once, and stops looking when stopped', async () => {
    const { handle, looks } = fakeHandle();
    const lines: string[] = [];
    const stop = watchRetrying(handle, (l) => lines.push(l), { firstMs: 10, everyMs: 10 });
    for (let i = 0; i < 200 && looks() < 7; i++) await sleep(10);
    stop();
    const seen = looks();
    await sleep(80);
    expect(looks()).toBe(seen);
    expect(seen).toBeGreaterThanOrEqual(7);
    // Attempts 2, 3, … were seen; the first and the fifth-after-it were said.
    expect(lines.slice(0, 2)).toEqual([`retrying planMigration of verify-j (attempt 2): ${refused}`, `retrying planMigration of verify-j (attempt 7): ${refused}`]);
  });
});

describe('retryingActivities', () => {
  it('looks into shard children but not into table-lock children (they run no activity)', async () => {
    const described: string[] = [];
    const run = (workflowId: string, activity: string) => ({
      workflowId,
      describe: async () => {
        described.push(workflowId);
        return { status: { name: 'RUNNING' }, raw: { pendingActivities: [{ activityType: { name: activity }, attempt: 3, lastFailure: { message: refused } }], pendingChildren: [] } };
      },
    });
    const locks = Array.from({ length: 20 }, (_, i) => ({ workflowId: `lock:127.0.0.1/db/t${i}`, workflowTypeName: 'tableLock' }));
    const parent = {
      ...run('migrate-j', 'planMigration'),
      client: { options: {}, getHandle: (id: string) => run(id, 'copyChunk') },
      describe: async () => ({ status: { name: 'RUNNING' }, raw: { pendingActivities: [], pendingChildren: [...locks, { workflowId: 'migrate-j/t/0', workflowTypeName: 'copyShard' }] } }),
    };
    const list = await retryingActivities(parent as unknown as WorkflowHandle);
    expect(described).toEqual(['migrate-j/t/0']);
    expect(list).toEqual([{ workflowId: 'migrate-j/t/0', activity: 'copyChunk', attempt: 3, lastFailure: refused }]);
  });
});
