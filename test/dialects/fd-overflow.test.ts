/**
 * Values that fit the source column but not the column the target creates (lossy kind `overflow`):
 * PostgreSQL numeric beyond MySQL DECIMAL(65,30), MySQL TIME outside PostgreSQL time's day, and text
 * or bytea key values longer than the capped MySQL key column. Planning gives each such column a rule
 * with the target's limit; the source finds the values in SQL (count and first key), and with
 * null/replace reads them mapped, so the copy writes exactly what verification then compares.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planMigration } from '../../src/activities/plan.js';
import type { LossyPolicy, TableSchema } from '../../src/core/column-model.js';
import type { MigrateInput } from '../../src/core/report.js';
import { DialectCache } from '../../src/dialects/index.js';
import { MYSQL_URL, PG_URL, mysqlExec, pgExec } from '../helpers/databases.js';

const DB = 'fd_ovf';
const PG_T = PG_URL.replace(/\/test$/, `/${DB}`);
const MY_T = MYSQL_URL.replace(/\/test$/, `/${DB}`);
const dialects = new DialectCache();

beforeAll(async () => {
  await pgExec(`DROP TABLE IF EXISTS fd_ovf_num; CREATE TABLE fd_ovf_num (id int PRIMARY KEY, nu numeric, n70 numeric(70,5), n40 numeric(40,35), ok numeric(65,30))`);
  await pgExec(`INSERT INTO fd_ovf_num VALUES
    (1, 1.5, 12345.12345, 1.5, 1.5),
    (2, 1e40, 1e62, 1.12345678901234567890123456789012345, 0),
    (3, -0.1234567890123456789012345678901234, NULL, -99999.99999999999999999999999999999999999, -1),
    (4, 'NaN', -1e60, NULL, NULL),
    (5, NULL, NULL, NULL, NULL),
    (6, -99999999999999999999999999999999999.999999999999999999999999999999, 1, 2, 3)`);
  await pgExec(`DROP TABLE IF EXISTS fd_ovf_key; CREATE TABLE fd_ovf_key (k text PRIMARY KEY, b bytea UNIQUE, v int)`);
  await pgExec(`INSERT INTO fd_ovf_key VALUES ('a', '\\x00', 1), (repeat('é', 769), '\\x01', 2), ('c', decode(repeat('ab', 3073), 'hex'), 3)`);
  await mysqlExec(`DROP TABLE IF EXISTS fd_ovf_time; CREATE TABLE fd_ovf_time (id int PRIMARY KEY, t time(3) NULL, t0 time NOT NULL);
    INSERT INTO fd_ovf_time VALUES (1, '12:34:56.789', '00:00:00'), (2, '-00:00:01', '24:00:00'), (3, '838:59:59.000', '23:59:59'),
      (4, '24:00:00.000', '-838:59:59'), (5, NULL, '25:00:00')`);
  await pgExec(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  await pgExec(`CREATE DATABASE ${DB}`);
  await mysqlExec(`DROP DATABASE IF EXISTS ${DB}; CREATE DATABASE ${DB} CHARACTER SET utf8mb4`);
}, 60_000);

afterAll(async () => {
  await dialects.closeAll();
  await pgExec(`DROP TABLE IF EXISTS fd_ovf_num, fd_ovf_key`);
  await pgExec(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  await mysqlExec(`DROP TABLE IF EXISTS fd_ovf_time; DROP DATABASE IF EXISTS ${DB}`);
});

async function plan(source: string, target: string, table: string, onLossy: Record<string, LossyPolicy> = {}): Promise<TableSchema> {
  const input: MigrateInput = { job: 'fd', source, target, tables: [table], chunkRows: 1000, parallelism: 1, onExisting: 'truncate', verify: 'checksum', keys: {}, onLossy };
  const p = await planMigration({ dialects }, input);
  return p.tables[0]!.schema;
}

/** Copies the table as a chunk does (read mapped, write) and returns both checksums. */
async function copyAndChecksum(source: string, target: string, schema: TableSchema) {
  const s = dialects.get(source);
  const t = dialects.get(target);
  await t.createTable(schema);
  await t.truncate(schema.name);
  const key = schema.columns.filter((c) => schema.primaryKey.includes(c.name));
  const req = { table: schema.name, columns: schema.columns, key, range: { lo: null, hi: null } };
  await t.writeRange(req, await s.readRange(req));
  const [a, b] = await Promise.all([s.checksumRange(req), t.checksumRange(req)]);
  return { source: a, target: b, req };
}

