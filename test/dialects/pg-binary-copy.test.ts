import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binaryCopy, type CopyChunkInput } from '../../src/activities/copy-chunk.js';
import type { KeyRange } from '../../src/core/key-range.js';
import { MysqlDialect } from '../../src/dialects/mysql/mysql-dialect.js';
import { PostgresDialect } from '../../src/dialects/postgres/postgres-dialect.js';
import { MYSQL_URL, PG_URL, pgExec } from '../helpers/databases.js';

// PostgreSQL→PostgreSQL chunks travel in COPY's binary form when both tables hold the same built-in
// types; every other pairing keeps the transfer text.
const pg = PostgresDialect.open(PG_URL);
const my = MysqlDialect.open(MYSQL_URL);
const SRC = 'ferry_bin_src';
const DST = 'ferry_bin_dst';
const ALL: KeyRange = { lo: null, hi: null };

const COLUMNS = `id int PRIMARY KEY, i2 smallint, i8 bigint, n numeric(20,4), nn numeric, f4 real, f8 double precision,
  b boolean, t text, vc varchar(12), c char(3), by bytea, d date, ts timestamp(3), tz timestamptz, tm time, iv interval,
  u uuid, j json, jb jsonb, ip inet, ai int[], at text[], mood ferry_bin_mood`;

beforeAll(async () => {
  await pgExec(`DROP TABLE IF EXISTS ${SRC}, ${DST}`);
  await pgExec(`DROP TYPE IF EXISTS ferry_bin_mood`);
  await pgExec(`CREATE TYPE ferry_bin_mood AS ENUM ('sad', 'ok')`);
  await pgExec(`CREATE TABLE ${SRC} (${COLUMNS})`);
  await pgExec(
    `INSERT INTO ${SRC} SELECT g, (g % 30000)::smallint, g::bigint * 1000003, g / 7.0, CASE WHEN g % 5 = 0 THEN 'NaN'::numeric ELSE g * 1e-9 END,
       CASE WHEN g % 9 = 0 THEN '-Infinity'::real ELSE g / 3.0 END, g / 11.0, g % 2 = 0,
       CASE WHEN g % 4 = 0 THEN NULL ELSE E'tab\\there\\nnew line \\\\ é ' || g END, 'v' || g, 'c', decode(md5(g::text), 'hex'),
       CASE WHEN g = 3 THEN 'infinity'::date ELSE date '2024-02-29' + g END, timestamp '1999-12-31 23:59:59.123' + g * interval '1 hour',
       timestamptz '2020-01-01 00:00:00+05' + g * interval '1 minute', time '12:34:56.789', g * interval '1 day 2 hours',
       md5(g::text)::uuid, json_build_object('g', g, 'k', 'v'), jsonb_build_object('g', g, 'a', jsonb_build_array(1, 'two', null)),
       ('10.0.' || (g % 255) || '.1/24')::inet, ARRAY[g, NULL, -g], ARRAY['a b', NULL, 'q"uote'], CASE WHEN g % 2 = 0 THEN 'ok' END::ferry_bin_mood
     FROM generate_series(1, 2000) g`,
  );
  await pgExec(`INSERT INTO ${SRC} (id) VALUES (0)`);
});

afterAll(async () => {
  await pgExec(`DROP TABLE IF EXISTS ${SRC}, ${DST}`);
  await pgExec(`DROP TYPE IF EXISTS ferry_bin_mood`);
  await pg.close();
  await my.close();
});

function chunkInput(columns: CopyChunkInput['columns'], key: CopyChunkInput['key'], extra: Partial<CopyChunkInput> = {}): CopyChunkInput {
  return { source: PG_URL, target: PG_URL, table: SRC, targetTable: DST, columns, key, range: ALL, chunkRows: 1000, ...extra };
}

