/**
 * SQL for incremental sync on PostgreSQL: the change window `after < watermark <= upTo`, walked in
 * (watermark, key) order, and the high-water mark of a column.
 */
import type { Column } from '../../core/column-model.js';
import type { ChangeRequest } from '../dialect.js';
import { keyOrderBy, keySelect, quoteIdent, rangePredicate, transferExpr, type KeyColumnSql } from './postgres-sql.js';

/**
 * WHERE clause of a change window. `ks` is (watermark, ...key) as {@link KeyColumnSql}; the window's
 * bounds and the cursor range use the same literal rules as key ranges.
 */
export function changePredicate(ks: KeyColumnSql[], req: ChangeRequest): string {
  const window = rangePredicate(ks.slice(0, 1), { lo: req.after === null ? null : [req.after], hi: [req.upTo] });
  return `${window} AND ${rangePredicate(ks, req.range)}`;
}

/** The key (in travelling form) of the `rows`-th row of the window, as a query. */
export function changeChunkEndSql(tableSql: string, ks: KeyColumnSql[], req: ChangeRequest, rows: number): string {
  return (
    `SELECT ${keySelect(ks)} FROM ${tableSql} WHERE ${changePredicate(ks, req)} ` +
    `ORDER BY ${keyOrderBy(ks)} LIMIT 1 OFFSET ${Math.max(0, Math.floor(rows) - 1)}`
  );
}

/** COPY statement streaming the window's rows as transfer text. */
export function readChangesSql(tableSql: string, ks: KeyColumnSql[], req: ChangeRequest): string {
  return (
    `COPY (SELECT ${req.columns.map(transferExpr).join(', ')} FROM ${tableSql} ` +
    `WHERE ${changePredicate(ks, req)} ORDER BY ${keyOrderBy(ks)}) TO STDOUT`
  );
}

/** The largest non-null value of a column, in travelling form (an index on the column serves it). */
export function maxValueSql(tableSql: string, k: KeyColumnSql): string {
  const q = quoteIdent(k.column.name);
  return `SELECT ${keySelect([k])} FROM ${tableSql} WHERE ${q} IS NOT NULL ORDER BY ${q} DESC LIMIT 1`;
}

/** The columns a change window is ordered by. */
export function changeColumns(req: { watermark: Column; key: Column[] }): Column[] {
  return [req.watermark, ...req.key];
}
