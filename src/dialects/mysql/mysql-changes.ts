/**
 * SQL for incremental sync on MySQL/MariaDB: the change window `after < watermark <= upTo`, walked in
 * (watermark, key) order, and the high-water mark of a column. Pure string building.
 */
import type { Column } from '../../core/column-model.js';
import type { ChangeRequest } from '../dialect.js';
import { keyOrder, keySelect, quoteId, rangeCondition, valueExpr, type NativeColumns } from './mysql-sql.js';

/** The columns a change window is ordered by. */
export function changeColumns(req: { watermark: Column; key: Column[] }): Column[] {
  return [req.watermark, ...req.key];
}

/** WHERE clause of a change window; bounds and cursor use the same literal rules as key ranges. */
export function changeCondition(req: ChangeRequest, natives: NativeColumns, binCollation: string): string {
  const window = rangeCondition([req.watermark], natives, { lo: req.after === null ? null : [req.after], hi: [req.upTo] }, binCollation);
  return `${window} AND ${rangeCondition(changeColumns(req), natives, req.range, binCollation)}`;
}

/** The (watermark, key) tuple of the `rows`-th row of the window. */
export function changeChunkEndSql(req: ChangeRequest, from: string, natives: NativeColumns, binCollation: string, rows: number): string {
  const cols = changeColumns(req);
  return (
    `SELECT ${keySelect(cols, natives)} FROM ${from} WHERE ${changeCondition(req, natives, binCollation)} ` +
    `ORDER BY ${keyOrder(cols, natives, binCollation)} LIMIT 1 OFFSET ${Math.max(0, Math.floor(rows) - 1)}`
  );
}

/** SELECT streaming the window's rows as transfer values, in (watermark, key) order. */
export function readChangesSql(req: ChangeRequest, from: string, natives: NativeColumns, binCollation: string): string {
  const select = req.columns.map((c) => valueExpr(c, natives.get(c.name), 'transfer')).join(', ');
  return (
    `SELECT ${select} FROM ${from} WHERE ${changeCondition(req, natives, binCollation)} ` +
    `ORDER BY ${keyOrder(changeColumns(req), natives, binCollation)}`
  );
}

/** The largest non-null value of a column in travelling form (an index on the column serves it). */
export function maxValueSql(from: string, column: Column, natives: NativeColumns): string {
  const q = quoteId(column.name);
  return `SELECT ${keySelect([column], natives)} FROM ${from} WHERE ${q} IS NOT NULL ORDER BY ${q} DESC LIMIT 1`;
}
