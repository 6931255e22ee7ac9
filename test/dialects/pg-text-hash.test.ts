/**
 * The worker's PostgreSQL text hash (core/pg-text-hash.ts) against PostgreSQL's own
 * `hashtextextended(text COLLATE "C", 0)`, byte for byte of every tail length and of multi-byte
 * text, and the exact sums a digest compares, past the point where one double would round.
 */
import { describe, expect, it } from 'vitest';
import { HashSum, hashBytesExtended, hashOut } from '../../src/core/pg-text-hash.js';
import { pgExec } from '../helpers/databases.js';

const asInt8 = (): bigint => BigInt(hashOut[0]!) * 4294967296n + BigInt(hashOut[1]!);

describe('PostgreSQL text hash in the worker', () => {
  it("equals hashtextextended for every length up to 64 bytes and for multi-byte text", async () => {
    const texts: string[] = [];
    for (let n = 0; n <= 64; n++) texts.push(Array.from({ length: n }, (_, i) => String.fromCharCode(33 + ((i * 37 + n * 11) % 94))).join(''));
    texts.push('ünïcødé ✓ – 中文', 'a\u001fb\\N', '\u00ff'.repeat(40), '🙂'.repeat(9));
    const r = await pgExec('SELECT hashtextextended(s COLLATE "C", 0)::text AS h FROM unnest($1::text[]) WITH ORDINALITY AS t(s, i) ORDER BY i', [texts]);
    const mine = texts.map((t) => {
      const b = Buffer.from(`>${t}<`);
      hashBytesExtended(b, 1, b.length - 1);
      return asInt8().toString();
    });
    expect(mine).toEqual(r.rows.map((row: { h: string }) => row.h));
  });

  it('sums exactly, as sum(int8) does, far past 2^53', () => {
    const sum = new HashSum();
    let exact = 0n;
    const values: [number, number][] = [[2147483647, 4294967295], [-2147483648, 0], [-1, 4294967295], [123456, 987654321]];
    for (let i = 0; i < 3_000_000; i++) {
      const [hi, lo] = values[i % values.length]!;
      sum.add(hi, lo);
      if (i < values.length) exact += BigInt(hi) * 4294967296n + BigInt(lo);
    }
    expect(sum.toString()).toBe(((exact * 3_000_000n) / BigInt(values.length)).toString());
    expect(new HashSum().toString()).toBe('0');
  });
});
