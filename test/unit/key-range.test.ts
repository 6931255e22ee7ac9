import { describe, expect, it } from 'vitest';
import { describeRange, rangesFromBounds, splitIntegerBounds } from '../../src/core/key-range.js';

describe('splitIntegerBounds', () => {
  it('cuts [1, 100] into four equal shards', () => {
    expect(splitIntegerBounds('1', '100', 4)).toEqual([['25'], ['50'], ['75']]);
  });
  it('stays exact beyond 2^53', () => {
    expect(splitIntegerBounds('9007199254740993', '9007199254740996', 2)).toEqual([['9007199254740994']]);
  });
  it('handles negative keys and never makes more shards than keys', () => {
    expect(splitIntegerBounds('-5', '-4', 8)).toEqual([['-5']]);
    expect(splitIntegerBounds('7', '7', 8)).toEqual([]);
  });
  it('covers every integer exactly once', () => {
    const bounds = splitIntegerBounds('-17', '1000', 7).map((b) => BigInt(b[0]!));
    const ranges = rangesFromBounds(bounds.map((b) => [b.toString()]));
    const owner = (k: bigint) =>
      ranges.filter((r) => (r.lo === null || k > BigInt(r.lo[0]!)) && (r.hi === null || k <= BigInt(r.hi[0]!))).length;
    for (let k = -20n; k <= 1005n; k++) expect(owner(k)).toBe(1);
  });
});

describe('rangesFromBounds', () => {
  it('makes unbounded outer ranges so rows outside the sampled extent are still copied', () => {
    expect(rangesFromBounds([['a'], ['m']])).toEqual([
      { lo: null, hi: ['a'] },
      { lo: ['a'], hi: ['m'] },
      { lo: ['m'], hi: null },
    ]);
    expect(rangesFromBounds([])).toEqual([{ lo: null, hi: null }]);
  });
  it('describes ranges for people', () => {
    expect(describeRange({ lo: null, hi: ['5'] })).toBe('(-∞, 5]');
    expect(describeRange({ lo: ['1', 'x'], hi: null })).toBe('((1, x), +∞]');
  });
});
