/**
 * The four directions through the real CLI, a real `ferry worker` process, the real dev server and
 * both databases; each target is compared row for row with its source by an independent dump.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevServer } from '../../src/temporal/dev-server.js';
import { MYSQL_URL, PG_URL, mysqlExec } from '../helpers/databases.js';
import { e2eEnv, runCli, startE2eServer, startWorkerProcess, type WorkerProcess } from '../helpers/cli.js';
import { dump } from '../helpers/row-dump.js';
import { ORDERS, SPECS, createMysqlSource, createPgSource, freshTargetDatabases } from './fixtures.js';

const QUEUE = 'e2e-migrate';
let server: DevServer;
let worker: WorkerProcess;
let env: NodeJS.ProcessEnv;

const pgDb = (db: string) => PG_URL.replace(/\/test$/, `/${db}`);
const myDb = (db: string) => MYSQL_URL.replace(/\/test$/, `/${db}`);

const DIRECTIONS = [
  { name: 'pg-to-pg', source: PG_URL, target: pgDb('ferry_e2e_pp') },
  { name: 'pg-to-mysql', source: PG_URL, target: myDb('ferry_e2e_pm') },
  { name: 'mysql-to-pg', source: MYSQL_URL, target: pgDb('ferry_e2e_mp') },
  { name: 'mysql-to-mysql', source: MYSQL_URL, target: myDb('ferry_e2e_mm') },
];

beforeAll(async () => {
  await Promise.all([createPgSource(), createMysqlSource(), freshTargetDatabases(['ferry_e2e_pp', 'ferry_e2e_pm', 'ferry_e2e_mp', 'ferry_e2e_mm'])]);
  server = await startE2eServer(7255);
  env = e2eEnv(server, QUEUE);
  worker = await startWorkerProcess(env);
});

afterAll(async () => {
  await worker?.kill('SIGTERM');
  await server?.stop();
});

describe.each(DIRECTIONS)('ferry migrate $name', ({ name, source, target }) => {
  it('copies every table, verifies, and the target equals the source row for row', async () => {
    const r = await runCli(
      ['migrate', '--source', source, '--target', target, '--tables', 'e2e_orders,e2e_tags,e2e_lines', '--chunk-rows', '700', '--parallelism', '3', '--wait', '--json', '--id', `e2e-${name}`],
      env,
    );
    expect(r.code, `${r.stdout}\n${r.stderr}\n${worker.output()}`).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(out).toMatchObject({ status: 'completed', workflowId: `e2e-${name}` });
    expect(out.durationMs).toBeGreaterThan(0);
    const byTable = Object.fromEntries(out.tables.map((t: { source: string }) => [t.source, t]));
    expect(byTable['e2e_orders']).toMatchObject({ source: 'e2e_orders', target: 'e2e_orders', rowsCopied: ORDERS, sourceRows: ORDERS, targetRows: ORDERS, verified: true, rowsRedone: 0 });
    expect(byTable['e2e_tags']).toMatchObject({ rowsCopied: 508, verified: true });
    expect(byTable['e2e_lines']).toMatchObject({ rowsCopied: 3000, verified: true });
    for (const spec of SPECS) {
      const [a, b] = await Promise.all([dump(source, spec), dump(target, spec)]);
      expect(b.length, spec.table).toBe(a.length);
      expect(b, spec.table).toEqual(a);
    }
  });
});

describe('after a migration', () => {
  it('status --json reports the finished run per table', async () => {
    const r = await runCli(['status', 'e2e-pg-to-mysql', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.status).toBe('completed');
    expect(s.tables.find((t: { source: string }) => t.source === 'e2e_orders')).toMatchObject({ rowsDone: ORDERS });
  });

  it('created secondary indexes and foreign keys on the MySQL target after the load', async () => {
    const idx = (await mysqlExec(
      `SELECT INDEX_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = 'ferry_e2e_pm' AND TABLE_NAME = 'e2e_orders' AND INDEX_NAME <> 'PRIMARY'`,
    )) as { INDEX_NAME: string }[];
    expect(idx.map((i) => i.INDEX_NAME)).toContain('e2e_orders_customer');
    const fk = (await mysqlExec(
      `SELECT REFERENCED_TABLE_NAME AS t FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = 'ferry_e2e_pm' AND TABLE_NAME = 'e2e_lines'`,
    )) as { t: string }[];
    expect(fk).toEqual([{ t: 'e2e_orders' }]);
  });

  it('re-runs into a loaded target with --on-existing truncate, dropping and restoring its foreign keys', async () => {
    const target = myDb('ferry_e2e_pm');
    const r = await runCli(
      ['migrate', '--source', PG_URL, '--target', target, '--tables', 'e2e_orders,e2e_tags,e2e_lines', '--on-existing', 'truncate', '--parallelism', '4', '--chunk-rows', '500', '--wait', '--json', '--id', 'e2e-rerun'],
      env,
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim().split('\n').pop()!).tables.every((t: { verified: boolean }) => t.verified)).toBe(true);
    const fk = (await mysqlExec(
      `SELECT COUNT(*) AS n FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = 'ferry_e2e_pm' AND TABLE_NAME = 'e2e_lines'`,
    )) as { n: number }[];
    expect(Number(fk[0]?.n)).toBe(1);
    for (const spec of SPECS) expect(await dump(target, spec)).toEqual(await dump(PG_URL, spec));
  });

  it('refuses a second run into a target that now holds rows, naming the way out', async () => {
    const r = await runCli(['migrate', '--source', PG_URL, '--target', pgDb('ferry_e2e_pp'), '--tables', 'e2e_tags', '--wait', '--json', '--id', 'e2e-refuse'], env);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout.trim().split('\n').pop()!)).toMatchObject({ status: 'failed', error: expect.stringContaining('--on-existing truncate') });
  });

  it('without --wait prints the workflow ID and the Web UI link and returns at once', async () => {
    const r = await runCli(['migrate', '--source', PG_URL, '--target', pgDb('ferry_e2e_pp'), '--tables', 'e2e_tags', '--on-existing', 'truncate', '--id', 'e2e-nowait'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('started e2e-nowait');
    expect(r.stdout).toMatch(/http:\/\/localhost:\d+\/namespaces\/default\/workflows\/e2e-nowait/);
  });

  it('rejects a bad job before starting anything', async () => {
    const r = await runCli(['migrate', '--source', 'oracle://x/y', '--target', PG_URL, '--tables', 'a'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/source: unsupported connection URL scheme/);
  });
});
