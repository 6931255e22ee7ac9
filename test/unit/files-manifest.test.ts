/**
 * Manifest validation (every mistake named by its field), table folder names, and the row hash rules.
 */
import { describe, expect, it } from 'vitest';
import type { Column } from '../../src/core/column-model.js';
import { tableDirName, tableDirNames, validateManifest } from '../../src/files/manifest.js';
import { RowHasher, rowHash } from '../../src/files/row-hash.js';

const col = (name: string, kind: string, extra: object = {}): Column => ({ name, type: { kind, ...extra } as Column['type'], nullable: true, nativeType: kind });
const chunk = (file: string, lo: string[] | null, hi: string[] | null) => ({ file, lo, hi, rows: 1, bytes: 10, sha256: 'a'.repeat(64), sum: '5', canonicalSum: '0' });

function manifest(): Record<string, unknown> {
  return {
    ferryExport: 1,
    source: 'postgres 127.0.0.1:5432/test',
    engine: 'postgres',
    createdAt: '2026-01-01T00:00:00Z',
    format: 'csv',
    compression: 'gzip',
    chunkRows: 10,
    tables: [
      {
        name: 'orders',
        dir: 'orders',
        schema: { name: 'orders', columns: [col('id', 'int', { bytes: 4 })], primaryKey: ['id'], hasPrimaryKey: true, indexes: [], foreignKeys: [], estimatedRows: 2 },
        key: ['id'],
        rows: 2,
        shards: [
          { lo: null, hi: ['5'], chunks: [chunk('orders/0-0.csv.gz', null, ['5'])] },
          { lo: ['5'], hi: null, chunks: [chunk('orders/1-0.csv.gz', ['5'], ['9']), chunk('orders/1-1.csv.gz', ['9'], null)] },
        ],
      },
    ],
  };
}

type M = ReturnType<typeof manifest> & { tables: { shards: { lo: unknown; chunks: Record<string, unknown>[] }[]; key: string[] }[] };

describe('validateManifest', () => {
  it('accepts a well-formed manifest', () => {
    expect(validateManifest(manifest())).toMatchObject({ ok: true });
  });

  it.each<[string, (m: M) => void, RegExp]>([
    ['another version', (m) => void (m['ferryExport'] = 2), /not a ferry export manifest of version 1 \(ferryExport: 2\)/],
    ['a bad sha256', (m) => void (m.tables[0]!.shards[0]!.chunks[0]!['sha256'] = 'xyz'), /tables\.0\.shards\.0\.chunks\.0\.sha256: expected 64 lowercase hex digits/],
    ['a path outside the directory', (m) => void (m.tables[0]!.shards[0]!.chunks[0]!['file'] = '../etc/passwd'), /chunks\.0\.file: expected a path inside the export directory/],
    ['an absolute path', (m) => void (m.tables[0]!.shards[0]!.chunks[0]!['file'] = '/etc/passwd'), /chunks\.0\.file: expected a path inside/],
    ['a gap between chunks', (m) => void (m.tables[0]!.shards[1]!.chunks[1]!['lo'] = ['8']), /shards\.1\.chunks\.1\.lo: does not continue the previous chunk/],
    ['a gap between shards', (m) => void (m.tables[0]!.shards[1]!.lo = ['6']), /shards\.1\.chunks\.0\.lo|shards\.1\.lo: does not continue/],
    ['a key that is not a column', (m) => void (m.tables[0]!.key = ['nope']), /tables\.0\.key: "nope" is not a column of table orders/],
    ['an unknown format', (m) => void (m['format'] = 'parquet'), /format: /],
  ])('refuses %s, naming the field', (_what, spoil, message) => {
    const m = manifest() as M;
    spoil(m);
    const r = validateManifest(m);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toMatch(message);
  });
});

describe('table folder names', () => {
  it('keeps plain names and encodes everything else, so any name is a safe, distinct folder', () => {
    expect(tableDirName('orders_2024-x')).toBe('orders_2024-x');
    expect(tableDirName('../a b')).toBe('%2E%2E%2Fa%20b');
    expect(tableDirName('é')).toBe('%C3%A9');
    expect(tableDirNames(['Orders', 'orders', 'x'])).toEqual(['Orders', 'orders~2', 'x']);
  });
});

describe('RowHasher', () => {
  it('hashes the checksum forms joined by U+001F with NULL as \\N, and sums 60-bit hashes', () => {
    const cols = [col('id', 'int', { bytes: 4 }), col('d', 'decimal'), col('ts', 'timestamp', { precision: 6, tz: false }), col('j', 'json', { binary: true })];
    const h = new RowHasher(cols, [cols[0]!]);
    h.add(['1', '2.50', '2024-01-01 00:00:00', '{"b":1,"a":2}']);
    h.add(['2', null, null, null]);
    expect(h.rows).toBe(2);
    expect(h.sum).toBe(rowHash('1\x1f2.5\x1f2024-01-01 00:00:00.000000') + rowHash('2\x1f\\N\x1f\\N'));
    expect(h.canonicalSum).toBe(rowHash('1\x1f{"a":2,"b":1}') + rowHash('2\x1f\\N'));
    expect(rowHash('')).toBe(BigInt('0x' + 'd41d8cd98f00b20'));
  });
});
