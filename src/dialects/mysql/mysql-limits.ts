/**
 * Where a MySQL/MariaDB column ferry creates is narrower than the neutral type it stands for, and so
 * which source values would overflow it (lossy kind `overflow`): PostgreSQL numeric beyond
 * DECIMAL(65,30), and unbounded text or binary in a key, which becomes VARCHAR/VARBINARY of the key's
 * share of InnoDB's 3,072-byte index entry.
 */
import type { Column, OverflowLimit, TableSchema } from '../../core/column-model.js';
import { keyColumnCaps } from './mysql-ddl.js';
import { MAX_VARCHAR, mysqlDecimal } from './mysql-types.js';

/** See {@link Dialect.overflowLimit}: the MySQL column created for `column` of `schema`. */
export function myOverflowLimit(column: Column, schema: TableSchema): OverflowLimit | undefined {
  const t = column.type;
  if (t.kind === 'decimal' && !t.money) {
    const d = mysqlDecimal(t.precision, t.scale);
    if (t.precision === undefined) return { kind: 'decimal', ...d };
    const intDigits = t.precision - (t.scale ?? 0);
    return intDigits > d.precision - d.scale || (t.scale ?? 0) > d.scale ? { kind: 'decimal', ...d } : undefined;
  }
  if (t.kind !== 'text' && t.kind !== 'binary') return undefined;
  const cap = keyColumnCaps(schema).get(column.name);
  if (!cap) return undefined;
  if (t.kind === 'text' && (t.length === undefined || t.length > MAX_VARCHAR)) return { kind: 'length', max: cap.chars };
  if (t.kind === 'binary' && (t.length === undefined || t.length > 65535)) return { kind: 'length', max: cap.bytes };
  return undefined;
}
