import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresDialect } from '../../src/dialects/postgres/postgres-dialect.js';
import { MissingTableError, ConnectionError } from '../../src/errors.js';
import { PG_URL, pgExec } from '../helpers/databases.js';

const d = PostgresDialect.open(PG_URL);

beforeAll(async () => {
  await pgExec(`DROP TABLE IF EXISTS ferry_t_child, ferry_t_types, ferry_t_types2, ferry_t_text, ferry_t_comp`);
  await pgExec(`CREATE TABLE ferry_t_types (
    id bigint PRIMARY KEY, i2 smallint, i4 integer NOT NULL, n numeric(12,2), nu numeric, f4 real, f8 double precision,
    b boolean, t text, vc varchar(20), ch char(3), by bytea, d date, tm time(6), ts timestamp(6), tz timestamptz(3),
    j json, jb jsonb, u uuid)`);
  await pgExec(`CREATE INDEX ferry_t_types_i4 ON ferry_t_types (i4, vc)`);
  await pgExec(`CREATE TABLE ferry_t_child (id int PRIMARY KEY, parent bigint REFERENCES ferry_t_types(id) ON DELETE CASCADE)`);
  await pgExec(`INSERT INTO ferry_t_types VALUES
    (1, -32768, 2147483647, 12.50, 1.2300, 1.5, 0.1, true, E'tab\\there\\nnew\\\\line \\f ✓ 😀', '', 'ab', '\\x00ff10', '0001-01-01', '23:59:59.999999', '9999-12-31 23:59:59.999999', '2024-06-01 12:00:00.123+02', '{"b":1, "a":[1,2]}', '{"k": 12345678901234567890}', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'),
    (2, NULL, 0, NULL, NULL, NULL, NULL, false, NULL, NULL, NULL, '\\x', NULL, NULL, NULL, NULL, NULL, NULL, NULL),
    (9007199254740993, 1, 1, -0.01, 100, 'Infinity', -1e300, NULL, '\\N', 'x', 'x', NULL, '2024-02-29', '00:00:00', '2024-01-01 00:00:00', '1970-01-01 00:00:00+00', 'null', '[]', NULL)`);
});

afterAll(async () => {
  await pgExec(`DROP TABLE IF EXISTS ferry_t_child, ferry_t_types, ferry_t_types2, ferry_t_text, ferry_t_comp`);
  await d.close();
});

