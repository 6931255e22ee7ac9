/**
 * The last step of an export: gather the chunk records of every shard into DIR/manifest.json (written
 * atomically, last, so its presence means the export is complete) and remove files no chunk claims.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { KeyTuple } from '../core/key-range.js';
import { ManifestError } from '../errors.js';
import { readJsonIfExists, removeIfExists, writeFileAtomic } from '../files/file-io.js';
import {
  MANIFEST_FILE,
  MANIFEST_VERSION,
  PLAN_FILE,
  chunkFileName,
  chunkRecordName,
  sameKey,
  type ChunkRecord,
  type ExportPlanFile,
  type Manifest,
  type ShardEntry,
} from '../files/manifest.js';
import type { ActivityDeps } from './deps.js';
import { withFailures } from './failures.js';

/** Per table: rows, chunks and compressed bytes written. */
export interface FinishExportResult {
  tables: { table: string; rows: number; chunks: number; bytes: number }[];
}

/** Writes the manifest of the export in `dir` from its plan and chunk records. */
export async function finishExport(_deps: ActivityDeps, input: { dir: string }): Promise<FinishExportResult> {
  return withFailures(`writing the manifest of ${input.dir}`, async () => {
    const planPath = join(input.dir, PLAN_FILE);
    const plan = (await readJsonIfExists(planPath)) as ExportPlanFile | undefined;
    if (!plan) throw new ManifestError(planPath, 'is missing; the export directory was changed during the export: run the export again');
    const manifest: Manifest = {
      ferryExport: MANIFEST_VERSION,
      source: plan.source,
      engine: plan.engine,
      createdAt: new Date().toISOString(),
      format: plan.format,
      compression: 'gzip',
      chunkRows: plan.chunkRows,
      tables: [],
    };
    const out: FinishExportResult['tables'] = [];
    for (const t of plan.tables) {
      const shards: ShardEntry[] = [];
      const keep = new Set<string>();
      let bytes = 0;
      for (const [si, range] of t.shards.entries()) {
        const chunks: ShardEntry['chunks'] = [];
        let at: KeyTuple | null = range.lo;
        for (let n = 0; ; n++) {
          const recordPath = join(input.dir, t.dir, chunkRecordName(si, n));
          const r = (await readJsonIfExists(recordPath)) as ChunkRecord | undefined;
          if (!r || !sameKey(r.lo, at) || !sameKey(r.shardHi, range.hi)) throw new ManifestError(recordPath, 'is missing or belongs to another layout; run the export again');
          const file = chunkFileName(si, n, plan.format);
          keep.add(file).add(chunkRecordName(si, n));
          const hi = r.done ? range.hi : r.end;
          chunks.push({ file: `${t.dir}/${file}`, lo: r.lo, hi, rows: r.rows, bytes: r.bytes, sha256: r.sha256, sum: r.sum, canonicalSum: r.canonicalSum });
          bytes += r.bytes;
          if (r.done) break;
          at = r.end;
        }
        shards.push({ lo: range.lo, hi: range.hi, chunks });
      }
      // Chunks of an earlier layout, and temporary files of attempts that died, are not part of the export.
      for (const f of await readdir(join(input.dir, t.dir))) if (!keep.has(f)) await removeIfExists(join(input.dir, t.dir, f));
      const rows = shards.reduce((a, s) => a + s.chunks.reduce((b, c) => b + c.rows, 0), 0);
      manifest.tables.push({ name: t.name, dir: t.dir, schema: t.schema, key: t.key, rows, shards });
      out.push({ table: t.name, rows, chunks: shards.reduce((a, s) => a + s.chunks.length, 0), bytes });
    }
    await writeFileAtomic(join(input.dir, MANIFEST_FILE), JSON.stringify(manifest, null, 1));
    return { tables: out };
  });
}
