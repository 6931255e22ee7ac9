/**
 * Range digests (one md5 over a piece of rows in key order): the same rows digest alike on both
 * engines; a different row list never does, even one whose rows run together into the same string;
 * MySQL declines what it cannot read in key order or hash whole; and the activity's piecewise walk
 * matches equal ranges and stops at a differing piece.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareRange } from '../../src/activities/compare-range.js';
import { digestsMatch } from '../../src/activities/range-digest.js';
import { DialectCache } from '../../src/dialects/index.js';
import type { Column } from '../../src/core/column-model.js';
import type { KeyRange } from '../../src/core/key-range.js';
import type { Dialect } from '../../src/dialects/dialect.js';
import { MysqlDialect } from '../../src/dialects/mysql/mysql-dialect.js';
import { PostgresDialect } from '../../src/dialects/postgres/postgres-dialect.js';
import { countingCuts } from '../helpers/counting-dialect.js';
import { MYSQL_URL, PG_URL, mysqlExec, pgExec } from '../helpers/databases.js';

const T = 'ferry_digest_rows';
const RUN = 'ferry_digest_runon';
const CI_KEY = 'ferry_digest_ci_key';
const BIN_KEY = 'ferry_digest_bin_key';
const WIDE = 'ferry_digest_wide';
const MANY = 'ferry_digest_many';
const ALL: KeyRange = { lo: null, hi: null };

// Text with a newline, U+001F (the column separator), a colon and digits: what a row separator or a
// length prefix could be confused with.
const NOTES = ['plain', 'two\nlines', 'sep\u001fin it', '12:34', '', null, 'ünïcødé ✓'];
const values = NOTES.map((n, i) => `(${i + 1}, ${n === null ? 'NULL' : `'${n.replace(/\n/g, "\\n")}'`}, ${(i * 1.5).toFixed(2)}, '2024-01-0${i + 1} 10:00:0${i}.25')`).join(', ');

let pg: PostgresDialect;
let my: MysqlDialect;

beforeAll(async () => {
  const pgValues = values.replace(/'([^']*\\n[^']*)'/g, "E'$1'");
  await pgExec(
    `DROP TABLE IF EXISTS ${T}, ${RUN}, ${MANY}; ` +
      `CREATE TABLE ${T} (id int PRIMARY KEY, note text, amount numeric(8,2) NOT NULL, ts timestamp(6) NOT NULL); INSERT INTO ${T} VALUES ${pgValues}; ` +
      // Rows "1␟a" and "12␟b": written one after the other without lengths, the same string as MySQL's below.
      `CREATE TABLE ${RUN} (id int PRIMARY KEY, note text NOT NULL); INSERT INTO ${RUN} VALUES (1, 'a'), (12, 'b'); ` +
      `CREATE TABLE ${MANY} (id int PRIMARY KEY, note text NOT NULL); INSERT INTO ${MANY} SELECT g, 'row ' || g FROM generate_series(1, 3000) g`,
  );
  await mysqlExec(
    `DROP TABLE IF EXISTS ${T}, ${RUN}, ${CI_KEY}, ${BIN_KEY}, ${WIDE}, ${MANY}; ` +
      `CREATE TABLE ${T} (id int PRIMARY KEY, note text CHARACTER SET utf8mb4, amount decimal(8,2) NOT NULL, ts datetime(6) NOT NULL); INSERT INTO ${T} VALUES ${values}; ` +
      `CREATE TABLE ${RUN} (id int PRIMARY KEY, note text NOT NULL); INSERT INTO ${RUN} VALUES (1, 'a1'), (2, 'b'); ` +
      `CREATE TABLE ${CI_KEY} (k varchar(20) COLLATE utf8mb4_general_ci PRIMARY KEY); ` +
      `CREATE TABLE ${BIN_KEY} (k varchar(20) COLLATE utf8mb4_nopad_bin PRIMARY KEY); ` +
      `CREATE TABLE ${WIDE} (id int PRIMARY KEY, body longtext NOT NULL); ` +
      `INSERT INTO ${WIDE} VALUES (1, REPEAT('x', 5000000)), (2, REPEAT('y', 5000000)), (3, REPEAT('z', 5000000)), (4, REPEAT('w', 5000000)); ` +
      `CREATE TABLE ${MANY} (id int PRIMARY KEY, note text NOT NULL); INSERT INTO ${MANY} SELECT seq, CONCAT('row ', seq) FROM seq_1_to_3000`,
  );
  pg = PostgresDialect.open(PG_URL);
  my = MysqlDialect.open(MYSQL_URL);
});

afterAll(async () => {
  await pg.close();
  await my.close();
  await pgExec(`DROP TABLE IF EXISTS ${T}, ${RUN}, ${MANY}`);
  await mysqlExec(`DROP TABLE IF EXISTS ${T}, ${RUN}, ${CI_KEY}, ${BIN_KEY}, ${WIDE}, ${MANY}`);
});

async function columnsOf(table: string): Promise<{ columns: Column[]; key: Column[] }> {
  const schema = await pg.introspect(table);
  return { columns: schema.columns, key: schema.columns.filter((c) => c.name === 'id') };
}

async function digests(table: string, range: KeyRange, dialects: Dialect[] = [pg, my]) {
  const { columns, key } = await columnsOf(table);
  return Promise.all(dialects.map((d) => d.digestRange({ table, columns, key, range })));
}

describe('range digests', () => {
  it('are the same on both engines for the same rows, for the whole table and for a part of it', async () => {
    for (const range of [ALL, { lo: ['2'], hi: ['5'] }, { lo: null, hi: ['1'] }]) {
      const [p, m] = await digests(T, range);
      expect(p).not.toBeNull();
      expect(p!.digest).toMatch(/^[0-9a-f]{32}$/);
      expect(m).toEqual(p);
    }
    const [whole] = await digests(T, ALL);
    expect(whole!.rows).toBe(NOTES.length);
  });

  it('are empty for a range without rows', async () => {
    expect(await digests(T, { lo: ['100'], hi: null })).toEqual([
      { rows: 0, digest: '' },
      { rows: 0, digest: '' },
    ]);
  });

  it('differ for one changed value', async () => {
    await mysqlExec(`UPDATE ${T} SET amount = amount + 0.01 WHERE id = 4`);
    try {
      const [p, m] = await digests(T, ALL);
      expect(m!.rows).toBe(p!.rows);
      expect(m!.digest).not.toBe(p!.digest);
    } finally {
      await mysqlExec(`UPDATE ${T} SET amount = amount - 0.01 WHERE id = 4`);
    }
    const [p, m] = await digests(T, ALL);
    expect(m).toEqual(p);
  });

  it('differ for rows that would run together into the same text without their lengths', async () => {
    const { columns, key } = await columnsOf(RUN);
    const text = async (d: Dialect) => (await d.readRange({ table: RUN, columns, key, range: ALL })).toArray();
    const joined = async (d: Dialect) => Buffer.concat((await text(d)) as Buffer[]).toString().replace(/\t/g, '\u001f').replace(/\n/g, '');
    // The premise: both sides' rows, joined without separators, are the same string.
    expect(await joined(pg)).toBe(await joined(my));
    const [p, m] = await digests(RUN, ALL);
    expect(p!.rows).toBe(2);
    expect(m!.rows).toBe(2);
    expect(m!.digest).not.toBe(p!.digest);
  });

  it('MySQL digests only tables whose PRIMARY order is key order', async () => {
    const key = (name: string): Column[] => [{ name, type: { kind: 'text' }, nullable: false }] as Column[];
    expect(await my.digestCapacity(CI_KEY, key('k'))).toBe(0);
    expect(await my.digestCapacity(BIN_KEY, key('k'))).toBeGreaterThanOrEqual(1024 * 1024);
    const { key: id } = await columnsOf(T);
    expect(await my.digestCapacity(T, id)).toBeGreaterThanOrEqual(1024 * 1024);
    // A declared key that is not the PRIMARY KEY: rows are not read in its order.
    expect(await my.digestCapacity(T, key('note'))).toBe(0);
    const anyTable: Dialect = pg;
    expect(await anyTable.digestCapacity(T, id)).toBeGreaterThanOrEqual(1024 * 1024);
  });

  it('MySQL gives no digest when the text of a piece is longer than it hashes at once', async () => {
    const columns = [
      { name: 'id', type: { kind: 'int', bits: 32 }, nullable: false },
      { name: 'body', type: { kind: 'text' }, nullable: false },
    ] as Column[];
    expect(await my.digestRange({ table: WIDE, columns, key: columns.slice(0, 1), range: ALL })).toBeNull();
    expect(await my.digestRange({ table: WIDE, columns, key: columns.slice(0, 1), range: { lo: null, hi: ['1'] } })).toMatchObject({ rows: 1 });
  });

  it('estimate the text bytes of a range from its rows alike on both engines', async () => {
    const { columns, key } = await columnsOf(T);
    const [p, m] = await Promise.all([pg, my].map((d) => d.rowTextBytes({ table: T, columns, key, range: ALL }, 1000)));
    expect(p).toBeGreaterThan(20);
    expect(m).toBeCloseTo(p!, 3);
    expect(await pg.rowTextBytes({ table: T, columns, key, range: { lo: ['100'], hi: null } }, 3)).toBe(0);
    expect(await my.rowTextBytes({ table: T, columns, key, range: { lo: ['100'], hi: null } }, 3)).toBe(0);
  });
});

describe('digestsMatch', () => {
  const env = new MockActivityEnvironment();
  let beats = 0;
  env.on('heartbeat', () => beats++);
  // Pieces of ~1000 rows of these ~8-byte rows, so the 3000 rows take several.
  const small = { probeRows: 100, fill: 20_000 / (16 * 1024 * 1024), minPieceRows: 10 };

  it('walks a range piece by piece and matches equal rows', async () => {
    const { columns, key } = await columnsOf(MANY);
    beats = 0;
    const r = await env.run(() => digestsMatch(pg, my, { table: MANY, targetTable: MANY, columns, key, range: ALL, wholeRow: false }, small));
    expect(r).toEqual({ rows: 3000 });
    expect(beats).toBeGreaterThanOrEqual(2);
  });

  it('cuts the pieces of an integer key by arithmetic, and counts them once the keys prove sparse', async () => {
    const SPARSE = 'ferry_digest_sparse';
    // 3000 rows with keys 10, 20, …, 30000: a piece of ~1000 keys holds only ~100 of them.
    await pgExec(`DROP TABLE IF EXISTS ${SPARSE}; CREATE TABLE ${SPARSE} (id int PRIMARY KEY, note text NOT NULL); INSERT INTO ${SPARSE} SELECT g * 10, 'row ' || g FROM generate_series(1, 3000) g`);
    await mysqlExec(`DROP TABLE IF EXISTS ${SPARSE}; CREATE TABLE ${SPARSE} (id int PRIMARY KEY, note text NOT NULL); INSERT INTO ${SPARSE} SELECT seq * 10, CONCAT('row ', seq) FROM seq_1_to_3000`);
    try {
      const dense = countingCuts(pg);
      const { columns, key } = await columnsOf(MANY);
      const all = await env.run(() => digestsMatch(dense.dialect, my, { table: MANY, targetTable: MANY, columns, key, range: ALL, wholeRow: false }, small));
      expect(all).toEqual({ rows: 3000 });
      expect(dense.counted()).toBe(0);
      // A closed range inside the table, and one read through a view (closed, so still no extent needed).
      const part = await env.run(() => digestsMatch(dense.dialect, my, { table: MANY, targetTable: MANY, columns, key, range: { lo: ['500'], hi: ['2700'] }, wholeRow: false, viewed: true }, small));
      expect(part).toEqual({ rows: 2200 });
      expect(dense.counted()).toBe(0);

      const sparse = countingCuts(pg);
      const s = await env.run(() => digestsMatch(sparse.dialect, my, { table: SPARSE, targetTable: SPARSE, columns, key, range: ALL, wholeRow: false }, small));
      expect(s).toEqual({ rows: 3000 });
      expect(sparse.counted()).toBeGreaterThan(0);
      // Counting took over: a few pieces of ~1000 rows, not one per 1000 keys (30 of them).
      expect(sparse.counted()).toBeLessThanOrEqual(5);
      // A viewed open range is counted from the start.
      const viewed = countingCuts(pg);
      expect(await env.run(() => digestsMatch(viewed.dialect, my, { table: MANY, targetTable: MANY, columns, key, range: ALL, wholeRow: false, viewed: true }, small))).toEqual({ rows: 3000 });
      expect(viewed.counted()).toBeGreaterThan(0);
    } finally {
      await pgExec(`DROP TABLE IF EXISTS ${SPARSE}`);
      await mysqlExec(`DROP TABLE IF EXISTS ${SPARSE}`);
    }
  });

  it('stops at a piece that differs', async () => {
    const { columns, key } = await columnsOf(MANY);
    await mysqlExec(`UPDATE ${MANY} SET note = 'changed' WHERE id = 2900`);
    try {
      const r = await env.run(() => digestsMatch(pg, my, { table: MANY, targetTable: MANY, columns, key, range: ALL, wholeRow: false }, small));
      expect(r).toBeNull();
      // Without pieces small enough, rows this short would not be digested at all.
      const none = await env.run(() => digestsMatch(pg, my, { table: MANY, targetTable: MANY, columns, key, range: ALL, wholeRow: false }, { ...small, minPieceRows: 1_000_000 }));
      expect(none).toBeNull();
    } finally {
      await mysqlExec(`UPDATE ${MANY} SET note = CONCAT('row ', id) WHERE id = 2900`);
    }
  });
});

describe('digests of declared decimals as printed', () => {
  const env = new MockActivityEnvironment();
  const [TWO, TWIN, THREE] = ['ferry_digest_dec2', 'ferry_digest_dec2_twin', 'ferry_digest_dec3'];
  const rows = `(1, 1.50, 'a'), (2, 0.00, NULL), (3, -2.25, 'c'), (4, 10.00, 'd')`;

  beforeAll(async () => {
    await mysqlExec(
      `DROP TABLE IF EXISTS ${TWO}, ${TWIN}, ${THREE}; ` +
        `CREATE TABLE ${TWO} (id int PRIMARY KEY, amount decimal(8,2) NOT NULL, note text); INSERT INTO ${TWO} VALUES ${rows}; ` +
        `CREATE TABLE ${TWIN} (id int PRIMARY KEY, amount decimal(8,2) NOT NULL, note text); INSERT INTO ${TWIN} VALUES ${rows}; ` +
        `CREATE TABLE ${THREE} (id int PRIMARY KEY, amount decimal(8,3) NOT NULL, note text); INSERT INTO ${THREE} VALUES ${rows}`,
    );
  });
  afterAll(async () => {
    await mysqlExec(`DROP TABLE IF EXISTS ${TWO}, ${TWIN}, ${THREE}`);
  });

  async function digestOf(table: string, asPrinted: boolean) {
    const schema = await my.introspect(table);
    const key = schema.columns.filter((c) => c.name === 'id');
    return my.digestRange({ table, columns: schema.columns, key, range: ALL, wholeRow: true, ...(asPrinted ? { asPrinted } : {}) });
  }

  async function checksumOf(table: string) {
    const schema = await my.introspect(table);
    const key = schema.columns.filter((c) => c.name === 'id');
    return my.checksumRange({ table, columns: schema.columns, key, range: ALL, wholeRow: true });
  }

  it('MySQL hashes declared decimals untrimmed in every digest: equal for equal tables, not the checksum text', async () => {
    const [a, b, across] = await Promise.all([digestOf(TWO, true), digestOf(TWIN, true), digestOf(TWO, false)]);
    expect(a).toMatchObject({ rows: 4 });
    expect(b).toEqual(a);
    // Across engines too (see digestsAsPrinted): a declared scale prints alike on both.
    expect(across).toEqual(a);
  });

  // '1.50' against '1.500' where the checksum text has '1.5' for both: the printed form really is in use.
  it('another declared scale makes the printed digests differ, while the checksums still agree', async () => {
    const [printed2, printed3, sum2, sum3] = await Promise.all([digestOf(TWO, false), digestOf(THREE, false), checksumOf(TWO), checksumOf(THREE)]);
    expect(printed3!.digest).not.toBe(printed2!.digest);
    expect(sum3).toEqual(sum2);
  });

  it('a range compare between the two scales still matches (the checksum settles it), and a changed value does not', async () => {
    const deps = { dialects: new DialectCache() };
    try {
      const schema = await my.introspect(TWO);
      const key = schema.columns.filter((c) => c.name === 'id');
      // Both sides are this one dialect: its digests are what is counted.
      const shared = deps.dialects.get(MYSQL_URL);
      const digestRange = shared.digestRange.bind(shared);
      const printed: boolean[] = [];
      shared.digestRange = (req) => {
        printed.push(req.asPrinted === true);
        return digestRange(req);
      };
      const compare = (targetTable: string) =>
        env.run(() => compareRange(deps, { source: MYSQL_URL, target: MYSQL_URL, table: TWO, targetTable, columns: schema.columns, key, range: ALL }));
      expect(await compare(TWIN)).toMatchObject({ match: true, sourceRows: 4, targetRows: 4 });
      expect(printed).toEqual([true, true]);
      expect(await compare(THREE)).toMatchObject({ match: true, sourceRows: 4, targetRows: 4 });
      await mysqlExec(`UPDATE ${THREE} SET amount = 1.501 WHERE id = 1`);
      expect(await compare(THREE)).toMatchObject({ match: false });
    } finally {
      await deps.dialects.closeAll();
    }
  });
});
