/**
 * The byte-level encoder of MySQL reads (mysql-read.ts `LineEncoder`) writes exactly what the string
 * encoder `encodeRow` writes, whatever the values (escapes, NULL next to the text \N, multi-byte
 * UTF-8, values larger than a batch) and wherever the batches are cut.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeRow, encodeRow } from '../../src/core/transfer-text.js';
import { LineEncoder } from '../../src/dialects/mysql/mysql-read.js';

function encodeAll(rows: (string | null)[][], batchBytes: number): { text: string; batches: number[] } {
  const enc = new LineEncoder(batchBytes);
  const out: Buffer[] = [];
  for (const row of rows) {
    const b = enc.add(row.map((v) => (v === null ? null : Buffer.from(v, 'utf8'))));
    if (b) out.push(b);
  }
  const rest = enc.flush();
  if (rest) out.push(rest);
  return { text: Buffer.concat(out).toString('utf8'), batches: out.map((b) => b.length) };
}

const value = fc.oneof(
  fc.constant(null),
  fc.constant('\\N'),
  fc.constant(''),
  fc.string({ unit: fc.constantFrom('a', '\\', '\t', '\n', '\r', 'é', '😀', 'N', ' ') }),
  fc.string({ unit: 'grapheme' }),
  // Around 64 bytes, where the encoder switches from copying byte by byte to copying runs.
  fc.integer({ min: 56, max: 72 }).chain((n) => fc.constantFrom('x'.repeat(n), `${'\\'.repeat(n)}\t`, `\n${'ü'.repeat(n >> 1)}`)),
);

describe('LineEncoder', () => {
  it('writes the same bytes as encodeRow for any rows and batch size', () => {
    fc.assert(
      fc.property(fc.array(fc.array(value, { minLength: 1, maxLength: 6 }), { maxLength: 40 }), fc.integer({ min: 1, max: 200 }), (rows, batch) => {
        expect(encodeAll(rows, batch).text).toBe(rows.map(encodeRow).join(''));
      }),
    );
  });

  it('cuts batches at row ends near the batch size and carries values far larger than a batch', () => {
    const big = 'x\t\\'.repeat(50_000);
    const rows = [['1', 'a'], ['2', big], ['3', null], ['4', 'tab\there']];
    const { text, batches } = encodeAll(rows, 64);
    expect(text.split('\n').slice(0, -1).map(decodeRow)).toEqual(rows);
    // Row 1 stays under 64 bytes and waits; row 2 (300 KB escaped) completes the first batch.
    expect(batches[0]).toBe('1\ta\n'.length + encodeRow(['2', big]).length);
    expect(batches).toHaveLength(2);
  });
});
