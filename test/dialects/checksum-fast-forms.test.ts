/**
 * The cheaper checksum SQL gives the same row text as the general forms: PostgreSQL timestamps and
 * dates as padded ISO text instead of to_char, MySQL utf8mb4 text without CONVERT, and no
 * COALESCE for NOT NULL columns. Checked against the general form in SQL, and across engines on the
 * same rows (a latin1 column must still be converted, or its bytes would differ from PostgreSQL's).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Column } from '../../src/core/column-model.js';
import type { Dialect } from '../../src/dialects/dialect.js';
import { MysqlDialect } from '../../src/dialects/mysql/mysql-dialect.js';
import { PostgresDialect } from '../../src/dialects/postgres/postgres-dialect.js';
import { checksumExpr } from '../../src/dialects/postgres/postgres-sql.js';
import { MYSQL_URL, PG_URL, mysqlExec, pgExec } from '../helpers/databases.js';

const TABLE = 'ferry_fast_forms';
const EDGE = 'ferry_fast_edges';

// Whole seconds, every fraction length, and the ends of MySQL's DATETIME range.
const STAMPS = [
  '2024-01-01 00:00:01',
  '2024-02-29 12:34:56.5',
  '2024-03-01 23:59:59.12',
  '1999-12-31 23:59:59.999999',
  '2001-01-01 00:00:00.000001',
  '1000-01-01 00:00:00',
  '9999-12-31 23:59:59.999999',
  '1970-01-01 00:00:00.1234',
];
const rows = STAMPS.map((ts, i) => {
  const note = i % 3 === 0 ? 'NULL' : `'note ${i} ünï'`;
  return `(${i + 1}, 'Ab ${i} é', 'Lä ${i}', ${note}, ${(i * 12.5).toFixed(2)}, '${ts}', '${ts.slice(0, 10)}', ${i % 2})`;
}).join(', ');

let pg: PostgresDialect;
let my: MysqlDialect;

beforeAll(async () => {
  await pgExec(
    `DROP TABLE IF EXISTS ${TABLE}; CREATE TABLE ${TABLE} (id int PRIMARY KEY, a varchar(20) NOT NULL, b varchar(20) NOT NULL, note text, ` +
      `amount numeric(8,2) NOT NULL, ts timestamp(6) NOT NULL, d date NOT NULL, flag boolean NOT NULL); ` +
      `INSERT INTO ${TABLE} VALUES ${rows.replace(/, (\d)\)/g, ', $1::boolean)')}`,
  );
  // Two utf8mb4 _bin collations (as in a table ferry creates: text in utf8mb4_nopad_bin, json in
  // utf8mb4_bin), which CONCAT_WS refuses to mix unless one is relabelled, plus latin1 and utf8mb3.
  await mysqlExec(
    `DROP TABLE IF EXISTS ${TABLE}; CREATE TABLE ${TABLE} (id int PRIMARY KEY, a varchar(20) COLLATE utf8mb4_nopad_bin NOT NULL, ` +
      `b varchar(20) CHARACTER SET latin1 NOT NULL, note text CHARACTER SET utf8mb3, amount decimal(8,2) NOT NULL, ` +
      `ts datetime(6) NOT NULL, d date NOT NULL, flag tinyint(1) NOT NULL, doc json NOT NULL DEFAULT '{"a": [1, "é"]}'); ` +
      `INSERT INTO ${TABLE} (id, a, b, note, amount, ts, d, flag) VALUES ${rows}`,
  );
  pg = PostgresDialect.open(PG_URL);
  my = MysqlDialect.open(MYSQL_URL);
});

afterAll(async () => {
  await pg.close();
  await my.close();
  await pgExec(`DROP TABLE IF EXISTS ${TABLE}; DROP TABLE IF EXISTS ${EDGE}`);
  await mysqlExec(`DROP TABLE IF EXISTS ${TABLE}`);
});

async function sums(columns: Column[], dialects: Dialect[]) {
  const key = columns.filter((c) => c.name === 'id');
  return Promise.all(dialects.map((d) => d.checksumRange({ table: TABLE, columns, key, range: { lo: null, hi: null } })));
}

describe('fast checksum forms', () => {
  it('hash the same rows alike on both engines, whichever side planned the columns', async () => {
    const pgColumns = (await pg.introspect(TABLE)).columns;
    const myColumns = (await my.introspect(TABLE)).columns.filter((c) => c.name !== 'doc');
    expect(myColumns.find((c) => c.name === 'a')?.nullable).toBe(false);
    expect(myColumns.find((c) => c.name === 'note')?.nullable).toBe(true);
    // MariaDB converts a latin1 argument of the row string to utf8mb4 when another argument is
    // utf8mb4, but not when it is the only text: that case shows whether the CONVERT is still there.
    const latin1Only = myColumns.filter((c) => ['id', 'b', 'amount'].includes(c.name));
    for (const columns of [pgColumns, myColumns, latin1Only]) {
      const [p, m] = await sums(columns, [pg, my]);
      expect(p!.rows).toBe(STAMPS.length);
      expect(m).toEqual(p);
    }
  });

  it('give MySQL the same sum as the general COALESCE/CONVERT form, json included', async () => {
    const columns = (await my.introspect(TABLE)).columns;
    const key = columns.filter((c) => c.name === 'id');
    const mine = await my.checksumRange({ table: TABLE, columns, key, range: { lo: null, hi: null }, wholeRow: true });
    const general = (await mysqlExec(
      `SELECT CAST(SUM(CAST(CONV(SUBSTRING(MD5(CONCAT_WS(CHAR(31), COALESCE(id, X'5C4E'), COALESCE(CONVERT(a USING utf8mb4), X'5C4E'), ` +
        `COALESCE(CONVERT(b USING utf8mb4), X'5C4E'), COALESCE(CONVERT(note USING utf8mb4), X'5C4E'), ` +
        `COALESCE(IF(amount = 0, '0', TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM amount))), X'5C4E'), COALESCE(ts, X'5C4E'), ` +
        `COALESCE(DATE_FORMAT(d, '%Y-%m-%d'), X'5C4E'), COALESCE((flag <> 0), X'5C4E'), COALESCE(CONVERT(doc USING utf8mb4), X'5C4E'))), 1, 15), 16, 10) AS UNSIGNED)) AS CHAR) AS s FROM ${TABLE}`,
    )) as { s: string }[];
    expect(mine.sum).toBe(general[0]!.s);
  });

  it('print PostgreSQL timestamps and dates exactly as to_char does, for every year', async () => {
    await pgExec(
      `DROP TABLE IF EXISTS ${EDGE}; CREATE TABLE ${EDGE} (ts timestamp(6), d date); INSERT INTO ${EDGE} VALUES ` +
        [...STAMPS, '0999-12-31 23:59:59.5', '0044-03-15 12:00:00 BC', '10000-01-01 00:00:00.25', '294276-12-31 23:59:59', 'infinity', '-infinity']
          .map((v) => `('${v}', ${/infinity/.test(v) ? `'${v}'` : `date '${v.replace(/ \d\d:\d\d:\d\d(\.\d+)?/, '')}'`})`)
          .join(', ') +
        `, (NULL, NULL)`,
    );
    const col = (name: string, kind: 'timestamp' | 'date'): Column =>
      ({ name, nullable: true, type: kind === 'timestamp' ? { kind, precision: 6, tz: false } : { kind } }) as Column;
    const r = await pgExec(
      `SET DateStyle = 'ISO, YMD'; SELECT count(*)::int AS n, ` +
        `count(*) FILTER (WHERE ${checksumExpr(col('ts', 'timestamp'))} IS DISTINCT FROM to_char(ts, 'YYYY-MM-DD HH24:MI:SS.US'))::int AS ts_off, ` +
        `count(*) FILTER (WHERE ${checksumExpr(col('d', 'date'))} IS DISTINCT FROM to_char(d, 'YYYY-MM-DD'))::int AS d_off FROM ${EDGE}`,
    );
    const last = (r as unknown as { rows: { n: number; ts_off: number; d_off: number }[] }[])[1]!.rows[0]!;
    expect(last).toEqual({ n: STAMPS.length + 7, ts_off: 0, d_off: 0 });
  });
});
