/**
 * Lossy values a MySQL/MariaDB source can hold that PostgreSQL cannot (see LossyKind): U+0000 in text,
 * dates with a zero year, month or day. The conditions find them and the mapped column reference
 * rewrites them in SQL, so transfer text and checksums agree on the mapped values and verification
 * compares what was written.
 */
import { mapsLossy, type Column, type LossyKind } from '../../core/column-model.js';
import { quoteId } from './mysql-sql.js';

// Compared as utf8mb4 bytes so latin1 and utf8mb3 columns need no collation of their own.
const NUL = 'CHAR(0 USING utf8mb4) COLLATE utf8mb4_bin';
const asUtf8 = (c: string) => `CONVERT(${c} USING utf8mb4) COLLATE utf8mb4_bin`;

/** The lossy kinds a MySQL column of this neutral type can hold. */
export function myProduces(column: Column): LossyKind[] {
  const k = column.type.kind;
  if (k === 'text') return ['nul'];
  if (k === 'date' || k === 'timestamp') return ['zero-date'];
  return [];
}

/** SQL condition true for rows whose column holds a lossy value of its rule, or null when none can. */
export function myLossyCondition(column: Column): string | null {
  const c = quoteId(column.name);
  const kinds = column.lossy?.kinds ?? [];
  const k = column.type.kind;
  if (kinds.includes('nul') && k === 'text') return `(LOCATE(${NUL}, ${asUtf8(c)}) > 0)`;
  if (kinds.includes('zero-date') && (k === 'date' || k === 'timestamp')) return `(YEAR(${c}) = 0 OR MONTH(${c}) = 0 OR DAYOFMONTH(${c}) = 0)`;
  return null;
}

/** The column as read for transfer and checksums: its lossy values mapped when the rule says null/replace. */
export function myLossyRef(column: Column): string {
  const c = quoteId(column.name);
  const cond = mapsLossy(column) ? myLossyCondition(column) : null;
  if (cond === null) return c;
  const replace = column.lossy?.policy === 'replace';
  switch (column.type.kind) {
    case 'text':
      return replace ? `REPLACE(${asUtf8(c)}, ${NUL}, '')` : `IF(${cond}, NULL, ${c})`;
    case 'date':
      return `IF(${cond}, ${replace ? "CAST('0001-01-01' AS DATE)" : 'NULL'}, ${c})`;
    default:
      return `IF(${cond}, ${replace ? "CAST('0001-01-01 00:00:00' AS DATETIME(6))" : 'NULL'}, ${c})`;
  }
}

/** SELECT list counting, per column with a lossy condition, the rows holding such values; null when no column has one. */
export function myCountLossySelect(columns: Column[]): { select: string; names: string[] } | null {
  const conds = lossyConditions(columns);
  if (conds.length === 0) return null;
  return { select: conds.map(([, cond]) => `CAST(COALESCE(SUM(${cond}), 0) AS CHAR)`).join(', '), names: conds.map(([n]) => n) };
}

/** The column-index expression and the OR of all conditions, for finding the first lossy row; null when none. */
export function myFirstLossyParts(columns: Column[]): { which: string; any: string; names: string[] } | null {
  const conds = lossyConditions(columns);
  if (conds.length === 0) return null;
  return {
    which: `CAST(CASE ${conds.map(([, cond], i) => `WHEN ${cond} THEN ${i}`).join(' ')} END AS CHAR)`,
    any: `(${conds.map(([, c]) => c).join(' OR ')})`,
    names: conds.map(([n]) => n),
  };
}

function lossyConditions(columns: Column[]): [string, string][] {
  return columns.flatMap((c) => {
    const cond = c.lossy ? myLossyCondition(c) : null;
    return cond === null ? [] : [[c.name, cond] as [string, string]];
  });
}
