/**
 * Target-table locks by workflow-ID uniqueness (real dev server on port 7310, real PostgreSQL): while
 * a sync writes a table, a second sync or a migrate of the same target table is refused with the
 * running workflow's ID in the message; the lock ends with its holder, however the holder ends.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncInput, SyncReport } from '../../src/core/compare-report.js';
import { tableLockId } from '../../src/core/lock-id.js';
import type { MigrateInput } from '../../src/core/report.js';
import { failureMessage } from '../../src/cli/failure-message.js';
import { PG_URL, pgExec } from '../helpers/databases.js';
import { startTestEnvOnPort } from '../helpers/s5-temporal.js';
import { startTestWorker } from '../helpers/temporal.js';

const DB = 'ferry_s5_wf';
const TARGET = PG_URL.replace(/\/test$/, `/${DB}`);
const QUEUE = 's5-lock';
const LOCK = tableLockId(TARGET, 's5_wf_items');

let env: TestWorkflowEnvironment;
let worker: Awaited<ReturnType<typeof startTestWorker>>;
// Syncs of job "held" wait here after taking their locks, until the test opens the gate.
let openGate: () => void = () => undefined;
let gate: Promise<void> = Promise.resolve();
const closeGate = (): void => {
  gate = new Promise((r) => (openGate = r));
};

const syncInput = (job: string): SyncInput => ({
  job, source: PG_URL, target: TARGET, tables: ['s5_wf_items'], chunkRows: 500, parallelism: 2, keys: {}, mode: 'incremental', watermark: 'updated_at', overlap: '5m', maxKeys: 10,
});
const migrateInput = (job: string): MigrateInput => ({
  job, source: PG_URL, target: TARGET, tables: ['s5_wf_items'], chunkRows: 500, parallelism: 2, onExisting: 'truncate', verify: 'checksum', keys: {},
});

async function lockStatus(): Promise<string | undefined> {
  return env.client.workflow.getHandle(LOCK).describe().then((d) => d.status.name, () => undefined);
}

async function until(what: string, ok: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  await pgExec(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  await pgExec(`CREATE DATABASE ${DB}`);
  await pgExec(`DROP TABLE IF EXISTS s5_wf_items`);
  await pgExec(`CREATE TABLE s5_wf_items (id int PRIMARY KEY, name text NOT NULL, updated_at timestamptz NOT NULL)`);
  await pgExec(`INSERT INTO s5_wf_items SELECT g, 'item ' || g, timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second' FROM generate_series(1, 1000) g`);
  // A second table gives the continue-as-new test more shards than run at once.
  await pgExec(`DROP TABLE IF EXISTS s5_wf_items2; CREATE TABLE s5_wf_items2 AS SELECT * FROM s5_wf_items; ALTER TABLE s5_wf_items2 ADD PRIMARY KEY (id)`);
  env = await startTestEnvOnPort(7310);
  worker = await startTestWorker(env, QUEUE, (real) => ({
    watermarkMax: async (input) => {
      await gate;
      return real.watermarkMax(input);
    },
  }));
});

afterAll(async () => {
  openGate();
  await worker?.stop();
  await env?.teardown();
  await pgExec(`DROP TABLE IF EXISTS s5_wf_items, s5_wf_items2`);
  await pgExec(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
});

describe('target-table lock', () => {
  it('refuses a second sync and a migrate of the same table while a sync holds it, naming the holder', async () => {
    closeGate();
    const holder = await env.client.workflow.start('sync', { taskQueue: QUEUE, workflowId: 's5-sync-holder', args: [syncInput('held')] });
    await until('the lock', async () => (await lockStatus()) === 'RUNNING');

    const second = await env.client.workflow.start('sync', { taskQueue: QUEUE, workflowId: 's5-sync-second', args: [syncInput('other')] });
    const secondError = await second.result().then(() => undefined, (e: unknown) => failureMessage(e));
    expect(secondError).toMatch(/target table s5_wf_items is being written by workflow s5-sync-holder/);

    const migrate = await env.client.workflow.start('migrate', { taskQueue: QUEUE, workflowId: 's5-migrate-refused', args: [migrateInput('m')] });
    const migrateError = await migrate.result().then(() => undefined, (e: unknown) => failureMessage(e));
    expect(migrateError).toContain('s5-sync-holder');
    expect(migrateError).toContain(LOCK);

    openGate();
    const report = (await holder.result()) as SyncReport;
    expect(report.tables[0]).toMatchObject({ table: 's5_wf_items', rowsUpserted: 1000 });
    // Released before the holder returned, so the next writer starts at once.
    expect(await lockStatus()).toBe('COMPLETED');
    const after = await env.client.workflow.execute('migrate', { taskQueue: QUEUE, workflowId: 's5-migrate-after', args: [migrateInput('m')] });
    expect(after).toMatchObject({ status: 'completed' });
    // migrate leaves its locks to the parent-close policy, which ends them as it closes.
    await until('the migrate lock to end', async () => (await lockStatus()) !== 'RUNNING');
  });

  it('survives continue-as-new: each run of a migrate takes the lock over from the run before', async () => {
    const handle = await env.client.workflow.start('migrate', {
      taskQueue: QUEUE,
      workflowId: 's5-migrate-can',
      // One shard in flight of two tables: the run cuts after its first shard (a run must finish one).
      args: [{ ...migrateInput('can'), tables: ['s5_wf_items', 's5_wf_items2'], chunkRows: 100, parallelism: 1, historyLimit: 12 }],
    });
    expect(await handle.result()).toMatchObject({
      status: 'completed',
      tables: [
        { rowsCopied: 1000, verified: true },
        { rowsCopied: 1000, verified: true },
      ],
    });
    let runs = 0;
    for await (const _ of env.client.workflow.list({ query: `WorkflowId = 's5-migrate-can'` })) runs++;
    expect(runs).toBeGreaterThan(1);
    await until('the lock to end', async () => (await lockStatus()) !== 'RUNNING');
  });

  it('ends with its holder: a terminated sync leaves the table free', async () => {
    closeGate();
    const holder = await env.client.workflow.start('sync', { taskQueue: QUEUE, workflowId: 's5-sync-killed', args: [syncInput('held2')] });
    await until('the lock', async () => (await lockStatus()) === 'RUNNING');
    await holder.terminate('test');
    await until('the lock to end', async () => (await lockStatus()) === 'TERMINATED');
    openGate();
    const next = (await env.client.workflow.execute('sync', { taskQueue: QUEUE, workflowId: 's5-sync-next', args: [syncInput('held2')] })) as SyncReport;
    expect(next.state.run).toBe(1);
  });
});
