/**
 * `checksumParts` (every part of a range in one grouped scan) against `checksumRange` of each part,
 * on both engines, for a composite key with text, with every hash form a compare uses.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cutRange } from '../../src/core/bisect.js';
import type { KeyRange, KeyTuple } from '../../src/core/key-range.js';
import type { Dialect, RangeRequest } from '../../src/dialects/dialect.js';
import { MysqlDialect } from '../../src/dialects/mysql/mysql-dialect.js';
import { PostgresDialect } from '../../src/dialects/postgres/postgres-dialect.js';
import { MYSQL_URL, PG_URL, mysqlExec, pgExec } from '../helpers/databases.js';

const TABLE = 'ferry_parts';
const ROWS = 60;
const values = Array.from({ length: ROWS }, (_, i) => `(${i % 7}, '${['a', 'B', 'é', 'z ', '😀'][i % 5]}${i}', ${i % 4 === 0 ? 'NULL' : `'{"n": ${i}}'`}, ${(i * 1.25).toFixed(2)})`).join(', ');

const dialects: [string, Dialect][] = [];

beforeAll(async () => {
  await pgExec(`DROP TABLE IF EXISTS ${TABLE}; CREATE TABLE ${TABLE} (g int, k text, doc jsonb, amount numeric(8,2), PRIMARY KEY (g, k)); INSERT INTO ${TABLE} VALUES ${values}`);
  await mysqlExec(`DROP TABLE IF EXISTS ${TABLE}; CREATE TABLE ${TABLE} (g int, k varchar(20) COLLATE utf8mb4_bin, doc json, amount decimal(8,2), PRIMARY KEY (g, k)); INSERT INTO ${TABLE} VALUES ${values}`);
  dialects.push(['postgres', PostgresDialect.open(PG_URL)], ['mysql', MysqlDialect.open(MYSQL_URL)]);
});

afterAll(async () => {
  for (const [, d] of dialects) await d.close();
  await pgExec(`DROP TABLE IF EXISTS ${TABLE}`);
  await mysqlExec(`DROP TABLE IF EXISTS ${TABLE}`);
});

describe.each(['postgres', 'mysql'])('checksumParts on %s', (engine) => {
  it('equals checksumRange of every part, for each hash form, with empty parts as zero rows', async () => {
    const d = dialects.find(([e]) => e === engine)![1];
    const schema = await d.introspect(TABLE);
    const key = schema.columns.slice(0, 2);
    const forms: Partial<RangeRequest>[] = [{}, { wholeRow: true }, ...(await d.peerHashes()).map((peerHash) => ({ peerHash }))];
    const ends: KeyTuple[] = [];
    for (let lo: KeyTuple | null = null; ; ) {
      const end = await d.chunkEnd(TABLE, key, { lo, hi: null }, 7);
      if (end === null) break;
      ends.push(end);
      lo = end;
    }
    expect(ends.length).toBe(8);
    // Each range with the part ends inside it.
    const ranges: [KeyRange, KeyTuple[]][] = [
      [{ lo: null, hi: null }, ends],
      [{ lo: ends[1]!, hi: ends[6]! }, ends.slice(2, 6)],
      [{ lo: ends[5]!, hi: null }, ends.slice(6, 7)],
    ];
    for (const form of forms) {
      for (const [range, inside] of ranges) {
        const req: RangeRequest = { table: TABLE, columns: schema.columns, key, range, ...form };
        const parts = await d.checksumParts(req, inside);
        const each = await Promise.all(cutRange(range, inside).map((r) => d.checksumRange({ ...req, range: r })));
        expect(parts, `${JSON.stringify(form)} ${JSON.stringify(range)}`).toEqual(each);
        expect(parts.length).toBe(inside.length + 1);
        if (range.lo === null) expect(parts.reduce((n, p) => n + p.rows, 0)).toBe(ROWS);
      }
      // A part past the last row holds nothing.
      const beyond = await d.checksumParts({ table: TABLE, columns: schema.columns, key, range: { lo: ends[7]!, hi: null }, ...form }, [['99', 'x']]);
      expect(beyond[1]).toEqual({ rows: 0, sum: '0' });
    }
  });
});
