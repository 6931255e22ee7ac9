/**
 * Chunk files against the real servers, one suite looped over both engines: the worker's checksum of
 * rows read through readRange equals the SQL checksum; a chunk written from readRange and loaded back
 * through writeRange holds the same rows (CSV and NDJSON); a damaged chunk file fails the load, names
 * the file and leaves the range as it was (the transaction rolls back).
 */
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TableSchema } from '../../src/core/column-model.js';
import type { KeyRange } from '../../src/core/key-range.js';
import { RowDecoder } from '../../src/core/transfer-text.js';
import type { Dialect } from '../../src/dialects/dialect.js';
import { openDialect } from '../../src/dialects/index.js';
import { ChunkFileError } from '../../src/errors.js';
import { readChunkFile } from '../../src/files/chunk-read.js';
import { writeChunkFile, type WrittenChunk } from '../../src/files/chunk-write.js';
import type { FileFormat } from '../../src/files/manifest.js';
import { RowHasher } from '../../src/files/row-hash.js';
import { MYSQL_URL, PG_URL, mysqlExec, pgExec } from '../helpers/databases.js';

const dir = mkdtempSync(join(tmpdir(), 'fx-chunks-'));

const PG_SETUP = `DROP TABLE IF EXISTS fx_dmix, fx_dmix_copy;
  CREATE TABLE fx_dmix (id int PRIMARY KEY, t text, ch char(4), n numeric(12,4), f4 real, f8 float8, b boolean, by bytea, d date,
    tm time(6), ts timestamp(6), tz timestamptz(6), j jsonb, u uuid, iv interval, ip inet, bt bit(5), arr int[]);
  INSERT INTO fx_dmix VALUES
    (1, E'tab\\there\\nnl \\\\ back, "q" 😀', 'ab', 12.5000, 1.1, 0.1, true, '\\x00ff0a0d2c22', '0001-01-01', '23:59:59.999999',
     '2024-02-29 12:34:56.000001', '2024-06-01 12:00:00.123456+02', '{"b": 1, "a": [1, 2.50]}', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11',
     'P1Y2M3DT4H5M6.5S', '10.0.0.1', B'10101', '{1,2,3}'),
    (2, '', '', 0, 0, -0, false, '\\x', '2000-01-01', '00:00:00', '2000-01-01 00:00:00', '1970-01-01 00:00:00+00', 'null', NULL, NULL, '10.0.0.0/8', B'00000', '{}'),
    (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
    (4, E'\\r\\n', 'x', -0.0100, 3.4e38, 1e-300, true, '\\x5c4e', '9999-12-31', '12:00:00.5', '9999-12-31 23:59:59.999999', '2038-01-19 03:14:07.999999+00',
     '{"k": 12345678901234567890}', '00000000-0000-0000-0000-000000000000', 'PT0S', '::1', B'11111', '{-1,NULL}');
  INSERT INTO fx_dmix SELECT g, 'row ' || g, 'c' || (g % 10), g / 7.0, g / 3.0, g / 9.0, g % 2 = 0, decode(lpad(to_hex(g), 6, '0'), 'hex'),
    date '2020-01-01' + g, time '00:00:00' + g * interval '1.000001 second', timestamp '2024-01-01' + g * interval '1.000001 second',
    timestamptz '2024-01-01 00:00:00+00' + g * interval '1 minute', jsonb_build_object('g', g), md5(g::text)::uuid, g * interval '1 hour',
    '192.168.0.1', B'01010', ARRAY[g] FROM generate_series(5, 400) g;`;