describe('PostgresDialect', () => {
  it('introspects columns, key, indexes and foreign keys', async () => {
    const s = await d.introspect('ferry_t_types');
    expect(s.primaryKey).toEqual(['id']);
    expect(s.columns.map((c) => c.type.kind)).toEqual([
      'int', 'int', 'int', 'decimal', 'decimal', 'float', 'float', 'bool', 'text', 'text', 'text', 'binary', 'date', 'time', 'timestamp', 'timestamp', 'json', 'json', 'uuid',
    ]);
    expect(s.columns.find((c) => c.name === 'tz')?.type).toEqual({ kind: 'timestamp', precision: 3, tz: true });
    expect(s.indexes).toEqual([{ name: 'ferry_t_types_i4', columns: ['i4', 'vc'], unique: false }]);
    const child = await d.introspect('ferry_t_child');
    expect(child.foreignKeys).toEqual([
      { name: 'ferry_t_child_parent_fkey', columns: ['parent'], refTable: 'ferry_t_types', refColumns: ['id'], onDelete: 'CASCADE', onUpdate: 'NO ACTION' },
    ]);
    await expect(d.introspect('ferry_t_nope')).rejects.toBeInstanceOf(MissingTableError);
  });

  it('copies a range through transfer text into a new table, idempotently, with equal checksums', async () => {
    const s = await d.introspect('ferry_t_types');
    await d.createTable({ ...s, name: 'ferry_t_types2' });
    expect(await d.targetState('ferry_t_types2')).toBe('empty');
    const key = s.columns.filter((c) => c.name === 'id');
    const req = { table: 'ferry_t_types', columns: s.columns, key, range: { lo: null, hi: null } };
    const dst = { ...req, table: 'ferry_t_types2' };
    expect(await d.writeRange(dst, await d.readRange(req))).toBe(3);
    expect(await d.writeRange(dst, await d.readRange(req))).toBe(3);
    expect(await d.countRange('ferry_t_types2', key, req.range)).toBe(3);
    expect(await d.checksumRange(dst)).toEqual(await d.checksumRange(req));
    const same = await pgExec(
      `SELECT (SELECT array_agg(t::text ORDER BY id) FROM ferry_t_types t) = (SELECT array_agg(t::text ORDER BY id) FROM ferry_t_types2 t) AS same`,
    );
    expect(same.rows[0].same).toBe(true);
  });

  it.each(['pg-record', 'pg-text'])('checksums against a PostgreSQL peer with hash %s: equal copies agree, a declared scale does not count, any change does', async (peerHash) => {
    expect(await d.peerHashes()).toContain(peerHash);
    const s = await d.introspect('ferry_t_types');
    const key = s.columns.filter((c) => c.name === 'id');
    const req = { table: 'ferry_t_types', columns: s.columns, key, range: { lo: null, hi: null }, peerHash };
    const dst = { ...req, table: 'ferry_t_types2' };
    await pgExec(`DROP TABLE IF EXISTS ferry_t_types2`);
    await d.createTable({ ...s, name: 'ferry_t_types2' });
    await pgExec(`INSERT INTO ferry_t_types2 SELECT * FROM ferry_t_types`);
    const before = await d.checksumRange(req);
    expect(before.rows).toBe(3);
    // Not the md5 sum: a peer sum is only comparable with a sum of the same peer hash.
    expect(before.sum).not.toBe((await d.checksumRange({ ...req, peerHash: undefined, wholeRow: true })).sum);
    expect(await d.checksumRange(dst)).toEqual(before);
    // numeric(12,2) holding 12.50 and numeric(12,3) holding 12.500 are the same value.
    await pgExec(`ALTER TABLE ferry_t_types2 ALTER COLUMN n TYPE numeric(12,3)`);
    expect(await d.checksumRange(dst)).toEqual(before);
    // A peer whose jsonb column is json (which has no hash function) holding the same values.
    await pgExec(`ALTER TABLE ferry_t_types2 ALTER COLUMN jb TYPE json USING jb::json`);
    expect(await d.checksumRange(dst)).toEqual(before);
    await pgExec(`ALTER TABLE ferry_t_types2 ALTER COLUMN jb TYPE jsonb USING jb::jsonb`);
    const changes = [
      `jb = '{"k": 12345678901234567891}'`, `j = '{"b":1,  "a":[1,2]}'`, `f8 = 0.1000000000000001`, `f4 = -0.0`, `tz = tz + interval '1 millisecond'`,
      `t = t || ' '`, `b = NULL`, `vc = 'x'`, `ch = 'AB'`, `by = '\\x00ff11'`, `u = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12'`, `tm = '23:59:59.999998'`,
    ];
    for (const change of changes) {
      await pgExec(`UPDATE ferry_t_types2 SET ${change} WHERE id = ${change.startsWith('f4') ? 2 : 1}`);
      expect((await d.checksumRange(dst)).sum, change).not.toBe(before.sum);
      await pgExec(`DELETE FROM ferry_t_types2; INSERT INTO ferry_t_types2 SELECT * FROM ferry_t_types`);
      expect(await d.checksumRange(dst)).toEqual(before);
    }
  });

  it('computes the documented checksum text', async () => {
    await pgExec(`CREATE TABLE ferry_t_comp (a int, b text, n numeric(6,3), t timestamp(0), bo boolean, by bytea, PRIMARY KEY (a, b))`);
    await pgExec(`INSERT INTO ferry_t_comp VALUES (1, 'x', 1.500, '2024-01-02 03:04:05', true, '\\x0a'), (1, 'y', NULL, NULL, NULL, NULL), (2, 'a', 0, NULL, false, '\\x')`);
    const s = await d.introspect('ferry_t_comp');
    const key = s.columns.slice(0, 2);
    const rows = [
      ['1', 'x', '1.5', '2024-01-02 03:04:05.000000', '1', '\\x0a'],
      ['1', 'y', '\\N', '\\N', '\\N', '\\N'],
      ['2', 'a', '0', '\\N', '0', '\\x'],
    ];
    const expected = rows.reduce((sum, r) => sum + BigInt('0x' + createHash('md5').update(r.join('\u001f')).digest('hex').slice(0, 15)), 0n);
    expect(await d.checksumRange({ table: 'ferry_t_comp', columns: s.columns, key, range: { lo: null, hi: null } })).toEqual({ rows: 3, sum: expected.toString() });
    // Composite key ranges are lexicographic: (1,'x') < key <= (2,'a').
    expect(await d.countRange('ferry_t_comp', key, { lo: ['1', 'x'], hi: ['2', 'a'] })).toBe(2);
    expect(await d.chunkEnd('ferry_t_comp', key, { lo: null, hi: null }, 2)).toEqual(['1', 'y']);
  });

  it('orders text keys byte-wise', async () => {
    await pgExec(`CREATE TABLE ferry_t_text (k text COLLATE "en-x-icu" PRIMARY KEY)`).catch(() => pgExec(`CREATE TABLE ferry_t_text (k text PRIMARY KEY)`));
    await pgExec(`INSERT INTO ferry_t_text VALUES ('a'), ('B'), ('é'), ('Z'), ('😀'), ('b')`);
    const s = await d.introspect('ferry_t_text');
    const bounds = await d.sampleKeyBounds('ferry_t_text', s.columns, 3);
    expect(bounds).toEqual([['Z'], ['b']]);
    expect(await d.chunkEnd('ferry_t_text', s.columns, { lo: ['b'], hi: null }, 1)).toEqual(['é']);
  });

  it('reports a wrong database as a permanent connection error', async () => {
    const bad = PostgresDialect.open(PG_URL.replace(/\/test$/, '/ferry_no_such_db'));
    await expect(bad.listTables()).rejects.toSatisfy((e: unknown) => e instanceof ConnectionError && e.permanent);
    await bad.close();
  });
});

describe('PostgresDialect chunking', () => {
  it('cuts chunks in key order, not in the text order of the keys', async () => {
    await pgExec(`DROP TABLE IF EXISTS ferry_t_order`);
    await pgExec(`CREATE TABLE ferry_t_order (id bigint PRIMARY KEY)`);
    await pgExec(`INSERT INTO ferry_t_order SELECT generate_series(1, 2000)`);
    const s = await d.introspect('ferry_t_order');
    expect(await d.chunkEnd('ferry_t_order', s.columns, { lo: null, hi: null }, 300)).toEqual(['300']);
    expect(await d.sampleKeyBounds('ferry_t_order', s.columns, 4)).toEqual([['500'], ['1000'], ['1500']]);
    await pgExec(`DROP TABLE ferry_t_order`);
  });
});
