/**
 * The digests a shard's chunks took, joined in copy-shard.ts and checked by verify: they join only
 * when each chunk starts where the last ended, in one form, and up to a bound; a chunk without
 * digests ends them for the shard; and a range counts as covered only without gaps, end to end.
 */
import { describe, expect, it } from 'vitest';
import { MAX_COPIED_PIECES, appendCopied, coversRange, type CopiedDigests, type CopiedPiece } from '../../src/core/copied-digest.js';

const piece = (lo: string | null, hi: string | null): CopiedPiece => ({ lo: lo === null ? null : [lo], hi: hi === null ? null : [hi], rows: 1, digest: 'd' });
const digests = (...pieces: CopiedPiece[]): CopiedDigests => ({ wholeRow: true, asPrinted: false, pieces });

describe('copied digests', () => {
  it('join chunk after chunk and cover the shard end to end', () => {
    let shard = appendCopied(undefined, digests(piece(null, '10'), piece('10', '20')));
    shard = appendCopied(shard, digests(piece('20', null)));
    expect(shard?.pieces).toHaveLength(3);
    expect(coversRange(shard!, { lo: null, hi: null })).toBe(true);
    expect(coversRange(shard!, { lo: ['5'], hi: null })).toBe(false);
    expect(coversRange(shard!, { lo: null, hi: ['30'] })).toBe(false);
  });

  it('end at a chunk without digests, a gap, another form or too many pieces', () => {
    const first = digests(piece(null, '10'));
    expect(appendCopied(first, undefined)).toBeNull();
    expect(appendCopied(null, digests(piece('10', '20')))).toBeNull();
    expect(appendCopied(first, digests(piece('11', '20')))).toBeNull();
    expect(appendCopied(first, { ...digests(piece('10', '20')), asPrinted: true })).toBeNull();
    expect(appendCopied(first, { ...digests(piece('10', '20')), hash: 'hashtext-sum' })).toBeNull();
    expect(appendCopied({ ...first, hash: 'hashtext-sum' }, { ...digests(piece('10', '20')), hash: 'hashtext-sum' })?.hash).toBe('hashtext-sum');
    const many = Array.from({ length: MAX_COPIED_PIECES }, (_, i) => piece(i === 0 ? null : String(i), String(i + 1)));
    expect(appendCopied(undefined, digests(...many))?.pieces).toHaveLength(MAX_COPIED_PIECES);
    expect(appendCopied(digests(...many), digests(piece(String(MAX_COPIED_PIECES), null)))).toBeNull();
  });

  it('do not cover a range with a hole between pieces', () => {
    expect(coversRange(digests(piece(null, '10'), piece('12', null)), { lo: null, hi: null })).toBe(false);
    expect(coversRange(digests(), { lo: null, hi: null })).toBe(false);
  });
});
