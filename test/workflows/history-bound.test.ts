/**
 * The parent's history stays bounded however many chunks and shards a job has: it drains its children
 * and continues as new, carrying shard state, and the chain still finishes with every row copied.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MigrateInput, MigrationReport } from '../../src/core/report.js';
import { PG_URL, pgExec } from '../helpers/databases.js';
import { startTestEnv, startTestWorker } from '../helpers/temporal.js';

let env: TestWorkflowEnvironment;
const TARGET = PG_URL.replace(/\/test$/, '/ferry_hb_target');
const TABLES = ['ferry_hb_a', 'ferry_hb_b', 'ferry_hb_c', 'ferry_hb_d'];
const LIMIT = 60;

beforeAll(async () => {
  await pgExec(`DROP DATABASE IF EXISTS ferry_hb_target WITH (FORCE)`);
  await pgExec(`CREATE DATABASE ferry_hb_target`);
  env = await startTestEnv();
});

afterAll(async () => {
  await env?.teardown();
  for (const t of TABLES) await pgExec(`DROP TABLE IF EXISTS ${t}`);
  await pgExec(`DROP DATABASE IF EXISTS ferry_hb_target WITH (FORCE)`);
});

async function runJob(rowsPerTable: number, id: string): Promise<{ report: MigrationReport; runs: number; maxEvents: number }> {
  for (const t of TABLES) {
    await pgExec(`DROP TABLE IF EXISTS ${t}`);
    await pgExec(`CREATE TABLE ${t} (id int PRIMARY KEY, v text)`);
    await pgExec(`INSERT INTO ${t} SELECT g, 'v' || g FROM generate_series(1, ${rowsPerTable}) g`);
    await pgExec(`ANALYZE ${t}`);
  }
  const input: MigrateInput = {
    job: id, source: PG_URL, target: TARGET, tables: TABLES, chunkRows: 10, parallelism: 3,
    onExisting: 'truncate', verify: 'count', keys: {}, historyLimit: LIMIT,
  };
  const handle = await env.client.workflow.start('migrate', { taskQueue: 'hb', workflowId: id, args: [input] });
  const report = (await handle.result()) as MigrationReport;
  let runs = 0;
  let maxEvents = 0;
  for await (const w of env.client.workflow.list({ query: `WorkflowId = '${id}'` })) {
    runs++;
    maxEvents = Math.max(maxEvents, w.historyLength);
  }
  return { report, runs, maxEvents };
}

describe('parent history bound', () => {
  it('stays under the same bound for 4x the chunks, by continuing as new', async () => {
    const w = await startTestWorker(env, 'hb');
    try {
      const small = await runJob(60, 'hb-small');
      const big = await runJob(240, 'hb-big');
      for (const r of [small, big]) {
        expect(r.report.status).toBe('completed');
        expect(r.report.tables.map((t) => t.rowsCopied)).toEqual(TABLES.map(() => (r === small ? 60 : 240)));
        expect(r.report.tables.every((t) => t.verified)).toBe(true);
      }
      console.log('history bound', JSON.stringify({ limit: LIMIT, small: { runs: small.runs, maxEvents: small.maxEvents }, big: { runs: big.runs, maxEvents: big.maxEvents } }));
      // The bound: the limit, plus what the children in flight add while draining, plus the last run's
      // indexes and per-shard verification (12 shards, ~50 events). Progress signals are batched per
      // second, so 4x the chunks add nothing beyond that.
      expect(big.maxEvents).toBeLessThan(LIMIT + 120);
      expect(small.maxEvents).toBeLessThan(LIMIT + 120);
      expect(big.runs).toBeGreaterThan(1);
      expect(small.runs).toBeGreaterThan(1);
    } finally {
      await w.stop();
    }
  });
});

describe('a job of a hundred tables', () => {
  it('copies them all with bounded children in flight, continuing as new as history grows', async () => {
    const names = Array.from({ length: 100 }, (_, i) => `ferry_hb_many_${String(i).padStart(3, '0')}`);
    await pgExec(
      names.map((n, i) => `DROP TABLE IF EXISTS ${n}; CREATE TABLE ${n} (id int PRIMARY KEY, v text); INSERT INTO ${n} SELECT g, 't${i}-' || g FROM generate_series(1, ${1 + (i % 7)}) g;`).join('\n'),
    );
    const w = await startTestWorker(env, 'hb-many');
    try {
      const input: MigrateInput = {
        job: 'hb-many', source: PG_URL, target: TARGET, tables: names, chunkRows: 100, parallelism: 8,
        onExisting: 'truncate', verify: 'count', keys: {}, historyLimit: 400,
      };
      const report = (await env.client.workflow.execute('migrate', { taskQueue: 'hb-many', workflowId: 'hb-many', args: [input] })) as MigrationReport;
      expect(report.status).toBe('completed');
      expect(report.tables).toHaveLength(100);
      expect(report.tables.every((t, i) => t.verified && t.rowsCopied === 1 + (i % 7))).toBe(true);
      let runs = 0;
      let maxEvents = 0;
      for await (const x of env.client.workflow.list({ query: `WorkflowId = 'hb-many'` })) {
        runs++;
        maxEvents = Math.max(maxEvents, x.historyLength);
      }
      console.log('hundred tables', JSON.stringify({ runs, maxEvents }));
      expect(runs).toBeGreaterThan(1);
      // Setting up a table (plan, lock, prepare, indexes) costs 12–15 events in the run that does it,
      // plus the children that finish while that run drains (measured 1,261–1,514 for 100 tables);
      // chunks add nothing beyond the limit. 500 tables would stay far inside Temporal's 51,200.
      expect(maxEvents).toBeLessThan(20 * 100);
    } finally {
      await w.stop();
      await pgExec(names.map((n) => `DROP TABLE IF EXISTS ${n};`).join('\n'));
    }
  }, 300_000);
});

