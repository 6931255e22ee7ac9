/**
 * Round trips through the compiled CLI and a worker, over edge-value datasets written for this test
 * (fd-roundtrip-fixtures.ts): PG→MySQL→PG and MySQL→PG→MySQL, then `ferry verify` between the original
 * and the returned table must exit 0 and an independent driver dump must be identical; a changed value
 * makes verify exit 1, so the check is not vacuous. A latin1 (cp1252) MySQL table migrated to
 * PostgreSQL and to utf8mb4 MySQL passes `verify` and `diff` the same way.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevServer } from '../../src/temporal/dev-server.js';
import { MYSQL_URL, PG_URL, mysqlExec, pgExec } from '../helpers/databases.js';
import { e2eEnv, runCli, startE2eServer, startWorkerProcess, type WorkerProcess } from '../helpers/cli.js';
import { dump, type DumpSpec } from '../helpers/row-dump.js';
import { MY_RT, MY_RT_SPEC, PG_RT, PG_RT_SPEC } from './fd-roundtrip-fixtures.js';

const DB = 'fd_rt';
const PG_DB = PG_URL.replace(/\/test$/, `/${DB}`);
const MY_DB = MYSQL_URL.replace(/\/test$/, `/${DB}`);
let server: DevServer;
let worker: WorkerProcess;
let env: NodeJS.ProcessEnv;
let runs = 0;

async function ferry(command: string, source: string, target: string, table: string) {
  const args = [command, '--source', source, '--target', target, '--tables', table, '--json', '--id', `fd-rt-${command}-${++runs}`];
  if (command === 'migrate') args.push('--wait', '--on-existing', 'truncate', '--chunk-rows', '2');
  const r = await runCli(args, env);
  return { ...r, all: `${r.stdout}\n${r.stderr}\n${worker.output().slice(-3000)}` };
}

async function expectSameDump(a: string, b: string, spec: DumpSpec): Promise<void> {
  const [x, y] = await Promise.all([dump(a, spec), dump(b, spec)]);
  expect(x.length).toBeGreaterThan(3);
  expect(y.length, spec.table).toBe(x.length);
  for (let i = 0; i < x.length; i++) expect(y[i], `${spec.table} row ${i}`).toBe(x[i]);
}

beforeAll(async () => {
  for (const sql of PG_RT) await pgExec(sql);
  await mysqlExec(MY_RT);
  await mysqlExec(`SET NAMES utf8mb4; DROP TABLE IF EXISTS fd_rt_l1;
    CREATE TABLE fd_rt_l1 (k varchar(20) NOT NULL PRIMARY KEY, a text, b char(4)) DEFAULT CHARSET=latin1;
    INSERT INTO fd_rt_l1 VALUES ('Ärger', 'Größe: 5 €', 'Œ€ß'), ('zeta', '“quoted” — dash – ‘single’ … ™ ‰', NULL), ('a', 'ÿ þ ð', '€'), ('é', NULL, 'ñ')`);
  await pgExec(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  await pgExec(`CREATE DATABASE ${DB}`);
  await mysqlExec(`DROP DATABASE IF EXISTS ${DB}; CREATE DATABASE ${DB} CHARACTER SET utf8mb4`);
  server = await startE2eServer(7412);
  env = e2eEnv(server, 'fd-roundtrip');
  worker = await startWorkerProcess(env);
}, 120_000);

afterAll(async () => {
  await worker?.kill('SIGTERM');
  await server?.stop();
  await pgExec(`DROP TABLE IF EXISTS fd_rt_pg; DROP TYPE IF EXISTS fd_rt_tone`);
  await pgExec(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  await mysqlExec(`DROP TABLE IF EXISTS fd_rt_my, fd_rt_l1; DROP DATABASE IF EXISTS ${DB}`);
});

describe('round trips checked by ferry verify and an independent dump', () => {
  it('PostgreSQL → MySQL → PostgreSQL', async () => {
    for (const [s, t] of [
      [PG_URL, MY_DB],
      [MY_DB, PG_DB],
    ] as const) {
      const m = await ferry('migrate', s, t, 'fd_rt_pg');
      expect(m.code, m.all).toBe(0);
    }
    const v = await ferry('verify', PG_URL, PG_DB, 'fd_rt_pg');
    expect(v.code, v.all).toBe(0);
    await expectSameDump(PG_URL, PG_DB, PG_RT_SPEC);
  }, 300_000);

  it('MySQL → PostgreSQL → MySQL', async () => {
    for (const [s, t] of [
      [MYSQL_URL, PG_DB],
      [PG_DB, MY_DB],
    ] as const) {
      const m = await ferry('migrate', s, t, 'fd_rt_my');
      expect(m.code, m.all).toBe(0);
    }
    const v = await ferry('verify', MYSQL_URL, MY_DB, 'fd_rt_my');
    expect(v.code, v.all).toBe(0);
    await expectSameDump(MYSQL_URL, MY_DB, MY_RT_SPEC);
  }, 300_000);

  it('a changed value in the returned table makes verify exit 1', async () => {
    await mysqlExec(`UPDATE ${DB}.fd_rt_my SET tx = 'emoji 🦀 and y' WHERE id = 18446744073709551615`);
    const v = await ferry('verify', MYSQL_URL, MY_DB, 'fd_rt_my');
    expect(v.code, v.all).toBe(1);
  }, 120_000);
});

// char(4) on PostgreSQL pads with blanks; rtrim compares the characters only.
describe('latin1 MySQL source', () => {
  it.each([
    ['PostgreSQL', PG_DB],
    ['utf8mb4 MySQL', MY_DB],
  ])('arrives in %s with the exact characters; verify and diff report equal', async (_name, target) => {
    const m = await ferry('migrate', MYSQL_URL, target, 'fd_rt_l1');
    expect(m.code, m.all).toBe(0);
    for (const cmd of ['verify', 'diff']) {
      const r = await ferry(cmd, MYSQL_URL, target, 'fd_rt_l1');
      expect(r.code, `${cmd}: ${r.all}`).toBe(0);
    }
    const rows = target.startsWith('postgres')
      ? (await (async () => {
          const pg = (await import('pg')).default;
          const c = new pg.Client({ connectionString: target });
          await c.connect();
          try {
            return (await c.query(`SELECT k, a, rtrim(b) AS b FROM fd_rt_l1 ORDER BY k COLLATE "C"`)).rows;
          } finally {
            await c.end();
          }
        })())
      : ((await mysqlExec(`SET NAMES utf8mb4; SELECT k, a, b FROM ${DB}.fd_rt_l1 ORDER BY CAST(k AS BINARY)`)) as unknown[][])[1];
    expect(rows).toEqual([
      { k: 'a', a: 'ÿ þ ð', b: '€' },
      { k: 'zeta', a: '“quoted” — dash – ‘single’ … ™ ‰', b: null },
      { k: 'Ärger', a: 'Größe: 5 €', b: 'Œ€ß' },
      { k: 'é', a: null, b: 'ñ' },
    ]);
  }, 300_000);
});
