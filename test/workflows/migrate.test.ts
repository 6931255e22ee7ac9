import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ApplicationFailure } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MigrateInput, MigrationReport } from '../../src/core/report.js';
import { progressQuery, resumeStateQuery } from '../../src/shared.js';
import { failureMessage } from '../../src/cli/failure-message.js';
import { PG_URL, pgExec } from '../helpers/databases.js';
import { startTestEnv, startTestWorker } from '../helpers/temporal.js';

let env: TestWorkflowEnvironment;
const TARGET = PG_URL.replace(/\/test$/, '/ferry_wf_target');

const input = (over: Partial<MigrateInput> = {}): MigrateInput => ({
  job: 'wf-test',
  source: PG_URL,
  target: TARGET,
  tables: ['ferry_wf_items'],
  chunkRows: 300,
  parallelism: 3,
  onExisting: 'truncate',
  verify: 'checksum',
  keys: {},
  ...over,
});

beforeAll(async () => {
  await pgExec(`DROP DATABASE IF EXISTS ferry_wf_target`);
  await pgExec(`CREATE DATABASE ferry_wf_target`);
  await pgExec(`DROP TABLE IF EXISTS ferry_wf_items, ferry_wf_nokey`);
  await pgExec(`CREATE TABLE ferry_wf_items (id bigint PRIMARY KEY, name text NOT NULL, price numeric(10,2), at timestamptz, doc jsonb)`);
  await pgExec(
    `INSERT INTO ferry_wf_items SELECT g, 'item ' || g, g * 1.25, timestamptz '2024-01-01 00:00:00+00' + g * interval '1 minute', jsonb_build_object('g', g) FROM generate_series(1, 2000) g`,
  );
  await pgExec(`CREATE TABLE ferry_wf_nokey (a int, b text)`);
  env = await startTestEnv();
});

afterAll(async () => {
  await env?.teardown();
  await pgExec(`DROP TABLE IF EXISTS ferry_wf_items, ferry_wf_nokey`);
  await pgExec(`DROP DATABASE IF EXISTS ferry_wf_target WITH (FORCE)`);
});

async function onTarget<T>(sql: string, read: (rows: Record<string, unknown>[]) => T): Promise<T> {
  const { Client } = (await import('pg')).default;
  const c = new Client({ connectionString: TARGET });
  await c.connect();
  try {
    return read((await c.query(sql)).rows as Record<string, unknown>[]);
  } finally {
    await c.end();
  }
}

async function targetRows(): Promise<number> {
  return onTarget(`SELECT count(*)::int AS n, count(DISTINCT id)::int AS d FROM ferry_wf_items`, (rows) => {
    expect(rows[0]!['n']).toBe(rows[0]!['d']);
    return rows[0]!['n'] as number;
  });
}

/** The target's primary key as PostgreSQL prints it, or null (a new table gets it after the load). */
async function targetPrimaryKey(): Promise<string | null> {
  return onTarget(
    `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = to_regclass('ferry_wf_items') AND contype = 'p'`,
    (rows) => (rows[0]?.['def'] as string | undefined) ?? null,
  );
}

