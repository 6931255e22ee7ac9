/**
 * Digests taken while copying (activities/copy-digest.ts): the worker's digest of the rows a MySQL
 * read streams equals the digest the database computes of the same rows, piece by piece, in the
 * same-engine and the cross-engine checksum text; a copy returns digests that cover its range; and
 * verify settles a shard from them by reading only the target, while a changed target row, or a
 * digest that does not match, still sends it to the comparison of both sides.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyChunk } from '../../src/activities/copy-chunk.js';
import { RowDigester, canonicalDecimalAt } from '../../src/activities/row-digester.js';
import { verifyShard } from '../../src/activities/verify.js';
import { canonicalDecimal } from '../../src/core/canonical.js';
import type { Column } from '../../src/core/column-model.js';
import { coversRange, type CopiedDigests } from '../../src/core/copied-digest.js';
import type { KeyRange } from '../../src/core/key-range.js';
import type { Dialect } from '../../src/dialects/dialect.js';
import { DialectCache } from '../../src/dialects/index.js';
import { MysqlDialect } from '../../src/dialects/mysql/mysql-dialect.js';
import { countingReads } from '../helpers/counting-dialect.js';
import { MYSQL_URL, PG_URL, mysqlExec, pgExec } from '../helpers/databases.js';

const SRC = 'ferry_cdig_src';
const WIDE = 'ferry_cdig_wide';
const MY_DST = 'ferry_cdig_my';
const WIDE_DST = 'ferry_cdig_wide_dst';
const PG_DST = 'ferry_cdig_pg';
const ALL: KeyRange = { lo: null, hi: null };
const ROWS = 2000;

// Text with the characters the transfer text escapes, the row string's separator, a length-like
// prefix, non-ASCII, empty and NULL; decimals with trailing zeros, zero and negatives; tinyint(1) 2.
const MY_COLUMNS =
  '(id int PRIMARY KEY, note text CHARACTER SET utf8mb4, amount decimal(10,2) NOT NULL, ts datetime(6) NOT NULL, d date, ' +
  'flag tinyint(1), data blob, code varchar(10) CHARACTER SET latin1)';
const MY_ROWS =
  `SELECT seq, ELT(1 + seq % 7, 'plain', 'tab\\there', 'two\\nlines', 'back\\\\slash', CONCAT('sep', CHAR(31 USING utf8mb4), 'in'), '12:34', 'ünïcødé ✓'), ` +
  `(CAST(seq % 11 AS SIGNED) - 5) * 1.5, TIMESTAMP'2024-01-01 00:00:00' + INTERVAL seq SECOND + INTERVAL seq MICROSECOND, ` +
  `IF(seq % 5 = 0, NULL, DATE'2024-01-01' + INTERVAL seq DAY), IF(seq % 4 = 0, NULL, seq % 3), IF(seq % 3 = 0, NULL, UNHEX(HEX(seq))), ` +
  `IF(seq % 2 = 0, 'café', '') FROM seq_1_to_${ROWS}`;
const WIDE_COLUMNS = '(id int PRIMARY KEY, f float, g double, j json, e enum(\'a\',\'b\'), amount decimal(12,4), t time(6), y year, n varchar(20) NOT NULL)';
const WIDE_ROWS = `SELECT seq, seq / 3, seq / 7, JSON_OBJECT('k', seq, 'v', 1.50), IF(seq % 2 = 0, 'a', 'b'), seq / 8, SEC_TO_TIME(seq) + INTERVAL 250 MICROSECOND, 2000 + seq % 50, CONCAT('n', seq) FROM seq_1_to_${ROWS}`;

let my: MysqlDialect;

beforeAll(async () => {
  await mysqlExec(
    `DROP TABLE IF EXISTS ${SRC}, ${WIDE}, ${MY_DST}, ${WIDE_DST}; ` +
      `CREATE TABLE ${SRC} ${MY_COLUMNS}; INSERT INTO ${SRC} ${MY_ROWS}; CREATE TABLE ${MY_DST} ${MY_COLUMNS}; ` +
      `CREATE TABLE ${WIDE} ${WIDE_COLUMNS}; INSERT INTO ${WIDE} ${WIDE_ROWS}; CREATE TABLE ${WIDE_DST} ${WIDE_COLUMNS}`,
  );
  await pgExec(
    `DROP TABLE IF EXISTS ${PG_DST}; CREATE TABLE ${PG_DST} (id int PRIMARY KEY, note text, amount numeric(10,2) NOT NULL, ts timestamp(6) NOT NULL, ` +
      `d date, flag boolean, data bytea, code varchar(10))`,
  );
  my = MysqlDialect.open(MYSQL_URL);
});

afterAll(async () => {
  await my.close();
  await mysqlExec(`DROP TABLE IF EXISTS ${SRC}, ${WIDE}, ${MY_DST}, ${WIDE_DST}`);
  await pgExec(`DROP TABLE IF EXISTS ${PG_DST}`);
});

async function shape(table: string): Promise<{ columns: Column[]; key: Column[] }> {
  const schema = await my.introspect(table);
  return { columns: schema.columns, key: schema.columns.filter((c) => c.name === 'id') };
}

/** Reads `table` through a tap into a digester cutting pieces of at most `pieceBytes`. */
async function digestWhileReading(table: string, pieceBytes: number, alike: boolean): Promise<CopiedDigests> {
  const { columns, key } = await shape(table);
  const forms = await my.checksumForms({ table, columns, key, range: ALL, wholeRow: alike, asPrinted: alike });
  expect(forms).not.toBeNull();
  const digester = new RowDigester(forms!, [0], pieceBytes, null, alike, alike);
  const stream = await my.readRange({ table, columns, key, range: ALL, tap: digester });
  for await (const _ of stream) void _;
  expect(digester.rows).toBe(ROWS);
  return digester.finish(null);
}

