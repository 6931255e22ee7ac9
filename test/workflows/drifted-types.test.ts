/**
 * verify and diff between two databases of one engine whose target table was created with other
 * ("drifted") column types than the source's: PostgreSQL int key, uuid, int, json, timestamp,
 * varchar(20) and bigint against bigint key, text, numeric, jsonb, timestamptz, text and
 * numeric(20,0); MariaDB int key, int, varchar, decimal(10,2), datetime and varchar against bigint
 * key, bigint, text, decimal(12,4), timestamp and text. Equal values are no difference; one changed,
 * one missing and one extra row are reported exactly; and a migrate into the existing drifted table
 * verifies. Real dev server, real activities, real databases.
 */
import pg from 'pg';
import mysql from 'mysql2/promise';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DiffInput, DiffReport, VerifyReport } from '../../src/core/compare-report.js';
import type { MigrateInput, MigrationReport } from '../../src/core/report.js';
import { MYSQL_URL, PG_URL, mysqlExec, pgExec } from '../helpers/databases.js';
import { startTestEnv, startTestWorker } from '../helpers/temporal.js';

const TABLE = 'ferry_drift';
const TARGET_DB = 'ferry_drift_target';
const ROWS = 3000;
const PG_TARGET = PG_URL.replace(/\/test$/, `/${TARGET_DB}`);
const MYSQL_TARGET = MYSQL_URL.replace(/\/test$/, `/${TARGET_DB}`);

/** The same rows on both sides, each written in its own column types. */
const PG_SOURCE_SQL = `
  DROP TABLE IF EXISTS ${TABLE};
  CREATE TABLE ${TABLE} (id int PRIMARY KEY, u uuid, n int, doc json, at timestamp(6), name varchar(20), big bigint);
  INSERT INTO ${TABLE} SELECT g, md5(g::text)::uuid, g * 7, CASE WHEN g % 9 = 0 THEN NULL ELSE json_build_object('g', g, 'tags', json_build_array('a', g % 3)) END,
    timestamp '2024-01-01 00:00:00' + g * interval '1.000001 second', 'name ' || g, g::bigint * 1000000007
  FROM generate_series(1, ${ROWS}) g;
  ANALYZE ${TABLE};`;
const PG_TARGET_SQL = `
  DROP TABLE IF EXISTS ${TABLE};
  CREATE TABLE ${TABLE} (id bigint PRIMARY KEY, u text, n numeric, doc jsonb, at timestamptz(6), name text, big numeric(20,0));
  INSERT INTO ${TABLE} SELECT g, md5(g::text)::uuid::text, g * 7, CASE WHEN g % 9 = 0 THEN NULL ELSE jsonb_build_object('g', g, 'tags', jsonb_build_array('a', g % 3)) END,
    (timestamp '2024-01-01 00:00:00' + g * interval '1.000001 second') AT TIME ZONE 'UTC', 'name ' || g, g::bigint * 1000000007
  FROM generate_series(1, ${ROWS}) g;
  ANALYZE ${TABLE};`;
const PG_PLANT = `
  UPDATE ${TABLE} SET name = 'changed' WHERE id = 100;
  DELETE FROM ${TABLE} WHERE id = 17;
  INSERT INTO ${TABLE} (id, u, n) VALUES (100000, 'x', 1);`;

const MY_ROWS = `WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < ${ROWS})
  SELECT g, g * 7, CONCAT('name ', g), (g * 37 % 10000) / 100.0, TIMESTAMP('2024-01-01') + INTERVAL g SECOND + INTERVAL g MICROSECOND, CONCAT('note ', g) FROM s`;
const MY_SOURCE_SQL = `SET time_zone = '+00:00'; SET SESSION max_recursive_iterations = 100000;
  DROP TABLE IF EXISTS ${TABLE};
  CREATE TABLE ${TABLE} (id int PRIMARY KEY, n int, name varchar(40), amount decimal(10,2), at datetime(6), note varchar(100)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
  INSERT INTO ${TABLE} ${MY_ROWS};
  ANALYZE TABLE ${TABLE};`;
const MY_TARGET_SQL = `SET time_zone = '+00:00'; SET SESSION max_recursive_iterations = 100000;
  DROP TABLE IF EXISTS ${TABLE};
  CREATE TABLE ${TABLE} (id bigint PRIMARY KEY, n bigint, name text, amount decimal(12,4), at timestamp(6) NULL, note text) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
  INSERT INTO ${TABLE} ${MY_ROWS};
  ANALYZE TABLE ${TABLE};`;
const MY_PLANT = `SET time_zone = '+00:00';
  UPDATE ${TABLE} SET name = 'changed' WHERE id = 100;
  DELETE FROM ${TABLE} WHERE id = 17;
  INSERT INTO ${TABLE} (id, n) VALUES (100000, 1);`;

async function pgTargetExec(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_TARGET });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

