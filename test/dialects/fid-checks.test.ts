/**
 * Schema fidelity beyond columns: portable check constraints read from each engine arrive on the other
 * and are enforced; non-portable ones, identity columns MySQL cannot generate, and stored routines are
 * named as warnings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCheck } from '../../src/core/check-parse.js';
import type { Dialect } from '../../src/dialects/dialect.js';
import { MysqlDialect } from '../../src/dialects/mysql/mysql-dialect.js';
import { PostgresDialect } from '../../src/dialects/postgres/postgres-dialect.js';
import { MYSQL_URL, PG_URL, mysqlExec, pgExec } from '../helpers/databases.js';

const DB = 'ferry_fid2_chk';
const pgSource = PostgresDialect.open(PG_URL);
const mySource = MysqlDialect.open(MYSQL_URL);
const pgTarget: Dialect = PostgresDialect.open(PG_URL.replace(/\/test$/, `/${DB}`));
const myTarget = MysqlDialect.open(MYSQL_URL.replace(/\/test$/, `/${DB}`));
const pgTargetExec = async (sql: string) => {
  const pg = (await import('pg')).default;
  const c = new pg.Client({ connectionString: PG_URL.replace(/\/test$/, `/${DB}`) });
  await c.connect();
  try {
    return await c.query(sql);
  } finally {
    await c.end();
  }
};

beforeAll(async () => {
  await pgExec(`DROP TABLE IF EXISTS fid2_chk; DROP FUNCTION IF EXISTS fid2_fn(int)`);
  await pgExec(`CREATE TABLE fid2_chk (id serial PRIMARY KEY, seq serial, qty int NOT NULL, status varchar(10), price numeric(8,2), note text,
    CONSTRAINT fid2_chk_qty CHECK (qty >= 0 AND qty <= 100),
    CONSTRAINT fid2_chk_status CHECK (status IN ('new', 'done')),
    CONSTRAINT fid2_chk_price CHECK (price > 0.5 OR price IS NULL),
    CONSTRAINT fid2_chk_note CHECK (note IS NOT NULL OR qty = 0),
    CONSTRAINT fid2_chk_len CHECK (length(note) < 50))`);
  await pgExec(`CREATE FUNCTION fid2_fn(x int) RETURNS int LANGUAGE sql AS 'SELECT x + 1'`);
  await mysqlExec(`DROP TABLE IF EXISTS fid2_mchk; DROP PROCEDURE IF EXISTS fid2_proc;
    CREATE TABLE fid2_mchk (id int PRIMARY KEY, qty int NOT NULL, kind varchar(10), js JSON,
      CONSTRAINT fid2_mchk_qty CHECK (qty BETWEEN 1 AND 9 OR qty = -1),
      CONSTRAINT fid2_mchk_kind CHECK (kind IN ('a', 'b''c')),
      CONSTRAINT fid2_mchk_upper CHECK (kind = upper(kind)));
    CREATE PROCEDURE fid2_proc() SELECT 1;`);
  await pgExec(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  await pgExec(`CREATE DATABASE ${DB}`);
  await mysqlExec(`DROP DATABASE IF EXISTS ${DB}; CREATE DATABASE ${DB} CHARACTER SET utf8mb4`);
}, 60_000);

afterAll(async () => {
  await Promise.all([pgSource, mySource, pgTarget, myTarget].map((d) => d.close()));
});

describe('check constraint parsing', () => {
  const cols = new Set(['a', 'b', 's']);
  it('reads both engines’ printed forms', () => {
    expect(parseCheck(`CHECK (((a >= 0) AND (a <= (100)::numeric)))`, cols)).toEqual({
      and: [{ column: 'a', op: '>=', literal: '0' }, { column: 'a', op: '<=', literal: '100' }],
    });
    expect(parseCheck(`CHECK (((s)::text = ANY ((ARRAY['x'::character varying, 'y''z'::character varying])::text[])))`, cols)).toEqual({ column: 's', in: ['x', "y'z"] });
    expect(parseCheck("(`s` in (_utf8mb4'x',_utf8mb4'y'))", cols)).toEqual({ column: 's', in: ['x', 'y'] });
    expect(parseCheck("`a` > -1 or `b` is not null", cols)).toEqual({ or: [{ column: 'a', op: '>', literal: '-1' }, { column: 'b', notNull: true }] });
    expect(parseCheck(`CHECK ((0 < a))`, cols)).toEqual({ column: 'a', op: '>', literal: '0' });
  });
  it('refuses functions, unknown columns and NOT IN', () => {
    expect(parseCheck(`CHECK ((length(s) < 5))`, cols)).toBeNull();
    expect(parseCheck(`CHECK ((zz > 0))`, cols)).toBeNull();
    expect(parseCheck('`a` not in (1,2)', cols)).toBeNull();
    expect(parseCheck('`a` between 1 and 2', cols)).toBeNull();
  });
});

describe('checks, identities and routines across engines', () => {
  it('PostgreSQL → MySQL: portable checks are created and enforced, the rest named', async () => {
    const schema = await pgSource.introspect('fid2_chk');
    expect(schema.checks?.map((c) => c.name).sort()).toEqual(['fid2_chk_note', 'fid2_chk_price', 'fid2_chk_qty', 'fid2_chk_status']);
    expect(schema.warnings?.join('\n')).toMatch(/check constraint fid2_chk_len on table fid2_chk .*not portable/);
    expect(myTarget.createWarnings(schema).join('\n')).toMatch(/column fid2_chk\.seq is an identity\/serial column/);
    expect(pgTarget.createWarnings(schema)).toEqual([]);
    await myTarget.createTable(schema);
    await mysqlExec(`INSERT INTO ${DB}.fid2_chk (id, seq, qty, status, price, note) VALUES (1, 1, 5, 'new', 1.00, 'n')`);
    for (const bad of [`(2, 2, 101, 'new', 1, 'n')`, `(3, 3, 5, 'old', 1, 'n')`, `(4, 4, 5, 'new', 0.10, 'n')`, `(5, 5, 5, 'new', 1, NULL)`]) {
      await expect(mysqlExec(`INSERT INTO ${DB}.fid2_chk (id, seq, qty, status, price, note) VALUES ${bad}`)).rejects.toThrow(/CONSTRAINT `fid2_chk_|check/i);
    }
  });

  it('MySQL → PostgreSQL: portable checks are created and enforced, the rest named', async () => {
    const schema = await mySource.introspect('fid2_mchk');
    expect(schema.checks?.map((c) => c.name).sort()).toEqual(['fid2_mchk_kind']);
    const w = schema.warnings?.join('\n') ?? '';
    expect(w).toMatch(/check constraint fid2_mchk_upper on table fid2_mchk/);
    // BETWEEN is not in the portable subset: named, not silently weakened.
    expect(w).toMatch(/check constraint fid2_mchk_qty on table fid2_mchk/);
    expect(w).not.toMatch(/json_valid/);
    await pgTarget.createTable(schema);
    await pgTargetExec(`INSERT INTO fid2_mchk (id, qty, kind) VALUES (1, 5, 'b''c')`);
    await expect(pgTargetExec(`INSERT INTO fid2_mchk (id, qty, kind) VALUES (2, 5, 'z')`)).rejects.toThrow(/check constraint/);
  });

  it('lists stored routines by name on both engines', async () => {
    expect(await pgSource.listRoutines()).toContain('function fid2_fn');
    expect(await mySource.listRoutines()).toContain('procedure fid2_proc');
  });
});
