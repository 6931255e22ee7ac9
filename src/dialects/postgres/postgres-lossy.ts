/**
 * Lossy values a PostgreSQL source can hold that other engines cannot (see LossyKind): NaN/±Infinity
 * in floats and numeric, dates and timestamps outside years 0001–9999, and values past the target
 * column's limit (numeric digits, text or bytea length). The conditions find them and
 * the mapped column reference rewrites them in SQL, so transfer text and checksums agree on the
 * mapped values and verification compares what was written.
 */
import { mapsLossy, type Column, type LossyKind } from '../../core/column-model.js';
import type { KeyRange } from '../../core/key-range.js';
import { keyOrderBy, keySelect, quoteIdent, rangePredicate, type KeyColumnSql } from './postgres-sql.js';

/** The lossy kinds a PostgreSQL column of this neutral type can hold. */
export function pgProduces(column: Column): LossyKind[] {
  const k = column.type.kind;
  if (k === 'float') return ['nan'];
  if (k === 'decimal') return ['nan', 'overflow'];
  if (k === 'date' || k === 'timestamp') return ['range'];
  if (k === 'text' || k === 'binary') return ['overflow'];
  return [];
}

function bounds(column: Column): { lo: string; hi: string; cast: string } {
  const t = column.type;
  if (t.kind === 'date') return { lo: "'0001-01-01'::date", hi: "'9999-12-31'::date", cast: 'date' };
  const cast = t.kind === 'timestamp' && t.tz ? 'timestamptz' : 'timestamp';
  const zone = cast === 'timestamptz' ? '+00' : '';
  return { lo: `'0001-01-01 00:00:00${zone}'::${cast}`, hi: `'9999-12-31 23:59:59${zone}'::${cast}`, cast };
}

/** One condition per lossy kind of the column's rule that applies to its type, in the order they are mapped. */
function kindConditions(column: Column): [LossyKind, string][] {
  const q = quoteIdent(column.name);
  const kinds = column.lossy?.kinds ?? [];
  const k = column.type.kind;
  const out: [LossyKind, string][] = [];
  if (kinds.includes('nan') && k === 'float') out.push(['nan', `${q} IN ('NaN', 'Infinity', '-Infinity')`]);
  // numeric has NaN and (since PostgreSQL 14) ±Infinity; comparing the text form works on every version.
  if (kinds.includes('nan') && k === 'decimal') out.push(['nan', `${q}::text IN ('NaN', 'Infinity', '-Infinity')`]);
  if (kinds.includes('range') && (k === 'date' || k === 'timestamp')) {
    const b = bounds(column);
    // Past the last microsecond of 9999 (not > hi, which would catch 23:59:59.5).
    const over = k === 'date' ? `${q} > ${b.hi}` : `${q} >= ${b.hi} + interval '1 second'`;
    out.push(['range', `(NOT isfinite(${q}) OR ${q} < ${b.lo} OR ${over})`]);
  }
  const overflow = kinds.includes('overflow') ? overflowCondition(column) : null;
  if (overflow !== null) out.push(['overflow', overflow]);
  return out;
}

/** Where the column's value passes the target's limit (NaN and ±Infinity are kind `nan`, not this). */
function overflowCondition(column: Column): string | null {
  const q = quoteIdent(column.name);
  const limit = column.lossy?.limit;
  const k = column.type.kind;
  if (limit?.kind === 'decimal' && k === 'decimal') {
    const r = `round(${q}, ${limit.scale})`;
    return `(${q}::text NOT IN ('NaN', 'Infinity', '-Infinity') AND (${q} <> ${r} OR abs(${r}) >= ${decimalCeiling(limit.precision - limit.scale)}))`;
  }
  if (limit?.kind === 'length' && k === 'text') return `(char_length(${q}) > ${limit.max})`;
  if (limit?.kind === 'length' && k === 'binary') return `(octet_length(${q}) > ${limit.max})`;
  return null;
}

/** 10^digits as a numeric literal: the smallest magnitude with more integer digits than allowed. */
function decimalCeiling(digits: number): string {
  return `1${'0'.repeat(Math.max(0, digits))}::numeric`;
}

/** The value `replace` writes for a value past the limit: rounded to the scale, clamped to the largest magnitude; cut to the length. */
function overflowReplacement(column: Column): string {
  const q = quoteIdent(column.name);
  const limit = column.lossy?.limit;
  if (limit?.kind === 'decimal') {
    const r = `round(${q}, ${limit.scale})`;
    const ceiling = decimalCeiling(limit.precision - limit.scale);
    const largest = `(${ceiling} - ${limit.scale > 0 ? `0.${'0'.repeat(limit.scale - 1)}1` : '1'}::numeric)`;
    return `(CASE WHEN abs(${r}) >= ${ceiling} THEN sign(${q}) * ${largest} ELSE ${r} END)`;
  }
  if (limit?.kind === 'length') return column.type.kind === 'binary' ? `substring(${q} from 1 for ${limit.max})` : `left(${q}, ${limit.max})`;
  return 'NULL';
}

/** SQL condition true for rows whose column holds a lossy value of its rule, or null when none can. */
export function pgLossyCondition(column: Column): string | null {
  const conds = kindConditions(column);
  if (conds.length === 0) return null;
  return conds.length === 1 ? conds[0]![1] : `(${conds.map(([, c]) => c).join(' OR ')})`;
}

/** The column as read for transfer and checksums: its lossy values mapped when the rule says null/replace. */
export function pgLossyRef(column: Column): string {
  const q = quoteIdent(column.name);
  const conds = mapsLossy(column) ? kindConditions(column) : [];
  if (conds.length === 0) return q;
  const replace = column.lossy?.policy === 'replace';
  const whens = conds.map(([kind, cond]) => `WHEN ${cond} THEN ${replace ? replacement(column, kind) : 'NULL'}`);
  return `(CASE ${whens.join(' ')} ELSE ${q} END)`;
}

function replacement(column: Column, kind: LossyKind): string {
  const q = quoteIdent(column.name);
  if (kind === 'range') {
    const b = bounds(column);
    return `(CASE WHEN ${q} < ${b.lo} THEN ${b.lo} ELSE ${b.hi} END)`;
  }
  if (kind === 'overflow') return overflowReplacement(column);
  return 'NULL';
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
