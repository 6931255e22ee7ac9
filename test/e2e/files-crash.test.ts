/**
 * kill -9 of the only worker in the middle of an export and in the middle of an import, then a new
 * worker: each run completes, and the work done again is at most the chunks that were in flight; the
 * imported table equals the source row for row.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportReport, ImportReport } from '../../src/core/files-report.js';
import { startDevServer, type DevServer } from '../../src/temporal/dev-server.js';
import { MYSQL_URL, PG_URL, mysqlExec, pgExec } from '../helpers/databases.js';
import { e2eEnv, runCli, startWorkerProcess, type WorkerProcess } from '../helpers/cli.js';
import { dump, type DumpSpec } from '../helpers/row-dump.js';

const ROWS = 40_000;
const CHUNK = 2000;
const TARGET = MYSQL_URL.replace(/\/test$/, '/fx_e2e_crash');
const SPEC: DumpSpec = { table: 'fx_crash', key: ['id'], columns: { id: 'int', body: 'text', amount: 'decimal', at: 'timestamp', doc: 'json' } };
const tmp = mkdtempSync(join(tmpdir(), 'fx-files-crash-'));
const dir = join(tmp, 'export');
let server: DevServer;
let env: NodeJS.ProcessEnv;
let client: Client;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  await pgExec(`DROP TABLE IF EXISTS fx_crash`);
  await pgExec(`CREATE TABLE fx_crash (id bigint PRIMARY KEY, body text, amount numeric(12,2), at timestamp(6), doc jsonb)`);
  await pgExec(`INSERT INTO fx_crash SELECT g, repeat('x,"y"', g % 40) || ' row ' || g, g / 100.0, timestamp '2024-01-01' + g * interval '1.000001 second',
    jsonb_build_object('g', g) FROM generate_series(1, ${ROWS}) g`);
  await pgExec(`ANALYZE fx_crash`);
  await mysqlExec(`DROP DATABASE IF EXISTS fx_e2e_crash; CREATE DATABASE fx_e2e_crash CHARACTER SET utf8mb4`);
  server = await startDevServer({ port: 7402, uiPort: 7403, dbFile: join(tmp, 'temporal.db') });
  env = e2eEnv(server, 'fx-crash');
  client = new Client({ connection: await Connection.connect({ address: server.address }) });
});

afterAll(async () => {
  for (const w of workers) await w.kill('SIGKILL');
  await client?.connection.close();
  await server?.stop();
  await pgExec(`DROP TABLE IF EXISTS fx_crash`);
  await mysqlExec(`DROP DATABASE IF EXISTS fx_e2e_crash`);
  rmSync(tmp, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `ready()` holds and a chunk activity of one of `shards` is running, then kills the worker. */
async function killMidChunk(ready: () => Promise<boolean>, shards: string[]): Promise<void> {
  for (let i = 0; i < 600 && !(await ready()); i++) await sleep(100);
  expect(await ready()).toBe(true);
  const inFlight = async () => {
    for (const id of shards) {
      const d = await client.workflow.getHandle(id).describe().catch(() => undefined);
      if (d?.raw.pendingActivities?.some((a) => a.state === temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED)) return true;
    }
    return false;
  };
  for (let i = 0; i < 200 && !(await inFlight()); i++) await sleep(10);
  await workers[workers.length - 1]!.kill('SIGKILL');
}

describe('a worker killed with SIGKILL', () => {
  it('mid-export: a new worker finishes the export, redoing at most the chunks in flight', async () => {
    workers.push(await startWorkerProcess(env));
    const start = await runCli(['export', '--source', PG_URL, '--tables', 'fx_crash', '--to', dir, '--chunk-rows', String(CHUNK), '--parallelism', '2', '--id', 'fx-crash-export'], env);
    expect(start.code, start.stderr).toBe(0);
    const written = () => (existsSync(join(dir, 'fx_crash')) ? readdirSync(join(dir, 'fx_crash')).filter((f) => f.endsWith('.chunk.json')).length : 0);
    await killMidChunk(async () => written() >= 4, ['fx-crash-export/fx_crash/0', 'fx-crash-export/fx_crash/1']);
    const before = written();
    expect(before).toBeLessThan(ROWS / CHUNK);

    workers.push(await startWorkerProcess(env));
    const r = (await client.workflow.getHandle('fx-crash-export').result()) as ExportReport;
    const t = r.tables[0]!;
    console.log(`export: ${before} chunks written before kill -9, ${t.rowsRedone} rows redone after it`);
    expect(t).toMatchObject({ table: 'fx_crash', rows: ROWS });
    // A shard open above ends with an empty chunk (its last full chunk cannot know it was the last).
    expect(t.chunks).toBeGreaterThanOrEqual(ROWS / CHUNK);
    expect(t.chunks).toBeLessThanOrEqual(ROWS / CHUNK + 2);
    expect(t.rowsRedone).toBeLessThanOrEqual(2 * CHUNK);
    // No temporary file of the killed attempt is left behind.
    expect(readdirSync(join(dir, 'fx_crash')).filter((f) => f.includes('.tmp-'))).toEqual([]);
    const v = await runCli(['verify', '--source', PG_URL, '--target', dir, '--json'], env);
    expect(v.code, v.stdout + v.stderr).toBe(0);
  });

  it('mid-import: a new worker finishes the import, redoing at most the chunks in flight, target equal to source', async () => {
    const start = await runCli(['import', '--from', dir, '--target', TARGET, '--parallelism', '2', '--id', 'fx-crash-import'], env);
    expect(start.code, start.stderr).toBe(0);
    const loaded = async () => {
      const r = (await mysqlExec(`SELECT COUNT(*) AS n FROM fx_e2e_crash.fx_crash`).catch(() => [{ n: 0 }])) as { n: number }[];
      return Number(r[0]?.n ?? 0);
    };
    await killMidChunk(async () => (await loaded()) >= 4 * CHUNK, ['fx-crash-import/fx_crash/0', 'fx-crash-import/fx_crash/1']);
    const before = await loaded();
    expect(before).toBeLessThan(ROWS);

    workers.push(await startWorkerProcess(env));
    const r = (await client.workflow.getHandle('fx-crash-import').result()) as ImportReport;
    const t = r.tables[0]!;
    console.log(`import: ${before} rows loaded before kill -9, ${t.rowsRedone} rows redone after it`);
    expect(r.status).toBe('completed');
    expect(t).toMatchObject({ table: 'fx_crash', fileRows: ROWS, targetRows: ROWS, verified: true });
    expect(t.rowsRedone).toBeLessThanOrEqual(2 * CHUNK);
    const [a, b] = await Promise.all([dump(PG_URL, SPEC), dump(TARGET, SPEC)]);
    expect(b.length).toBe(ROWS);
    expect(b).toEqual(a);
  });
});
