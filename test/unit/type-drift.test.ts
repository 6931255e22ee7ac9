/**
 * Drift detection between source and target column declarations, and the row diff of two sides
 * whose columns are declared differently: each side canonicalised by its own types.
 */
import { describe, expect, it } from 'vitest';
import { sameTransferValue } from '../../src/core/canonical.js';
import type { Column, NeutralType } from '../../src/core/column-model.js';
import { diffRowSets } from '../../src/core/row-diff.js';
import { driftedTargetColumns, normaliseNativeType } from '../../src/core/type-drift.js';

const col = (name: string, nativeType: string, type: NeutralType): Column => ({ name, nativeType, type, nullable: true });

describe('driftedTargetColumns', () => {
  const source = [col('id', 'integer', { kind: 'int', bytes: 4 }), col('at', 'timestamp(6) without time zone', { kind: 'timestamp', precision: 6, tz: false })];
  const all = new Set(['id', 'at']);

  it('finds none when every native type is spelt alike (case and spacing aside)', () => {
    expect(normaliseNativeType(' Numeric( 12 , 2 ) ')).toBe('numeric(12,2)');
    const target = [col('at', 'TIMESTAMP(6)  WITHOUT TIME ZONE', { kind: 'timestamp', precision: 6, tz: false }), col('id', 'integer', { kind: 'int', bytes: 4 })];
    expect(driftedTargetColumns(source, target, all)).toBeUndefined();
  });

  it("returns the target's own columns, in the source's order, when one differs", () => {
    const tz: NeutralType = { kind: 'timestamp', precision: 6, tz: true };
    const target = [col('at', 'timestamp(6) with time zone', tz), col('id', 'integer', { kind: 'int', bytes: 4 })];
    expect(driftedTargetColumns(source, target, all)?.map((c) => [c.name, c.type])).toEqual([
      ['id', { kind: 'int', bytes: 4 }],
      ['at', tz],
    ]);
  });

  it('ignores a column that is not compared, and counts a missing one as drift', () => {
    const target = [col('id', 'integer', { kind: 'int', bytes: 4 }), col('at', 'text', { kind: 'text' })];
    expect(driftedTargetColumns(source, target, new Set(['id']))).toBeUndefined();
    expect(driftedTargetColumns(source, [target[0]!], all)?.[1]).toBe(source[1]);
  });
});

describe('comparing values of differently declared columns', () => {
  it('takes equal values in other types as equal, and different ones as different', () => {
    expect(sameTransferValue({ kind: 'int', bytes: 4 }, { kind: 'decimal' }, '42', '42.00')).toBe(true);
    expect(sameTransferValue({ kind: 'uuid' }, { kind: 'text' }, 'c4ca4238-a0b9-3382-8dcc-509a6f75849b', 'c4ca4238-a0b9-3382-8dcc-509a6f75849b')).toBe(true);
    // Text is compared as written: an upper-case uuid in a text column is another string.
    expect(sameTransferValue({ kind: 'uuid' }, { kind: 'text' }, 'c4ca4238-a0b9-3382-8dcc-509a6f75849b', 'C4CA4238-A0B9-3382-8DCC-509A6F75849B')).toBe(false);
    expect(sameTransferValue({ kind: 'json', binary: false }, { kind: 'text' }, '{"b" : 1, "a": [1, 2]}', '{"a":[1,2],"b":1}')).toBe(true);
    expect(sameTransferValue({ kind: 'json', binary: false }, { kind: 'text' }, '{"a": 1}', 'not json')).toBe(false);
    expect(sameTransferValue({ kind: 'text' }, { kind: 'text' }, '{"a": 1}', '{"a":1}')).toBe(false);
    expect(sameTransferValue({ kind: 'int', bytes: 4 }, { kind: 'int', bytes: 8 }, null, '0')).toBe(false);
    // A number against its text in a text column: the text keeps the trailing zeros the number prints.
    expect(sameTransferValue({ kind: 'decimal', precision: 12, scale: 2 }, { kind: 'text' }, '3.70', '3.70')).toBe(true);
    expect(sameTransferValue({ kind: 'text' }, { kind: 'decimal', precision: 12, scale: 2 }, '-0.50', '-0.50')).toBe(true);
    expect(sameTransferValue({ kind: 'decimal', precision: 12, scale: 2 }, { kind: 'text' }, '3.70', '3.7')).toBe(true);
    expect(sameTransferValue({ kind: 'decimal', precision: 12, scale: 2 }, { kind: 'text' }, '3.70', '3.71')).toBe(false);
    expect(sameTransferValue({ kind: 'decimal', precision: 12, scale: 2 }, { kind: 'text' }, '3.70', '3.70 ')).toBe(false);
    expect(sameTransferValue({ kind: 'decimal', precision: 12, scale: 2 }, { kind: 'text' }, '3.70', '3.7e0')).toBe(false);
  });

  it('diffs rows whose target columns are declared otherwise by each side’s own types', () => {
    const mine = [col('id', 'integer', { kind: 'int', bytes: 4 }), col('n', 'integer', { kind: 'int', bytes: 4 }), col('at', 'timestamp', { kind: 'timestamp', precision: 6, tz: false })];
    const theirs = [col('id', 'numeric', { kind: 'decimal' }), col('n', 'numeric(12,2)', { kind: 'decimal', precision: 12, scale: 2 }), col('at', 'timestamptz', { kind: 'timestamp', precision: 6, tz: true })];
    const source = [
      ['1', '7', '2024-01-01 00:00:01'],
      ['2', '14', '2024-01-01 00:00:02.5'],
      ['3', '21', '2024-01-01 00:00:03'],
    ];
    const target = [
      ['1', '7.00', '2024-01-01 00:00:01.000000'],
      ['2', '14.01', '2024-01-01 00:00:02.500000'],
      ['4', '28.00', '2024-01-01 00:00:04'],
    ];
    const d = diffRowSets(mine, [mine[0]!], source, target, mine, theirs);
    expect(d).toMatchObject({ missing: [['3']], extra: [['4']], changed: [{ key: ['2'], columns: ['n'] }] });
  });
});
