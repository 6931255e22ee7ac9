/**
 * The export directory's layout and its manifest. Pure: shapes, validation and paths; reading and
 * writing live in file-io.ts.
 *
 * ```
 * DIR/manifest.json              written last: the export is complete when it exists
 * DIR/export-plan.json           the shard layout, kept so a re-run writes the same chunks
 * DIR/<table>/<shard>-<n>.csv.gz one gzip file per chunk (or .ndjson.gz)
 * DIR/<table>/<shard>-<n>.chunk.json   what was written for that chunk (a re-run skips it when it matches)
 * ```
 */
import { z } from 'zod';
import type { TableSchema } from '../core/column-model.js';
import type { KeyRange, KeyTuple } from '../core/key-range.js';

/** Version written to and expected in `ferryExport`. */
export const MANIFEST_VERSION = 1;
export const MANIFEST_FILE = 'manifest.json';
export const PLAN_FILE = 'export-plan.json';

/** Chunk file formats: CSV per RFC 4180 or NDJSON, both gzip-compressed. */
export type FileFormat = 'csv' | 'ndjson';
export const FILE_FORMATS: readonly FileFormat[] = ['csv', 'ndjson'];

/** One chunk file: its key range, rows and the checksums to verify both the file and a table against. */
export interface ChunkEntry {
  /** Path relative to the export directory, `/`-separated. */
  file: string;
  /** Rows with `lo < key <= hi` (null = unbounded), keys in checksum form. */
  lo: KeyTuple | null;
  hi: KeyTuple | null;
  rows: number;
  /** Size of the compressed file in bytes. */
  bytes: number;
  /** sha256 of the compressed file's bytes, lowercase hex. */
  sha256: string;
  /** Sum of the rows' 60-bit hashes by the SQL checksum rules (see files/row-hash.ts), decimal. */
  sum: string;
  /** The same over key plus json/float/array columns in canonical form; "0" when there are none. */
  canonicalSum: string;
}

/** One shard of a table: a key range cut into consecutive chunks. */
export interface ShardEntry {
  lo: KeyTuple | null;
  hi: KeyTuple | null;
  chunks: ChunkEntry[];
}

/** One exported table. */
export interface TableEntry {
  name: string;
  /** Its folder under the export directory. */
  dir: string;
  /** The neutral schema: columns, types, key, indexes, foreign keys (as planning introspected them). */
  schema: TableSchema;
  /** Key column names, in key order. */
  key: string[];
  rows: number;
  shards: ShardEntry[];
}

/** DIR/manifest.json. */
export interface Manifest {
  ferryExport: typeof MANIFEST_VERSION;
  /** Where the rows came from: engine, host and database, never credentials. */
  source: string;
  engine: 'postgres' | 'mysql';
  createdAt: string;
  format: FileFormat;
  compression: 'gzip';
  chunkRows: number;
  tables: TableEntry[];
}

/** One table of DIR/export-plan.json. */
export interface PlannedTable {
  name: string;
  dir: string;
  schema: TableSchema;
  key: string[];
  shards: KeyRange[];
}

/** DIR/export-plan.json: the layout a re-run reuses so it finds its finished chunks again. */
export interface ExportPlanFile {
  ferryExport: typeof MANIFEST_VERSION;
  source: string;
  engine: 'postgres' | 'mysql';
  format: FileFormat;
  chunkRows: number;
  tables: PlannedTable[];
}

/** DIR/<table>/<shard>-<n>.chunk.json: a chunk written and checked. */
export interface ChunkRecord extends Omit<ChunkEntry, 'file' | 'hi'> {
  /** The chunk's last key as cut (null when it runs to the shard's end). */
  end: KeyTuple | null;
  /** The shard's upper bound when written: a record of another layout is not reused. */
  shardHi: KeyTuple | null;
  /** True for the shard's last chunk. */
  done: boolean;
  format: FileFormat;
}

const keyTuple = z.array(z.string()).nullable();
const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex digits');
const decimal = z.string().regex(/^\d+$/, 'expected a decimal number');
// Relative, `/`-separated, without `..` or an absolute start: a manifest cannot point outside its directory.
const relPath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/') && !p.includes('\\') && !p.split('/').some((s) => s === '..' || s === '' || s === '.'), 'expected a path inside the export directory');

const column = z
  .object({ name: z.string().min(1), type: z.object({ kind: z.string() }).passthrough(), nullable: z.boolean(), nativeType: z.string() })
  .passthrough();
