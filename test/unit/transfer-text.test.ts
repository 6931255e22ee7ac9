import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { canonicalFloat, canonicalJson } from '../../src/core/canonical.js';
import { RowDecoder, decodeRow, encodeRow } from '../../src/core/transfer-text.js';

describe('transfer text', () => {
  const tricky = ['tab\there', 'nl\nx', 'cr\r', 'back\\slash', '\\N', '', null, '😀 ünï', '\f\v'];
  it('round-trips every tricky value, keeping NULL apart from "" and "\\N"', () => {
    const line = encodeRow(tricky);
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1).split('\t')).toHaveLength(tricky.length);
    expect(decodeRow(line.slice(0, -1))).toEqual(tricky);
  });
  it('decodes PostgreSQL escapes \\b \\f \\v', () => {
    expect(decodeRow('a\\bb\\fc\\vd')).toEqual(['a\bb\fc\vd']);
  });
  it('decodes a stream split inside rows and inside multi-byte characters', async () => {
    const bytes = Buffer.from(encodeRow(['1', 'é😀']) + encodeRow(['2', null]));
    const pieces = [bytes.subarray(0, 4), bytes.subarray(4, 6), bytes.subarray(6)];
    const rows: unknown[] = [];
    for await (const r of Readable.from(pieces).pipe(new RowDecoder())) rows.push(r);
    expect(rows).toEqual([
      ['1', 'é😀'],
      ['2', null],
    ]);
  });
});

describe('canonical forms', () => {
  it('sorts JSON keys, drops whitespace and keeps big numbers exact', () => {
    expect(canonicalJson('{"b": 1, "a": {"y": [1, 2], "x": null}}')).toBe('{"a":{"x":null,"y":[1,2]},"b":1}');
    expect(canonicalJson('{"k": 12345678901234567890}')).toBe('{"k":12345678901234567890}');
    expect(canonicalJson('{"s": "a\\"b\\u00e9"}')).toBe('{"s":"a\\"bé"}');
    expect(canonicalJson('1.50')).toBe(canonicalJson('1.5'));
  });
  it('prints floats by value at their stored width', () => {
    expect(canonicalFloat('1e+20', 8)).toBe(canonicalFloat('100000000000000000000', 8));
    expect(canonicalFloat('0.1', 4)).toBe(canonicalFloat('0.100000001', 4));
    expect(canonicalFloat('Infinity', 8)).toBe('Infinity');
    expect(canonicalFloat('-inf', 8)).toBe('-Infinity');
    expect(canonicalFloat('-0', 8)).toBe('0');
  });
});

describe('canonicalJson fast and exact paths agree', () => {
  it('gives the same text whichever parser runs', () => {
    const docs = ['{"b": [1, 2.50, -0, true, null], "a": {"é": "x\\ny", "d": 1.25e0}}', '[{"z": 1, "y": {"x": []}}]', '"plain"', '-3.5'];
    for (const d of docs) {
      // Appending a long integer forces the exact path; both must agree on the shared prefix.
      const fast = canonicalJson(`[${d}]`);
      const exact = canonicalJson(`[${d}, 12345678901234567890]`);
      expect(exact).toBe(fast.slice(0, -1) + ',12345678901234567890]');
    }
  });
});
