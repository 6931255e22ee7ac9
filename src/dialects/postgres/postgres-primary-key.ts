/**
 * Adding a deferred primary key after the load (see `Dialect.defersPrimaryKey`): one sorted index
 * build instead of a B-tree maintained row by row, which is what `pg_dump | psql` does too.
 */
import type pg from 'pg';
import { FerryError } from '../../errors.js';
import { quoteIdent } from './postgres-sql.js';

const UNIQUE_VIOLATION = '23505';

/** True when `table` (in `schema`) has a primary key constraint. */
export async function hasPrimaryKey(pool: pg.Pool, schema: string, table: string): Promise<boolean> {
  const r = await pool.query<{ found: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1 AND c.relname = $2 AND con.contype = 'p') AS found`,
    [schema, table],
  );
  return r.rows[0]?.found === true;
}

/**
 * Adds the primary key on `key` unless the table has one. Rows loaded without the key could only
 * repeat if an attempt thought lost (a worker cut off from Temporal) still committed after its retry
 * had begun: those copies are identical, so all but one are removed and the key added again. Rows
 * that share a key but differ fail the load, naming the key.
 */
export async function addPrimaryKey(pool: pg.Pool, schema: string, table: string, tableSql: string, key: string[]): Promise<void> {
  if (await hasPrimaryKey(pool, schema, table)) return;
  const cols = key.map(quoteIdent);
  const add = `ALTER TABLE ${tableSql} ADD PRIMARY KEY (${cols.join(', ')})`;
  try {
    await pool.query(add);
    return;
  } catch (e) {
    if ((e as { code?: string }).code !== UNIQUE_VIOLATION) throw e;
  }
  // ROW(alias.*) and not the bare alias: a column could share the alias's name.
  const same = cols.map((c) => `ferry_dup.${c} = ferry_kept.${c}`).join(' AND ');
  await pool.query(
    `DELETE FROM ${tableSql} ferry_dup USING ${tableSql} ferry_kept WHERE ${same} AND ferry_dup.ctid > ferry_kept.ctid ` +
      `AND ROW(ferry_dup.*)::text = ROW(ferry_kept.*)::text`,
  );
  try {
    await pool.query(add);
  } catch (e) {
    if ((e as { code?: string }).code !== UNIQUE_VIOLATION) throw e;
    const detail = (e as { detail?: string }).detail ?? '';
    throw new FerryError(
      `table "${table}" holds different rows with the same primary key after the load (${detail}); ` +
        `the source changed while a chunk was copied twice: run the migration again with --on-existing truncate`,
      { cause: e },
    );
  }
}
