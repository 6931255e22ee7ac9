/**
 * Connection details of the local test servers and small helpers for tests that need raw SQL.
 */
import pg from 'pg';
import mysql from 'mysql2/promise';

/** PostgreSQL test database (override with FERRY_TEST_PG). */
export const PG_URL = process.env['FERRY_TEST_PG'] ?? 'postgres://root@127.0.0.1:5432/test';
/** MariaDB/MySQL test database (override with FERRY_TEST_MYSQL). */
export const MYSQL_URL = process.env['FERRY_TEST_MYSQL'] ?? 'mysql://root@127.0.0.1:3306/test';

/** Runs SQL statements on the PostgreSQL test database. */
export async function pgExec(sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    return await c.query(sql, params);
  } finally {
    await c.end();
  }
}

/** Runs SQL statements on the MariaDB test database (multiple statements allowed). */
export async function mysqlExec(sql: string): Promise<unknown> {
  const c = await mysql.createConnection({ uri: MYSQL_URL, multipleStatements: true });
  try {
    const [rows] = await c.query(sql);
    return rows;
  } finally {
    await c.end();
  }
}