describe('PostgreSQL numeric → MySQL DECIMAL', () => {
  it('plans a rule with the target DECIMAL for every numeric MySQL cannot hold in full', async () => {
    const schema = await plan(PG_URL, MY_T, 'fd_ovf_num');
    const rule = (n: string) => schema.columns.find((c) => c.name === n)?.lossy;
    expect(rule('nu')).toEqual({ policy: 'error', kinds: ['nan', 'overflow'], limit: { kind: 'decimal', precision: 65, scale: 30 } });
    expect(rule('n70')).toEqual({ policy: 'error', kinds: ['nan', 'overflow'], limit: { kind: 'decimal', precision: 65, scale: 5 } });
    expect(rule('n40')).toEqual({ policy: 'error', kinds: ['nan', 'overflow'], limit: { kind: 'decimal', precision: 35, scale: 30 } });
    expect(rule('ok')?.kinds).toEqual(['nan']);
    expect(dialects.get(MY_T).createTableSql(schema)).toMatch(/`n70` DECIMAL\(65,5\)[\s\S]*`n40` DECIMAL\(35,30\)/);
  });

  it('error: finds the first value that does not fit, by key, and counts them', async () => {
    const schema = await plan(PG_URL, MY_T, 'fd_ovf_num');
    const key = schema.columns.filter((c) => c.name === 'id');
    const req = { table: 'fd_ovf_num', columns: schema.columns, key, range: { lo: null, hi: null } };
    expect(await dialects.get(PG_URL).firstLossy(req)).toEqual({ column: 'nu', key: ['2'] });
    // nu: 1e40 (41 integer digits), 34 fractional digits, NaN; n70: 1e62 and -1e60 past 60 integer digits;
    // n40: 35 fractional digits, and 99999.9…9 whose rounding to 30 digits needs a sixth integer digit.
    expect(await dialects.get(PG_URL).countLossy(req)).toEqual({ nu: 3, n70: 2, n40: 2, ok: 0 });
  });

  it('null writes NULL for exactly those values, and checksums agree', async () => {
    const schema = await plan(PG_URL, MY_T, 'fd_ovf_num', { 'fd_ovf_num.nu': 'null', 'fd_ovf_num.n70': 'null', 'fd_ovf_num.n40': 'null' });
    const r = await copyAndChecksum(PG_URL, MY_T, schema);
    expect(r.target).toEqual(r.source);
    const rows = await mysqlExec(`SELECT id, CAST(nu AS CHAR) AS nu, CAST(n70 AS CHAR) AS n70, CAST(n40 AS CHAR) AS n40 FROM ${DB}.fd_ovf_num ORDER BY id`);
    expect(rows).toEqual([
      { id: 1, nu: '1.500000000000000000000000000000', n70: '12345.12345', n40: '1.500000000000000000000000000000' },
      { id: 2, nu: null, n70: null, n40: null },
      { id: 3, nu: null, n70: null, n40: null },
      { id: 4, nu: null, n70: null, n40: null },
      { id: 5, nu: null, n70: null, n40: null },
      { id: 6, nu: '-99999999999999999999999999999999999.999999999999999999999999999999', n70: '1.00000', n40: '2.000000000000000000000000000000' },
    ]);
  });

  it('replace rounds to the target scale and clamps to its largest magnitude; checksums agree', async () => {
    const schema = await plan(PG_URL, MY_T, 'fd_ovf_num', { 'fd_ovf_num.nu': 'replace', 'fd_ovf_num.n70': 'replace', 'fd_ovf_num.n40': 'replace' });
    const r = await copyAndChecksum(PG_URL, MY_T, schema);
    expect(r.target).toEqual(r.source);
    const nines = (n: number) => '9'.repeat(n);
    const rows = await mysqlExec(`SELECT id, CAST(nu AS CHAR) AS nu, CAST(n70 AS CHAR) AS n70, CAST(n40 AS CHAR) AS n40 FROM ${DB}.fd_ovf_num WHERE id IN (2, 3, 4) ORDER BY id`);
    expect(rows).toEqual([
      { id: 2, nu: `${nines(35)}.${nines(30)}`, n70: `${nines(60)}.${nines(5)}`, n40: '1.123456789012345678901234567890' },
      { id: 3, nu: '-0.123456789012345678901234567890', n70: null, n40: `-${nines(5)}.${nines(30)}` },
      { id: 4, nu: null, n70: `-${nines(60)}.${nines(5)}`, n40: null },
    ]);
  });
});

