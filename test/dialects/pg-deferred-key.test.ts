import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyRange } from '../../src/core/key-range.js';
import { PostgresDialect } from '../../src/dialects/postgres/postgres-dialect.js';
import { FerryError } from '../../src/errors.js';
import { PG_URL, pgExec } from '../helpers/databases.js';

// A new PostgreSQL target is loaded without its primary key, which is added after the copy.
const d = PostgresDialect.open(PG_URL);
const SRC = 'ferry_dk_src';
const DST = 'ferry_dk_dst';

async function primaryKeyOf(table: string): Promise<string | null> {
  const r = await pgExec(
    `SELECT pg_get_constraintdef(con.oid) AS def FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
     WHERE c.relname = '${table}' AND c.relnamespace = current_schema()::regnamespace AND con.contype = 'p'`,
  );
  return (r.rows[0] as { def: string } | undefined)?.def ?? null;
}

beforeAll(async () => {
  await pgExec(`DROP TABLE IF EXISTS ${SRC}, ${DST}`);
  await pgExec(`CREATE TABLE ${SRC} (a int, b text, v jsonb, PRIMARY KEY (a, b))`);
  await pgExec(`CREATE INDEX ${SRC}_v ON ${SRC} ((v->>'k'))`);
  await pgExec(`INSERT INTO ${SRC} SELECT g % 50, 'k' || g, jsonb_build_object('k', g) FROM generate_series(1, 500) g`);
});

afterAll(async () => {
  await pgExec(`DROP TABLE IF EXISTS ${SRC}, ${DST}`);
  await d.close();
});

describe('deferred primary key (PostgreSQL target)', () => {
  it('creates the table without it, loads fresh ranges without deleting, and adds it once', async () => {
    expect(d.defersPrimaryKey).toBe(true);
    const s = { ...(await d.introspect(SRC)), name: DST };
    await d.createTable(s, { deferPrimaryKey: true });
    expect(await primaryKeyOf(DST)).toBeNull();
    const key = s.columns.filter((c) => s.primaryKey.includes(c.name));
    const all: KeyRange = { lo: null, hi: null };
    const first: KeyRange = { lo: null, hi: ['25', 'k25'] };
    const rest: KeyRange = { lo: ['25', 'k25'], hi: null };
    const read = (range: KeyRange) => d.readRange({ table: SRC, columns: s.columns, key, range });
    const write = async (range: KeyRange, fresh: boolean) => d.writeRange({ table: DST, columns: s.columns, key, range }, await read(range), { fresh });
    expect((await write(first, true)) + (await write(rest, true))).toBe(500);
    // A retry (not fresh) deletes its range first, without a key index to do it through.
    expect(await write(first, false)).toBeGreaterThan(0);
    expect(await d.countRange(DST, key, all)).toBe(500);
    await d.createIndexes(s, { primaryKey: true });
    expect(await primaryKeyOf(DST)).toBe('PRIMARY KEY (a, b)');
    await d.createIndexes(s, { primaryKey: true }); // already there: a no-op, not an error
    expect(await d.checksumRange({ table: DST, columns: s.columns, key, range: all })).toEqual(await d.checksumRange({ table: SRC, columns: s.columns, key, range: all }));
  });

  it('removes identical copies a lost attempt left behind, and refuses rows that share a key but differ', async () => {
    const s = { ...(await d.introspect(SRC)), name: DST };
    await pgExec(`DROP TABLE IF EXISTS ${DST}`);
    await d.createTable(s, { deferPrimaryKey: true });
    await pgExec(`INSERT INTO ${DST} SELECT * FROM ${SRC}`);
    await pgExec(`INSERT INTO ${DST} SELECT * FROM ${SRC} WHERE a < 5`); // a chunk committed twice
    await d.createIndexes(s, { primaryKey: true });
    expect(await primaryKeyOf(DST)).toBe('PRIMARY KEY (a, b)');
    expect(Number((await pgExec(`SELECT count(*) AS n FROM ${DST}`)).rows[0].n)).toBe(500);

    await pgExec(`DROP TABLE IF EXISTS ${DST}`);
    await d.createTable(s, { deferPrimaryKey: true });
    await pgExec(`INSERT INTO ${DST} SELECT * FROM ${SRC}`);
    await pgExec(`INSERT INTO ${DST} SELECT a, b, '{"changed": true}' FROM ${SRC} WHERE a = 7 AND b = 'k7'`);
    const err = await d.createIndexes(s, { primaryKey: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FerryError);
    expect((err as Error).message).toMatch(/ferry_dk_dst.*same primary key.*\(a, b\)=\(7, k7\).*--on-existing truncate/s);
    expect(await primaryKeyOf(DST)).toBeNull();
  });
});