const MY_SETUP = `SET time_zone = '+00:00'; DROP TABLE IF EXISTS fx_dmix, fx_dmix_copy;
  CREATE TABLE fx_dmix (id int PRIMARY KEY, t text, ch char(4), n decimal(12,4), f4 float, f8 double, b boolean, bb blob, d date,
    tm time(6), ts datetime(6), tz timestamp(6) NULL, j json, u uuid, e enum('a','b c'), s set('x','y','z'), bt bit(5), yr year) DEFAULT CHARSET=utf8mb4;
  INSERT INTO fx_dmix VALUES
    (1, 'tab\\there\\nnl \\\\ back, "q" 😀', 'ab', 12.5, 1.1, 0.1, true, X'00ff0a0d2c22', '0001-01-01', '23:59:59.999999',
     '2024-02-29 12:34:56.000001', '2024-06-01 10:00:00.123456', '{"b": 1, "a": [1, 2.50]}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'b c', 'x,z', b'10101', 2024),
    (2, '', '', 0, 0, 0, false, X'', '2000-01-01', '00:00:00', '2000-01-01 00:00:00', '1970-01-01 00:00:01', 'null', NULL, 'a', '', b'00000', 0),
    (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
    (4, '\\r\\n', 'x', -0.01, 3.4e38, 1e-300, true, X'5c4e', '9999-12-31', '-838:59:59', '9999-12-31 23:59:59.999999', '2038-01-19 03:14:07.999999',
     '{"k": 12345678901234567890}', '00000000-0000-0000-0000-000000000000', NULL, 'y', b'11111', 1901);
  INSERT INTO fx_dmix WITH RECURSIVE s(g) AS (SELECT 5 UNION ALL SELECT g + 1 FROM s WHERE g < 400)
    SELECT g, CONCAT('row ', g), CONCAT('c', g % 10), g / 7.0, g / 3.0, g / 9.0, g % 2 = 0, UNHEX(LPAD(HEX(g), 6, '0')), DATE('2020-01-01') + INTERVAL g DAY,
      SEC_TO_TIME(g * 1.000001), TIMESTAMP('2024-01-01') + INTERVAL g * 1000001 MICROSECOND, TIMESTAMP('2024-01-01') + INTERVAL g MINUTE,
      JSON_OBJECT('g', g), UUID(), IF(g % 2 = 0, 'a', 'b c'), 'y,z', b'01010', 2000 + g % 100 FROM s;`;

