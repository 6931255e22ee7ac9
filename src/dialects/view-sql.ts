/**
 * The derived table a {@link SourceView} reads through: `(SELECT col AS name, (expr) AS name … FROM
 * table WHERE (filter)) AS ferry_view`. Every source read of a reshaped table (ranges, chunk ends,
 * checksums, changes) selects from it, so renames, computed columns and the row filter apply alike
 * to copy, verify, diff and sync, and both engines inline it into the outer query (key-range
 * predicates still use the table's key index).
 */
import type { SourceView } from '../core/table-mapping.js';

/** SQL for the derived table of `view` over `tableSql`, quoting names with `quote`. */
export function viewFromSql(tableSql: string, view: SourceView, quote: (name: string) => string): string {
  const cols = view.columns.map((c) => (c.sql !== undefined ? `(${c.sql})` : quote(c.from ?? c.name)) + ` AS ${quote(c.name)}`);
  const where = view.where !== undefined ? ` WHERE (${view.where})` : '';
  return `(SELECT ${cols.join(', ')} FROM ${tableSql}${where}) AS ${quote('ferry_view')}`;
}

/** The source column a view column reads, or undefined for a computed one. */
export function viewSourceColumn(view: SourceView | undefined, name: string): string | undefined {
  if (!view) return name;
  const c = view.columns.find((v) => v.name === name);
  if (!c || c.sql !== undefined) return undefined;
  return c.from ?? c.name;
}