describe('binary copy between PostgreSQL tables', () => {
  it('copies every built-in type exactly, and is chosen only where the types match', async () => {
    const schema = await pg.introspect(SRC);
    // The enum's binary form names a per-database type ID: a table with it keeps the transfer text.
    expect(await pg.binaryForm(SRC, schema.columns)).toBeNull();
    const columns = schema.columns.filter((c) => c.name !== 'mood');
    const key = columns.filter((c) => c.name === 'id');
    await pgExec(`CREATE TABLE ${DST} (${COLUMNS.replace(/, mood ferry_bin_mood$/, '')})`);
    expect(await pg.binaryForm(SRC, columns)).toBe(await pg.binaryForm(DST, columns));
    expect(await binaryCopy(pg, pg, chunkInput(columns, key))).toBe(true);

    const data = await pg.readRange({ table: SRC, columns, key, range: ALL, binary: true });
    expect(await pg.writeRange({ table: DST, columns, key, range: ALL, binary: true }, data, { fresh: true })).toBe(2001);
    // json has no equality operator; its text compares instead.
    const list = columns.map((c) => (c.name === 'j' ? '"j"::text' : `"${c.name}"`)).join(', ');
    const differ = await pgExec(
      `SELECT count(*)::int AS n FROM ((SELECT ${list} FROM ${SRC} EXCEPT ALL SELECT ${list} FROM ${DST})
         UNION ALL (SELECT ${list} FROM ${DST} EXCEPT ALL SELECT ${list} FROM ${SRC})) x`,
    );
    expect(differ.rows[0]).toEqual({ n: 0 });
    expect(await pg.checksumRange({ table: DST, columns, key, range: ALL })).toEqual(await pg.checksumRange({ table: SRC, columns, key, range: ALL }));

    // A retry of the range deletes it first and loads it again in the same form.
    const again = await pg.readRange({ table: SRC, columns, key, range: { lo: ['1000'], hi: null }, binary: true });
    expect(await pg.writeRange({ table: DST, columns, key, range: { lo: ['1000'], hi: null }, binary: true }, again)).toBe(1000);
    expect((await pgExec(`SELECT count(*)::int AS n FROM ${DST}`)).rows[0]).toEqual({ n: 2001 });
  });

  it('keeps the transfer text for other types, reshaped rows, values with a lossy rule and other engines', async () => {
    await pgExec(`DROP TABLE IF EXISTS ${DST}`);
    await pgExec(`CREATE TABLE ${DST} (${COLUMNS.replace('i2 smallint', 'i2 integer').replace(/, mood ferry_bin_mood$/, '')})`);
    const columns = (await pg.introspect(SRC)).columns.filter((c) => c.name !== 'mood');
    const key = columns.filter((c) => c.name === 'id');
    expect(await binaryCopy(pg, pg, chunkInput(columns, key))).toBe(false);
    const narrow = columns.filter((c) => c.name !== 'i2');
    expect(await binaryCopy(pg, pg, chunkInput(narrow, key))).toBe(true);
    expect(await binaryCopy(pg, pg, chunkInput(narrow, key, { transform: { module: 'x.js', function: 'f', input: narrow } }))).toBe(false);
    const lossy = narrow.map((c) => (c.name === 't' ? { ...c, lossy: { policy: 'error' as const, kinds: ['nul' as const] } } : c));
    expect(await binaryCopy(pg, pg, chunkInput(lossy, key))).toBe(false);
    expect(await binaryCopy(pg, my, chunkInput(narrow, key, { target: MYSQL_URL }))).toBe(false);
    // The text path converts between the types it was refused for.
    const data = await pg.readRange({ table: SRC, columns, key, range: ALL });
    expect(await pg.writeRange({ table: DST, columns, key, range: ALL }, data, { fresh: true })).toBe(2001);
    expect(await pg.checksumRange({ table: DST, columns, key, range: ALL })).toEqual(await pg.checksumRange({ table: SRC, columns, key, range: ALL }));
  });
});