async function mysqlTargetExec(sql: string): Promise<void> {
  const c = await mysql.createConnection({ uri: MYSQL_TARGET, multipleStatements: true });
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** Column types a job gives the table it creates (`types:`), other than the source's. */
const PG_TYPES = { [`${TABLE}.u`]: 'text', [`${TABLE}.n`]: 'numeric(12,2)', [`${TABLE}.doc`]: 'jsonb', [`${TABLE}.at`]: 'timestamptz(6)', [`${TABLE}.big`]: 'text' };
const MY_TYPES = { [`${TABLE}.n`]: 'bigint', [`${TABLE}.amount`]: 'varchar(20)', [`${TABLE}.name`]: 'text' };

const ENGINES = [
  {
    name: 'PostgreSQL → PostgreSQL',
    source: PG_URL,
    target: PG_TARGET,
    load: () => Promise.all([pgExec(PG_SOURCE_SQL), pgTargetExec(PG_TARGET_SQL)]),
    plant: () => pgTargetExec(PG_PLANT),
    types: PG_TYPES,
    targetExec: pgTargetExec,
  },
  {
    name: 'MariaDB → MariaDB',
    source: MYSQL_URL,
    target: MYSQL_TARGET,
    load: () => Promise.all([mysqlExec(MY_SOURCE_SQL), mysqlTargetExec(MY_TARGET_SQL)]),
    plant: () => mysqlTargetExec(MY_PLANT),
    types: MY_TYPES,
    targetExec: mysqlTargetExec,
  },
];

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  await pgExec(`DROP DATABASE IF EXISTS ${TARGET_DB} WITH (FORCE)`);
  await pgExec(`CREATE DATABASE ${TARGET_DB}`);
  await mysqlExec(`DROP DATABASE IF EXISTS ${TARGET_DB}; CREATE DATABASE ${TARGET_DB}`);
  env = await startTestEnv();
});

afterAll(async () => {
  await env?.teardown();
  await pgExec(`DROP TABLE IF EXISTS ${TABLE}`);
  await pgExec(`DROP DATABASE IF EXISTS ${TARGET_DB} WITH (FORCE)`);
  await mysqlExec(`DROP TABLE IF EXISTS ${TABLE}; DROP DATABASE IF EXISTS ${TARGET_DB}`);
});

describe.each(ENGINES)('compare with drifted target column types, $name', (e) => {
  const job = { job: 'drift', source: e.source, target: e.target, tables: [TABLE], chunkRows: 1000, parallelism: 2, keys: {} };
  const diffInput: DiffInput = { ...job, maxKeys: 100, bisect: { leafRows: 200 } };
  const queue = `drift-${e.source.startsWith('postgres') ? 'pg' : 'my'}`;

  async function run<T>(workflow: 'diff' | 'verify' | 'migrate' | 'repair', args: unknown, id: string): Promise<T> {
    const w = await startTestWorker(env, queue);
    try {
      return (await env.client.workflow.execute(workflow, { taskQueue: queue, workflowId: `${queue}-${id}`, args: [args] })) as T;
    } finally {
      await w.stop();
    }
  }

  it('reports no difference for equal values held in other types', async () => {
    await e.load();
    const d = await run<DiffReport>('diff', diffInput, 'diff-equal');
    expect(d.tables[0], JSON.stringify(d)).toMatchObject({ missing: 0, extra: 0, changed: 0 });
    expect(d.status).toBe('same');
    const v = await run<VerifyReport>('verify', job, 'verify-equal');
    expect(v, JSON.stringify(v)).toMatchObject({ status: 'same', tables: [{ sourceRows: ROWS, targetRows: ROWS, verified: true }] });
  });

  it('reports exactly one changed, one missing and one extra row', async () => {
    await e.plant();
    const d = await run<DiffReport>('diff', diffInput, 'diff-planted');
    expect(d.tables[0], JSON.stringify(d)).toMatchObject({
      missing: 1,
      extra: 1,
      changed: 1,
      keys: { missing: [['17']], extra: [['100000']], changed: [{ key: ['100'], columns: ['name'] }] },
      truncated: false,
    });
    const v = await run<VerifyReport>('verify', job, 'verify-planted');
    expect(v.status).toBe('different');
    expect(v.tables[0]).toMatchObject({ sourceRows: ROWS, targetRows: ROWS, verified: false });
  });

  it('repairs the drifted table: the rows written are held in its own types', async () => {
    const r = await run<DiffReport>('repair', { ...diffInput, repair: { dryRun: false, deleteExtra: true } }, 'repair-planted');
    expect(r.tables[0], JSON.stringify(r)).toMatchObject({ missing: 1, extra: 1, changed: 1 });
    const d = await run<DiffReport>('diff', diffInput, 'diff-repaired');
    expect(d.tables[0], JSON.stringify(d)).toMatchObject({ missing: 0, extra: 0, changed: 0 });
    await e.plant();
  });

  it('verifies a migrate into the existing drifted table', async () => {
    const input: MigrateInput = { ...job, onExisting: 'truncate', verify: 'checksum' };
    const r = await run<MigrationReport>('migrate', input, 'migrate');
    expect(r, JSON.stringify(r)).toMatchObject({ status: 'completed', tables: [{ rowsCopied: ROWS, sourceRows: ROWS, targetRows: ROWS, verified: true }] });
    const d = await run<DiffReport>('diff', diffInput, 'diff-migrated');
    expect(d.tables[0], JSON.stringify(d)).toMatchObject({ missing: 0, extra: 0, changed: 0 });
  });

  it('verifies a migrate that creates the table in column types of the job, and diffs it exactly', async () => {
    await e.load();
    await e.targetExec(`DROP TABLE IF EXISTS ${TABLE}`);
    const input: MigrateInput = { ...job, onExisting: 'fail', verify: 'checksum', types: e.types };
    const r = await run<MigrationReport>('migrate', input, 'migrate-typed');
    expect(r, JSON.stringify(r)).toMatchObject({ status: 'completed', tables: [{ rowsCopied: ROWS, sourceRows: ROWS, targetRows: ROWS, verified: true }] });
    await e.targetExec(`UPDATE ${TABLE} SET name = 'changed' WHERE id = 100`);
    const d = await run<DiffReport>('diff', { ...diffInput, types: e.types }, 'diff-typed');
    expect(d.tables[0], JSON.stringify(d)).toMatchObject({ missing: 0, extra: 0, changed: 1, keys: { changed: [{ key: ['100'], columns: ['name'] }] } });
  });
});
