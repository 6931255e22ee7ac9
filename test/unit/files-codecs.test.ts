/**
 * The chunk-file codecs: CSV (RFC 4180, NULL vs '') and NDJSON round-trip every nasty value, whole
 * and split into pieces of any size; bad input is refused with the record it is in.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvParser, CsvSyntaxError, encodeCsvRow } from '../../src/files/csv-codec.js';
import { NdjsonRowError, decodeNdjsonRow, encodeNdjsonRow } from '../../src/files/ndjson-codec.js';

const NASTY: (string | null)[] = [
  null, '', ' ', ',', '"', '""', 'a,b', 'say "hi"', '\r\n', '\n', '\r', 'line1\nline2', '\t', '\\', '\\N', 'N',
  '\\x00ff', '😀 4-byte ✓ ünï', '\u0000', '\u2028', ' lead', 'trail ', ',"\r\n\t\\', '"quoted"', 'NULL',
];

function parseCsv(text: string, pieces: number[] = []): (string | null)[][] {
  const p = new CsvParser();
  const rows: (string | null)[][] = [];
  let at = 0;
  for (const n of pieces) {
    p.push(text.slice(at, at + n), (r) => rows.push(r));
    at += n;
  }
  p.push(text.slice(at), (r) => rows.push(r));
  p.end((r) => rows.push(r));
  return rows;
}

describe('CSV codec', () => {
  it('writes NULL as an unquoted empty field and the empty string as ""', () => {
    expect(encodeCsvRow([null, '', 'x'])).toBe(',"",x\r\n');
    expect(encodeCsvRow(['a,b', 'q"q', 'l\nl'])).toBe('"a,b","q""q","l\nl"\r\n');
    expect(parseCsv(',"",x\r\n')).toEqual([[null, '', 'x']]);
  });

  it('round-trips every nasty value, one per row and all in one row', () => {
    const rows = NASTY.map((v) => [v, 'k']);
    const text = rows.map(encodeCsvRow).join('');
    expect(parseCsv(text)).toEqual(rows);
    expect(parseCsv(encodeCsvRow(NASTY))).toEqual([NASTY]);
  });

  it('keeps a single-column NULL row (an empty line) as a row', () => {
    expect(parseCsv(encodeCsvRow([null]) + encodeCsvRow(['']) + encodeCsvRow([null]))).toEqual([[null], [''], [null]]);
  });

  it('round-trips random rows split into random pieces (quotes and CRLF across pieces)', () => {
    const value = fc.option(fc.oneof(fc.string({ unit: 'grapheme' }), fc.constantFrom(...(NASTY.filter((v) => v !== null) as string[]))), { nil: null });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }).chain((w) => fc.tuple(fc.array(fc.array(value, { minLength: w, maxLength: w }), { maxLength: 20 }), fc.array(fc.integer({ min: 0, max: 7 })))), ([rows, pieces]) => {
        expect(parseCsv(rows.map(encodeCsvRow).join(''), pieces)).toEqual(rows);
      }),
      { numRuns: 300 },
    );
  });

  it('accepts LF line ends and a last record without a line break', () => {
    expect(parseCsv('a,b\nc,"d"')).toEqual([['a', 'b'], ['c', 'd']]);
  });

  it.each([
    ['a"b,c\r\n', /record 1: a quote/],
    ['"abc\r\n', /record 1: the file ends inside a quoted field/],
    ['"a"b\r\n', /record 1: a character after the closing quote/],
    ['x\r\n"a\rb', /record 2: the file ends inside/],
    ['a\rb\r\n', /record 1: a CR not followed by LF/],
  ])('refuses %j naming the record', (text, message) => {
    expect(() => parseCsv(text)).toThrow(CsvSyntaxError);
    expect(() => parseCsv(text)).toThrow(message);
  });
});

describe('NDJSON codec', () => {
  const names = ['id', 'v'];
  it('round-trips every nasty value as one line per row', () => {
    for (const v of NASTY) {
      const line = encodeNdjsonRow(names, ['1', v]);
      expect(line.endsWith('\n')).toBe(true);
      expect(line.slice(0, -1)).not.toContain('\n');
      expect(decodeNdjsonRow(names, line.slice(0, -1))).toEqual(['1', v]);
    }
  });

  it('round-trips random values', () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.string({ unit: 'binary' }), { nil: null }), { minLength: 2, maxLength: 2 }), (values) => {
        expect(decodeNdjsonRow(names, encodeNdjsonRow(names, values).trimEnd())).toEqual(values);
      }),
    );
  });

  it.each([
    ['{"id":"1"', /not valid JSON/],
    ['[1,2]', /not a JSON object/],
    ['{"id":"1"}', /has 1 keys, expected the 2 columns id, v/],
    ['{"id":"1","w":"x"}', /has no key "v"/],
    ['{"id":1,"v":null}', /"id" is number, expected a string or null/],
  ])('refuses %s', (line, message) => {
    expect(() => decodeNdjsonRow(names, line)).toThrow(NdjsonRowError);
    expect(() => decodeNdjsonRow(names, line)).toThrow(message);
  });
});
