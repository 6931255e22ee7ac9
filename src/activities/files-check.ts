/**
 * A database compared with an export directory, one shard at a time: counts and SQL checksums of the
 * table's range against the sums the manifest recorded for its chunks, and the canonical sum of the
 * json/float/array columns computed in the worker from the rows read. Nothing is read from the files:
 * the manifest's numbers stand for them (their bytes are checked against the manifest separately).
 */
import { Context } from '@temporalio/activity';
import type { Column } from '../core/column-model.js';
import { needsWorkerCanonical } from '../core/column-model.js';
import type { ShardCheck } from '../core/files-report.js';
import { describeRange, type KeyRange } from '../core/key-range.js';
import { RowDecoder } from '../core/transfer-text.js';
import type { Dialect } from '../dialects/dialect.js';
import type { ChunkEntry, TableEntry } from '../files/manifest.js';
import { loadManifest } from '../files/manifest-io.js';
import { RowHasher } from '../files/row-hash.js';
import type { ActivityDeps } from './deps.js';
import { dialectFor } from './deps.js';
import { withFailures } from './failures.js';
import { keyOf } from './import.js';

/** Input of {@link checkAgainstFiles}. */
export interface CheckAgainstFilesInput {
  dir: string;
  /** The database holding the table. */
  url: string;
  table: string;
  shard: number;
  mode: 'count' | 'checksum';
}

const MAX_LISTED = 20;

/** Compares shard `shard` of `table` in the database with the export; on a difference, names the chunks that differ. */
export async function checkAgainstFiles(deps: ActivityDeps, input: CheckAgainstFilesInput): Promise<ShardCheck> {
  return withFailures(`comparing ${input.table} shard ${input.shard} with the export in ${input.dir}`, async () => {
    const m = await loadManifest(input.dir);
    const t = m.tables.find((x) => x.name === input.table);
    const s = t?.shards[input.shard];
    if (!t || !s) throw new Error(`the manifest of ${input.dir} has no shard ${input.shard} of table ${input.table}`);
    const db = dialectFor(deps, input.url);
    const whole = await compare(db, t, { lo: s.lo, hi: s.hi }, s.chunks, input.mode);
    const result: ShardCheck = { dbRows: whole.dbRows, fileRows: whole.fileRows, match: whole.match, mismatched: [] };
    if (!whole.match) {
      // Name the chunks that differ, so a user knows which key ranges (and files) to look at.
      for (const c of s.chunks) {
        if (result.mismatched.length >= MAX_LISTED) break;
        const r = await compare(db, t, { lo: c.lo, hi: c.hi }, [c], input.mode);
        if (!r.match) result.mismatched.push(`${describeRange(c)} (${c.file}: ${r.fileRows} rows in the file, ${r.dbRows} in the table)`);
        Context.current().heartbeat();
      }
    }
    return result;
  });
}

async function compare(db: Dialect, t: TableEntry, range: KeyRange, chunks: ChunkEntry[], mode: 'count' | 'checksum'): Promise<{ dbRows: number; fileRows: number; match: boolean }> {
  const key = keyOf(t);
  const fileRows = chunks.reduce((a, c) => a + c.rows, 0);
  if (mode === 'count') {
    const dbRows = await db.countRange(t.name, key, range);
    return { dbRows, fileRows, match: dbRows === fileRows };
  }
  const sum = chunks.reduce((a, c) => a + BigInt(c.sum), 0n);
  const r = await db.checksumRange({ table: t.name, columns: t.schema.columns, key, range });
  let match = r.rows === fileRows && BigInt(r.sum) === sum;
  if (match && r.rows > 0 && t.schema.columns.some((c) => needsWorkerCanonical(c.type))) {
    const canonical = chunks.reduce((a, c) => a + BigInt(c.canonicalSum), 0n);
    match = (await canonicalSum(db, t.name, t.schema.columns, key, range)) === canonical;
  }
  return { dbRows: r.rows, fileRows, match };
}

/** The canonical sum (see files/row-hash.ts) of a range, reading only the key and the canonical columns. */
async function canonicalSum(db: Dialect, table: string, columns: Column[], key: Column[], range: KeyRange): Promise<bigint> {
  const keyNames = new Set(key.map((k) => k.name));
  const subset = columns.filter((c) => keyNames.has(c.name) || needsWorkerCanonical(c.type));
  const hasher = new RowHasher(subset, key, false);
  const data = await db.readRange({ table, columns: subset, key, range });
  const ctx = Context.current();
  const rows = data.pipe(new RowDecoder());
  data.on('error', (e) => rows.destroy(e));
  for await (const row of rows) {
    hasher.add(row as (string | null)[]);
    if (hasher.rows % 50_000 === 0) ctx.heartbeat({ rows: hasher.rows });
  }
  return hasher.canonicalSum;
}
