/**
 * Lossy values a MySQL/MariaDB source can hold that PostgreSQL cannot (see LossyKind): U+0000 in text,
 * dates with a zero year, month or day, TIME values outside a day, and text or binary past the
 * target column's length. The conditions find them and the mapped column reference
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
  if (k === 'text') return ['nul', 'overflow'];
  if (k === 'date' || k === 'timestamp') return ['zero-date'];
  if (k === 'binary' || (k === 'time' && !column.type.tz)) return ['overflow'];
  return [];
}

/** One condition per lossy kind of the column's rule that applies to its type, in the order they are mapped. */
function kindConditions(column: Column): [LossyKind, string][] {
  const c = quoteId(column.name);
  const kinds = column.lossy?.kinds ?? [];
  const k = column.type.kind;
  const limit = column.lossy?.limit;
  const out: [LossyKind, string][] = [];
  if (kinds.includes('nul') && k === 'text') out.push(['nul', `(LOCATE(${NUL}, ${asUtf8(c)}) > 0)`]);
  if (kinds.includes('zero-date') && (k === 'date' || k === 'timestamp')) out.push(['zero-date', `(YEAR(${c}) = 0 OR MONTH(${c}) = 0 OR DAYOFMONTH(${c}) = 0)`]);
  if (kinds.includes('overflow')) {
    // TIME spans ±838:59:59; PostgreSQL time only 00:00:00 to 24:00:00.
    if (limit?.kind === 'time-of-day' && k === 'time') out.push(['overflow', `(${c} < TIME'00:00:00' OR ${c} > TIME'24:00:00')`]);
    if (limit?.kind === 'length' && k === 'text') out.push(['overflow', `(CHAR_LENGTH(${c}) > ${limit.max})`]);
    if (limit?.kind === 'length' && k === 'binary') out.push(['overflow', `(LENGTH(${c}) > ${limit.max})`]);
  }
  return out;
}

/** SQL condition true for rows whose column holds a lossy value of its rule, or null when none can. */
export function myLossyCondition(column: Column): string | null {
  const conds = kindConditions(column);
  if (conds.length === 0) return null;
  return conds.length === 1 ? conds[0]![1] : `(${conds.map(([, c]) => c).join(' OR ')})`;
}

/** The column as read for transfer and checksums: its lossy values mapped when the rule says null/replace. */
export function myLossyRef(column: Column): string {
  const c = quoteId(column.name);
  const conds = mapsLossy(column) ? kindConditions(column) : [];
  if (conds.length === 0) return c;
  if (column.lossy?.policy !== 'replace') return `(CASE WHEN ${myLossyCondition(column)} THEN NULL ELSE ${c} END)`;
  // Text replacements nest (NUL removed, then cut to the length); the others are CASE branches.
  let ref = c;
  const whens: string[] = [];
  for (const [kind, cond] of conds) {
    if (kind === 'nul') ref = `REPLACE(${asUtf8(ref)}, ${NUL}, '')`;
    else if (kind === 'overflow' && column.lossy?.limit?.kind === 'length') {
      const max = column.lossy.limit.max;
      ref = column.type.kind === 'binary' ? `SUBSTRING(${ref}, 1, ${max})` : `LEFT(${ref}, ${max})`;
    } else whens.push(`WHEN ${cond} THEN ${replacement(column, kind)}`);
  }
  return whens.length === 0 ? ref : `(CASE ${whens.join(' ')} ELSE ${ref} END)`;
}

function replacement(column: Column, kind: LossyKind): string {
  const c = quoteId(column.name);
  const t = column.type;
  if (kind === 'overflow' && t.kind === 'time') {
    // 23:59:59 with every fractional digit 9, not 24:00:00: PostgreSQL prints 24:00:00 back as 00:00:00
    // of the next day in checksums, and a cast to TIME(p) would round 23:59:59.9… up to it.
    const p = t.precision;
    const top = `23:59:59${p > 0 ? `.${'9'.repeat(p)}` : ''}`;
    return `IF(${c} < TIME'00:00:00', CAST('00:00:00' AS TIME(${p})), CAST('${top}' AS TIME(${p})))`;
  }
  if (t.kind === 'date') return "CAST('0001-01-01' AS DATE)";
  return "CAST('0001-01-01 00:00:00' AS DATETIME(6))";
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
