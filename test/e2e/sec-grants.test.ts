/**
 * Least privilege, checked by running with exactly the grants the README lists: a read-only source
 * user on each engine (PostgreSQL: CONNECT + USAGE on the schema + SELECT on the tables; MariaDB:
 * SELECT on the tables) and a target user with only what a target needs (PostgreSQL: CONNECT +
 * USAGE, CREATE on the schema, TEMPORARY for repair; MariaDB: SELECT, INSERT, DELETE, CREATE, ALTER,
 * INDEX, REFERENCES, DROP, and UPDATE + CREATE TEMPORARY TABLES for repair, on the database). Every direction migrates, re-runs with --on-existing truncate, and verify
 * and diff run with the same users.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevServer } from '../../src/temporal/dev-server.js';
import { MYSQL_URL, PG_URL, mysqlExec, pgExec } from '../helpers/databases.js';
import { e2eEnv, runCli, startE2eServer, startWorkerProcess, type WorkerProcess } from '../helpers/cli.js';
import { dump, type DumpSpec } from '../helpers/row-dump.js';

const QUEUE = 'sec-grants';
const PW = `ferry-sec-${randomBytes(6).toString('hex')}`;
const RO = 'ferry_sec_ro';
const TGT = 'ferry_sec_tgt';
const PG_DB = 'ferry_sec_grants_pg';
const MY_DB = 'ferry_sec_grants_my';
const pg = new URL(PG_URL);
const my = new URL(MYSQL_URL);
const SPECS: DumpSpec[] = [
  { table: 'sec_ro_items', key: ['id'], columns: { id: 'int', name: 'text', price: 'decimal' } },
  { table: 'sec_ro_lines', key: ['item_id', 'line'], columns: { item_id: 'int', line: 'int', qty: 'int' } },
];
const src = {
  pg: `postgres://${RO}:\${SEC_RO_PW}@${pg.host}/test`,
  mysql: `mysql://${RO}:\${SEC_RO_PW}@${my.host}/test`,
};
const tgt = {
  pg: `postgres://${TGT}:\${SEC_TGT_PW}@${pg.host}/${PG_DB}`,
  mysql: `mysql://${TGT}:\${SEC_TGT_PW}@${my.host}/${MY_DB}`,
};
const asRoot = { pg: PG_URL.replace(/\/test$/, `/${PG_DB}`), mysql: MYSQL_URL.replace(/\/test$/, `/${MY_DB}`) };

async function pgTargetExec(sql: string): Promise<void> {
  const c = new (await import('pg')).default.Client({ connectionString: asRoot.pg });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

let server: DevServer;
let worker: WorkerProcess;
let env: NodeJS.ProcessEnv;

async function dropPgRole(role: string): Promise<void> {
  const exists = await pgExec(`SELECT 1 FROM pg_roles WHERE rolname = $1`, [role]);
  if (exists.rowCount) {
    await pgExec(`DROP OWNED BY ${role}`);
    await pgExec(`DROP ROLE ${role}`);
  }
}

async function resetTargets(): Promise<void> {
  await pgExec(`DROP DATABASE IF EXISTS ${PG_DB} WITH (FORCE)`);
  await pgExec(`CREATE DATABASE ${PG_DB}`);
  // What a PostgreSQL target needs: CONNECT (and TEMPORARY for repair), USAGE + CREATE on the schema;
  // ferry owns what it creates.
  await pgExec(`REVOKE ALL ON DATABASE ${PG_DB} FROM PUBLIC; GRANT CONNECT, TEMPORARY ON DATABASE ${PG_DB} TO ${TGT}`);
  const c = new (await import('pg')).default.Client({ connectionString: asRoot.pg });
  await c.connect();
  await c.query(`REVOKE ALL ON SCHEMA public FROM PUBLIC; GRANT USAGE, CREATE ON SCHEMA public TO ${TGT}`);
  await c.end();
  await mysqlExec(`DROP DATABASE IF EXISTS ${MY_DB}; CREATE DATABASE ${MY_DB} CHARACTER SET utf8mb4`);
}

beforeAll(async () => {
  // A crashed earlier run may have left grants inside the target database: drop it before the roles.
  await pgExec(`DROP DATABASE IF EXISTS ${PG_DB} WITH (FORCE)`);
  for (const r of [RO, TGT]) await dropPgRole(r);
  await pgExec(`CREATE ROLE ${RO} LOGIN PASSWORD '${PW}'; CREATE ROLE ${TGT} LOGIN PASSWORD '${PW}'`);
  await pgExec(`DROP TABLE IF EXISTS sec_ro_lines, sec_ro_items`);
  await pgExec(`CREATE TABLE sec_ro_items (id bigint PRIMARY KEY, name text NOT NULL, price numeric(10,2))`);
  await pgExec(`CREATE INDEX sec_ro_items_name ON sec_ro_items (name)`);
  await pgExec(`INSERT INTO sec_ro_items SELECT g, 'item ' || g, g * 1.25 FROM generate_series(1, 1500) g`);
  await pgExec(`CREATE TABLE sec_ro_lines (item_id bigint NOT NULL REFERENCES sec_ro_items(id), line int NOT NULL, qty int NOT NULL, PRIMARY KEY (item_id, line))`);
  await pgExec(`INSERT INTO sec_ro_lines SELECT i, l, i + l FROM generate_series(1, 500) i, generate_series(1, 2) l`);
  await pgExec(`ANALYZE sec_ro_items; ANALYZE sec_ro_lines`);
  // The read-only source role: CONNECT, USAGE on the schema, SELECT on the tables. Nothing else.
  await pgExec(`GRANT CONNECT ON DATABASE test TO ${RO}; GRANT USAGE ON SCHEMA public TO ${RO}; GRANT SELECT ON sec_ro_items, sec_ro_lines TO ${RO}`);
  await mysqlExec(`SET SESSION max_recursive_iterations = 100000; DROP TABLE IF EXISTS sec_ro_lines, sec_ro_items;
    CREATE TABLE sec_ro_items (id bigint PRIMARY KEY, name text NOT NULL, price decimal(10,2), KEY sec_ro_items_name (name(50))) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
    INSERT INTO sec_ro_items WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < 1500) SELECT g, CONCAT('item ', g), g * 1.25 FROM s;
    CREATE TABLE sec_ro_lines (item_id bigint NOT NULL, line int NOT NULL, qty int NOT NULL, PRIMARY KEY (item_id, line),
      CONSTRAINT sec_ro_lines_item FOREIGN KEY (item_id) REFERENCES sec_ro_items (id)) ENGINE=InnoDB;
    INSERT INTO sec_ro_lines WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < 500) SELECT g, l.l, g + l.l FROM s, (SELECT 1 AS l UNION ALL SELECT 2) l;
    ANALYZE TABLE sec_ro_items, sec_ro_lines;
    DROP USER IF EXISTS '${RO}'@'%'; DROP USER IF EXISTS '${TGT}'@'%';
    CREATE USER '${RO}'@'%' IDENTIFIED BY '${PW}'; CREATE USER '${TGT}'@'%' IDENTIFIED BY '${PW}';
    GRANT SELECT ON test.sec_ro_items TO '${RO}'@'%'; GRANT SELECT ON test.sec_ro_lines TO '${RO}'@'%';
    GRANT SELECT, INSERT, DELETE, CREATE, ALTER, INDEX, REFERENCES, DROP, UPDATE, CREATE TEMPORARY TABLES ON ${MY_DB}.* TO '${TGT}'@'%';`);
  server = await startE2eServer(7323);
  env = e2eEnv(server, QUEUE);
  worker = await startWorkerProcess(e2eEnv(server, QUEUE, { SEC_RO_PW: PW, SEC_TGT_PW: PW }));
});

afterAll(async () => {
  await worker?.kill('SIGTERM');
  await server?.stop();
  await pgExec(`DROP TABLE IF EXISTS sec_ro_lines, sec_ro_items`);
  await pgExec(`DROP DATABASE IF EXISTS ${PG_DB} WITH (FORCE)`);
  for (const r of [RO, TGT]) await dropPgRole(r);
  await mysqlExec(`DROP TABLE IF EXISTS sec_ro_lines, sec_ro_items; DROP DATABASE IF EXISTS ${MY_DB};
    DROP USER IF EXISTS '${RO}'@'%'; DROP USER IF EXISTS '${TGT}'@'%';`);
});

const DIRECTIONS = [
  { name: 'pg-to-mysql', s: 'pg', t: 'mysql' },
  { name: 'mysql-to-pg', s: 'mysql', t: 'pg' },
  { name: 'pg-to-pg', s: 'pg', t: 'pg' },
  { name: 'mysql-to-mysql', s: 'mysql', t: 'mysql' },
] as const;

describe.each(DIRECTIONS)('least-privilege users, $name', ({ name, s, t }) => {
  it('migrates from a read-only source into a minimal target, then reloads it with --on-existing truncate', async () => {
    await resetTargets();
    const args = ['migrate', '--source', src[s], '--target', tgt[t], '--tables', 'sec_ro_items,sec_ro_lines', '--chunk-rows', '400', '--parallelism', '3', '--wait', '--json'];
    const first = await runCli([...args, '--id', `sec-grants-${name}`], env);
    expect(first.code, `${first.stdout}\n${first.stderr}\n${worker.output().slice(-3000)}`).toBe(0);
    const again = await runCli([...args, '--on-existing', 'truncate', '--id', `sec-grants-${name}-again`], env);
    expect(again.code, `${again.stdout}\n${again.stderr}\n${worker.output().slice(-3000)}`).toBe(0);
    const report = JSON.parse(again.stdout.trim().split('\n').pop()!) as { tables: { verified: boolean }[] };
    expect(report.tables.every((x) => x.verified)).toBe(true);
    for (const spec of SPECS) expect(await dump(asRoot[t], spec), spec.table).toEqual(await dump(s === 'pg' ? PG_URL : MYSQL_URL, spec));
    // verify and diff only read: the same users suffice.
    const job = ['--source', src[s], '--target', tgt[t], '--tables', 'sec_ro_items,sec_ro_lines', '--name', `sec-grants-cmp-${name}`, '--json'];
    for (const cmd of ['verify', 'diff']) {
      const r = await runCli([cmd, ...job], env);
      expect(r.code, `${cmd}: ${r.stdout}\n${r.stderr}`).toBe(0);
    }
    // repair writes through the target user's grants: change a row behind its back, repair, verify.
    if (t === 'pg') await pgTargetExec(`UPDATE sec_ro_items SET name = 'changed' WHERE id = 7`);
    else await mysqlExec(`UPDATE ${MY_DB}.sec_ro_items SET name = 'changed' WHERE id = 7`);
    const repair = await runCli(['repair', ...job], env);
    expect(repair.code, `repair: ${repair.stdout}\n${repair.stderr}\n${worker.output().slice(-2000)}`).toBe(0);
    expect((await runCli(['verify', ...job], env)).code).toBe(0);
  });
});

describe('the source user really is read-only', () => {
  it('cannot write to the source tables on either engine', async () => {
    const ro = (await import('pg')).default;
    const c = new ro.Client({ connectionString: `postgres://${RO}:${PW}@${pg.host}/test` });
    await c.connect();
    await expect(c.query(`DELETE FROM sec_ro_items WHERE id = 1`)).rejects.toThrow(/permission denied/);
    await c.end();
    const mysql = (await import('mysql2/promise')).default;
    const m = await mysql.createConnection({ uri: `mysql://${RO}:${PW}@${my.host}/test` });
    await expect(m.query(`DELETE FROM sec_ro_items WHERE id = 1`)).rejects.toThrow(/command denied/);
    await m.end();
  });
});