describe('migrate workflow (real dev server, real PostgreSQL)', () => {
  it('copies in shards and chunks, reports progress, and verifies', async () => {
    const w = await startTestWorker(env, 'wf-happy');
    try {
      const handle = await env.client.workflow.start('migrate', { taskQueue: 'wf-happy', workflowId: 'wf-happy', args: [input()] });
      const report = (await handle.result()) as MigrationReport;
      expect(report, JSON.stringify(report)).toMatchObject({ status: 'completed' });
      expect(report.tables).toEqual([
        { source: 'ferry_wf_items', target: 'ferry_wf_items', rowsCopied: 2000, sourceRows: 2000, targetRows: 2000, verified: true, rowsRedone: 0, workers: { 'test-worker': 2000 } },
      ]);
      const progress = await handle.query(progressQuery);
      expect(progress.phase).toBe('done');
      expect(progress.tables[0]).toMatchObject({ rowsDone: 2000, shardsDone: 3, shardsTotal: 3 });
      // Children carry deterministic IDs <parent>/<table>/<shard>.
      const child = await env.client.workflow.getHandle('wf-happy/ferry_wf_items/0').describe();
      expect(child.status.name).toBe('COMPLETED');
      expect(await targetRows()).toBe(2000);
      // Created by this run, loaded without its key, which was added after the copy.
      expect(await targetPrimaryKey()).toBe('PRIMARY KEY (id)');
      if (process.env['FERRY_RECORD_HISTORIES']) {
        // Fixtures for test/workflows/replay.test.ts.
        const dir = fileURLToPath(new URL('./histories/', import.meta.url));
        const record = async (file: string, workflowId: string) => {
          const history = JSON.parse(historyToJSON(await env.client.workflow.getHandle(workflowId).fetchHistory()));
          writeFileSync(`${dir}${file}`, JSON.stringify({ workflowId, history }, null, 1));
        };
        // Named by day, so each recording adds to the versions the guard replays instead of replacing one.
        const day = new Date().toISOString().slice(0, 10);
        await record(`migrate-${day}.json`, 'wf-happy');
        await record(`copyShard-${day}.json`, 'wf-happy/ferry_wf_items/0');
      }
    } finally {
      await w.stop();
    }
  });

  it('retries a chunk that committed but failed before reporting, without duplicates', async () => {
    // A new table: loaded without its primary key, so only the retry's own delete prevents duplicates.
    await onTarget(`DROP TABLE IF EXISTS ferry_wf_items`, () => undefined);
    let failed = 0;
    const w = await startTestWorker(env, 'wf-retry', (real) => ({
      copyChunk: async (i) => {
        const r = await real.copyChunk(i);
        // The commit happened; now the "worker dies" before Temporal hears of it, twice.
        if (failed < 2) {
          failed++;
          throw ApplicationFailure.retryable('simulated crash after commit');
        }
        return r;
      },
    }));
    try {
      const report = (await env.client.workflow.execute('migrate', {
        taskQueue: 'wf-retry',
        workflowId: 'wf-retry',
        args: [input({ parallelism: 1 })],
      })) as MigrationReport;
      expect(failed).toBe(2);
      // The first chunk (300 rows) needed three attempts: the report counts its rows as redone work.
      expect(report.tables[0], JSON.stringify(report.tables[0])).toMatchObject({ rowsCopied: 2000, targetRows: 2000, verified: true, rowsRedone: 300 });
      expect(await targetRows()).toBe(2000);
      expect(await targetPrimaryKey()).toBe('PRIMARY KEY (id)');
    } finally {
      await w.stop();
    }
  });

  it('resumes a stopped load into a new table by adding its primary key first, then copies the rest exactly once', async () => {
    await onTarget(`DROP TABLE IF EXISTS ferry_wf_items`, () => undefined);
    let run = 'first';
    let chunks = 0;
    const keyAtResume: (string | null)[] = [];
    const w = await startTestWorker(env, 'wf-resume', (real) => ({
      copyChunk: async (i) => {
        if (run === 'resumed') keyAtResume.push(await targetPrimaryKey());
        const r = await real.copyChunk(i);
        // The third chunk commits, then the run stops before Temporal hears of it.
        if (run === 'first' && ++chunks === 3) throw ApplicationFailure.nonRetryable('simulated stop after commit');
        return r;
      },
    }));
    try {
      const first = env.client.workflow.execute('migrate', { taskQueue: 'wf-resume', workflowId: 'wf-resume', args: [input({ parallelism: 1 })] });
      await expect(first).rejects.toBeInstanceOf(WorkflowFailedError);
      expect(await targetPrimaryKey()).toBeNull();
      const state = await env.client.workflow.getHandle('wf-resume').query(resumeStateQuery);
      expect(state.plan.tables[0]?.deferredKey).toBe(true);
      run = 'resumed';
      const report = (await env.client.workflow.execute('migrate', {
        taskQueue: 'wf-resume',
        workflowId: 'wf-resume-2',
        args: [{ ...state.input, resume: { plan: state.plan, shards: state.shards } }],
      })) as MigrationReport;
      expect(report.tables[0], JSON.stringify(report.tables[0])).toMatchObject({ rowsCopied: 2000, targetRows: 2000, verified: true });
      expect(keyAtResume.length).toBeGreaterThan(0);
      expect(keyAtResume.every((k) => k === 'PRIMARY KEY (id)')).toBe(true);
      expect(await targetRows()).toBe(2000);
    } finally {
      await w.stop();
    }
  });

  it('detects a target that differs from the source', async () => {
    const w = await startTestWorker(env, 'wf-diff', (real) => ({
      verifyShard: async (i) => {
        // Tamper with one target row after the copy, before verification reads it.
        await pgExec(`SELECT 1`);
        const { Client } = (await import('pg')).default;
        const c = new Client({ connectionString: TARGET });
        await c.connect();
        await c.query(`UPDATE ferry_wf_items SET name = 'tampered' WHERE id = 7`);
        await c.end();
        return real.verifyShard(i);
      },
    }));
    try {
      const report = (await env.client.workflow.execute('migrate', { taskQueue: 'wf-diff', workflowId: 'wf-diff', args: [input()] })) as MigrationReport;
      expect(report.status).toBe('failed');
      expect(report.tables[0]?.verified).toBe(false);
      expect(report.tables[0]?.mismatchedRanges).toEqual(['(-∞, 666]']);
    } finally {
      await w.stop();
    }
  });

  it('refuses a table without a key, naming it and the way out, without retrying', async () => {
    const w = await startTestWorker(env, 'wf-nokey');
    try {
      const err = await env.client.workflow
        .execute('migrate', { taskQueue: 'wf-nokey', workflowId: 'wf-nokey', args: [input({ tables: ['ferry_wf_nokey'] })] })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowFailedError);
      const msg = failureMessage(err);
      expect(msg).toContain('"ferry_wf_nokey" has no primary key');
      expect(msg).toContain('--key ferry_wf_nokey=');
    } finally {
      await w.stop();
    }
  });

  it('refuses to write into a target table that holds rows when onExisting is fail', async () => {
    const w = await startTestWorker(env, 'wf-exist');
    try {
      const err = await env.client.workflow
        .execute('migrate', { taskQueue: 'wf-exist', workflowId: 'wf-exist', args: [input({ onExisting: 'fail' })] })
        .catch((e: unknown) => e);
      expect(failureMessage(err)).toMatch(/already exists and holds rows; pass --on-existing truncate/);
    } finally {
      await w.stop();
    }
  });
});
