/**
 * Pure parts of verify/diff/repair/sync: canonical forms of transfer text, bisection steps and cuts,
 * the row-set diff, watermark windows and table-lock IDs.
 */
import { describe, expect, it } from 'vitest';
import { BISECT_DEFAULTS, appendCapped, comparePaths, cutRange, nextStep } from '../../src/core/bisect.js';
import { canonicalDecimal, canonicalTransferValue } from '../../src/core/canonical.js';
import type { Column, NeutralType } from '../../src/core/column-model.js';
import { tableLockId } from '../../src/core/lock-id.js';
import { diffRowSets } from '../../src/core/row-diff.js';
import { formatTimestamp, isOverlapSpec, parseTimestamp, watermarkProblem, windowStart } from '../../src/core/watermark.js';

const col = (name: string, type: NeutralType): Column => ({ name, type, nullable: true, nativeType: type.kind });

describe('canonicalTransferValue', () => {
  it.each<[NeutralType, string | null, string | null]>([
    [{ kind: 'int', bytes: 8 }, '-0', '0'],
    [{ kind: 'int', bytes: 8 }, '9223372036854775807', '9223372036854775807'],
    [{ kind: 'decimal', precision: 12, scale: 2 }, '12.50', '12.5'],
    [{ kind: 'decimal' }, '100', '100'],
    [{ kind: 'decimal' }, '100.000', '100'],
    [{ kind: 'decimal' }, '-0.00', '0'],
    [{ kind: 'decimal' }, '0.010', '0.01'],
    [{ kind: 'decimal' }, 'NaN', 'NaN'],
    [{ kind: 'float', bytes: 8 }, '1e3', '1000'],
    [{ kind: 'float', bytes: 4 }, '0.1', '0.1'],
    [{ kind: 'float', bytes: 8 }, 'inf', 'Infinity'],
    [{ kind: 'bool' }, '1', '1'],
    [{ kind: 'bool' }, 't', '1'],
    [{ kind: 'bool' }, 'false', '0'],
    [{ kind: 'text' }, 'a b  ', 'a b  '],
    [{ kind: 'text', length: 5, fixed: true }, 'ab   ', 'ab'],
    [{ kind: 'text' }, '', ''],
    [{ kind: 'binary' }, '\\x00FF', '\\x00ff'],
    [{ kind: 'date' }, '2024-02-29', '2024-02-29'],
    [{ kind: 'time', precision: 6 }, '12:00:01', '12:00:01.000000'],
    [{ kind: 'time', precision: 3 }, '12:00:01.5', '12:00:01.500000'],
    [{ kind: 'timestamp', precision: 6, tz: false }, '2024-01-01 00:00:01.25', '2024-01-01 00:00:01.250000'],
    [{ kind: 'timestamp', precision: 6, tz: true }, '2024-01-01 00:00:01', '2024-01-01 00:00:01.000000'],
    [{ kind: 'timestamp', precision: 6, tz: false }, '2024-01-01 00:00:01.123456', '2024-01-01 00:00:01.123456'],
    [{ kind: 'json', binary: true }, '{"b": [1, 2.50], "a": "x"}', '{"a":"x","b":[1,2.5]}'],
    [{ kind: 'uuid' }, 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'],
    [{ kind: 'text' }, null, null],
  ])('%o %s → %s', (type, value, expected) => {
    expect(canonicalTransferValue(type, value)).toBe(expected);
  });

  it('keeps NULL distinct from the empty string and from the text \\N', () => {
    const t: NeutralType = { kind: 'text' };
    expect(canonicalTransferValue(t, null)).toBeNull();
    expect(canonicalTransferValue(t, '')).toBe('');
    expect(canonicalTransferValue(t, '\\N')).toBe('\\N');
  });

  it('trims decimals like the SQL checksum forms', () => {
    expect(['1.0', '1', '01.00', '+1.'].map(canonicalDecimal)).toEqual(['1', '1', '1', '1']);
    expect(canonicalDecimal('-.5')).toBe('-0.5');
  });
});

describe('bisection', () => {
  const range = { lo: null, hi: null };
  it('stops at equal ranges and at small or one-sided ones', () => {
    expect(nextStep({ range, sourceRows: 10, targetRows: 10, match: true }, 0)).toEqual({ kind: 'same' });
    expect(nextStep({ range, sourceRows: 2000, targetRows: 1999, match: false }, 0)).toEqual({ kind: 'leaf' });
    expect(nextStep({ range, sourceRows: 1_000_000, targetRows: 0, match: false }, 0)).toEqual({ kind: 'leaf' });
    expect(nextStep({ range, sourceRows: 0, targetRows: 50_000, match: false }, 0)).toEqual({ kind: 'leaf' });
    expect(nextStep({ range, sourceRows: 50_000, targetRows: 50_000, match: false }, BISECT_DEFAULTS.maxDepth)).toEqual({ kind: 'leaf' });
  });

  it('cuts by the side that holds more rows, so target-only rows are cut too', () => {
    expect(nextStep({ range, sourceRows: 32_000, targetRows: 31_990, match: false }, 0)).toEqual({ kind: 'split', side: 'source', rowsPerPart: 2000 });
    expect(nextStep({ range, sourceRows: 10, targetRows: 160_000, match: false }, 1)).toEqual({ kind: 'split', side: 'target', rowsPerPart: 10_000 });
  });

  it('terminates: the larger side shrinks by the part count at least every second level', () => {
    let s = 1_000_000;
    let t = 1_000_000;
    let depth = 0;
    for (;;) {
      const step = nextStep({ range, sourceRows: s, targetRows: t, match: false }, depth);
      if (step.kind !== 'split') break;
      // Worst case: every row of the other side stays in one part.
      if (step.side === 'source') s = step.rowsPerPart;
      else t = step.rowsPerPart;
      depth++;
    }
    expect(depth).toBeLessThanOrEqual(6);
  });

  it('cuts a range into consecutive parts that cover it exactly', () => {
    expect(cutRange({ lo: ['0'], hi: ['100'] }, [['10'], ['50'], ['50'], ['100']])).toEqual([
      { lo: ['0'], hi: ['10'] },
      { lo: ['10'], hi: ['50'] },
      { lo: ['50'], hi: ['100'] },
    ]);
    expect(cutRange({ lo: null, hi: null }, [])).toEqual([{ lo: null, hi: null }]);
    expect(cutRange({ lo: null, hi: null }, [['a'], ['m']])).toEqual([
      { lo: null, hi: ['a'] },
      { lo: ['a'], hi: ['m'] },
      { lo: ['m'], hi: null },
    ]);
  });

  it('orders leaves by their path and caps key lists', () => {
    const paths = [[1, 0], [0, 15, 2], [0, 2], [0, 15]];
    expect(paths.sort(comparePaths)).toEqual([[0, 2], [0, 15], [0, 15, 2], [1, 0]]);
    const into = [1, 2];
    expect(appendCapped(into, [3, 4, 5], 4)).toBe(true);
    expect(into).toEqual([1, 2, 3, 4]);
    expect(appendCapped(into, [], 4)).toBe(false);
  });
});

describe('diffRowSets', () => {
  const columns = [col('id', { kind: 'int', bytes: 8 }), col('price', { kind: 'decimal', precision: 10, scale: 2 }), col('at', { kind: 'timestamp', precision: 6, tz: true }), col('doc', { kind: 'json', binary: true }), col('note', { kind: 'text' })];
  const key = [columns[0]!];

  it('finds no difference between the two engines forms of the same rows', () => {
    const pg = [['1', '12.5', '2024-01-01 00:00:01', '{"a": 1, "b": 2}', null], ['2', '3', '2024-01-01 00:00:02.5', '[]', '']];
    const my = [['1', '12.50', '2024-01-01 00:00:01.000000', '{"b":2,"a":1}', null], ['2', '3.00', '2024-01-01 00:00:02.500000', '[]', '']];
    expect(diffRowSets(columns, key, pg, my)).toEqual({ missing: [], extra: [], changed: [], upsert: [] });
  });

  it('reports missing, extra and changed keys with the columns that differ', () => {
    const source = [['1', '1', null, null, 'a'], ['2', '2', null, null, 'b'], ['3', '3', null, '{"x":1}', ''], ['5', '5', null, null, 'e']];
    const target = [['1', '1.00', null, null, 'a'], ['3', '3', null, '{"x":2}', null], ['4', '4', null, null, 'd'], ['5', '6', null, null, 'E']];
    const d = diffRowSets(columns, key, source, target);
    expect(d.missing).toEqual([['2']]);
    expect(d.extra).toEqual([['4']]);
    expect(d.changed).toEqual([
      { key: ['3'], columns: ['doc', 'note'] },
      { key: ['5'], columns: ['price', 'note'] },
    ]);
    // The rows a repair writes: missing first, then changed, as the source holds them.
    expect(d.upsert).toEqual([source[1], source[2], source[3]]);
  });

  it('matches composite and text keys exactly (case and trailing spaces count)', () => {
    const cols = [col('a', { kind: 'text' }), col('b', { kind: 'int', bytes: 4 }), col('v', { kind: 'int', bytes: 4 })];
    const d = diffRowSets(cols, [cols[0]!, cols[1]!], [['x', '1', '0'], ['X', '1', '0'], ['x ', '1', '0']], [['x', '1', '0'], ['x', '2', '0']]);
    expect(d.missing).toEqual([['X', '1'], ['x ', '1']]);
    expect(d.extra).toEqual([['x', '2']]);
  });
});

describe('watermark windows', () => {
  const ts: NeutralType = { kind: 'timestamp', precision: 6, tz: true };
  it('subtracts the overlap from a timestamp high-water mark exactly', () => {
    expect(windowStart(ts, '2024-03-01 00:02:00.000001', '5m')).toBe('2024-02-29 23:57:00.000001');
    expect(windowStart(ts, '2024-01-01 00:00:00', '90s')).toBe('2023-12-31 23:58:30.000000');
    expect(windowStart(ts, '2024-01-01 00:00:00.5', '0')).toBe('2024-01-01 00:00:00.500000');
    expect(formatTimestamp(parseTimestamp('1999-12-31 23:59:59.999999') + 1n)).toBe('2000-01-01 00:00:00.000000');
  });
  it('reaches back at least a day for date watermarks', () => {
    expect(windowStart({ kind: 'date' }, '2024-03-01', '5m')).toBe('2024-02-29');
    expect(windowStart({ kind: 'date' }, '2024-03-01', '36h')).toBe('2024-02-28');
  });
  it('subtracts a number from numeric watermarks', () => {
    expect(windowStart({ kind: 'int', bytes: 8 }, '9007199254740993', '1000')).toBe('9007199254739993');
    expect(windowStart({ kind: 'decimal' }, '10.5', '0.75')).toBe('9.75');
    expect(windowStart({ kind: 'decimal' }, '0.5', '1')).toBe('-0.5');
  });
  it('refuses overlaps and columns that do not fit', () => {
    expect(() => windowStart({ kind: 'int', bytes: 4 }, '10', '5m')).toThrow(/whole number/);
    expect(() => windowStart(ts, '2024-01-01 00:00:00', '100')).toThrow(/duration/);
    expect(isOverlapSpec('5m') && isOverlapSpec('250') && !isOverlapSpec('5 minutes')).toBe(true);
    expect(watermarkProblem('t', 'updated_at', undefined)).toMatch(/no column "updated_at"/);
    expect(watermarkProblem('t', 'name', { kind: 'text' })).toMatch(/must be an integer, decimal, date or timestamp/);
    expect(watermarkProblem('t', 'v', { kind: 'int', bytes: 8 })).toBeNull();
  });
});

describe('table lock IDs', () => {
  it('name server, database, schema and table, never credentials, whatever the URL spelling', () => {
    expect(tableLockId('postgres://u:${PW}@DB.example:5432/shop?sslmode=require', 'orders')).toBe('lock:postgres://db.example:5432/shop/public/orders');
    expect(tableLockId('postgresql://db.example/shop?schema=sales', 'orders')).toBe('lock:postgres://db.example:5432/shop/sales/orders');
    expect(tableLockId('mariadb://root@127.0.0.1/test', 't')).toBe(tableLockId('mysql://other:${X}@127.0.0.1:3306/test', 't'));
    expect(tableLockId('mysql://root@127.0.0.1:3306/test', 't')).toBe('lock:mysql://127.0.0.1:3306/test/t');
  });
});
