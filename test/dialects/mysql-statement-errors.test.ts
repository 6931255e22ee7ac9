/**
 * MySQL statement errors that every retry would repeat fail at once (a permanent FerryError naming the
 * server's message), as PostgreSQL's data, constraint and syntax errors do; lock and deadlock errors
 * stay retryable. Before, an "Illegal mix of collations" retried for as long as a diff was left running.
 */
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Column } from '../../src/core/column-model.js';
import { FerryError } from '../../src/errors.js';
import { errorCode } from '../../src/dialects/mysql/mysql-connect.js';
import { MysqlDialect } from '../../src/dialects/mysql/mysql-dialect.js';
import { statementError } from '../../src/dialects/mysql/mysql-errors.js';
import { MYSQL_URL, mysqlExec } from '../helpers/databases.js';

const TABLE = 'ferry_stmt_errors';
let d: MysqlDialect;

beforeAll(async () => {
  await mysqlExec(
    `DROP TABLE IF EXISTS ${TABLE}; CREATE TABLE ${TABLE} (id int PRIMARY KEY, a varchar(10) COLLATE utf8mb4_nopad_bin, b varchar(10) COLLATE utf8mb4_bin); ` +
      `INSERT INTO ${TABLE} VALUES (1, 'x', 'y')`,
  );
  d = MysqlDialect.open(MYSQL_URL);
});

afterAll(async () => {
  await d.close();
  await mysqlExec(`DROP TABLE IF EXISTS ${TABLE}`);
});

/** The driver's error for `sql`, as the server raised it. */
async function driverError(sql: string): Promise<unknown> {
  const c = await mysql.createConnection({ uri: MYSQL_URL });
  try {
    await c.query(sql);
  } catch (e) {
    return e;
  } finally {
    await c.end();
  }
  throw new Error(`expected ${sql} to fail`);
}

describe('MySQL statement errors', () => {
  it.each([
    // MariaDB counts CHAR(31)'s collation as a third one; the code names however many it saw.
    ['a collation mix', `SELECT CONCAT_WS(CHAR(31), a, b) FROM ${TABLE}`, /^ER_CANT_AGGREGATE_\w*COLLATIONS$/],
    ['a syntax error', `SELEC 1`, /^ER_PARSE_ERROR$/],
    ['an unknown column', `SELECT nope FROM ${TABLE}`, /^ER_BAD_FIELD_ERROR$/],
    ['a duplicate key', `INSERT INTO ${TABLE} VALUES (1, 'x', 'y')`, /^ER_DUP_ENTRY$/],
  ])('%s is permanent, with the message and the code kept', async (_what, sql, code) => {
    const raw = await driverError(sql);
    const e = statementError(raw, 'MySQL at test');
    expect(e).toBeInstanceOf(FerryError);
    expect(e!.permanent).toBe(true);
    expect(e!.message).toContain(String((raw as { sqlMessage: string }).sqlMessage));
    expect(errorCode(e)).toMatch(code);
  });

  it('leaves lock waits, deadlocks and killed queries to the retry policy', () => {
    for (const raw of [
      { sqlState: 'HY000', errno: 1205, code: 'ER_LOCK_WAIT_TIMEOUT', sqlMessage: 'Lock wait timeout exceeded' },
      { sqlState: '40001', errno: 1213, code: 'ER_LOCK_DEADLOCK', sqlMessage: 'Deadlock found' },
      { sqlState: '70100', errno: 1317, code: 'ER_QUERY_INTERRUPTED', sqlMessage: 'Query execution was interrupted' },
    ]) {
      expect(statementError(raw, 'MySQL at test')).toBeUndefined();
    }
  });

  it('reach the activity as a permanent failure through the dialect', async () => {
    const columns = (await d.introspect(TABLE)).columns;
    const ghost: Column = { ...columns[1]!, name: 'ghost' };
    const failure = await d.checksumRange({ table: TABLE, columns: [columns[0]!, ghost], key: [columns[0]!], range: { lo: null, hi: null } }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(FerryError);
    expect((failure as FerryError).permanent).toBe(true);
    expect((failure as Error).message).toMatch(/ghost/);
  });
});
