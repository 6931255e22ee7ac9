/**
 * Lossy values a PostgreSQL source can hold that other engines cannot (see LossyKind): NaN/±Infinity
 * in floats and numeric, dates and timestamps outside years 0001–9999. The conditions find them and
 * the mapped column reference rewrites them in SQL, so transfer text and checksums agree on the
 * mapped values and verification compares what was written.
 */
import { mapsLossy, type Column, type LossyKind } from '../../core/column-model.js';
import type { KeyRange } from '../../core/key-range.js';
import { keyOrderBy, keySelect, quoteIdent, rangePredicate, type KeyColumnSql } from './postgres-sql.js';

/** The lossy kinds a PostgreSQL column of this neutral type can hold. */
export function pgProduces(column: Column): LossyKind[] {
  const k = column.type.kind;
  if (k === 'float' || k === 'decimal') return ['nan'];
  if (k === 'date' || k === 'timestamp') return ['range'];
  return [];
}

function bounds(column: Column): { lo: string; hi: string; cast: string } {
  const t = column.type;
  if (t.kind === 'date') return { lo: "'0001-01-01'::date", hi: "'9999-12-31'::date", cast: 'date' };
  const cast = t.kind === 'timestamp' && t.tz ? 'timestamptz' : 'timestamp';
  const zone = cast === 'timestamptz' ? '+00' : '';
  return { lo: `'0001-01-01 00:00:00${zone}'::${cast}`, hi: `'9999-12-31 23:59:59${zone}'::${cast}`, cast };
}

/** SQL condition true for rows whose column holds a lossy value of its rule, or null when none can. */
export function pgLossyCondition(column: Column): string | null {
  const q = quoteIdent(column.name);
  const kinds = column.lossy?.kinds ?? [];
  if (kinds.includes('nan') && column.type.kind === 'float') return `${q} IN ('NaN', 'Infinity', '-Infinity')`;
  // numeric has NaN and (since PostgreSQL 14) ±Infinity; comparing the text form works on every version.
  if (kinds.includes('nan') && column.type.kind === 'decimal') return `${q}::text IN ('NaN', 'Infinity', '-Infinity')`;
  if (kinds.includes('range') && (column.type.kind === 'date' || column.type.kind === 'timestamp')) {
    const b = bounds(column);
    // Past the last microsecond of 9999 (not > hi, which would catch 23:59:59.5).
    const over = column.type.kind === 'date' ? `${q} > ${b.hi}` : `${q} >= ${b.hi} + interval '1 second'`;
    return `(NOT isfinite(${q}) OR ${q} < ${b.lo} OR ${over})`;
  }
  return null;
}

/** The column as read for transfer and checksums: its lossy values mapped when the rule says null/replace. */
export function pgLossyRef(column: Column): string {
  const q = quoteIdent(column.name);
  const cond = mapsLossy(column) ? pgLossyCondition(column) : null;
  if (cond === null) return q;
  const t = column.type;
  if (column.lossy?.policy === 'replace' && (t.kind === 'date' || t.kind === 'timestamp')) {
    const b = bounds(column);
    return `(CASE WHEN ${cond} THEN (CASE WHEN ${q} < ${b.lo} THEN ${b.lo} ELSE ${b.hi} END) ELSE ${q} END)`;
  }
  return `(CASE WHEN ${cond} THEN NULL ELSE ${q} END)`;
}

/** `SELECT` counting, per column with a lossy condition, the rows of a range holding such values; null when no column has one. */
export function pgCountLossySql(tableSql: string, columns: Column[], key: KeyColumnSql[], range: KeyRange): { sql: string; names: string[] } | null {
  const conds = lossyConditions(columns);
  if (conds.length === 0) return null;
  const counts = conds.map(([, cond], i) => `count(*) FILTER (WHERE ${cond})::text AS "c${i}"`).join(', ');
  return { sql: `SELECT ${counts} FROM ${tableSql} WHERE ${rangePredicate(key, range)}`, names: conds.map(([n]) => n) };
}

/** `SELECT` of the first row (key order) of a range holding a lossy value: column index, then key; null when no column can hold one. */
export function pgFirstLossySql(tableSql: string, columns: Column[], key: KeyColumnSql[], range: KeyRange): { sql: string; names: string[] } | null {
  const conds = lossyConditions(columns);
  if (conds.length === 0) return null;
  const which = `CASE ${conds.map(([, cond], i) => `WHEN ${cond} THEN ${i}`).join(' ')} END AS "ferry_col"`;
  return {
    sql:
      `SELECT ${which}, ${keySelect(key)} FROM ${tableSql} WHERE ${rangePredicate(key, range)} ` +
      `AND (${conds.map(([, c]) => c).join(' OR ')}) ORDER BY ${keyOrderBy(key)} LIMIT 1`,
    names: conds.map(([n]) => n),
  };
}

function lossyConditions(columns: Column[]): [string, string][] {
  return columns.flatMap((c) => {
    const cond = c.lossy ? pgLossyCondition(c) : null;
    return cond === null ? [] : [[c.name, cond] as [string, string]];
  });
}
