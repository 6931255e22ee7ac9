/**
 * The type matrix: a table of every type each engine has, filled with edge values, copied in all four
 * directions through the dialects (introspect → create → read → write) and compared three ways: the
 * SQL checksums, the worker-canonical columns, and an independent driver dump. Round trips
 * PG→MySQL→PG and MySQL→PG→MySQL must return the source's data.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalValue } from '../../src/core/canonical.js';
import { needsWorkerCanonical, type Column, type TableSchema } from '../../src/core/column-model.js';
import { RowDecoder } from '../../src/core/transfer-text.js';
import type { Dialect } from '../../src/dialects/dialect.js';
import { MysqlDialect } from '../../src/dialects/mysql/mysql-dialect.js';
import { PostgresDialect } from '../../src/dialects/postgres/postgres-dialect.js';
import { MYSQL_URL, PG_URL, mysqlExec, pgExec } from '../helpers/databases.js';
import { dump, type DumpSpec } from '../helpers/row-dump.js';
import { MY_MATRIX, MY_SPEC, PG_MATRIX, PG_SPEC } from './fid-type-matrix-fixtures.js';

const DBS = ['ferry_fid_pp', 'ferry_fid_pm', 'ferry_fid_mp', 'ferry_fid_mm', 'ferry_fid_rt1', 'ferry_fid_rt2'];
const pgDb = (db: string) => PG_URL.replace(/\/test$/, `/${db}`);
const myDb = (db: string) => MYSQL_URL.replace(/\/test$/, `/${db}`);
const open = new Map<string, Dialect>();
const dialect = (url: string): Dialect => {
  let d = open.get(url);
  if (!d) open.set(url, (d = url.startsWith('postgres') ? PostgresDialect.open(url) : MysqlDialect.open(url)));
  return d;
};

beforeAll(async () => {
  for (const n of DBS) {
    await pgExec(`DROP DATABASE IF EXISTS ${n} WITH (FORCE)`);
    await pgExec(`CREATE DATABASE ${n}`);
    await mysqlExec(`DROP DATABASE IF EXISTS ${n}; CREATE DATABASE ${n} CHARACTER SET utf8mb4`);
  }
  for (const sql of PG_MATRIX) await pgExec(sql);
  await mysqlExec(MY_MATRIX);
}, 120_000);

afterAll(async () => {
  await Promise.all([...open.values()].map((d) => d.close()));
});

/** Copies `table` from source to target as a migration does, and returns the plan's schema. */
async function copy(sourceUrl: string, targetUrl: string, table: string): Promise<TableSchema> {
  const source = dialect(sourceUrl);
  const target = dialect(targetUrl);
  const schema = await source.introspect(table);
  await target.createTable(schema);
  const key = schema.columns.filter((c) => schema.primaryKey.includes(c.name));
  const req = { table, columns: schema.columns, key, range: { lo: null, hi: null } };
  await target.writeRange(req, await source.readRange(req));
  await target.createIndexes(schema);
  return schema;
}

async function canonicalRows(d: Dialect, table: string, columns: Column[], key: Column[]): Promise<(string | null)[][]> {
  const rows: (string | null)[][] = [];
  const stream = (await d.readRange({ table, columns, key, range: { lo: null, hi: null } })).pipe(new RowDecoder());
  for await (const r of stream as AsyncIterable<(string | null)[]>) rows.push(r.map((v, i) => canonicalValue(columns[i]!.type, v)));
  return rows;
}

/** ferry's own verification: SQL checksums plus the worker-canonical columns read from both sides. */
async function expectVerified(sourceUrl: string, targetUrl: string, schema: TableSchema): Promise<void> {
  const key = schema.columns.filter((c) => schema.primaryKey.includes(c.name));
  const req = { table: schema.name, columns: schema.columns, key, range: { lo: null, hi: null } };
  const [s, t] = await Promise.all([dialect(sourceUrl).checksumRange(req), dialect(targetUrl).checksumRange(req)]);
  expect(t.rows).toBe(s.rows);
  expect(t.sum, 'SQL checksum').toBe(s.sum);
  const worker = schema.columns.filter((c) => needsWorkerCanonical(c.type));
  if (worker.length > 0) {
    const [a, b] = await Promise.all([canonicalRows(dialect(sourceUrl), schema.name, worker, key), canonicalRows(dialect(targetUrl), schema.name, worker, key)]);
    expect(b).toEqual(a);
  }
}

