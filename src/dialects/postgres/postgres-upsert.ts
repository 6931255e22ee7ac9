/**
 * Writes by key on PostgreSQL for repair and sync: rows are COPYed into a temporary table, then one
 * transaction updates the matching target rows and inserts the rest; and deletes by key in batches.
 * No row-by-row statements: the rows arrive through the same COPY path as a migration's chunks.
 */
import type { Readable } from 'node:stream';
import type pg from 'pg';
import type { Column } from '../../core/column-model.js';
import type { KeyTuple } from '../../core/key-range.js';
import { inCopyTransaction } from './postgres-copy.js';
import { quoteIdent, quoteLiteral } from './postgres-sql.js';
import { connectGuarded } from './guarded-client.js';

/** Keys per DELETE statement: a short statement that still saves most round trips. */
const DELETE_BATCH = 500;
const STAGE = 'ferry_upsert_stage';

/** The statements of an upsert from the stage table into `tableSql` (key equality on the plain columns, so indexes serve it). */
export function upsertSql(tableSql: string, columns: Column[], key: Column[]): { update: string | null; insert: string } {
  const names = columns.map((c) => quoteIdent(c.name));
  const keyNames = new Set(key.map((k) => k.name));
  const match = key.map((k) => `t.${quoteIdent(k.name)} = s.${quoteIdent(k.name)}`).join(' AND ');
  const sets = columns.filter((c) => !keyNames.has(c.name)).map((c) => `${quoteIdent(c.name)} = s.${quoteIdent(c.name)}`);
  return {
    update: sets.length > 0 ? `UPDATE ${tableSql} AS t SET ${sets.join(', ')} FROM pg_temp.${STAGE} AS s WHERE ${match}` : null,
    // OVERRIDING SYSTEM VALUE: the source's values win, also in GENERATED ALWAYS identity columns.
    insert:
      `INSERT INTO ${tableSql} (${names.join(', ')}) OVERRIDING SYSTEM VALUE SELECT ${names.map((n) => `s.${n}`).join(', ')} ` +
      `FROM pg_temp.${STAGE} AS s WHERE NOT EXISTS (SELECT 1 FROM ${tableSql} AS t WHERE ${match})`,
  };
}

/**
 * In one transaction: stage `data` (transfer text) with COPY into a temporary table shaped like the
 * target, update matching rows, insert the others, commit (the stage is dropped on commit). Returns
 * the rows staged.
 */
export function upsertWithCopy(pool: pg.Pool, tableSql: string, columns: Column[], key: Column[], data: Readable): Promise<number> {
  return inCopyTransaction(pool, data, async (client, copyIn) => {
    await client.query(`CREATE TEMP TABLE ${STAGE} (LIKE ${tableSql}) ON COMMIT DROP`);
    const staged = await copyIn(`COPY pg_temp.${STAGE} (${columns.map((c) => quoteIdent(c.name)).join(', ')}) FROM STDIN`);
    const { update, insert } = upsertSql(tableSql, columns, key);
    if (update) await client.query(update);
    await client.query(insert);
    return staged;
  });
}

/** `DELETE … WHERE key IN (…)` statements for `keys`, in batches. */
export function deleteKeysSql(tableSql: string, key: Column[], keys: KeyTuple[]): string[] {
  const lhs = key.length === 1 ? quoteIdent(key[0]!.name) : `(${key.map((k) => quoteIdent(k.name)).join(', ')})`;
  const tuple = (t: KeyTuple) => (t.length === 1 ? quoteLiteral(t[0]!) : `(${t.map(quoteLiteral).join(', ')})`);
  const out: string[] = [];
  for (let i = 0; i < keys.length; i += DELETE_BATCH) {
    out.push(`DELETE FROM ${tableSql} WHERE ${lhs} IN (${keys.slice(i, i + DELETE_BATCH).map(tuple).join(', ')})`);
  }
  return out;
}

/** Deletes the rows with `keys` in one transaction; returns how many were deleted. */
export async function deleteKeysPg(pool: pg.Pool, tableSql: string, key: Column[], keys: KeyTuple[]): Promise<number> {
  if (keys.length === 0) return 0;
  const guarded = await connectGuarded(pool);
  const { client } = guarded;
  try {
    await client.query('BEGIN');
    let n = 0;
    for (const sql of deleteKeysSql(tableSql, key, keys)) n += (await client.query(sql)).rowCount ?? 0;
    await client.query('COMMIT');
    return n;
  } catch (e) {
    try {
      await client.query('ROLLBACK');
    } catch (rollbackError) {
      guarded.markBroken(rollbackError as Error);
    }
    throw e;
  } finally {
    guarded.release();
  }
}
