/**
 * PostgreSQL's `hashtextextended(text, 0)` for text under a deterministic collation: Bob Jenkins'
 * lookup3 over the text's bytes as PostgreSQL's `hash_bytes_extended` computes it on every platform
 * (bytes read little-endian), so the worker can hash rows exactly as a PostgreSQL target will.
 *
 * A range's digest as a sum of these per-row hashes costs PostgreSQL about half of one md5 over the
 * rows in key order (300K rows of the bench's table: 180–200 ms against 380–400 ms), and needs no
 * ordering at all.
 */

/** Sums of 64-bit row hashes, kept exact in two doubles (see {@link HashSum.add}). */
export class HashSum {
  /** Sum of the signed high halves. */
  private hi = 0;
  /** Sum of the unsigned low halves, carried into `hi` before it could lose precision. */
  private lo = 0;

  /** Adds the signed 64-bit value `hi * 2^32 + lo` (`hi` an int32, `lo` a uint32). */
  add(hi: number, lo: number): void {
    this.hi += hi;
    this.lo += lo;
    if (this.lo >= CARRY_AT) {
      const carry = Math.floor(this.lo / TWO_32);
      this.hi += carry;
      this.lo -= carry * TWO_32;
    }
  }

  /** The sum as PostgreSQL's `sum(int8)` prints it. */
  toString(): string {
    return (BigInt(this.hi) * BIG_TWO_32 + BigInt(this.lo)).toString();
  }
}

const TWO_32 = 4294967296;
const BIG_TWO_32 = 4294967296n;
/** Far below 2^53 - 2^32, so one more uint32 never rounds. */
const CARRY_AT = 2 ** 52;

/** The hash's halves, written by {@link hashBytesExtended}: [high as int32, low as uint32]. */
export const hashOut = new Float64Array(2);

const rot = (x: number, k: number): number => (x << k) | (x >>> (32 - k));

/**
 * `hash_bytes_extended(bytes[start..end), 0)`: writes the signed high 32 bits to `hashOut[0]` and the
 * low 32 bits (unsigned) to `hashOut[1]`, so that the int8 PostgreSQL returns is
 * `hashOut[0] * 2^32 + hashOut[1]`. Out-parameters, because this runs once per copied row.
 */
export function hashBytesExtended(k: Uint8Array, start: number, end: number): void {
  let len = end - start;
  let a = (0x9e3779b9 + len + 3923095) | 0;
  let b = a;
  let c = a;
  let i = start;
  while (len >= 12) {
    a = (a + (k[i]! | (k[i + 1]! << 8) | (k[i + 2]! << 16) | (k[i + 3]! << 24))) | 0;
    b = (b + (k[i + 4]! | (k[i + 5]! << 8) | (k[i + 6]! << 16) | (k[i + 7]! << 24))) | 0;
    c = (c + (k[i + 8]! | (k[i + 9]! << 8) | (k[i + 10]! << 16) | (k[i + 11]! << 24))) | 0;
    // mix(a, b, c)
    a = (a - c) | 0; a ^= rot(c, 4); c = (c + b) | 0;
    b = (b - a) | 0; b ^= rot(a, 6); a = (a + c) | 0;
    c = (c - b) | 0; c ^= rot(b, 8); b = (b + a) | 0;
    a = (a - c) | 0; a ^= rot(c, 16); c = (c + b) | 0;
    b = (b - a) | 0; b ^= rot(a, 19); a = (a + c) | 0;
    c = (c - b) | 0; c ^= rot(b, 4); b = (b + a) | 0;
    i += 12;
    len -= 12;
  }
  // The last 0-11 bytes; the lowest byte of c stays out of it (lookup3 reserves it for the length).
  switch (len) {
    case 11: c = (c + (k[i + 10]! << 24)) | 0; // falls through
    case 10: c = (c + (k[i + 9]! << 16)) | 0; // falls through
    case 9: c = (c + (k[i + 8]! << 8)) | 0; // falls through
    case 8: b = (b + (k[i + 7]! << 24)) | 0; // falls through
    case 7: b = (b + (k[i + 6]! << 16)) | 0; // falls through
    case 6: b = (b + (k[i + 5]! << 8)) | 0; // falls through
    case 5: b = (b + k[i + 4]!) | 0; // falls through
    case 4: a = (a + (k[i + 3]! << 24)) | 0; // falls through
    case 3: a = (a + (k[i + 2]! << 16)) | 0; // falls through
    case 2: a = (a + (k[i + 1]! << 8)) | 0; // falls through
    case 1: a = (a + k[i]!) | 0;
  }
  // final(a, b, c)
  c ^= b; c = (c - rot(b, 14)) | 0;
  a ^= c; a = (a - rot(c, 11)) | 0;
  b ^= a; b = (b - rot(a, 25)) | 0;
  c ^= b; c = (c - rot(b, 16)) | 0;
  a ^= c; a = (a - rot(c, 4)) | 0;
  b ^= a; b = (b - rot(a, 14)) | 0;
  c ^= b; c = (c - rot(b, 24)) | 0;
  hashOut[0] = b;
  hashOut[1] = c >>> 0;
}