/** Each piece's digest as the database computes it. */
async function databaseDigests(d: Dialect, table: string, columns: Column[], key: Column[], copied: CopiedDigests) {
  return Promise.all(copied.pieces.map((p) => d.digestRange({ table, columns, key, range: { lo: p.lo, hi: p.hi }, wholeRow: copied.wholeRow, asPrinted: copied.asPrinted })));
}

describe('digests taken while copying', () => {
  const env = new MockActivityEnvironment();
  const run = <T>(fn: () => Promise<T>) => env.run(fn) as Promise<T>;

  it('trim decimals as the checksum text does', () => {
    for (const v of ['1.50', '-0.00', '0.00', '100.00', '100', '-12.340', '0.05', '-0', '7.']) {
      const b = Buffer.from(`x${v}y`);
      expect(b.toString('latin1', 1, canonicalDecimalAt(b, 1, b.length - 1))).toBe(canonicalDecimal(v));
    }
  });

  it('equal the database digests piece by piece, as printed and in the checksum text', async () => {
    for (const table of [SRC, WIDE]) {
      const { columns, key } = await shape(table);
      for (const alike of [true, false]) {
        const copied = await digestWhileReading(table, 20_000, alike);
        expect(copied.pieces.length).toBeGreaterThan(3);
        expect(coversRange(copied, ALL)).toBe(true);
        expect(copied.pieces.reduce((n, p) => n + p.rows, 0)).toBe(ROWS);
        const db = await databaseDigests(my, table, columns, key, copied);
        expect(db.map((x) => x && { rows: x.rows, digest: x.digest })).toEqual(copied.pieces.map((p) => ({ rows: p.rows, digest: p.digest })));
      }
    }
  });

  it('verify a MySQL copy from the target alone, and still find a changed row', async () => {
    const deps = { dialects: new DialectCache() };
    try {
      const { columns, key } = await shape(WIDE);
      const input = { source: MYSQL_URL, target: MYSQL_URL, table: WIDE, targetTable: WIDE_DST, columns, key, range: ALL };
      const copied = await run(() => copyChunk(deps, { ...input, chunkRows: ROWS * 2, digest: true }));
      expect(copied).toMatchObject({ rows: ROWS, done: true });
      expect(copied.digests).toMatchObject({ wholeRow: true, asPrinted: true });
      expect(coversRange(copied.digests!, ALL)).toBe(true);
      // Source and target are one database here: count the reads of the source table only.
      const shared = deps.dialects.get(MYSQL_URL);
      const reads: string[] = [];
      for (const name of ['readRange', 'digestRange', 'checksumRange', 'countRange'] as const) {
        const original = (shared[name] as (...a: unknown[]) => Promise<unknown>).bind(shared);
        (shared as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
          const arg = args[0];
          reads.push(typeof arg === 'string' ? arg : (arg as { table: string }).table);
          return original(...args);
        };
      }
      expect(await run(() => verifyShard(deps, { ...input, mode: 'checksum', copied: copied.digests! }))).toEqual({ sourceRows: ROWS, targetRows: ROWS, match: true });
      expect(reads.filter((t) => t === WIDE)).toEqual([]);
      expect(reads.filter((t) => t === WIDE_DST).length).toBe(copied.digests!.pieces.length);
      await mysqlExec(`UPDATE ${WIDE_DST} SET f = f + 1 WHERE id = 1500`);
      expect(await run(() => verifyShard(deps, { ...input, mode: 'checksum', copied: copied.digests! }))).toMatchObject({ match: false });
      expect(reads.filter((t) => t === WIDE).length).toBeGreaterThan(0);
    } finally {
      await deps.dialects.closeAll();
    }
  });

  it('verify a MySQL → PostgreSQL copy from the target alone; a digest that differs is settled by both sides', async () => {
    const deps = { dialects: new DialectCache() };
    try {
      const shaped = await shape(SRC);
      // Text that could hold U+0000 is checked (onLossy error) but read as it is, so it is digested too.
      const columns = shaped.columns.map((c): Column => (c.name === 'note' ? { ...c, lossy: { policy: 'error', kinds: ['nul'] } } : c));
      const key = shaped.key;
      const input = { source: MYSQL_URL, target: PG_URL, table: SRC, targetTable: PG_DST, columns, key, range: ALL };
      const copied = await run(() => copyChunk(deps, { ...input, chunkRows: ROWS * 2, digest: true }));
      // PostgreSQL digests a sum of its text hashes, which the worker computed as it read.
      expect(copied.digests).toMatchObject({ wholeRow: true, asPrinted: false, hash: 'hashtext-sum' });
      const source = countingReads(deps.dialects.get(MYSQL_URL));
      expect(await run(() => verifyShard(deps, { ...input, mode: 'checksum', copied: copied.digests! }))).toEqual({ sourceRows: ROWS, targetRows: ROWS, match: true });
      expect(source.reads()).toBe(0);
      // A digest that does not match the target (or does not cover the range) proves nothing either way.
      const wrong = { ...copied.digests!, pieces: copied.digests!.pieces.map((p) => ({ ...p, digest: '0'.repeat(32) })) };
      expect(await run(() => verifyShard(deps, { ...input, mode: 'checksum', copied: wrong }))).toEqual({ sourceRows: ROWS, targetRows: ROWS, match: true });
      expect(source.reads()).toBeGreaterThan(0);
      const partial = { ...copied.digests!, pieces: copied.digests!.pieces.map((p) => ({ ...p, lo: ['1'] })) };
      expect(coversRange(partial, ALL)).toBe(false);
      await pgExec(`UPDATE ${PG_DST} SET note = 'changed' WHERE id = 7`);
      expect(await run(() => verifyShard(deps, { ...input, mode: 'checksum', copied: copied.digests! }))).toMatchObject({ match: false });
    } finally {
      await deps.dialects.closeAll();
    }
  });

  it('across engines, json and float text printed differently sends verify to both sides, which settle it', async () => {
    const deps = { dialects: new DialectCache() };
    try {
      await pgExec(`DROP TABLE IF EXISTS ${WIDE_DST}; CREATE TABLE ${WIDE_DST} (id int PRIMARY KEY, f real, g double precision, j jsonb, e text, amount numeric(12,4), t time(6), y smallint, n varchar(20) NOT NULL)`);
      const { columns, key } = await shape(WIDE);
      const input = { source: MYSQL_URL, target: PG_URL, table: WIDE, targetTable: WIDE_DST, columns, key, range: ALL };
      const r = await run(() => copyChunk(deps, { ...input, chunkRows: ROWS * 2, digest: true }));
      expect(r.rows).toBe(ROWS);
      expect(r.digests).toMatchObject({ wholeRow: true, asPrinted: false });
      const source = countingReads(deps.dialects.get(MYSQL_URL));
      expect(await run(() => verifyShard(deps, { ...input, mode: 'checksum', copied: r.digests! }))).toEqual({ sourceRows: ROWS, targetRows: ROWS, match: true });
      expect(source.reads()).toBeGreaterThan(0);
    } finally {
      await pgExec(`DROP TABLE IF EXISTS ${WIDE_DST}`);
      await deps.dialects.closeAll();
    }
  });

  it('are taken only when asked for', async () => {
    const deps = { dialects: new DialectCache() };
    try {
      const { columns, key } = await shape(SRC);
      const r = await run(() => copyChunk(deps, { source: MYSQL_URL, target: MYSQL_URL, table: SRC, targetTable: MY_DST, columns, key, range: ALL, chunkRows: ROWS * 2 }));
      expect(r.rows).toBe(ROWS);
      expect(r.digests).toBeUndefined();
    } finally {
      await deps.dialects.closeAll();
    }
  });
});
