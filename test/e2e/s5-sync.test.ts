/**
 * ferry sync and ferry schedule through the compiled CLI, a `ferry worker` process, a dev server
 * (port 7312), PostgreSQL as source and MySQL as target: incremental runs bring new and updated rows
 * (and late commits inside the overlap), a full pass catches deletes, --full-every turns a run into a
 * full pass, and a schedule's triggered run brings new rows, searchable by job.
 */
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevServer } from '../../src/temporal/dev-server.js';
import { MYSQL_URL, PG_URL, mysqlExec, pgExec } from '../helpers/databases.js';
import { e2eEnv, runCli, startE2eServer, startWorkerProcess, type WorkerProcess } from '../helpers/cli.js';
import { dump, type DumpSpec } from '../helpers/row-dump.js';

const QUEUE = 's5-sync';
const TARGET = MYSQL_URL.replace(/\/test$/, '/ferry_s5_sync');
const SPEC: DumpSpec = { table: 's5_sync', key: ['id'], columns: { id: 'int', name: 'text', v: 'int', updated_at: 'timestamp' } };
let server: DevServer;
let worker: WorkerProcess;
let env: NodeJS.ProcessEnv;

const JOB = ['--source', PG_URL, '--target', TARGET, '--tables', 's5_sync', '--chunk-rows', '200', '--name', 's5-sync-job'];
const last = (stdout: string) => JSON.parse(stdout.trim().split('\n').pop()!);
async function cli(args: string[]) {
  const r = await runCli([...args, '--json'], env);
  if (r.code !== 0) throw new Error(`ferry ${args.join(' ')} exited ${r.code}:\n${r.stdout}\n${r.stderr}\n${worker.output().slice(-3000)}`);
  return last(r.stdout);
}
const targetCount = async () => Number(((await mysqlExec(`SELECT COUNT(*) AS n FROM ferry_s5_sync.s5_sync`)) as { n: number }[])[0]!.n);

beforeAll(async () => {
  await pgExec(`DROP TABLE IF EXISTS s5_sync`);
  await pgExec(`CREATE TABLE s5_sync (id int PRIMARY KEY, name text NOT NULL, v int, updated_at timestamptz(6) NOT NULL)`);
  await pgExec(`CREATE INDEX s5_sync_updated ON s5_sync (updated_at)`);
  await pgExec(`INSERT INTO s5_sync SELECT g, 'row ' || g, g, timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second' FROM generate_series(1, 500) g`);
  await mysqlExec(`DROP DATABASE IF EXISTS ferry_s5_sync; CREATE DATABASE ferry_s5_sync CHARACTER SET utf8mb4`);
  server = await startE2eServer(7312);
  env = e2eEnv(server, QUEUE);
  worker = await startWorkerProcess(env);
});

afterAll(async () => {
  await worker?.kill('SIGTERM');
  await server?.stop();
  await pgExec(`DROP TABLE IF EXISTS s5_sync`);
  await mysqlExec(`DROP DATABASE IF EXISTS ferry_s5_sync`);
});

describe('ferry sync', () => {
  it('incremental: the first run creates the table and copies every row in chunks', async () => {
    const out = await cli(['sync', ...JOB, '--mode', 'incremental', '--watermark', 'updated_at', '--overlap', '10s']);
    expect(out).toMatchObject({ status: 'completed', pass: 'incremental', run: 1, tables: [{ table: 's5_sync', rowsUpserted: 500, window: { after: null, upTo: '2024-01-01 00:08:20.000000' } }] });
    expect(out.state.marks).toEqual({ s5_sync: '2024-01-01 00:08:20.000000' });
    expect(await dump(TARGET, SPEC)).toEqual(await dump(PG_URL, SPEC));
  });

  it('incremental: brings new and updated rows, and a late commit inside the overlap window', async () => {
    await pgExec(`INSERT INTO s5_sync SELECT g, 'new ' || g, g, timestamptz '2024-02-01 00:00:00+00' FROM generate_series(1001, 1020) g`);
    await pgExec(`UPDATE s5_sync SET name = 'updated', updated_at = timestamptz '2024-02-01 00:00:01+00' WHERE id IN (3, 30, 60, 90, 99)`);
    // Committed late: its watermark is 5 s behind the last high-water mark, inside the 10 s overlap.
    await pgExec(`INSERT INTO s5_sync VALUES (600, 'late', 0, timestamptz '2024-01-01 00:08:15+00')`);
    const out = await cli(['sync', ...JOB, '--watermark', 'updated_at', '--overlap', '10s']);
    // 20 new + 5 updated + the late row + the 10 rows whose watermark lies in the overlap (491..500).
    expect(out).toMatchObject({ pass: 'incremental', run: 2, tables: [{ rowsUpserted: 36, window: { after: '2024-01-01 00:08:10.000000', upTo: '2024-02-01 00:00:01.000000' } }] });
    expect(await dump(TARGET, SPEC)).toEqual(await dump(PG_URL, SPEC));
  });

  it('incremental runs do not see deletes; a full pass deletes them and verify passes', async () => {
    await pgExec(`DELETE FROM s5_sync WHERE id IN (5, 250, 1010)`);
    // Default overlap 5m: the 24 rows changed within 5 minutes of the last mark are upserted again.
    const inc = await cli(['sync', ...JOB, '--watermark', 'updated_at']);
    expect(inc).toMatchObject({ pass: 'incremental', run: 3, tables: [{ rowsUpserted: 24, window: { after: '2024-01-31 23:55:01.000000' } }] });
    expect(await targetCount()).toBe(521);
    const full = await cli(['sync', ...JOB, '--mode', 'full', '--watermark', 'updated_at']);
    expect(full).toMatchObject({ pass: 'full', run: 4, tables: [{ table: 's5_sync', diff: { missing: 0, changed: 0, extra: 3, repaired: { deleted: 3 } } }] });
    expect(await targetCount()).toBe(518);
    const v = await runCli(['verify', ...JOB, '--json'], env);
    expect(v.code, v.stdout + v.stderr).toBe(0);
  });

  it('--full-every N makes every N-th run a full pass', async () => {
    await pgExec(`DELETE FROM s5_sync WHERE id = 7`);
    const out = await cli(['sync', ...JOB, '--watermark', 'updated_at', '--full-every', '5']);
    expect(out).toMatchObject({ pass: 'full', run: 5, tables: [{ diff: { extra: 1 } }] });
    expect(await targetCount()).toBe(517);
  });

  it('refuses an incremental sync without a watermark, and a watermark that is not a column', async () => {
    const r = await runCli(['sync', ...JOB, '--json'], env);
    expect(r.code).toBe(2);
    expect(last(r.stdout).error).toMatch(/--watermark/);
    const bad = await runCli(['sync', ...JOB, '--watermark', 'nope', '--json'], env);
    expect(bad.code).toBe(2);
    expect(last(bad.stdout).error).toMatch(/s5_sync has no column "nope"/);
  });
});

