/**
 * Digests taken while copying from PostgreSQL (activities/copy-digest.ts): the worker's digest of the
 * COPY text lines equals PostgreSQL's own digest of the same rows piece by piece (escapes, NULLs,
 * trimmed decimals, padded fractions and char(n) included), in either digest (`RangeRequest.digestHash`),
 * and a PostgreSQL → MySQL copy is verified
 * from the MySQL target alone, while a changed target row is still found.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyChunk } from '../../src/activities/copy-chunk.js';
import { RowDigester } from '../../src/activities/row-digester.js';
import { verifyShard } from '../../src/activities/verify.js';
import type { Column } from '../../src/core/column-model.js';
import { coversRange } from '../../src/core/copied-digest.js';
import type { KeyRange } from '../../src/core/key-range.js';
import { DialectCache } from '../../src/dialects/index.js';
import { PostgresDialect } from '../../src/dialects/postgres/postgres-dialect.js';
import { countingReads } from '../helpers/counting-dialect.js';
import { MYSQL_URL, PG_URL, mysqlExec, pgExec } from '../helpers/databases.js';

const SRC = 'ferry_cdig_pg_src';
const DST = 'ferry_cdig_pg_dst';
const ALL: KeyRange = { lo: null, hi: null };
const ROWS = 2000;

let pg: PostgresDialect;

beforeAll(async () => {
  await pgExec(
    `DROP TABLE IF EXISTS ${SRC}; CREATE TABLE ${SRC} (id int PRIMARY KEY, note text, amount numeric(10,2) NOT NULL, ts timestamp(6), tstz timestamptz, ` +
      `t time(6), d date, flag boolean, data bytea, code char(5), u uuid, j jsonb, g double precision); ` +
      `INSERT INTO ${SRC} SELECT s, (ARRAY['plain', E'tab\\there', E'two\\nlines', E'back\\\\slash', E'ff\\fvt\\vbs\\b', 'sep' || chr(31) || 'in', '12:34', 'ünïcødé ✓', '\\N', NULL])[1 + s % 10], ` +
      `(s % 11 - 5) * 1.5, '2024-01-01'::timestamp + s * interval '1 second' + (s % 3) * interval '250 millisecond', ` +
      `'2024-01-01 12:00+02'::timestamptz + s * interval '1 minute' + (s % 4) * interval '1 microsecond', '10:00'::time + (s % 7) * interval '125 millisecond', ` +
      `CASE WHEN s % 5 = 0 THEN NULL ELSE '2024-01-01'::date + s END, s % 2 = 0, decode(lpad(to_hex(s), 4, '0'), 'hex'), ` +
      `(ARRAY['ab', 'abcde', ''])[1 + s % 3], md5(s::text)::uuid, jsonb_build_object('k', s, 's', 'x"y'), s / 3.0 FROM generate_series(1, ${ROWS}) s`,
  );
  await mysqlExec(
    `DROP TABLE IF EXISTS ${DST}; CREATE TABLE ${DST} (id int PRIMARY KEY, note text, amount decimal(10,2) NOT NULL, ts datetime(6), tstz datetime(6), ` +
      `t time(6), d date, flag tinyint(1), data blob, code char(5), u char(36), j json, g double)`,
  );
  pg = PostgresDialect.open(PG_URL);
});

afterAll(async () => {
  await pg.close();
  await pgExec(`DROP TABLE IF EXISTS ${SRC}`);
  await mysqlExec(`DROP TABLE IF EXISTS ${DST}`);
});

async function shape(): Promise<{ columns: Column[]; key: Column[] }> {
  const schema = await pg.introspect(SRC);
  return { columns: schema.columns, key: schema.columns.filter((c) => c.name === 'id') };
}

describe('digests taken while copying from PostgreSQL', () => {
  const env = new MockActivityEnvironment();
  const run = <T>(fn: () => Promise<T>) => env.run(fn) as Promise<T>;

  it("equal PostgreSQL's own digests of the same rows, piece by piece, as one md5 or a sum of text hashes", async () => {
    const { columns, key } = await shape();
    const forms = await pg.checksumForms({ table: SRC, columns, key, range: ALL, wholeRow: true });
    expect(forms).toContain('fraction6');
    expect(forms).toContain('trimEnd');
    for (const [pieceBytes, hash] of [[15_000, 'md5'], [1_000_000, 'md5'], [15_000, 'hashtext-sum']] as const) {
      const digester = new RowDigester(forms!, [0], pieceBytes, null, true, false, hash);
      // Small buffers: lines are split across reads.
      const stream = await pg.readRange({ table: SRC, columns, key, range: ALL, tap: digester });
      for await (const _ of stream) void _;
      expect(digester.rows).toBe(ROWS);
      const copied = digester.finish(null);
      expect(coversRange(copied, ALL)).toBe(true);
      if (pieceBytes < 1_000_000) expect(copied.pieces.length).toBeGreaterThan(5);
      const own = await Promise.all(copied.pieces.map((p) => pg.digestRange({ table: SRC, columns, key, range: { lo: p.lo, hi: p.hi }, wholeRow: true, digestHash: hash })));
      expect(own.map((d) => d && { rows: d.rows, digest: d.digest })).toEqual(copied.pieces.map((p) => ({ rows: p.rows, digest: p.digest })));
    }
  });

  it('verify a PostgreSQL → MySQL copy from the target alone, and still find a changed row', async () => {
    const deps = { dialects: new DialectCache() };
    try {
      const { columns, key } = await shape();
      const input = { source: PG_URL, target: MYSQL_URL, table: SRC, targetTable: DST, columns, key, range: ALL };
      const copied = await run(() => copyChunk(deps, { ...input, chunkRows: ROWS * 2, digest: true }));
      expect(copied).toMatchObject({ rows: ROWS, done: true });
      expect(copied.digests).toMatchObject({ wholeRow: true, asPrinted: false });
      const source = countingReads(deps.dialects.get(PG_URL));
      expect(await run(() => verifyShard(deps, { ...input, mode: 'checksum', copied: copied.digests! }))).toEqual({ sourceRows: ROWS, targetRows: ROWS, match: true });
      expect(source.reads()).toBe(0);
      await mysqlExec(`UPDATE ${DST} SET code = 'zz' WHERE id = 1234`);
      expect(await run(() => verifyShard(deps, { ...input, mode: 'checksum', copied: copied.digests! }))).toMatchObject({ match: false });
      expect(source.reads()).toBeGreaterThan(0);
    } finally {
      await deps.dialects.closeAll();
    }
  });
});
