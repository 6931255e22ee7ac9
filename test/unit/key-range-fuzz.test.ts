/**
 * Generated input for the key-range planner: integer splits of any extent (beyond 2^63 too) and any
 * number of parts always partition the key space (every key in exactly one range, ranges in order),
 * and describeRange prints anything.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeRange, rangesFromBounds, splitIntegerBounds, type KeyRange } from '../../src/core/key-range.js';

const big = fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n });

function owners(ranges: KeyRange[], k: bigint): number {
  return ranges.filter((r) => (r.lo === null || k > BigInt(r.lo[0]!)) && (r.hi === null || k <= BigInt(r.hi[0]!))).length;
}

describe('fuzzing the key-range planner', () => {
  it('splitIntegerBounds + rangesFromBounds partition the integers, in order, with at most `parts` ranges', () => {
    fc.assert(
      fc.property(big, big, fc.oneof(fc.integer({ min: -3, max: 40 }), fc.integer({ min: 41, max: 3000 })), fc.array(big, { maxLength: 10 }), (a, b, parts, probes) => {
        const [min, max] = a <= b ? [a, b] : [b, a];
        const bounds = splitIntegerBounds(min.toString(), max.toString(), parts);
        // Plain checks in the loops (an expect() per bound would make a 3000-way split take seconds).
        const fail = (what: string) => {
          throw new Error(`${what}: min=${min} max=${max} parts=${parts}`);
        };
        const values = bounds.map((t) => (t.length === 1 ? BigInt(t[0]!) : fail('bound is not one value')) as bigint);
        // Strictly increasing, inside [min, max), and no more shards than asked for or than keys exist.
        values.forEach((v, i) => {
          if (v < min || v >= max) fail(`bound ${v} outside [min, max)`);
          if (i > 0 && v <= values[i - 1]!) fail(`bound ${v} not above the one before`);
        });
        const ranges = rangesFromBounds(bounds);
        expect(ranges.length).toBeLessThanOrEqual(Math.max(1, parts));
        expect(BigInt(ranges.length)).toBeLessThanOrEqual(max - min + 1n);
        // Consecutive and unbounded at both ends, with increasing bounds: a partition by construction.
        if (ranges[0]!.lo !== null || ranges.at(-1)!.hi !== null) fail('outer ranges are bounded');
        ranges.slice(1).forEach((r, i) => r.lo !== ranges[i]!.hi && fail('ranges are not consecutive'));
        // And checked key by key at every edge where an off-by-one would show (small splits; large ones are the same code).
        if (ranges.length <= 64) {
          for (const k of [min - 1n, min, max, max + 1n, ...values, ...values.map((v) => v + 1n), ...probes]) {
            if (owners(ranges, k) !== 1) fail(`key ${k} is in ${owners(ranges, k)} ranges`);
          }
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('rangesFromBounds chains any sorted bounds into consecutive ranges covering everything', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.string(), { minLength: 1, maxLength: 3 }), { maxLength: 20 }), (bounds) => {
        const ranges = rangesFromBounds(bounds);
        expect(ranges).toHaveLength(bounds.length + 1);
        expect(ranges[0]!.lo).toBeNull();
        expect(ranges.at(-1)!.hi).toBeNull();
        ranges.slice(1).forEach((r, i) => expect(r.lo).toEqual(ranges[i]!.hi));
      }),
    );
  });

  it('describeRange prints any range without throwing', () => {
    const tuple = fc.option(fc.array(fc.string({ unit: 'binary' }), { maxLength: 4 }), { nil: null });
    fc.assert(
      fc.property(tuple, tuple, (lo, hi) => {
        const s = describeRange({ lo, hi });
        expect(s.startsWith('(')).toBe(true);
        expect(s.endsWith(']')).toBe(true);
      }),
    );
  });

  it('splitIntegerBounds refuses non-integers with an error, not a hang or a wrong split', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.integer({ min: 0, max: 10 }), (a, b, parts) => {
        try {
          splitIntegerBounds(a, b, parts);
        } catch (e) {
          expect(e).toBeInstanceOf(SyntaxError);
        }
      }),
    );
  });
});
