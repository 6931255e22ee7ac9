/**
 * Values the target cannot hold, through the compiled CLI and a worker: MySQL zero dates and NUL
 * characters into PostgreSQL, NaN/±Infinity and infinite dates into MySQL, migrated with each onLossy
 * policy. `error` names table.column, the key and the fix; `null`/`replace` write what they say,
 * count it in the report, and verification still passes.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevServer } from '../../src/temporal/dev-server.js';
import { MYSQL_URL, PG_URL, mysqlExec, pgExec } from '../helpers/databases.js';
import { e2eEnv, runCli, startE2eServer, startWorkerProcess, type WorkerProcess } from '../helpers/cli.js';

const DB = 'ferry_fid2_lossy';
const PG_TARGET = PG_URL.replace(/\/test$/, `/${DB}`);
const MY_TARGET = MYSQL_URL.replace(/\/test$/, `/${DB}`);
let server: DevServer;
let worker: WorkerProcess;
let env: NodeJS.ProcessEnv;
let runs = 0;

async function pgTarget(sql: string): Promise<Record<string, unknown>[]> {
  const c = new pg.Client({ connectionString: PG_TARGET });
  await c.connect();
  try {
    return (await c.query(sql)).rows as Record<string, unknown>[];
  } finally {
    await c.end();
  }
}

async function migrate(source: string, target: string, table: string, onLossy: Record<string, string>, chunkRows = 2) {
  const dir = mkdtempSync(join(tmpdir(), 'fid2-'));
  const job = join(dir, 'job.yaml');
  const lossy = Object.keys(onLossy).length > 0 ? `onLossy: ${JSON.stringify(onLossy)}\n` : '';
  writeFileSync(job, `source: ${source}\ntarget: ${target}\ntables: [${table}]\nonExisting: truncate\nchunkRows: ${chunkRows}\n${lossy}`);
  const r = await runCli(['migrate', job, '--wait', '--json', '--id', `fid2-lossy-${++runs}`], env);
  const last = r.stdout.trim().split('\n').pop() ?? '';
  return { ...r, out: last.startsWith('{') ? (JSON.parse(last) as { error?: string; tables: { verified: boolean; lossy?: unknown; rowsCopied: number }[] }) : undefined };
}

beforeAll(async () => {
  await mysqlExec(`SET SESSION sql_mode = ''; DROP TABLE IF EXISTS fid2_my;
    CREATE TABLE fid2_my (id int PRIMARY KEY, d date NULL, ts datetime(6) NULL, t text NULL);
    INSERT INTO fid2_my VALUES (1, '2024-02-29', '2024-02-29 12:00:00.5', 'plain'), (2, '0000-00-00', NULL, 'x'),
      (3, '2020-01-01', '0000-00-00 00:00:00', CONCAT('a', CHAR(0), 'b')), (4, NULL, NULL, NULL), (5, '2021-00-10', NULL, 'y')`);
  await pgExec(`DROP TABLE IF EXISTS fid2_pg; CREATE TABLE fid2_pg (id int PRIMARY KEY, f float8, r real, n numeric, d date, ts timestamptz)`);
  await pgExec(`INSERT INTO fid2_pg VALUES (1, 1.5, 2.5, 3.25, '2024-01-01', '2024-01-01 00:00:00+00'), (2, 'NaN', 'Infinity', 'NaN', 'infinity', '-infinity'),
    (3, '-Infinity', NULL, 7, '0044-03-15 BC', NULL), (4, NULL, NULL, NULL, NULL, NULL)`);
  await pgExec(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  await pgExec(`CREATE DATABASE ${DB}`);
  await mysqlExec(`DROP DATABASE IF EXISTS ${DB}; CREATE DATABASE ${DB} CHARACTER SET utf8mb4`);
  server = await startE2eServer(7352);
  env = e2eEnv(server, 'fid2-lossy');
  worker = await startWorkerProcess(env);
}, 120_000);

afterAll(async () => {
  await worker?.kill('SIGTERM');
  await server?.stop();
});

describe('MySQL → PostgreSQL: zero dates and NUL characters', () => {
  it('error (the default) fails naming table.column, the key and the fix', async () => {
    // One chunk, so the first lossy row in key order is the one named.
    const r = await migrate(MYSQL_URL, PG_TARGET, 'fid2_my', {}, 1000);
    expect(r.code, `${r.stdout}\n${r.stderr}\n${worker.output()}`).toBe(2);
    expect(`${r.out?.error ?? ''}${r.stderr}`).toMatch(/column fid2_my\.d holds a zero date .*at key \(2\)/);
    expect(`${r.out?.error ?? ''}${r.stderr}`).toMatch(/onLossy: \{"fid2_my\.d": "null"\}/);
  }, 180_000);

  it('null writes NULL, counts it, and verifies', async () => {
    const r = await migrate(MYSQL_URL, PG_TARGET, 'fid2_my', { 'fid2_my.d': 'null', 'fid2_my.ts': 'null', 'fid2_my.t': 'null' });
    expect(r.code, `${r.stdout}\n${r.stderr}\n${worker.output()}`).toBe(0);
    expect(r.out?.tables[0]).toMatchObject({ rowsCopied: 5, verified: true, lossy: { d: { nulled: 2 }, ts: { nulled: 1 }, t: { nulled: 1 } } });
    const rows = await pgTarget(`SELECT id, d::text AS d, ts::text AS ts, t FROM fid2_my ORDER BY id`);
    expect(rows).toEqual([
      { id: 1, d: '2024-02-29', ts: '2024-02-29 12:00:00.5', t: 'plain' },
      { id: 2, d: null, ts: null, t: 'x' },
      { id: 3, d: '2020-01-01', ts: null, t: null },
      { id: 4, d: null, ts: null, t: null },
      { id: 5, d: null, ts: null, t: 'y' },
    ]);
  }, 180_000);

  it('replace strips NUL, writes 0001-01-01 for zero dates, counts it, and verifies', async () => {
    const r = await migrate(MYSQL_URL, PG_TARGET, 'fid2_my', { 'fid2_my.d': 'replace', 'fid2_my.ts': 'replace', 'fid2_my.t': 'replace' });
    expect(r.code, `${r.stdout}\n${r.stderr}\n${worker.output()}`).toBe(0);
    expect(r.out?.tables[0]).toMatchObject({ verified: true, lossy: { d: { replaced: 2 }, ts: { replaced: 1 }, t: { replaced: 1 } } });
    const rows = await pgTarget(`SELECT id, d::text AS d, ts::text AS ts, t FROM fid2_my WHERE id IN (2, 3, 5) ORDER BY id`);
    expect(rows).toEqual([
      { id: 2, d: '0001-01-01', ts: null, t: 'x' },
      { id: 3, d: '2020-01-01', ts: '0001-01-01 00:00:00', t: 'ab' },
      { id: 5, d: '0001-01-01', ts: null, t: 'y' },
    ]);
  }, 180_000);
});

describe('PostgreSQL → MySQL: NaN/Infinity and dates outside 0001–9999', () => {
  it('error (the default) fails naming table.column and the key', async () => {
    const r = await migrate(PG_URL, MY_TARGET, 'fid2_pg', {}, 1000);
    expect(r.code, `${r.stdout}\n${r.stderr}\n${worker.output()}`).toBe(2);
    expect(`${r.out?.error ?? ''}${r.stderr}`).toMatch(/column fid2_pg\.f holds NaN or ±Infinity at key \(2\)/);
    expect(`${r.out?.error ?? ''}${r.stderr}`).toMatch(/onLossy: \{"fid2_pg\.f": "null"\}/);
  }, 180_000);

  it('null writes NULL, counts it, and verifies', async () => {
    const all = { 'fid2_pg.f': 'null', 'fid2_pg.r': 'null', 'fid2_pg.n': 'null', 'fid2_pg.d': 'null', 'fid2_pg.ts': 'null' };
    const r = await migrate(PG_URL, MY_TARGET, 'fid2_pg', all);
    expect(r.code, `${r.stdout}\n${r.stderr}\n${worker.output()}`).toBe(0);
    expect(r.out?.tables[0]).toMatchObject({ rowsCopied: 4, verified: true, lossy: { f: { nulled: 2 }, r: { nulled: 1 }, n: { nulled: 1 }, d: { nulled: 2 }, ts: { nulled: 1 } } });
    const rows = await mysqlExec(`SELECT id, f, r, CAST(n AS CHAR) AS n, CAST(d AS CHAR) AS d FROM ${DB}.fid2_pg ORDER BY id`);
    expect(rows).toEqual([
      { id: 1, f: 1.5, r: 2.5, n: '3.250000000000000000000000000000', d: '2024-01-01' },
      { id: 2, f: null, r: null, n: null, d: null },
      { id: 3, f: null, r: null, n: '7.000000000000000000000000000000', d: null },
      { id: 4, f: null, r: null, n: null, d: null },
    ]);
  }, 180_000);

  it('replace writes NULL for NaN/Infinity, clamps dates, counts it, and verifies', async () => {
    const all = { 'fid2_pg.f': 'replace', 'fid2_pg.r': 'replace', 'fid2_pg.n': 'replace', 'fid2_pg.d': 'replace', 'fid2_pg.ts': 'replace' };
    const r = await migrate(PG_URL, MY_TARGET, 'fid2_pg', all);
    expect(r.code, `${r.stdout}\n${r.stderr}\n${worker.output()}`).toBe(0);
    expect(r.out?.tables[0]).toMatchObject({ verified: true, lossy: { f: { replaced: 2 }, d: { replaced: 2 }, ts: { replaced: 1 } } });
    const rows = await mysqlExec(`SELECT id, f, CAST(d AS CHAR) AS d, CAST(ts AS CHAR) AS ts FROM ${DB}.fid2_pg WHERE id IN (2, 3) ORDER BY id`);
    expect(rows).toEqual([
      { id: 2, f: null, d: '9999-12-31', ts: '0001-01-01 00:00:00.000000' },
      { id: 3, f: null, d: '0001-01-01', ts: null },
    ]);
  }, 180_000);

  it('refuses null for a NOT NULL column before anything is written', async () => {
    await pgExec(`DROP TABLE IF EXISTS fid2_pgnn; CREATE TABLE fid2_pgnn (id int PRIMARY KEY, f float8 NOT NULL)`);
    const r = await migrate(PG_URL, MY_TARGET, 'fid2_pgnn', { 'fid2_pgnn.f': 'null' });
    expect(r.code).toBe(2);
    expect(`${r.out?.error ?? ''}${r.stderr}`).toMatch(/onLossy\.fid2_pgnn\.f: "null" writes NULL but the column is NOT NULL/);
  }, 180_000);
});
