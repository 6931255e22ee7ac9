/**
 * MySQL spatial columns without PostGIS: planning refuses them unless the job names a target type for
 * the column; with `types: {"t.c": "text"}` they arrive on PostgreSQL as WKT text and checksums agree.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planMigration } from '../../src/activities/plan.js';
import type { MigrateInput } from '../../src/core/report.js';
import { DialectCache } from '../../src/dialects/index.js';
import { MYSQL_URL, PG_URL, mysqlExec, pgExec } from '../helpers/databases.js';

const DB = 'fd_spatial';
const PG_T = PG_URL.replace(/\/test$/, `/${DB}`);
const dialects = new DialectCache();
const input = (types?: Record<string, string>): MigrateInput => ({
  job: 'fd', source: MYSQL_URL, target: PG_T, tables: ['fd_geo'], chunkRows: 1000, parallelism: 1, onExisting: 'truncate', verify: 'checksum', keys: {}, ...(types ? { types } : {}),
});

beforeAll(async () => {
  await mysqlExec(`DROP TABLE IF EXISTS fd_geo; CREATE TABLE fd_geo (id int PRIMARY KEY, g GEOMETRY NOT NULL, p POINT NULL, SPATIAL KEY (g));
    INSERT INTO fd_geo VALUES (1, ST_GeomFromText('POINT(1 2)'), ST_GeomFromText('POINT(-71.06 42.36)')),
      (2, ST_GeomFromText('LINESTRING(0 0,1 1,2 0)'), NULL), (3, ST_GeomFromText('POLYGON((0 0,4 0,4 4,0 4,0 0))'), ST_GeomFromText('POINT(0 0)'))`);
  await pgExec(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  await pgExec(`CREATE DATABASE ${DB}`);
});

afterAll(async () => {
  await dialects.closeAll();
  await pgExec(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  await mysqlExec(`DROP TABLE IF EXISTS fd_geo`);
});

describe('MySQL spatial → PostgreSQL without PostGIS', () => {
  it('planning refuses a spatial column without a types override, naming it and the fix', async () => {
    await expect(planMigration({ dialects }, input())).rejects.toThrow(/column fd_geo\.g has type geometry: a spatial type.*types: \{ "fd_geo\.g": "text" \}/);
    await expect(planMigration({ dialects }, input({ 'fd_geo.g': 'text' }))).rejects.toThrow(/column fd_geo\.p has type point/);
  });

  it('with types overrides the values arrive as WKT text and checksums agree', async () => {
    const plan = await planMigration({ dialects }, input({ 'fd_geo.g': 'text', 'fd_geo.p': 'varchar(100)' }));
    const schema = plan.tables[0]!.schema;
    const s = dialects.get(MYSQL_URL);
    const t = dialects.get(PG_T);
    await t.createTable(schema, { typeOverrides: schema.typeOverrides });
    const key = schema.columns.filter((c) => c.name === 'id');
    const req = { table: 'fd_geo', columns: schema.columns, key, range: { lo: null, hi: null } };
    await t.writeRange(req, await s.readRange(req));
    const [a, b] = await Promise.all([s.checksumRange(req), t.checksumRange(req)]);
    expect(b).toEqual(a);
    const c = new pg.Client({ connectionString: PG_T });
    await c.connect();
    try {
      expect((await c.query(`SELECT id, g, p, format_type(atttypid, atttypmod) AS pt FROM fd_geo, pg_attribute WHERE attrelid = 'fd_geo'::regclass AND attname = 'p' ORDER BY id`)).rows).toEqual([
        { id: 1, g: 'POINT(1 2)', p: 'POINT(-71.06 42.36)', pt: 'character varying(100)' },
        { id: 2, g: 'LINESTRING(0 0,1 1,2 0)', p: null, pt: 'character varying(100)' },
        { id: 3, g: 'POLYGON((0 0,4 0,4 4,0 4,0 0))', p: 'POINT(0 0)', pt: 'character varying(100)' },
      ]);
    } finally {
      await c.end();
    }
  });
});