describe('PostgreSQL text and bytea keys → capped MySQL key columns', () => {
  it('plans error-only length rules and finds the long key', async () => {
    const schema = await plan(PG_URL, MY_T, 'fd_ovf_key');
    const rule = (n: string) => schema.columns.find((c) => c.name === n)?.lossy;
    expect(rule('k')).toEqual({ policy: 'error', kinds: ['overflow'], limit: { kind: 'length', max: 768 } });
    expect(rule('b')).toEqual({ policy: 'error', kinds: ['overflow'], limit: { kind: 'length', max: 3072 } });
    const key = schema.columns.filter((c) => c.name === 'k');
    const req = { table: 'fd_ovf_key', columns: schema.columns, key, range: { lo: null, hi: null } };
    expect(await dialects.get(PG_URL).countLossy(req)).toEqual({ k: 1, b: 1 });
    // Keys are compared byte-wise: 'c' < 'é…' .
    expect(await dialects.get(PG_URL).firstLossy(req)).toEqual({ column: 'b', key: ['c'] });
    await expect(plan(PG_URL, MY_T, 'fd_ovf_key', { 'fd_ovf_key.k': 'replace' })).rejects.toThrow(/onLossy\.fd_ovf_key\.k: "replace" would change key values/);
  });

  it('replace cuts a non-key unique bytea to the key column length; checksums agree', async () => {
    const schema = await plan(PG_URL, MY_T, 'fd_ovf_key', { 'fd_ovf_key.b': 'replace' });
    await pgExec(`DELETE FROM fd_ovf_key WHERE length(k) > 1`);
    const r = await copyAndChecksum(PG_URL, MY_T, schema);
    expect(r.target).toEqual(r.source);
    const rows = (await mysqlExec(`SELECT k, LENGTH(b) AS n FROM ${DB}.fd_ovf_key ORDER BY k`)) as { k: string; n: number }[];
    expect(rows).toEqual([
      { k: 'a', n: 1 },
      { k: 'c', n: 3072 },
    ]);
  });
});

describe('MySQL TIME → PostgreSQL time', () => {
  it('plans a time-of-day rule, counts values outside 00:00:00–24:00:00 and names the first', async () => {
    const schema = await plan(MYSQL_URL, PG_T, 'fd_ovf_time');
    expect(schema.columns.find((c) => c.name === 't')?.lossy).toEqual({ policy: 'error', kinds: ['overflow'], limit: { kind: 'time-of-day' } });
    const key = schema.columns.filter((c) => c.name === 'id');
    const req = { table: 'fd_ovf_time', columns: schema.columns, key, range: { lo: null, hi: null } };
    expect(await dialects.get(MYSQL_URL).countLossy(req)).toEqual({ t: 2, t0: 2 });
    expect(await dialects.get(MYSQL_URL).firstLossy(req)).toEqual({ column: 't', key: ['2'] });
  });

  it('refuses null for the NOT NULL column, and replace clamps; checksums agree (24:00:00 included)', async () => {
    await expect(plan(MYSQL_URL, PG_T, 'fd_ovf_time', { 'fd_ovf_time.t0': 'null' })).rejects.toThrow(/"null" writes NULL but the column is NOT NULL/);
    const schema = await plan(MYSQL_URL, PG_T, 'fd_ovf_time', { 'fd_ovf_time.t': 'null', 'fd_ovf_time.t0': 'replace' });
    const r = await copyAndChecksum(MYSQL_URL, PG_T, schema);
    expect(r.target).toEqual(r.source);
    const pg = (await import('pg')).default;
    const c = new pg.Client({ connectionString: PG_T });
    await c.connect();
    try {
      const rows = (await c.query(`SELECT id, t::text AS t, t0::text AS t0 FROM fd_ovf_time ORDER BY id`)).rows;
      expect(rows).toEqual([
        { id: 1, t: '12:34:56.789', t0: '00:00:00' },
        { id: 2, t: null, t0: '24:00:00' },
        { id: 3, t: null, t0: '23:59:59' },
        { id: 4, t: '24:00:00', t0: '00:00:00' },
        { id: 5, t: null, t0: '23:59:59' },
      ]);
    } finally {
      await c.end();
    }
  });
});
