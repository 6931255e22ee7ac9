/**
 * MySQL ENUM and SET: labels read from COLUMN_TYPE and written back into DDL.
 */
import { lit } from './mysql-sql.js';

/** MySQL allows at most this many SET members. */
export const MAX_SET_MEMBERS = 64;

/**
 * The labels of `enum('a','b''c')` / `set(…)` as information_schema.COLUMNS.COLUMN_TYPE prints them:
 * quotes doubled, backslashes doubled.
 */
export function parseLabels(columnType: string): string[] {
  const open = columnType.indexOf('(');
  const labels: string[] = [];
  let i = open + 1;
  while (i < columnType.length && columnType[i] === "'") {
    let v = '';
    i++;
    for (;;) {
      const c = columnType[i];
      if (c === undefined) return labels;
      if (c === "'" && columnType[i + 1] === "'") {
        v += "'";
        i += 2;
      } else if (c === '\\' && columnType[i + 1] !== undefined) {
        v += columnType[i + 1];
        i += 2;
      } else if (c === "'") {
        i++;
        break;
      } else {
        v += c;
        i++;
      }
    }
    labels.push(v);
    if (columnType[i] === ',') i++;
  }
  return labels;
}

/** `ENUM('a','b')` or `SET('a','b')`. */
export function labelsDdl(kind: 'ENUM' | 'SET', values: string[]): string {
  return `${kind}(${values.map(lit).join(',')})`;
}
