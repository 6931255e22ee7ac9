/**
 * `prepareTargets` gets every target table of a job ready in one activity. A retry of it must not
 * forget that its earlier attempt created a table without the key: the key is then never added.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { prepareTargets, type PrepareTargetsInput } from '../../src/activities/schema.js';
import type { PrepareTableResult } from '../../src/activities/schema.js';
import type { TableSchema } from '../../src/core/column-model.js';
import { DialectCache } from '../../src/dialects/index.js';
import { MYSQL_URL, PG_URL, mysqlExec, pgExec } from '../helpers/databases.js';

const SRC = 'ferry_pt_src';
const A = 'ferry_pt_a';
const B = 'ferry_pt_b';
const dialects = new DialectCache();
let source: TableSchema;

/** Drops whatever a case left under the names used here. */
async function clean(): Promise<void> {
  for (const t of [A, B]) {
    const kind = (await pgExec(`SELECT relkind FROM pg_class WHERE relname = $1 AND relnamespace = current_schema()::regnamespace`, [t])).rows[0] as { relkind: string } | undefined;
    if (kind) await pgExec(`DROP ${kind.relkind === 'v' ? 'VIEW' : 'TABLE'} ${t}`);
  }
}

beforeAll(async () => {
  await clean();
  await pgExec(`DROP TABLE IF EXISTS ${SRC}`);
  await pgExec(`CREATE TABLE ${SRC} (id int PRIMARY KEY, v text)`);
  source = await dialects.get(PG_URL).introspect(SRC);
});

afterEach(clean);

afterAll(async () => {
  await pgExec(`DROP TABLE IF EXISTS ${SRC}`);
  await mysqlExec(`DROP TABLE IF EXISTS ferry_pt_keyed, ferry_pt_keyless`);
  await dialects.closeAll();
});

async function primaryKeyOf(table: string): Promise<string | null> {
  const r = await pgExec(
    `SELECT pg_get_constraintdef(con.oid) AS def FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
     WHERE c.relname = $1 AND c.relnamespace = current_schema()::regnamespace AND con.contype = 'p'`,
    [table],
  );
  return (r.rows[0] as { def: string } | undefined)?.def ?? null;
}

function prepare(attempt: number, input: Partial<PrepareTargetsInput> = {}): Promise<PrepareTableResult[]> {
  const env = new MockActivityEnvironment({ attempt });
  const full: PrepareTargetsInput = {
    target: PG_URL,
    tables: [A, B],
    schemas: [
      { ...source, name: A },
      { ...source, name: B },
    ],
    onExisting: 'truncate',
    deferPrimaryKey: true,
    ...input,
  };
  return env.run(() => prepareTargets({ dialects }, full)) as Promise<PrepareTableResult[]>;
}

