/**
 * Key values as SQL literals, on both dialects against the real servers: every hostile text key
 * (quotes, backslashes, comment and LIKE characters, `\N`, emoji) used as a range bound selects
 * exactly the rows byte-wise at or below / above it; and the duplicate-key check behind --key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dialect } from '../../src/dialects/dialect.js';
import { MysqlDialect } from '../../src/dialects/mysql/mysql-dialect.js';
import { PostgresDialect } from '../../src/dialects/postgres/postgres-dialect.js';
import { MYSQL_URL, PG_URL, mysqlExec, pgExec } from '../helpers/databases.js';
import { HOSTILE_KEYS, T_COMP, T_TEXT, createMysqlHostile, createPgHostile, dropHostile } from '../e2e/sec-identifier-fixtures.js';

const dialects: [string, Dialect][] = [
  ['postgres', PostgresDialect.open(PG_URL)],
  ['mysql', MysqlDialect.open(MYSQL_URL)],
];

beforeAll(async () => {
  await Promise.all([createPgHostile(), createMysqlHostile()]);
  await pgExec(`DROP TABLE IF EXISTS sec_dups; CREATE TABLE sec_dups (k text, n int, v int)`);
  await mysqlExec(`DROP TABLE IF EXISTS sec_dups; CREATE TABLE sec_dups (k varchar(20) COLLATE utf8mb4_general_ci, n int, v int)`);
});

afterAll(async () => {
  await dropHostile();
  await pgExec(`DROP TABLE IF EXISTS sec_dups`);
  await mysqlExec(`DROP TABLE IF EXISTS sec_dups`);
  for (const [, d] of dialects) await d.close();
});

const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

describe.each(dialects)('%s dialect with hostile key values', (_name, d) => {
  it('bounds a range at each hostile key exactly (literal escaping and byte order)', async () => {
    const schema = await d.introspect(T_TEXT);
    const key = schema.columns.filter((c) => schema.primaryKey.includes(c.name));
    expect(key.map((c) => c.name)).toEqual(['key"col']);
    const all = (await d.countRange(T_TEXT, key, { lo: null, hi: null }));
    const allKeys = [...HOSTILE_KEYS, ...Array.from({ length: 150 }, (_, g) => `key ${String(g).padStart(3, '0')}`)];
    expect(all).toBe(allKeys.length);
    for (const k of HOSTILE_KEYS) {
      const atOrBelow = allKeys.filter((x) => byteOrder(x, k) <= 0).length;
      expect(await d.countRange(T_TEXT, key, { lo: null, hi: [k] }), JSON.stringify(k)).toBe(atOrBelow);
      expect(await d.countRange(T_TEXT, key, { lo: [k], hi: null }), JSON.stringify(k)).toBe(all - atOrBelow);
      const sum = await d.checksumRange({ table: T_TEXT, columns: schema.columns, key, range: { lo: [k], hi: [k] } });
      expect(sum.rows).toBe(0);
    }
    // Cursors walk through every hostile key one row at a time and come back with the exact value.
    let cursor: string[] | null = null;
    const seen: string[] = [];
    for (;;) {
      const end = await d.chunkEnd(T_TEXT, key, { lo: cursor, hi: null }, 1);
      if (end === null) break;
      seen.push(end[0]!);
      cursor = end;
    }
    expect(seen).toEqual([...allKeys].sort(byteOrder));
  });

  it('composite keys with quotes and backslashes in the text part', async () => {
    const schema = await d.introspect(T_COMP);
    const key = schema.primaryKey.map((n) => schema.columns.find((c) => c.name === n)!);
    for (const g of ["it's", 'a\\b', 'x"y']) {
      const n = await d.countRange(T_COMP, key, { lo: [g, '0'], hi: [g, '1000'] });
      expect(n, g).toBe(75);
    }
  });

  it('findDuplicateKey: none for a real key, the value for a repeated one, NULL keys too, byte-wise', async () => {
    const schema = await d.introspect(T_TEXT);
    expect(await d.findDuplicateKey(T_TEXT, schema.columns.filter((c) => c.name === 'key"col'))).toBeNull();
    const exec = d.engine === 'postgres' ? pgExec : mysqlExec;
    await exec(`DELETE FROM sec_dups`);
    // 'a' and 'A' are distinct keys for ferry even under a case-insensitive collation.
    await exec(`INSERT INTO sec_dups VALUES ('a', 1, 0), ('A', 1, 0), ('b', 1, 0), ('b', 2, 0)`);
    const dups = await d.introspect('sec_dups');
    const col = (n: string) => dups.columns.find((c) => c.name === n)!;
    expect(await d.findDuplicateKey('sec_dups', [col('k')])).toEqual({ value: ['b'], count: 2 });
    expect(await d.findDuplicateKey('sec_dups', [col('k'), col('n')])).toBeNull();
    await exec(`INSERT INTO sec_dups VALUES (NULL, 3, 0)`);
    expect(await d.findDuplicateKey('sec_dups', [col('k'), col('n')])).toEqual({ value: [null, '3'], count: 1 });
    await exec(`INSERT INTO sec_dups VALUES ('O''Brien', 5, 0), ('O''Brien', 5, 1)`);
    await exec(`DELETE FROM sec_dups WHERE k IS NULL`);
    expect(await d.findDuplicateKey('sec_dups', [col('k'), col('n')])).toEqual({ value: ["O'Brien", '5'], count: 2 });
  });
});
