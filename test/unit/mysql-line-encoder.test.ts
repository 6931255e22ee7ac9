import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeRow } from '../../src/core/transfer-text.js';
import { LineEncoder } from '../../src/dialects/mysql/mysql-read.js';

// Values around the length where the encoder switches from copying byte by byte to copying runs.
const text = fc.oneof(
  fc.string({ maxLength: 70, unit: fc.constantFrom('a', 'é', '✓', '\\', '\t', '\n', '\r', 'N', '😀') }),
  fc.integer({ min: 60, max: 70_000 }).chain((n) => fc.constantFrom('x'.repeat(n), `${'\\'.repeat(n)}\t`, `\n${'ü'.repeat(n)}`)),
);

describe('MySQL line encoder', () => {
  it('writes exactly the transfer text of encodeRow, whatever the batch size', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.option(text, { nil: null }), { minLength: 1, maxLength: 6 }), { maxLength: 20 }), fc.integer({ min: 1, max: 4096 }), (rows, batch) => {
        const e = new LineEncoder(batch);
        const out: Buffer[] = [];
        for (const r of rows) {
          const b = e.add(r.map((v) => (v === null ? null : Buffer.from(v, 'utf8'))));
          if (b) out.push(b);
        }
        const rest = e.flush();
        if (rest) out.push(rest);
        expect(Buffer.concat(out).toString('utf8')).toBe(rows.map((r) => encodeRow(r)).join(''));
      }),
      { numRuns: 300 },
    );
  });
});