describe('prepareTargets (PostgreSQL target)', () => {
  it('a retry after a later table failed still reports the key of the table it created as deferred', async () => {
    // B names a type that does not exist: the first attempt creates A, then fails on B.
    const broken = { ...source, name: B, typeOverrides: { v: 'ferry_no_such_type' } };
    const err = await prepare(1, { schemas: [{ ...source, name: A }, broken] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/ferry_no_such_type/);
    expect(await primaryKeyOf(A)).toBeNull();

    expect(await prepare(2)).toEqual([{ keyDeferred: true }, { keyDeferred: true }]);
    expect(await primaryKeyOf(A)).toBeNull();
    expect(await primaryKeyOf(B)).toBeNull();
  });

  it("a first attempt leaves someone else's empty table without a key as it is", async () => {
    await pgExec(`CREATE TABLE ${A} (id int, v text)`);
    expect(await prepare(1, { onExisting: 'append' })).toEqual([{ keyDeferred: false }, { keyDeferred: true }]);
  });

  it('a retry finding the key in place defers nothing', async () => {
    await pgExec(`CREATE TABLE ${A} (id int PRIMARY KEY, v text)`);
    expect(await prepare(2, { onExisting: 'append' })).toEqual([{ keyDeferred: false }, { keyDeferred: true }]);
  });

  it('truncate empties an existing table and drops its key for the load; adding it back restores it', async () => {
    await pgExec(`CREATE TABLE ${A} (id int PRIMARY KEY, v text); INSERT INTO ${A} VALUES (1, 'x'), (2, 'y')`);
    expect(await prepare(1)).toEqual([{ keyDeferred: true }, { keyDeferred: true }]);
    expect(Number((await pgExec(`SELECT count(*) AS n FROM ${A}`)).rows[0].n)).toBe(0);
    expect(await primaryKeyOf(A)).toBeNull();
    await dialects.get(PG_URL).createIndexes({ ...source, name: A, indexes: [] }, { primaryKey: true });
    expect(await primaryKeyOf(A)).toBe('PRIMARY KEY (id)');
    const name = (await pgExec(`SELECT conname FROM pg_constraint WHERE conrelid = '${A}'::regclass AND contype = 'p'`)).rows[0] as { conname: string };
    expect(name.conname).toBe(`${A}_pkey`);
  });

  it('truncate gives the key back to a table a cancelled run left without it', async () => {
    await pgExec(`CREATE TABLE ${A} (id int, v text); INSERT INTO ${A} VALUES (1, 'x')`);
    expect(await prepare(1)).toEqual([{ keyDeferred: true }, { keyDeferred: true }]);
  });

  it('truncate keeps a key it could not recreate exactly: another name, other columns, referenced, or depended on', async () => {
    const keeps = async (ddl: string, after = '') => {
      await clean();
      await pgExec(`DROP TABLE IF EXISTS ferry_pt_child`);
      await pgExec(ddl);
      expect(await prepare(1, { tables: [A], schemas: [{ ...source, name: A }] })).toEqual([{ keyDeferred: false }]);
      expect(await primaryKeyOf(A)).not.toBeNull();
      if (after) await pgExec(after);
    };
    await keeps(`CREATE TABLE ${A} (id int, v text, CONSTRAINT ${A}_custom_pk PRIMARY KEY (id))`);
    await keeps(`CREATE TABLE ${A} (id int, v text, PRIMARY KEY (id, v))`);
    // Referenced from outside the job: an empty table (PostgreSQL would not truncate one with rows).
    await keeps(`CREATE TABLE ${A} (id int PRIMARY KEY, v text); CREATE TABLE ferry_pt_child (a int REFERENCES ${A} (id))`, 'DROP TABLE ferry_pt_child');
    await keeps(`CREATE TABLE ${A} (id int PRIMARY KEY, v text); CREATE VIEW ferry_pt_child AS SELECT id, v FROM ${A} GROUP BY id`, 'DROP VIEW ferry_pt_child');
    await keeps(`CREATE TABLE ${A} (id int PRIMARY KEY, v text); ALTER TABLE ${A} REPLICA IDENTITY USING INDEX ${A}_pkey`);
  });

  it('refuses a target table that holds rows with onExisting fail, naming it and leaving its rows', async () => {
    await pgExec(`CREATE TABLE ${A} (id int PRIMARY KEY, v text); INSERT INTO ${A} VALUES (1, 'x')`);
    const err = await prepare(1, { onExisting: 'fail' }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(new RegExp(`${A}.*holds rows.*--on-existing truncate`));
    expect(Number((await pgExec(`SELECT count(*) AS n FROM ${A}`)).rows[0].n)).toBe(1);
  });
});

describe('hasPrimaryKey', () => {
  it('tells tables with a key from those without, on both engines', async () => {
    const pg = dialects.get(PG_URL);
    await pgExec(`DROP TABLE IF EXISTS ${B}; CREATE TABLE ${B} (id int)`);
    expect(await pg.hasPrimaryKey(SRC)).toBe(true);
    expect(await pg.hasPrimaryKey(B)).toBe(false);
    const my = dialects.get(MYSQL_URL);
    await mysqlExec(`DROP TABLE IF EXISTS ferry_pt_keyed, ferry_pt_keyless; CREATE TABLE ferry_pt_keyed (id int PRIMARY KEY); CREATE TABLE ferry_pt_keyless (id int)`);
    expect(await my.hasPrimaryKey('ferry_pt_keyed')).toBe(true);
    expect(await my.hasPrimaryKey('ferry_pt_keyless')).toBe(false);
  });
});