const ENGINES = [
  { engine: 'postgres', url: PG_URL, setup: () => pgExec(PG_SETUP), drop: () => pgExec('DROP TABLE IF EXISTS fx_dmix, fx_dmix_copy') },
  { engine: 'mysql', url: MYSQL_URL, setup: () => mysqlExec(MY_SETUP), drop: () => mysqlExec('DROP TABLE IF EXISTS fx_dmix, fx_dmix_copy') },
];

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each(ENGINES)('chunk files on $engine', ({ engine, url, setup, drop }) => {
  let d: Dialect;
  let schema: TableSchema;
  const req = (table: string, range: KeyRange = { lo: null, hi: null }) => ({ table, columns: schema.columns, key: schema.columns.filter((c) => c.name === 'id'), range });

  beforeAll(async () => {
    await setup();
    d = openDialect(url);
    schema = await d.introspect('fx_dmix');
    await d.createTable({ ...schema, name: 'fx_dmix_copy', indexes: [], foreignKeys: [] });
  });
  afterAll(async () => {
    await drop();
    await d.close();
  });

  async function jsSums(table: string, range?: KeyRange): Promise<RowHasher> {
    const r = req(table, range);
    const h = new RowHasher(r.columns, r.key);
    for await (const row of (await d.readRange(r)).pipe(new RowDecoder())) h.add(row as (string | null)[]);
    return h;
  }

  it('computes in the worker the checksum the SQL computes, over the whole table and a sub-range', async () => {
    for (const range of [{ lo: null, hi: null }, { lo: ['2'], hi: ['300'] }]) {
      const [h, sql] = await Promise.all([jsSums('fx_dmix', range), d.checksumRange(req('fx_dmix', range))]);
      expect(h.rows).toBe(sql.rows);
      expect(h.rows).toBeGreaterThan(200);
      expect(h.sum.toString()).toBe(sql.sum);
      expect(h.canonicalSum).toBeGreaterThan(0n);
    }
  });

  async function writeChunk(format: FileFormat, name: string): Promise<{ path: string; w: WrittenChunk }> {
    const path = join(dir, `${engine}-${name}.${format}.gz`);
    const r = req('fx_dmix');
    const w = await writeChunkFile(await d.readRange(r), path, { columns: r.columns, key: r.key, format });
    return { path, w };
  }

  it.each(['csv', 'ndjson'] as const)('round-trips every value through a %s chunk file', async (format) => {
    const { path, w } = await writeChunk(format, 'round');
    const orig = await d.checksumRange(req('fx_dmix'));
    expect(w).toMatchObject({ rows: orig.rows, sum: orig.sum });
    const src = readChunkFile(path, schema.columns.map((c) => c.name), format, w);
    expect(await d.writeRange(req('fx_dmix_copy'), src.stream)).toBe(orig.rows);
    expect(src.failure()).toBeUndefined();
    expect(await d.checksumRange(req('fx_dmix_copy'))).toEqual(orig);
    const copy = await jsSums('fx_dmix_copy');
    expect(copy.canonicalSum.toString()).toBe(w.canonicalSum);
  });

  it('writes and loads an empty range as a chunk of just its header', async () => {
    const path = join(dir, `${engine}-empty.csv.gz`);
    const r = req('fx_dmix', { lo: ['100000'], hi: null });
    const w = await writeChunkFile(await d.readRange(r), path, { columns: r.columns, key: r.key, format: 'csv' });
    expect(w).toMatchObject({ rows: 0, sum: '0', canonicalSum: '0' });
    const src = readChunkFile(path, schema.columns.map((c) => c.name), 'csv', w);
    expect(await d.writeRange({ ...r, table: 'fx_dmix_copy' }, src.stream)).toBe(0);
    expect(src.failure()).toBeUndefined();
  });

  it.each([
    ['a flipped byte', (p: string) => { const b = readFileSync(p); b[Math.floor(b.length / 2)]! ^= 0xff; writeFileSync(p, b); }, /is damaged/],
    ['a truncated file', (p: string) => truncateSync(p, Math.floor(readFileSync(p).length / 2)), /is damaged/],
    ['a missing file', (p: string) => rmSync(p), /is missing/],
  ])('refuses %s, naming it, and leaves the range as it was', async (_what, damage, message) => {
    const { path, w } = await writeChunk('csv', 'bad');
    // The copy holds every row (previous test); a load that got through would replace them.
    await (engine === 'postgres' ? pgExec(`UPDATE fx_dmix_copy SET t = 'sentinel' WHERE id = 5`) : mysqlExec(`UPDATE fx_dmix_copy SET t = 'sentinel' WHERE id = 5`));
    damage(path);
    const src = readChunkFile(path, schema.columns.map((c) => c.name), 'csv', w);
    await expect(d.writeRange(req('fx_dmix_copy'), src.stream)).rejects.toThrow();
    expect(src.failure()).toBeInstanceOf(ChunkFileError);
    expect(src.failure()!.message).toContain(path);
    expect(src.failure()!.message).toMatch(message);
    const left = await d.countRange('fx_dmix_copy', req('x').key, { lo: null, hi: null });
    expect(left).toBe(w.rows);
    const r = engine === 'postgres' ? (await pgExec(`SELECT t FROM fx_dmix_copy WHERE id = 5`)).rows : ((await mysqlExec(`SELECT t FROM fx_dmix_copy WHERE id = 5`)) as { t: string }[]);
    expect(r[0]?.t).toBe('sentinel');
  });

  it('refuses a file whose rows differ from the manifest (a good file of another chunk)', async () => {
    const { path, w } = await writeChunk('ndjson', 'count');
    const src = readChunkFile(path, schema.columns.map((c) => c.name), 'ndjson', { ...w, rows: w.rows + 1 });
    await expect(d.writeRange(req('fx_dmix_copy'), src.stream)).rejects.toThrow();
    expect(src.failure()?.message).toMatch(/holds \d+ rows, the manifest says/);
    expect(await d.countRange('fx_dmix_copy', req('x').key, { lo: null, hi: null })).toBe(w.rows);
  });
});
