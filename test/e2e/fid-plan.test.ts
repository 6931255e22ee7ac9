/**
 * `ferry plan` through the compiled CLI and a worker: DDL, type mapping and warnings, nothing
 * written; then `ferry migrate` with a type override and the same warnings in its report.
 */
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevServer } from '../../src/temporal/dev-server.js';
import { MYSQL_URL, PG_URL, mysqlExec, pgExec } from '../helpers/databases.js';
import { e2eEnv, runCli, startE2eServer, startWorkerProcess, type WorkerProcess } from '../helpers/cli.js';

let server: DevServer;
let worker: WorkerProcess;
let env: NodeJS.ProcessEnv;
const TARGET = MYSQL_URL.replace(/\/test$/, '/ferry_fid_plan');

beforeAll(async () => {
  await pgExec(`DROP VIEW IF EXISTS fid_plan_view; DROP TABLE IF EXISTS fid_plan_src; DROP TYPE IF EXISTS fid_plan_color`);
  await pgExec(`CREATE TYPE fid_plan_color AS ENUM ('red', 'green')`);
  await pgExec(`CREATE TABLE fid_plan_src (id serial PRIMARY KEY, color fid_plan_color NOT NULL DEFAULT 'red', payload text, tags int[],
    created timestamptz DEFAULT now(), odd text DEFAULT md5('x'))`);
  await pgExec(`COMMENT ON TABLE fid_plan_src IS 'plan test'`);
  await pgExec(`CREATE VIEW fid_plan_view AS SELECT id FROM fid_plan_src`);
  await pgExec(`CREATE INDEX fid_plan_partial ON fid_plan_src (id) WHERE color = 'green'`);
  await pgExec(`INSERT INTO fid_plan_src (color, payload, tags) SELECT 'green', '{"n": ' || g || '}', ARRAY[g, g + 1] FROM generate_series(1, 50) g`);
  await mysqlExec(`DROP DATABASE IF EXISTS ferry_fid_plan; CREATE DATABASE ferry_fid_plan CHARACTER SET utf8mb4`);
  server = await startE2eServer(7330);
  env = e2eEnv(server, 'fid-plan');
  worker = await startWorkerProcess(env);
}, 120_000);

afterAll(async () => {
  await worker?.kill('SIGTERM');
  await server?.stop();
});

describe('ferry plan', () => {
  it('prints DDL, the type of every column and every warning, and writes nothing', async () => {
    const r = await runCli(['plan', '--source', PG_URL, '--target', TARGET, '--tables', 'fid_plan_src', '--json'], env);
    expect(r.code, `${r.stdout}\n${r.stderr}\n${worker.output()}`).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    const t = out.tables[0];
    expect(t.columns).toEqual([
      { name: 'id', sourceType: 'integer', targetType: 'INT', nullable: false },
      { name: 'color', sourceType: 'fid_plan_color', targetType: "ENUM('red','green')", nullable: false },
      { name: 'payload', sourceType: 'text', targetType: 'LONGTEXT', nullable: true },
      { name: 'tags', sourceType: 'integer[]', targetType: 'JSON', nullable: true },
      { name: 'created', sourceType: 'timestamp with time zone', targetType: 'DATETIME(6)', nullable: true },
      { name: 'odd', sourceType: 'text', targetType: 'LONGTEXT', nullable: true },
    ]);
    expect(t.targetDdl).toMatch(/`id` INT NOT NULL AUTO_INCREMENT/);
    expect(t.targetDdl).toMatch(/COMMENT='plan test'/);
    expect(t.sourceDdl).toMatch(/CREATE TABLE/);
    expect(t.shards.length).toBeGreaterThanOrEqual(1);
    const warnings = out.warnings.join('\n');
    expect(warnings).toMatch(/view fid_plan_view/);
    expect(warnings).toMatch(/partial index fid_plan_partial/);
    expect(warnings).toMatch(/fid_plan_src\.odd has default md5/);
    expect(await mysqlExec(`SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'ferry_fid_plan'`)).toEqual([]);

    const text = await runCli(['plan', '--source', PG_URL, '--target', TARGET, '--tables', 'fid_plan_src'], env);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/tags\s+integer\[\]\s+→\s+JSON/);
    expect(text.stdout).toMatch(/warning: view fid_plan_view/);
  }, 120_000);

  it('refuses a type override for an unknown column before anything is written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fid-'));
    const job = join(dir, 'job.yaml');
    writeFileSync(job, `source: ${PG_URL}\ntarget: ${TARGET}\ntables: [fid_plan_src]\ntypes: { "fid_plan_src.nope": "JSON" }\n`);
    const r = await runCli(['plan', job], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/types\.fid_plan_src\.nope.*no column "nope"/);
  }, 120_000);

  it('migrate applies type overrides and reports what it did not carry', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fid-'));
    const job = join(dir, 'job.yaml');
    writeFileSync(job, `source: ${PG_URL}\ntarget: ${TARGET}\ntables: [fid_plan_src]\ntypes: { "fid_plan_src.payload": "JSON" }\n`);
    const r = await runCli(['migrate', job, '--wait', '--json', '--id', 'fid-plan-migrate'], env);
    expect(r.code, `${r.stdout}\n${r.stderr}\n${worker.output()}`).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(out.tables[0]).toMatchObject({ rowsCopied: 50, verified: true });
    expect(out.warnings.join('\n')).toMatch(/view fid_plan_view/);
    const cols = (await mysqlExec(
      `SELECT COLUMN_NAME AS c, DATA_TYPE AS t, EXTRA AS x, COLUMN_DEFAULT AS d FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'ferry_fid_plan' AND TABLE_NAME = 'fid_plan_src' ORDER BY ORDINAL_POSITION`,
    )) as { c: string; t: string; x: string; d: string | null }[];
    expect(cols.find((c) => c.c === 'payload')?.t).toMatch(/json|longtext/);
    expect(cols.find((c) => c.c === 'id')?.x).toMatch(/auto_increment/);
    expect(cols.find((c) => c.c === 'color')?.d).toMatch(/red/);
  }, 180_000);
});
