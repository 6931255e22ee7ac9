/**
 * How a column's lossy rule reads in plans: what the target cannot hold, where its limit is, and what
 * the job's policy will do with such values, naming table.column so the user can change the choice
 * before anything is written.
 */
import { describeLimit, LOSSY_WHAT, type Column, type LossyKind } from './column-model.js';

const DOES: Record<'error' | 'null' | 'replace', string> = {
  error: 'onLossy "error" (the default): the copy stops at the first such row, naming its key; choose "null" or "replace" to go on',
  null: 'onLossy "null": such values are written as NULL and counted in the report',
  replace: 'onLossy "replace": such values are replaced and counted in the report',
};

const REPLACED: Record<LossyKind, string> = {
  nan: 'NULL',
  nul: 'the text without its NUL characters',
  'zero-date': '0001-01-01 [00:00:00]',
  range: 'the nearest of 0001-01-01 00:00:00 and 9999-12-31 23:59:59',
  overflow: 'the value rounded to the target scale and clamped to its largest magnitude, or cut to its length, or clamped to 00:00:00 / 23:59:59.9…',
};

/** A plan warning for one column with a lossy rule, or null when the column has none. */
export function lossyWarning(table: string, column: Column): string | null {
  const rule = column.lossy;
  if (!rule || rule.kinds.length === 0) return null;
  const what = rule.kinds
    .map((k) => (k === 'overflow' && rule.limit ? `values that do not fit the target's ${describeLimit(rule.limit, column.type)}` : LOSSY_WHAT[k]))
    .join(' or ');
  const how = rule.policy === 'replace' ? `${DOES.replace} (${rule.kinds.map((k) => `${k}: ${REPLACED[k]}`).join('; ')})` : DOES[rule.policy];
  return `column ${table}.${column.name} (${column.nativeType}) may hold ${what}, which the target cannot store; ${how}`;
}