const schema = z
  .object({
    name: z.string().min(1),
    columns: z.array(column).min(1),
    primaryKey: z.array(z.string()),
    hasPrimaryKey: z.boolean(),
    indexes: z.array(z.object({ name: z.string(), columns: z.array(z.string()), unique: z.boolean() })),
    foreignKeys: z.array(z.object({ name: z.string(), columns: z.array(z.string()), refTable: z.string(), refColumns: z.array(z.string()), onDelete: z.string(), onUpdate: z.string() })),
    estimatedRows: z.number(),
  })
  .passthrough();

const chunk = z.object({
  file: relPath,
  lo: keyTuple,
  hi: keyTuple,
  rows: z.number().int().min(0),
  bytes: z.number().int().min(0),
  sha256: hex64,
  sum: decimal,
  canonicalSum: decimal,
});

const table = z.object({
  name: z.string().min(1),
  dir: relPath,
  schema,
  key: z.array(z.string()).min(1),
  rows: z.number().int().min(0),
  shards: z.array(z.object({ lo: keyTuple, hi: keyTuple, chunks: z.array(chunk).min(1) })).min(1),
});

export const manifestSchema = z.object({
  ferryExport: z.literal(MANIFEST_VERSION),
  source: z.string(),
  engine: z.enum(['postgres', 'mysql']),
  createdAt: z.string(),
  format: z.enum(['csv', 'ndjson']),
  compression: z.literal('gzip'),
  chunkRows: z.number().int().min(1),
  tables: z.array(table).min(1),
});

/**
 * Validates a parsed manifest. Returns the manifest, or a message naming the first bad field by its
 * path (e.g. `tables.0.shards.2.chunks.1.sha256: expected 64 lowercase hex digits`).
 */
export function validateManifest(raw: unknown): { ok: true; manifest: Manifest } | { ok: false; message: string } {
  const r = manifestSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const at = issue.path.join('.');
    if (at === 'ferryExport') return { ok: false, message: `not a ferry export manifest of version ${MANIFEST_VERSION} (ferryExport: ${JSON.stringify((raw as Record<string, unknown> | null)?.['ferryExport'])})` };
    return { ok: false, message: `${at || 'manifest'}: ${issue.message}` };
  }
  const manifest = r.data as unknown as Manifest;
  for (const [ti, t] of manifest.tables.entries()) {
    for (const k of t.key) if (!t.schema.columns.some((c) => c.name === k)) return { ok: false, message: `tables.${ti}.key: "${k}" is not a column of table ${t.name}` };
    // Chunks must tile each shard, and shards the table, so ranges select exactly the exported rows.
    let prev: KeyTuple | null | undefined = undefined;
    for (const [si, s] of t.shards.entries()) {
      if (prev !== undefined && !sameKey(prev, s.lo)) return { ok: false, message: `tables.${ti}.shards.${si}.lo: does not continue the previous shard` };
      let at: KeyTuple | null = s.lo;
      for (const [ci, c] of s.chunks.entries()) {
        if (!sameKey(at, c.lo)) return { ok: false, message: `tables.${ti}.shards.${si}.chunks.${ci}.lo: does not continue the previous chunk` };
        at = c.hi;
      }
      if (!sameKey(at, s.hi)) return { ok: false, message: `tables.${ti}.shards.${si}: its chunks end before the shard does` };
      prev = s.hi;
    }
    if (t.shards[0]!.lo !== null || t.shards[t.shards.length - 1]!.hi !== null) return { ok: false, message: `tables.${ti}.shards: do not cover the whole table` };
  }
  return { ok: true, manifest };
}

/** Whether two key bounds are the same (null = unbounded). */
export function sameKey(a: KeyTuple | null, b: KeyTuple | null): boolean {
  if (a === null || b === null) return a === b;
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * A table's folder name: the name with every character but ASCII letters, digits, `_` and `-` written
 * as `%XX` (its UTF-8 bytes), so any table name is a safe, distinct folder name (`.` and `/` included).
 */
export function tableDirName(table: string): string {
  return Array.from(Buffer.from(table, 'utf8'))
    .map((b) => (/[A-Za-z0-9_-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');
}

/** Folder names for `tables`, made distinct also where the file system ignores case (`~2`, `~3` …). */
export function tableDirNames(tables: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return tables.map((t) => {
    const base = tableDirName(t);
    const n = (seen.get(base.toLowerCase()) ?? 0) + 1;
    seen.set(base.toLowerCase(), n);
    return n === 1 ? base : `${base}~${n}`;
  });
}

/** `<shard>-<n>.<format>.gz`, the chunk file's name in its table's folder. */
export function chunkFileName(shard: number, n: number, format: FileFormat): string {
  return `${shard}-${n}.${format}.gz`;
}

/** `<shard>-<n>.chunk.json`, the record written next to a finished chunk file. */
export function chunkRecordName(shard: number, n: number): string {
  return `${shard}-${n}.chunk.json`;
}