describe('ferry schedule', () => {
  it('creates a schedule whose triggered run brings new source rows, searchable by job', async () => {
    const created = await cli(['schedule', 'create', '--id', 's5-sched', '--every', '1h', ...JOB, '--watermark', 'updated_at', '--overlap', '1m']);
    expect(created).toMatchObject({ status: 'created', scheduleId: 's5-sched', overlapPolicy: 'SKIP' });
    expect((await cli(['schedule', 'list'])).map((s: { scheduleId: string }) => s.scheduleId)).toContain('s5-sched');

    await pgExec(`INSERT INTO s5_sync SELECT g, 'scheduled ' || g, g, timestamptz '2024-03-01 00:00:00+00' FROM generate_series(2001, 2010) g`);
    await pgExec(`UPDATE s5_sync SET v = -1, updated_at = timestamptz '2024-03-01 00:00:01+00' WHERE id = 400`);
    expect(await cli(['schedule', 'trigger', 's5-sched'])).toMatchObject({ status: 'triggered' });

    let runId: string | undefined;
    for (let i = 0; i < 100 && !runId; i++) {
      runId = (await cli(['schedule', 'describe', 's5-sched'])).recentRuns[0]?.workflowId;
      if (!runId) await new Promise((r) => setTimeout(r, 200));
    }
    expect(runId).toMatch(/^sync-s5-sync-job/);
    const client = new Client({ connection: await Connection.connect({ address: server.address }) });
    try {
      const report = (await client.workflow.getHandle(runId!).result()) as { pass: string; tables: { rowsUpserted: number }[]; state: { run: number } };
      expect(report).toMatchObject({ pass: 'incremental', state: { run: 6 } });
      expect(report.tables[0]!.rowsUpserted).toBeGreaterThanOrEqual(11);
      expect(await dump(TARGET, SPEC)).toEqual(await dump(PG_URL, SPEC));
      // Runs started by the schedule carry the job's search attributes.
      let found: string[] = [];
      for (let i = 0; i < 50 && !found.includes(runId!); i++) {
        found = [];
        for await (const w of client.workflow.list({ query: `FerryJob = "s5-sync-job" AND FerryKind = "sync"` })) found.push(w.workflowId);
        if (!found.includes(runId!)) await new Promise((r) => setTimeout(r, 200));
      }
      expect(found).toContain(runId);
    } finally {
      await client.connection.close();
    }

    expect(await cli(['schedule', 'pause', 's5-sched'])).toMatchObject({ status: 'paused' });
    expect(await cli(['schedule', 'describe', 's5-sched'])).toMatchObject({ paused: true, job: 's5-sync-job', overlapPolicy: 'SKIP' });
    expect(await cli(['schedule', 'resume', 's5-sched'])).toMatchObject({ status: 'resumed' });
    const d = await cli(['schedule', 'describe', 's5-sched']);
    expect(d.paused).toBe(false);
    expect(d.nextRuns.length).toBeGreaterThan(0);
    expect(await cli(['schedule', 'delete', 's5-sched'])).toMatchObject({ status: 'deleted' });
  });
});
