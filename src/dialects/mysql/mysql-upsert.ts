/**
 * Writes by key on MySQL/MariaDB for repair and sync: rows are loaded with LOAD DATA LOCAL INFILE
 * into a TEMPORARY table shaped like the target, then one transaction updates the matching target
 * rows and inserts the rest; deletes by key go in batches. No row-by-row statements.
 */
import type { Pool, PoolConnection, ResultSetHeader } from 'mysql2/promise';
import type { Column } from '../../core/column-model.js';
import type { KeyTuple } from '../../core/key-range.js';
import { loadStream, rollbackAndRelease, type LoadInput } from './mysql-load.js';
import { keyExpr, keyLiteral, quoteId, type NativeColumns } from './mysql-sql.js';

/** Keys per DELETE statement. */
const DELETE_BATCH = 500;

/** UPDATE … JOIN and INSERT … SELECT … LEFT JOIN from the stage table into `table`. */
export function upsertSql(table: string, stage: string, columns: Column[], key: Column[]): { update: string | null; insert: string } {
  const t = quoteId(table);
  const s = quoteId(stage);
  const keyNames = new Set(key.map((k) => k.name));
  const on = key.map((k) => `t.${quoteId(k.name)} = s.${quoteId(k.name)}`).join(' AND ');
  const sets = columns.filter((c) => !keyNames.has(c.name)).map((c) => `t.${quoteId(c.name)} = s.${quoteId(c.name)}`);
  const names = columns.map((c) => quoteId(c.name));
  return {
    update: sets.length > 0 ? `UPDATE ${t} AS t JOIN ${s} AS s ON ${on} SET ${sets.join(', ')}` : null,
    insert:
      `INSERT INTO ${t} (${names.join(', ')}) SELECT ${names.map((n) => `s.${n}`).join(', ')} FROM ${s} AS s ` +
      `LEFT JOIN ${t} AS t ON ${on} WHERE t.${quoteId(key[0]!.name)} IS NULL`,
  };
}

/**
 * Stages `input` in a TEMPORARY table (session-private, so concurrent upserts never see each other's
 * rows), then updates and inserts in one READ COMMITTED transaction. Releases `conn`, or destroys it
 * when its state is unknown. Returns the rows staged.
 */
export async function upsertLoaded(
  conn: PoolConnection,
  table: string,
  columns: Column[],
  key: Column[],
  natives: NativeColumns,
  input: LoadInput,
): Promise<number> {
  const stage = `ferry_upsert_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  try {
    await conn.query(`CREATE TEMPORARY TABLE ${quoteId(stage)} LIKE ${quoteId(table)}`);
    const loaded = await loadStream(conn, stage, columns, natives, input, `loading rows for table "${table}"`);
    const { update, insert } = upsertSql(table, stage, columns, key);
    await conn.query('SET TRANSACTION ISOLATION LEVEL READ COMMITTED');
    await conn.query('BEGIN');
    if (update) await conn.query(update);
    await conn.query(insert);
    await conn.query('COMMIT');
    await conn.query(`DROP TEMPORARY TABLE IF EXISTS ${quoteId(stage)}`);
    conn.release();
    return loaded.affectedRows;
  } catch (err) {
    input.abort();
    await rollbackAndRelease(conn, `DROP TEMPORARY TABLE IF EXISTS ${quoteId(stage)}`);
    throw err;
  }
}

/**
 * `DELETE … WHERE key IN (…)` statements. A text key whose collation is not byte-wise is matched on
 * the column (so its index serves the lookup) and again byte-wise (so 'a' never deletes 'A').
 */
export function deleteKeysSql(table: string, key: Column[], keys: KeyTuple[], natives: NativeColumns, binCollation: string): string[] {
  const plain = key.map((k) => quoteId(k.name));
  const exact = key.map((k) => keyExpr(k, natives.get(k.name), binCollation));
  const tupleOf = (xs: string[]) => (xs.length === 1 ? xs[0]! : `(${xs.join(', ')})`);
  const lits = (t: KeyTuple) => tupleOf(key.map((k, i) => keyLiteral(k, t[i] ?? '')));
  const out: string[] = [];
  for (let i = 0; i < keys.length; i += DELETE_BATCH) {
    const list = keys.slice(i, i + DELETE_BATCH).map(lits).join(', ');
    let where = `${tupleOf(plain)} IN (${list})`;
    if (exact.some((e, j) => e !== plain[j])) where += ` AND ${tupleOf(exact)} IN (${list})`;
    out.push(`DELETE FROM ${quoteId(table)} WHERE ${where}`);
  }
  return out;
}

/** Deletes the rows with `keys` in one transaction; returns how many were deleted. */
export async function deleteKeysMysql(pool: Pool, statements: string[]): Promise<number> {
  if (statements.length === 0) return 0;
  const conn = await pool.getConnection();
  try {
    await conn.query('BEGIN');
    let n = 0;
    for (const sql of statements) n += (await conn.query<ResultSetHeader>(sql))[0].affectedRows;
    await conn.query('COMMIT');
    conn.release();
    return n;
  } catch (err) {
    await rollbackAndRelease(conn);
    throw err;
  }
}