async function expectSameDump(a: string, b: string, spec: DumpSpec): Promise<void> {
  const [x, y] = await Promise.all([dump(a, spec), dump(b, spec)]);
  expect(y.length, spec.table).toBe(x.length);
  for (let i = 0; i < x.length; i++) expect(y[i], `${spec.table} row ${i}`).toBe(x[i]);
}

describe.each([
  { name: 'pg-to-pg', source: PG_URL, target: pgDb('ferry_fid_pp'), spec: PG_SPEC },
  { name: 'pg-to-mysql', source: PG_URL, target: myDb('ferry_fid_pm'), spec: PG_SPEC },
  { name: 'mysql-to-pg', source: MYSQL_URL, target: pgDb('ferry_fid_mp'), spec: MY_SPEC },
  { name: 'mysql-to-mysql', source: MYSQL_URL, target: myDb('ferry_fid_mm'), spec: MY_SPEC },
])('type matrix $name', ({ source, target, spec }) => {
  it('copies every type and edge value; checksums and the independent dump agree', async () => {
    const schema = await copy(source, target, spec.table);
    await expectVerified(source, target, schema);
    await expectSameDump(source, target, spec);
  }, 120_000);
});

describe('round trips', () => {
  it('PG → MySQL → PG returns the same data', async () => {
    await copy(PG_URL, myDb('ferry_fid_rt1'), PG_SPEC.table);
    const back = await copy(myDb('ferry_fid_rt1'), pgDb('ferry_fid_rt1'), PG_SPEC.table);
    await expectVerified(myDb('ferry_fid_rt1'), pgDb('ferry_fid_rt1'), back);
    await expectSameDump(PG_URL, pgDb('ferry_fid_rt1'), PG_SPEC);
  }, 120_000);

  it('MySQL → PG → MySQL returns the same data and the same native types', async () => {
    await copy(MYSQL_URL, pgDb('ferry_fid_rt2'), MY_SPEC.table);
    const back = await copy(pgDb('ferry_fid_rt2'), myDb('ferry_fid_rt2'), MY_SPEC.table);
    await expectVerified(pgDb('ferry_fid_rt2'), myDb('ferry_fid_rt2'), back);
    await expectSameDump(MYSQL_URL, myDb('ferry_fid_rt2'), MY_SPEC);
    const types = (await mysqlExec(
      `SELECT COLUMN_NAME AS c, COLUMN_TYPE AS t FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'ferry_fid_rt2' AND TABLE_NAME = '${MY_SPEC.table}' ORDER BY ORDINAL_POSITION`,
    )) as { c: string; t: string }[];
    const byName = Object.fromEntries(types.map((r) => [r.c, r.t]));
    expect(byName).toMatchObject({ e: "enum('a','b','c d')", s: "set('x','y','z')", bt: 'bit(8)', b64: 'bit(64)', tb: 'tinyint(1)' });
  }, 120_000);

  it('identity columns continue past the copied maximum on the target', async () => {
    const c = new pg.Client({ connectionString: pgDb('ferry_fid_mp') });
    await c.connect();
    try {
      const max = await c.query(`SELECT max(id)::text AS m FROM ${MY_SPEC.table}`);
      const ins = await c.query(`INSERT INTO ${MY_SPEC.table} (ti) VALUES (1) RETURNING id::text AS id`);
      expect(BigInt(ins.rows[0].id)).toBe(BigInt(max.rows[0].m) + 1n);
    } finally {
      await c.end();
    }
    await mysqlExec(`INSERT INTO ferry_fid_pm.${PG_SPEC.table} (t) VALUES ('next')`);
    const [row] = (await mysqlExec(`SELECT MAX(id) AS m, COUNT(*) AS n FROM ferry_fid_pm.${PG_SPEC.table} WHERE t = 'next'`)) as { m: number; n: number }[];
    const prev = await pgExec(`SELECT max(id)::text AS m FROM ${PG_SPEC.table}`);
    expect(row).toMatchObject({ n: 1 });
    expect(Number(row!.m)).toBe(Number(prev.rows[0].m) + 1);
  });
});
