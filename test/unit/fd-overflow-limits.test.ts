/**
 * The pure parts of the `overflow` lossy kind: which DECIMAL a PostgreSQL numeric becomes on MySQL,
 * when the MySQL column is narrower than the neutral type, and how a rule reads in the plan.
 */
import { describe, expect, it } from 'vitest';
import type { Column, TableSchema } from '../../src/core/column-model.js';
import { lossyWarning } from '../../src/core/lossy-text.js';
import { myOverflowLimit } from '../../src/dialects/mysql/mysql-limits.js';
import { DEFAULT_SERVER, ddlType, mysqlDecimal } from '../../src/dialects/mysql/mysql-types.js';
import { pgOverflowLimit } from '../../src/dialects/postgres/postgres-types.js';

const col = (name: string, type: Column['type'], nativeType = 'x'): Column => ({ name, type, nullable: true, nativeType });
const table = (columns: Column[], primaryKey: string[]): TableSchema => ({ name: 't', columns, primaryKey, hasPrimaryKey: true, indexes: [], foreignKeys: [], estimatedRows: 0 });

describe('mysqlDecimal', () => {
  it('keeps what fits and caps precision at 65 and scale at 30', () => {
    expect(mysqlDecimal(undefined, undefined)).toEqual({ precision: 65, scale: 30 });
    expect(mysqlDecimal(10, 2)).toEqual({ precision: 10, scale: 2 });
    expect(mysqlDecimal(65, 30)).toEqual({ precision: 65, scale: 30 });
    expect(mysqlDecimal(70, 5)).toEqual({ precision: 65, scale: 5 });
    expect(mysqlDecimal(40, 35)).toEqual({ precision: 35, scale: 30 });
    expect(mysqlDecimal(2, 5)).toEqual({ precision: 5, scale: 5 });
    expect(mysqlDecimal(5, -2)).toEqual({ precision: 7, scale: 0 });
    expect(ddlType('t', col('n', { kind: 'decimal', precision: 100, scale: 40 }), DEFAULT_SERVER)).toBe('DECIMAL(65,30)');
  });
});

describe('overflow limits', () => {
  it('MySQL: numeric past DECIMAL(65,30) and unbounded text/binary in a key only', () => {
    const cols = [
      col('k', { kind: 'text' }),
      col('n', { kind: 'decimal' }),
      col('p', { kind: 'decimal', precision: 65, scale: 30 }),
      col('m', { kind: 'decimal', precision: 19, scale: 2, money: true }),
      col('body', { kind: 'text' }),
      col('v', { kind: 'text', length: 20000 }),
    ];
    const s = table(cols, ['k', 'v']);
    // Two unbounded key columns share the 3,072-byte index entry: 1,536 bytes, 384 utf8mb4 characters each.
    expect(myOverflowLimit(cols[0]!, s)).toEqual({ kind: 'length', max: 384 });
    expect(myOverflowLimit(cols[1]!, s)).toEqual({ kind: 'decimal', precision: 65, scale: 30 });
    expect(myOverflowLimit(cols[2]!, s)).toBeUndefined();
    expect(myOverflowLimit(cols[3]!, s)).toBeUndefined();
    expect(myOverflowLimit(cols[4]!, s)).toBeUndefined();
    expect(myOverflowLimit(cols[5]!, s)).toEqual({ kind: 'length', max: 384 });
  });

  it('PostgreSQL: time holds one day', () => {
    expect(pgOverflowLimit(col('t', { kind: 'time', precision: 0 }))).toEqual({ kind: 'time-of-day' });
    expect(pgOverflowLimit(col('n', { kind: 'decimal' }))).toBeUndefined();
  });
});

describe('lossyWarning', () => {
  it('names table.column, the native type, the limit and what the policy does', () => {
    const c = { ...col('n', { kind: 'decimal' }, 'numeric'), lossy: { policy: 'error' as const, kinds: ['nan' as const, 'overflow' as const], limit: { kind: 'decimal' as const, precision: 65, scale: 30 } } };
    expect(lossyWarning('orders', c)).toBe(
      'column orders.n (numeric) may hold NaN or ±Infinity or values that do not fit the target\'s DECIMAL(65,30) (at most 35 integer and 30 fractional digits), ' +
        'which the target cannot store; onLossy "error" (the default): the copy stops at the first such row, naming its key; choose "null" or "replace" to go on',
    );
    expect(lossyWarning('orders', { ...c, lossy: { ...c.lossy, policy: 'replace' } })).toMatch(/onLossy "replace".*overflow: the value rounded to the target scale/);
    expect(lossyWarning('orders', col('x', { kind: 'int', bytes: 4 }))).toBeNull();
  });
});
