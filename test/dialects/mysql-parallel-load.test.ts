/**
 * Shards of one table loading into MariaDB side by side (127.0.0.1:3306, database `test`): neither
 * waits for the other's transaction, and the delete that makes a retry idempotent still runs when
 * the range holds committed rows, including rows another attempt committed during the load.
 */
import { PassThrough, Readable } from 'node:stream';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TableSchema } from '../../src/core/column-model.js';
import type { KeyRange } from '../../src/core/key-range.js';
import type { RangeRequest } from '../../src/dialects/dialect.js';
import { MysqlDialect } from '../../src/dialects/mysql/mysql-dialect.js';
import { FerryError } from '../../src/errors.js';

const URL = process.env['FERRY_TEST_MYSQL_URL'] ?? 'mysql://root@127.0.0.1:3306/test';
const TABLE = 'ferry_t_parallel_load';
let dialect: MysqlDialect;
let admin: mysql.Connection;
let schema: TableSchema;

function req(range: KeyRange): RangeRequest {
  return { table: TABLE, columns: schema.columns, key: [schema.columns[0]!], range };
}

function rows(from: number, to: number): Buffer {
  let s = '';
  for (let i = from; i <= to; i++) s += `${i}\trow ${i}\n`;
  return Buffer.from(s);
}

async function ids(): Promise<number[]> {
  const [r] = await admin.query<mysql.RowDataPacket[]>(`SELECT id FROM ${TABLE} ORDER BY id`);
  return r.map((x) => Number(x['id']));
}

/** Resolves once a load under way has inserted (not yet committed) the row with key `id`. */
async function untilUncommitted(id: number): Promise<void> {
  // A dirty read sees rows of open transactions (INNODB_TRX is a cache that polling keeps stale).
  await admin.query('SET SESSION TRANSACTION ISOLATION LEVEL READ UNCOMMITTED');
  for (let i = 0; i < 500; i++) {
    const [r] = await admin.query<mysql.RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${TABLE} WHERE id = ?`, [id]);
    if (Number(r[0]?.['n']) === 1) return;
    await new Promise((res) => setTimeout(res, 20));
  }
  throw new Error(`no load inserted key ${id} within 10 s`);
}

beforeAll(async () => {
  admin = await mysql.createConnection({ uri: URL });
  await admin.query(`DROP TABLE IF EXISTS ${TABLE}`);
  await admin.query(`CREATE TABLE ${TABLE} (id BIGINT NOT NULL PRIMARY KEY, t TEXT NULL) ENGINE=InnoDB`);
  dialect = MysqlDialect.open(URL);
  schema = await dialect.introspect(TABLE);
});

beforeEach(async () => {
  await admin.query(`TRUNCATE TABLE ${TABLE}`);
});

afterAll(async () => {
  await admin.query(`DROP TABLE IF EXISTS ${TABLE}`);
  await admin.end();
  await dialect.close();
});

describe('MySQL loads of neighbouring key ranges', () => {
  it('load at once: the lower range does not wait for the upper one to commit', async () => {
    // The upper shard has inserted its first rows (just past the lower range) and keeps loading. The
    // server parses LOAD DATA in blocks, so it is sent enough rows for some to be inserted.
    const upper = new PassThrough();
    const upperDone = dialect.writeRange(req({ lo: ['100000'], hi: null }), upper).catch((e: unknown) => e);
    try {
      upper.write(rows(100000, 149999));
      await untilUncommitted(100000);
      // A range DELETE would lock row 100000 to find its end and wait here until the upper load
      // commits (innodb_lock_wait_timeout, 50 s by default); the lower load must finish on its own.
      const lowerDone = dialect.writeRange(req({ lo: null, hi: ['100000'] }), Readable.from([rows(1, 1000)]));
      const first = await Promise.race([lowerDone.then(() => 'lower'), new Promise((res) => setTimeout(() => res('waited'), 15_000))]);
      expect(first).toBe('lower');
      expect(await lowerDone).toBe(1000);
    } finally {
      upper.end(rows(150000, 150999));
    }
    expect(await upperDone).toBe(51000);
    const got = await ids();
    expect(got).toHaveLength(52000);
    expect([got[0], got[999], got[1000], got.at(-1)]).toEqual([1, 1000, 100000, 150999]);
  });

  it('still replaces committed rows of the range (a retry after a commit it never heard of)', async () => {
    await admin.query(`INSERT INTO ${TABLE} VALUES (5, 'old'), (7, 'stale'), (150, 'outside')`);
    expect(await dialect.writeRange(req({ lo: null, hi: ['100'] }), Readable.from([rows(1, 6)]))).toBe(6);
    expect(await ids()).toEqual([1, 2, 3, 4, 5, 6, 150]);
    const [r] = await admin.query<mysql.RowDataPacket[]>(`SELECT t FROM ${TABLE} WHERE id = 5`);
    expect(r[0]?.['t']).toBe('row 5');
  });

  it('fails retryably when another attempt commits rows of the range during the load, and the retry replaces them', async () => {
    const data = new PassThrough();
    const done = dialect.writeRange(req({ lo: null, hi: ['100000'] }), data).catch((e: unknown) => e);
    try {
      data.write(rows(1, 50000));
      await untilUncommitted(1);
      // An earlier attempt of this chunk (still alive after a lost heartbeat) commits key 60000.
      await admin.query(`INSERT INTO ${TABLE} VALUES (60000, 'from the other attempt')`);
    } finally {
      data.end(rows(50001, 70000));
    }
    const err = await done;
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(FerryError); // a plain Error: the activity retries it
    expect(String((err as Error).message)).toMatch(/another attempt committed rows of this key range/);
    expect(await ids()).toEqual([60000]);
    expect(await dialect.writeRange(req({ lo: null, hi: ['100000'] }), Readable.from([rows(1, 70000)]))).toBe(70000);
    const got = await ids();
    expect([got.length, got[0], got.at(-1)]).toEqual([70000, 1, 70000]);
    const [r] = await admin.query<mysql.RowDataPacket[]>(`SELECT t FROM ${TABLE} WHERE id = 60000`);
    expect(r[0]?.['t']).toBe('row 60000');
  });

  it('reports duplicate keys in the data itself as a permanent error and writes nothing', async () => {
    const err = await dialect.writeRange(req({ lo: null, hi: ['100'] }), Readable.from([Buffer.from('1\ta\n2\tb\n1\tagain\n')])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FerryError);
    expect((err as FerryError).permanent).toBe(true);
    expect(String((err as Error).message)).toMatch(/Duplicate entry '1'/);
    expect(await ids()).toEqual([]);
  });
});
