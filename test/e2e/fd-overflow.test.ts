/**
 * Values out of the target column's range, through the compiled CLI and a worker: PostgreSQL numeric
 * past MySQL DECIMAL(65,30) and MySQL TIME outside PostgreSQL time's day. `ferry plan` names each such
 * column with the target's limit; `migrate` with the default `error` fails naming table.column, the key
 * and the fix; `null`/`replace` write what they say, count it, and verification passes.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevServer } from '../../src/temporal/dev-server.js';
import { MYSQL_URL, PG_URL, mysqlExec, pgExec } from '../helpers/databases.js';
import { e2eEnv, runCli, startE2eServer, startWorkerProcess, type WorkerProcess } from '../helpers/cli.js';

const DB = 'fd_ovf_e2e';
const PG_TARGET = PG_URL.replace(/\/test$/, `/${DB}`);
const MY_TARGET = MYSQL_URL.replace(/\/test$/, `/${DB}`);
let server: DevServer;
let worker: WorkerProcess;
let env: NodeJS.ProcessEnv;
let runs = 0;

interface Out {
  error?: string;
  tables: { verified: boolean; lossy?: unknown; rowsCopied: number }[];
}

function jobFile(source: string, target: string, table: string, onLossy: Record<string, string>, chunkRows: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'fd-ovf-'));
  const job = join(dir, 'job.yaml');
  const lossy = Object.keys(onLossy).length > 0 ? `onLossy: ${JSON.stringify(onLossy)}\n` : '';
  writeFileSync(job, `source: ${source}\ntarget: ${target}\ntables: [${table}]\nonExisting: truncate\nchunkRows: ${chunkRows}\n${lossy}`);
  return job;
}

async function migrate(source: string, target: string, table: string, onLossy: Record<string, string>, chunkRows = 2) {
  const r = await runCli(['migrate', jobFile(source, target, table, onLossy, chunkRows), '--wait', '--json', '--id', `fd-ovf-${++runs}`], env);
  const last = r.stdout.trim().split('\n').pop() ?? '';
  return { ...r, out: last.startsWith('{') ? (JSON.parse(last) as Out) : undefined };
}

beforeAll(async () => {
  await pgExec(`DROP TABLE IF EXISTS fd_e_num; CREATE TABLE fd_e_num (id int PRIMARY KEY, nu numeric, n40 numeric(40,35), fine numeric(12,2))`);
  await pgExec(`INSERT INTO fd_e_num VALUES (1, 2.5, 1.25, 1.10), (2, 123456789012345678901234567890123456, NULL, 2),
    (3, 0.1234567890123456789012345678901234567, 3.00000000000000000000000000000000001, NULL), (4, NULL, NULL, NULL), (5, -7, -7, -7)`);
  await mysqlExec(`DROP TABLE IF EXISTS fd_e_time; CREATE TABLE fd_e_time (id int PRIMARY KEY, t time(6) NULL);
    INSERT INTO fd_e_time VALUES (1, '08:30:00'), (2, '-01:00:00.5'), (3, '24:00:00'), (4, '100:00:00'), (5, NULL)`);
  await pgExec(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  await pgExec(`CREATE DATABASE ${DB}`);
  await mysqlExec(`DROP DATABASE IF EXISTS ${DB}; CREATE DATABASE ${DB} CHARACTER SET utf8mb4`);
  server = await startE2eServer(7410);
  env = e2eEnv(server, 'fd-overflow');
  worker = await startWorkerProcess(env);
}, 120_000);

afterAll(async () => {
  await worker?.kill('SIGTERM');
  await server?.stop();
  await pgExec(`DROP TABLE IF EXISTS fd_e_num`);
  await pgExec(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  await mysqlExec(`DROP TABLE IF EXISTS fd_e_time; DROP DATABASE IF EXISTS ${DB}`);
});

describe('PostgreSQL numeric → MySQL DECIMAL', () => {
  it('plan names each column that may overflow, with the target DECIMAL and the policy', async () => {
    const r = await runCli(['plan', jobFile(PG_URL, MY_TARGET, 'fd_e_num', { 'fd_e_num.n40': 'replace', 'fd_e_num.fine': 'null' }, 1000), '--json'], env);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { warnings: string[]; tables: { columns: { name: string; targetType: string }[] }[] };
    const w = out.warnings.join('\n');
    expect(w).toMatch(/column fd_e_num\.nu \(numeric\) may hold NaN or ±Infinity or values that do not fit the target's DECIMAL\(65,30\) .*onLossy "error"/);
    expect(w).toMatch(/column fd_e_num\.n40 \(numeric\(40,35\)\) may hold .*DECIMAL\(35,30\) .*onLossy "replace"/);
    expect(w).toMatch(/column fd_e_num\.fine .*onLossy "null": such values are written as NULL/);
    expect(out.tables[0]!.columns.find((c) => c.name === 'n40')?.targetType).toBe('DECIMAL(35,30)');
  }, 120_000);

  it('error (the default) fails naming table.column, the key and the fix; nothing silently rounded', async () => {
    const r = await migrate(PG_URL, MY_TARGET, 'fd_e_num', {}, 1000);
    expect(r.code, `${r.stdout}\n${r.stderr}\n${worker.output()}`).toBe(2);
    const msg = `${r.out?.error ?? ''}${r.stderr}`;
    expect(msg).toMatch(/column fd_e_num\.nu holds NaN or ±Infinity or a value out of the target column's range or precision at key \(2\)/);
    expect(msg).toMatch(/onLossy: \{"fd_e_num\.nu": "null"\}/);
  }, 180_000);

  it('replace rounds and clamps, counts it, and verifies', async () => {
    const r = await migrate(PG_URL, MY_TARGET, 'fd_e_num', { 'fd_e_num.nu': 'replace', 'fd_e_num.n40': 'replace' });
    expect(r.code, `${r.stdout}\n${r.stderr}\n${worker.output()}`).toBe(0);
    expect(r.out?.tables[0]).toMatchObject({ rowsCopied: 5, verified: true, lossy: { nu: { replaced: 2 }, n40: { replaced: 1 } } });
    const rows = await mysqlExec(`SELECT id, CAST(nu AS CHAR) AS nu, CAST(n40 AS CHAR) AS n40 FROM ${DB}.fd_e_num WHERE id IN (2, 3) ORDER BY id`);
    expect(rows).toEqual([
      { id: 2, nu: `${'9'.repeat(35)}.${'9'.repeat(30)}`, n40: null },
      { id: 3, nu: '0.123456789012345678901234567890', n40: '3.000000000000000000000000000000' },
    ]);
  }, 180_000);
});

describe('MySQL TIME → PostgreSQL time', () => {
  it('error (the default) names the first time outside a day', async () => {
    const r = await migrate(MYSQL_URL, PG_TARGET, 'fd_e_time', {}, 1000);
    expect(r.code, `${r.stdout}\n${r.stderr}\n${worker.output()}`).toBe(2);
    expect(`${r.out?.error ?? ''}${r.stderr}`).toMatch(/column fd_e_time\.t holds a value out of the target column's range or precision at key \(2\)/);
  }, 180_000);

  it('null writes NULL, counts it, and verifies (24:00:00 kept)', async () => {
    const r = await migrate(MYSQL_URL, PG_TARGET, 'fd_e_time', { 'fd_e_time.t': 'null' });
    expect(r.code, `${r.stdout}\n${r.stderr}\n${worker.output()}`).toBe(0);
    expect(r.out?.tables[0]).toMatchObject({ rowsCopied: 5, verified: true, lossy: { t: { nulled: 2 } } });
    const c = new pg.Client({ connectionString: PG_TARGET });
    await c.connect();
    try {
      const rows = (await c.query(`SELECT id, t::text AS t FROM fd_e_time ORDER BY id`)).rows;
      expect(rows).toEqual([
        { id: 1, t: '08:30:00' },
        { id: 2, t: null },
        { id: 3, t: '24:00:00' },
        { id: 4, t: null },
        { id: 5, t: null },
      ]);
    } finally {
      await c.end();
    }
  }, 180_000);
});
