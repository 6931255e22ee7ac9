/**
 * Faults end to end with real processes: cancel and resume, database connections killed mid-chunk,
 * the target database unreachable for 30 s, the dev server restarted mid-run, and two workers sharing
 * the shards. Each run must complete with the target equal to the source row for row.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevServer } from '../../src/temporal/dev-server.js';
import { MYSQL_URL, PG_URL, mysqlExec, pgExec } from '../helpers/databases.js';
import { e2eEnv, runCli, startWorkerProcess, type WorkerProcess } from '../helpers/cli.js';
import { dump, type DumpSpec } from '../helpers/row-dump.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { startDevServer } from '../../src/temporal/dev-server.js';

const ROWS = 60_000;
const SRC = PG_URL.replace(/\/test$/, '/ferry_f_src');
const DST = MYSQL_URL.replace(/\/test$/, '/ferry_f_dst');
const SPEC: DumpSpec = { table: 'f_items', key: ['id'], columns: { id: 'int', body: 'text', amount: 'decimal', at: 'timestamp' } };
const PORT = 7340;
let server: DevServer;
let dbFile: string;
const workers: WorkerProcess[] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const lastJson = (out: string) => JSON.parse(out.trim().split('\n').pop()!);

async function status(env: NodeJS.ProcessEnv, id: string) {
  const r = await runCli(['status', id, '--json'], env);
  return JSON.parse(r.stdout) as { status: string; total: { rowsDone: number }; tables: { rowsDone: number }[] };
}

async function waitForRows(env: NodeJS.ProcessEnv, id: string, rows: number): Promise<number> {
  let done = 0;
  for (let i = 0; i < 600 && done < rows; i++) {
    await sleep(100);
    done = (await status(env, id)).total.rowsDone;
  }
  return done;
}

async function expectTargetEqualsSource(target = DST): Promise<void> {
  const [a, b] = await Promise.all([dump(SRC, SPEC), dump(target, SPEC)]);
  expect(b.length).toBe(ROWS);
  expect(b).toEqual(a);
}

async function freshTarget(): Promise<void> {
  await mysqlExec(`DROP DATABASE IF EXISTS ferry_f_dst; CREATE DATABASE ferry_f_dst CHARACTER SET utf8mb4`);
}

const migrateArgs = (id: string, extra: string[] = [], target = DST) => [
  'migrate', '--source', SRC, '--target', target, '--tables', 'f_items', '--chunk-rows', '2000', '--parallelism', '3', '--on-existing', 'truncate', '--id', id, ...extra,
];

beforeAll(async () => {
  await pgExec(`DROP DATABASE IF EXISTS ferry_f_src WITH (FORCE)`);
  await pgExec(`CREATE DATABASE ferry_f_src`);
  const { default: pg } = await import('pg');
  const c = new pg.Client({ connectionString: SRC });
  await c.connect();
  await c.query(`CREATE TABLE f_items (id bigint PRIMARY KEY, body text, amount numeric(12,2), at timestamp(6));
    INSERT INTO f_items SELECT g, 'item ' || g || repeat('·', g % 40), g / 100.0, timestamp '2024-01-01' + g * interval '1.5 second'
    FROM generate_series(1, ${ROWS}) g; ANALYZE f_items;`);
  await c.end();
  const { mkdtempSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  dbFile = join(mkdtempSync(join(tmpdir(), 'ferry-faults-')), 'temporal.db');
  server = await startDevServer({ port: PORT, uiPort: PORT + 1000, dbFile });
});

afterAll(async () => {
  for (const w of workers) await w.kill('SIGKILL');
  await server?.stop();
  await pgExec(`DROP DATABASE IF EXISTS ferry_f_src WITH (FORCE)`);
});

describe('faults', () => {
  it('cancel stops cleanly and --resume continues from the completed chunks, not from zero', async () => {
    await freshTarget();
    const env = e2eEnv(server, 'f-cancel');
    workers.push(await startWorkerProcess(env));
    expect((await runCli(migrateArgs('f-cancel', ['--max-rows-per-second', '8000']), env)).code).toBe(0);
    expect(await waitForRows(env, 'f-cancel', 12_000)).toBeGreaterThanOrEqual(12_000);

    const cancelled = await runCli(['cancel', 'f-cancel', '--json'], env);
    expect(lastJson(cancelled.stdout)).toMatchObject({ status: 'cancelled' });
    const s = await status(env, 'f-cancel');
    expect(s.status).toBe('cancelled');
    // No half-written chunk: the target holds exactly whole chunks of 2000 rows.
    const held = (await mysqlExec(`SELECT COUNT(*) AS n FROM ferry_f_dst.f_items`)) as { n: number }[];
    expect(Number(held[0]!.n) % 2000).toBe(0);
    expect(Number(held[0]!.n)).toBeLessThan(ROWS);

    const resumed = await runCli(['migrate', '--resume', 'f-cancel', '--wait', '--json'], env);
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    const report = lastJson(resumed.stdout);
    // Had the resumed run started from zero, carried rows plus re-copied rows would exceed the table.
    expect(report.tables[0]).toMatchObject({ rowsCopied: ROWS, sourceRows: ROWS, targetRows: ROWS, verified: true });
    await expectTargetEqualsSource();
  });

  it('survives database connections killed mid-chunk on both sides', async () => {
    await freshTarget();
    const env = e2eEnv(server, 'f-cancel');
    expect((await runCli(migrateArgs('f-kill', ['--max-rows-per-second', '15000']), env)).code).toBe(0);
    await waitForRows(env, 'f-kill', 4000);
    for (let i = 0; i < 3; i++) {
      await pgExec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'ferry_f_src' AND pid <> pg_backend_pid()`);
      const procs = (await mysqlExec(`SELECT ID FROM information_schema.PROCESSLIST WHERE DB = 'ferry_f_dst'`)) as { ID: number }[];
      for (const p of procs) await mysqlExec(`KILL CONNECTION ${p.ID}`).catch(() => undefined);
      await sleep(700);
    }
    let st = await status(env, 'f-kill');
    for (let i = 0; i < 600 && st.status === 'running'; i++) {
      await sleep(200);
      st = await status(env, 'f-kill');
    }
    expect(st.status).toBe('completed');
    await expectTargetEqualsSource();
  });

  it('finishes after the target database is unreachable for 30 s', async () => {
    await freshTarget();
    const proxy = new TcpProxy(13306, 3306);
    await proxy.up();
    const viaProxy = DST.replace(':3306/', ':13306/');
    const env = e2eEnv(server, 'f-cancel');
    expect((await runCli(migrateArgs('f-down', ['--max-rows-per-second', '15000'], viaProxy), env)).code).toBe(0);
    await waitForRows(env, 'f-down', 4000);
    await proxy.down();
    await sleep(30_000);
    await proxy.up();
    let st = await status(env, 'f-down');
    for (let i = 0; i < 900 && st.status === 'running'; i++) {
      await sleep(200);
      st = await status(env, 'f-down');
    }
    await proxy.down();
    expect(st.status).toBe('completed');
    await expectTargetEqualsSource();
  }, 180_000);

  it('finishes after the dev server restarts mid-run (state kept in its SQLite file)', async () => {
    await freshTarget();
    const env = e2eEnv(server, 'f-cancel');
    expect((await runCli(migrateArgs('f-restart', ['--max-rows-per-second', '15000']), env)).code).toBe(0);
    await waitForRows(env, 'f-restart', 4000);
    await server.stop();
    await sleep(2000);
    server = await startDevServer({ port: PORT, uiPort: PORT + 1000, dbFile });
    let st = await status(env, 'f-restart');
    for (let i = 0; i < 900 && st.status === 'running'; i++) {
      await sleep(200);
      st = await status(env, 'f-restart');
    }
    expect(st.status, workers.map((w) => w.output().slice(-2000)).join('\n')).toBe('completed');
    await expectTargetEqualsSource();
  }, 180_000);

  it('shares the shards between two workers and says who copied what', async () => {
    await freshTarget();
    for (const w of workers.splice(0)) await w.kill('SIGTERM');
    // One activity slot each, so neither worker can take every shard.
    const env = e2eEnv(server, 'f-share', { FERRY_MAX_ACTIVITIES: '1' });
    workers.push(await startWorkerProcess(env), await startWorkerProcess(env));
    const r = await runCli([...migrateArgs('f-share'), '--wait', '--json'], env);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const t = lastJson(r.stdout).tables[0] as { rowsCopied: number; workers: Record<string, number>; verified: boolean };
    expect(t.verified).toBe(true);
    expect(Object.keys(t.workers)).toHaveLength(2);
    expect(Object.values(t.workers).reduce((a, b) => a + b, 0)).toBe(ROWS);
    await expectTargetEqualsSource();
  });
});
