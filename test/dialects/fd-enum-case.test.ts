/**
 * MySQL ENUM and SET labels keep their case (Sakila's `rating ENUM('G','PG',…) DEFAULT 'G'` was read
 * as lower-case labels, so PostgreSQL refused 'G'): introspected labels and the PostgreSQL enum match.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MysqlDialect } from '../../src/dialects/mysql/mysql-dialect.js';
import { PostgresDialect } from '../../src/dialects/postgres/postgres-dialect.js';
import { MYSQL_URL, PG_URL, mysqlExec } from '../helpers/databases.js';

const my = MysqlDialect.open(MYSQL_URL);
const pgd = PostgresDialect.open(PG_URL);

beforeAll(async () => {
  await mysqlExec(`DROP TABLE IF EXISTS fd_enum_case; CREATE TABLE fd_enum_case (id int PRIMARY KEY, r ENUM('G','PG','nc-17') DEFAULT 'G', s SET('Trailers','x Y'))`);
});

afterAll(async () => {
  await Promise.all([my.close(), pgd.close()]);
  await mysqlExec(`DROP TABLE IF EXISTS fd_enum_case`);
});

it('keeps label case in the neutral type and the PostgreSQL DDL', async () => {
  const schema = await my.introspect('fd_enum_case');
  expect(schema.columns.find((c) => c.name === 'r')?.type).toEqual({ kind: 'enum', values: ['G', 'PG', 'nc-17'] });
  expect(schema.columns.find((c) => c.name === 's')?.type).toEqual({ kind: 'set', values: ['Trailers', 'x Y'] });
  expect(pgd.createTableSql(schema)).toMatch(/AS ENUM \('G', 'PG', 'nc-17'\)[\s\S]*DEFAULT 'G'[\s\S]*ARRAY\['Trailers', 'x Y'\]/);
});
