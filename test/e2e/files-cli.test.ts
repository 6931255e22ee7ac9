/**
 * Export → files → import through the real CLI, a real `ferry worker`, a dev server and both
 * databases: PostgreSQL → CSV files → MySQL and MySQL → NDJSON files → PostgreSQL, each target
 * compared row for row with its source by an independent dump; `ferry verify` with a directory side;
 * a damaged chunk file refused by name with nothing loaded, and repaired by re-running the export.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevServer, type DevServer } from '../../src/temporal/dev-server.js';
import { MYSQL_URL, PG_URL, mysqlExec } from '../helpers/databases.js';
import { e2eEnv, runCli, startWorkerProcess, type WorkerProcess } from '../helpers/cli.js';
import { dump } from '../helpers/row-dump.js';
import { FX_ORDERS, FX_SPECS, createMysqlFx, createPgFx, dropFx, dropFxDatabases, freshFxDatabases } from './files-fixtures.js';

const DBS = ['fx_e2e_my', 'fx_e2e_pg', 'fx_e2e_bad'];
const pgDb = (db: string) => PG_URL.replace(/\/test$/, `/${db}`);
const myDb = (db: string) => MYSQL_URL.replace(/\/test$/, `/${db}`);
const TABLES = 'fx_orders,fx_lines,fx_edge';
const tmp = mkdtempSync(join(tmpdir(), 'fx-files-e2e-'));
let server: DevServer;
let worker: WorkerProcess;
let env: NodeJS.ProcessEnv;

const last = (out: string) => JSON.parse(out.trim().split('\n').pop()!);

beforeAll(async () => {
  await Promise.all([createPgFx(), createMysqlFx(), freshFxDatabases(DBS)]);
  server = await startDevServer({ port: 7400, uiPort: 7401, dbFile: join(tmp, 'temporal.db') });
  env = e2eEnv(server, 'fx-files');
  worker = await startWorkerProcess(env);
});

afterAll(async () => {
  await worker?.kill('SIGTERM');
  await server?.stop();
  await dropFx();
  await dropFxDatabases(DBS);
  rmSync(tmp, { recursive: true, force: true });
});

const DIRECTIONS = [
  { name: 'pg-csv-mysql', source: PG_URL, target: myDb('fx_e2e_my'), format: 'csv' },
  { name: 'mysql-ndjson-pg', source: MYSQL_URL, target: pgDb('fx_e2e_pg'), format: 'ndjson' },
];

describe.each(DIRECTIONS)('export and import $name', ({ name, source, target, format }) => {
  const dir = join(tmp, name);

  it('exports every table as chunk files with a manifest', async () => {
    const r = await runCli(['export', '--source', source, '--tables', TABLES, '--to', dir, '--format', format, '--chunk-rows', '400', '--parallelism', '3', '--wait', '--json', '--id', `fx-export-${name}`], env);
    expect(r.code, `${r.stdout}\n${r.stderr}\n${worker.output()}`).toBe(0);
    const out = last(r.stdout);
    expect(out).toMatchObject({ status: 'completed', dir, format });
    const orders = out.tables.find((t: { table: string }) => t.table === 'fx_orders');
    expect(orders).toMatchObject({ rows: FX_ORDERS, skippedChunks: 0, rowsRedone: 0 });
    expect(orders.chunks).toBeGreaterThanOrEqual(FX_ORDERS / 400);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ ferryExport: 1, format, compression: 'gzip', chunkRows: 400 });
    expect(JSON.stringify(manifest)).not.toContain('root@');
    const t = manifest.tables.find((x: { name: string }) => x.name === 'fx_orders');
    expect(t.shards.length).toBeGreaterThan(1);
    expect(t.schema.indexes.map((i: { name: string }) => i.name)).toContain('fx_orders_customer');
    expect(readdirSync(join(dir, 'fx_orders')).filter((f) => f.endsWith(`.${format}.gz`)).length).toBe(orders.chunks);
  });

  it('verify accepts the directory as the target side: the source equals its export', async () => {
    const r = await runCli(['verify', '--source', source, '--target', dir, '--json', '--id', `fx-verify-src-${name}`], env);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(last(r.stdout).tables.find((t: { table: string }) => t.table === 'fx_orders')).toMatchObject({ sourceRows: FX_ORDERS, targetRows: FX_ORDERS, verified: true });
  });

  it('imports into the other engine, verified, and the target equals the source row for row', async () => {
    const r = await runCli(['import', '--from', dir, '--target', target, '--parallelism', '3', '--wait', '--json', '--id', `fx-import-${name}`], env);
    expect(r.code, `${r.stdout}\n${r.stderr}\n${worker.output()}`).toBe(0);
    const out = last(r.stdout);
    expect(out.status).toBe('completed');
    expect(out.tables.find((t: { table: string }) => t.table === 'fx_orders')).toMatchObject({ rowsLoaded: FX_ORDERS, fileRows: FX_ORDERS, targetRows: FX_ORDERS, verified: true, rowsRedone: 0 });
    expect(out.tables.every((t: { verified: boolean }) => t.verified)).toBe(true);
    for (const spec of FX_SPECS) {
      const [a, b] = await Promise.all([dump(source, spec), dump(target, spec)]);
      expect(b.length, spec.table).toBe(a.length);
      expect(b, spec.table).toEqual(a);
    }
  });

  it('verify accepts the directory as the source side: exit 0, then 1 after a target row changes', async () => {
    const ok = await runCli(['verify', '--source', dir, '--target', target, '--id', `fx-verify-dst-${name}`], env);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/same/);
    const change = target.startsWith('mysql') ? `UPDATE fx_e2e_my.fx_edge SET t = 'changed' WHERE k = 'é'` : undefined;
    if (change) await mysqlExec(change);
    else {
      const pg = await import('pg');
      const c = new pg.default.Client({ connectionString: target });
      await c.connect();
      await c.query(`UPDATE fx_edge SET t = 'changed' WHERE k = 'é'`);
      await c.end();
    }
    const bad = await runCli(['verify', '--source', dir, '--target', target, '--json', '--id', `fx-verify-bad-${name}`], env);
    expect(bad.code, bad.stdout + bad.stderr).toBe(1);
    const edge = last(bad.stdout).tables.find((t: { table: string }) => t.table === 'fx_edge');
    expect(edge).toMatchObject({ verified: false, sourceRows: 7, targetRows: 7 });
    expect(edge.mismatchedRanges.join(' ')).toMatch(/fx_edge\/0-0\.(csv|ndjson)\.gz/);
  });
});

describe('a damaged chunk file', () => {
  const dir = join(tmp, 'pg-csv-mysql');

  it('is refused by name before anything is loaded, and a re-run of the export rewrites only it', async () => {
    const chunk = join(dir, 'fx_orders', readdirSync(join(dir, 'fx_orders')).filter((f) => f.endsWith('.csv.gz')).sort()[2]!);
    const bytes = readFileSync(chunk);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x55;
    writeFileSync(chunk, bytes);
    const r = await runCli(['import', '--from', dir, '--target', myDb('fx_e2e_bad'), '--wait', '--json', '--id', 'fx-import-bad'], env);
    expect(r.code).toBe(2);
    const err = last(r.stdout).error as string;
    expect(err).toContain(chunk);
    expect(err).toMatch(/is damaged/);
    expect(err).toMatch(/Re-run `ferry export` with the same --to directory/);
    const loaded = (await mysqlExec(`SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'fx_e2e_bad'`)) as { n: number }[];
    expect(Number(loaded[0]!.n)).toBe(0);

    const again = await runCli(['export', '--source', PG_URL, '--tables', TABLES, '--to', dir, '--format', 'csv', '--chunk-rows', '400', '--parallelism', '3', '--wait', '--json', '--id', 'fx-export-again'], env);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    const orders = last(again.stdout).tables.find((t: { table: string }) => t.table === 'fx_orders');
    expect(orders.skippedChunks).toBe(orders.chunks - 1);
    const ok = await runCli(['import', '--from', dir, '--target', myDb('fx_e2e_bad'), '--wait', '--json', '--id', 'fx-import-repaired'], env);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(await dump(myDb('fx_e2e_bad'), FX_SPECS[0]!)).toEqual(await dump(PG_URL, FX_SPECS[0]!));
  });

  it('a missing manifest or a bad flag is named with the fix', async () => {
    const r = await runCli(['import', '--from', join(tmp, 'nowhere'), '--target', myDb('fx_e2e_bad'), '--wait', '--json', '--id', 'fx-import-none'], env);
    expect(r.code).toBe(2);
    expect(last(r.stdout).error).toMatch(/manifest\.json: does not exist: this is not a ferry export directory/);
    const f = await runCli(['export', '--source', PG_URL, '--tables', 'fx_orders', '--to', 'mysql://x/y'], env);
    expect(f.code).toBe(2);
    expect(f.stderr).toMatch(/to: expected a directory path/);
  });
});
