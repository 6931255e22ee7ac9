/**
 * Chunk ends on both engines: an integer-keyed range whose key span fits a chunk (plus its tail) is
 * one chunk without counting its rows; a sparse or long range, a composite or text key, and a
 * viewed open range are still cut by counting, at the same keys as before.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextChunkEnd } from '../../src/activities/chunk-end.js';
import type { Column } from '../../src/core/column-model.js';
import type { KeyRange } from '../../src/core/key-range.js';
import type { Dialect } from '../../src/dialects/dialect.js';
import { MysqlDialect } from '../../src/dialects/mysql/mysql-dialect.js';
import { PostgresDialect } from '../../src/dialects/postgres/postgres-dialect.js';
import { countingCuts } from '../helpers/counting-dialect.js';
import { MYSQL_URL, PG_URL, mysqlExec, pgExec } from '../helpers/databases.js';

const DENSE = 'ferry_chunk_dense';
const SPARSE = 'ferry_chunk_sparse';
const TEXT = 'ferry_chunk_text';
const EMPTY = 'ferry_chunk_empty';

let pg: PostgresDialect;
let my: MysqlDialect;

beforeAll(async () => {
  // DENSE: ids 1..1000. SPARSE: 100 rows with ids 10, 20, …, 1000. TEXT: keys 'k0001'…'k0100'.
  await pgExec(
    `DROP TABLE IF EXISTS ${DENSE}, ${SPARSE}, ${TEXT}, ${EMPTY}; ` +
      `CREATE TABLE ${DENSE} (id bigint PRIMARY KEY, v text); INSERT INTO ${DENSE} SELECT g, 'v' || g FROM generate_series(1, 1000) g; ` +
      `CREATE TABLE ${SPARSE} (id int PRIMARY KEY); INSERT INTO ${SPARSE} SELECT g * 10 FROM generate_series(1, 100) g; ` +
      `CREATE TABLE ${TEXT} (k text PRIMARY KEY); INSERT INTO ${TEXT} SELECT 'k' || lpad(g::text, 4, '0') FROM generate_series(1, 100) g; ` +
      `CREATE TABLE ${EMPTY} (id int PRIMARY KEY)`,
  );
  await mysqlExec(
    `DROP TABLE IF EXISTS ${DENSE}, ${SPARSE}, ${TEXT}, ${EMPTY}; ` +
      `CREATE TABLE ${DENSE} (id bigint unsigned PRIMARY KEY, v text); INSERT INTO ${DENSE} SELECT seq, CONCAT('v', seq) FROM seq_1_to_1000; ` +
      `CREATE TABLE ${SPARSE} (id int PRIMARY KEY); INSERT INTO ${SPARSE} SELECT seq * 10 FROM seq_1_to_100; ` +
      `CREATE TABLE ${TEXT} (k varchar(10) PRIMARY KEY); INSERT INTO ${TEXT} SELECT CONCAT('k', LPAD(seq, 4, '0')) FROM seq_1_to_100; ` +
      `CREATE TABLE ${EMPTY} (id int PRIMARY KEY)`,
  );
  pg = PostgresDialect.open(PG_URL);
  my = MysqlDialect.open(MYSQL_URL);
});

afterAll(async () => {
  await pgExec(`DROP TABLE IF EXISTS ${DENSE}, ${SPARSE}, ${TEXT}, ${EMPTY}`);
  await mysqlExec(`DROP TABLE IF EXISTS ${DENSE}, ${SPARSE}, ${TEXT}, ${EMPTY}`);
  await pg.close();
  await my.close();
});

async function keyOf(d: Dialect, table: string): Promise<Column[]> {
  const schema = await d.introspect(table);
  return schema.primaryKey.map((k) => schema.columns.find((c) => c.name === k)!);
}

const r = (lo: string | null, hi: string | null): KeyRange => ({ lo: lo === null ? null : [lo], hi: hi === null ? null : [hi] });

describe.each([
  ['PostgreSQL', () => pg],
  ['MariaDB', () => my],
])('nextChunkEnd on %s', (_name, open) => {
  it('takes an integer range that spans no more than a chunk and its tail whole, without counting', async () => {
    const { dialect, counted } = countingCuts(open());
    const key = await keyOf(dialect, DENSE);
    // 125 keys at most in (100, 225]: 100 rows a chunk, a quarter more as tail.
    expect(await nextChunkEnd(dialect, { table: DENSE, key, range: r('100', '225'), chunkRows: 100 })).toBeNull();
    // Open ends are closed at the key's current extent: (-inf, 120] holds ids 1..120, (900, +inf) ids 901..1000.
    expect(await nextChunkEnd(dialect, { table: DENSE, key, range: r(null, '120'), chunkRows: 100 })).toBeNull();
    expect(await nextChunkEnd(dialect, { table: DENSE, key, range: r('900', null), chunkRows: 100 })).toBeNull();
    expect(counted()).toBe(0);
  });

  it('counts rows when the key span is longer than a chunk and its tail', async () => {
    const { dialect, counted } = countingCuts(open());
    const key = await keyOf(dialect, DENSE);
    expect(await nextChunkEnd(dialect, { table: DENSE, key, range: r('100', '226'), chunkRows: 100 })).toEqual(['200']);
    expect(await nextChunkEnd(dialect, { table: DENSE, key, range: r(null, null), chunkRows: 100 })).toEqual(['100']);
    expect(await nextChunkEnd(dialect, { table: DENSE, key, range: r('850', null), chunkRows: 100 })).toEqual(['950']);
    // A span longer than the chunk with few rows in it: counted, then found to be one chunk.
    const sparse = await keyOf(dialect, SPARSE);
    expect(await nextChunkEnd(dialect, { table: SPARSE, key: sparse, range: r(null, null), chunkRows: 100 })).toBeNull();
    expect(await nextChunkEnd(dialect, { table: SPARSE, key: sparse, range: r(null, null), chunkRows: 40 })).toEqual(['400']);
    expect(counted()).toBeGreaterThanOrEqual(5);
  });

  it('counts rows of a text key and of a viewed open range', async () => {
    const { dialect, counted } = countingCuts(open());
    const text = await keyOf(dialect, TEXT);
    expect(await nextChunkEnd(dialect, { table: TEXT, key: text, range: r(null, null), chunkRows: 40 })).toEqual(['k0040']);
    const key = await keyOf(dialect, DENSE);
    expect(await nextChunkEnd(dialect, { table: DENSE, key, range: r('900', null), chunkRows: 100, viewed: true })).toBeNull();
    expect(counted()).toBe(4);
    // A closed range needs no extent, so a view does not matter there.
    expect(await nextChunkEnd(dialect, { table: DENSE, key, range: r('100', '200'), chunkRows: 100, viewed: true })).toBeNull();
    expect(counted()).toBe(4);
  });

  it('takes an empty table as one chunk', async () => {
    const { dialect } = countingCuts(open());
    const key = await keyOf(dialect, EMPTY);
    expect(await nextChunkEnd(dialect, { table: EMPTY, key, range: r(null, null), chunkRows: 100 })).toBeNull();
  });
});
