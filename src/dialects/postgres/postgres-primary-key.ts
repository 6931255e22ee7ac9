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

/** What {@link releasePrimaryKey} did with an emptied table's key. */
export type KeyRelease = 'dropped' | 'none' | 'kept';

/** PostgreSQL's identifier limit (NAMEDATALEN − 1 bytes): a longer default name would be cut. */
const MAX_IDENTIFIER_BYTES = 63;
/** A DROP CONSTRAINT refused because other objects depend on the key (a view grouping by it, say). */
const DEPENDENT_OBJECTS = '2BP01';

/**
 * Drops the primary key of an empty table about to be loaded, so the load writes no index and the
 * key is built once, sorted, afterwards (as for a table ferry creates without it). Only a key that
 * `ADD PRIMARY KEY (key)` recreates exactly is dropped: same columns in the same order, PostgreSQL's
 * default name, no foreign key of any table pointing at it, not the table's replica identity, an
 * ordinary table. Otherwise the table keeps its key (`kept`) and loads with it. `none`: the table
 * has no key although it holds every key column, as a load that was cancelled before its key was
 * added leaves it; the key is added after this load too.
 */
export async function releasePrimaryKey(pool: pg.Pool, schema: string, table: string, tableSql: string, key: string[]): Promise<KeyRelease> {
  if (key.length === 0) return 'kept';
  const r = await pool.query<{ relkind: string; replident: string; conname: string | null; cols: string[] | null; referenced: boolean; has_cols: boolean }>(
    `SELECT c.relkind::text AS relkind, c.relreplident::text AS replident, con.conname,
            (SELECT array_agg(a.attname::text ORDER BY k.ord) FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
               JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum) AS cols,
            EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.confrelid = c.oid) AS referenced,
            (SELECT count(*) FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attname = ANY($3::text[])) = cardinality($3::text[]) AS has_cols
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_constraint con ON con.conrelid = c.oid AND con.contype = 'p'
      WHERE n.nspname = $1 AND c.relname = $2`,
    [schema, table, key],
  );
  const t = r.rows[0];
  if (!t || t.relkind !== 'r') return 'kept';
  if (t.conname === null) return t.has_cols ? 'none' : 'kept';
  const defaultName = `${table}_pkey`;
  const same = t.cols !== null && t.cols.length === key.length && t.cols.every((c, i) => c === key[i]);
  if (!same || t.conname !== defaultName || Buffer.byteLength(defaultName) > MAX_IDENTIFIER_BYTES || t.referenced || t.replident === 'i') return 'kept';
  try {
    await pool.query(`ALTER TABLE ${tableSql} DROP CONSTRAINT ${quoteIdent(t.conname)}`);
    return 'dropped';
  } catch (e) {
    if ((e as { code?: string }).code === DEPENDENT_OBJECTS) return 'kept';
    throw e;
  }
}
