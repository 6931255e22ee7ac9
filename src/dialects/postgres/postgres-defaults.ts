/**
 * Column defaults PostgreSQL ⇄ the portable {@link ColumnDefault}: literals and the current time.
 * Anything else (function calls, sequences other than the column's own serial) is not carried and
 * introspection reports it as a warning.
 */
import type { ColumnDefault, NeutralType } from '../../core/column-model.js';
import { quoteLiteral } from './postgres-sql.js';

const NOW = /^(now\(\)|current_date|current_timestamp(\(\d\))?|transaction_timestamp\(\)|localtimestamp(\(\d\))?)$/i;
// Kinds whose literal means the same on both engines when written in transfer form.
const LITERAL_KINDS = new Set(['int', 'decimal', 'float', 'bool', 'text', 'date', 'time', 'timestamp', 'uuid', 'enum', 'interval', 'inet', 'bit']);

/** The portable form of a default expression as pg_get_expr prints it, or null when it is not portable. */
export function pgDefault(expr: string, type: NeutralType): ColumnDefault | null {
  const e = expr.trim();
  if (NOW.test(e)) return type.kind === 'timestamp' || type.kind === 'date' ? { now: true } : null;
  if (!LITERAL_KINDS.has(type.kind) || (type.kind === 'timestamp' && type.tz)) return null;
  if (type.kind === 'bool' && /^(true|false)$/i.test(e)) return { literal: /^true$/i.test(e) ? '1' : '0' };
  const num = /^\(?(-?\d+(?:\.\d+)?)\)?(?:::[a-z ]+)?$/i.exec(e);
  if (num && (type.kind === 'int' || type.kind === 'decimal' || type.kind === 'float')) return { literal: num[1]! };
  const str = /^'((?:[^']|'')*)'(?:::[a-z0-9_ ."]+(?:\(\d+(?:,\d+)?\))?)?$/i.exec(e);
  if (str) {
    const v = str[1]!.replace(/''/g, "'");
    if (type.kind === 'bool') return /^(t|true|1|y|yes|on)$/i.test(v) ? { literal: '1' } : /^(f|false|0|n|no|off)$/i.test(v) ? { literal: '0' } : null;
    return { literal: v };
  }
  return null;
}

/** ` DEFAULT …` for a PostgreSQL column, or '' when it has none. */
export function pgDefaultSql(d: ColumnDefault | undefined, type: NeutralType): string {
  if (!d) return '';
  if ('now' in d) return type.kind === 'timestamp' || type.kind === 'date' ? ` DEFAULT ${type.kind === 'date' ? 'CURRENT_DATE' : 'now()'}` : '';
  if (type.kind === 'bool') return ` DEFAULT ${d.literal === '1' ? 'true' : 'false'}`;
  return ` DEFAULT ${quoteLiteral(d.literal)}`;
}
