/**
 * Writes one chunk file: transfer text from a dialect's readRange → rows → CSV or NDJSON → gzip →
 * a temporary file, synced and renamed into place only when complete, so a chunk file either is
 * whole or does not exist. Row checksums are computed on the way (see row-hash.ts).
 */
import { createWriteStream } from 'node:fs';
import { rename } from 'node:fs/promises';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { Column } from '../core/column-model.js';
import { RowDecoder } from '../core/transfer-text.js';
import { encodeCsvRow } from './csv-codec.js';
import { HashTap, removeIfExists, syncFile, tempPath } from './file-io.js';
import type { FileFormat } from './manifest.js';
import { encodeNdjsonRow } from './ndjson-codec.js';
import { RowHasher } from './row-hash.js';

/** What was written: everything a manifest entry needs besides the file name and range. */
export interface WrittenChunk {
  rows: number;
  bytes: number;
  sha256: string;
  sum: string;
  canonicalSum: string;
}

/** Options of {@link writeChunkFile}. */
export interface ChunkWriteOptions {
  columns: Column[];
  key: Column[];
  format: FileFormat;
  /** Called every few thousand rows with the rows so far (for heartbeats). */
  onProgress?: (rows: number) => void;
}

const FLUSH_AT = 64 * 1024;

/** Encodes decoded rows into the chunk format, hashing each row; the CSV header is the column names. */
class RowEncoder extends Transform {
  readonly hasher: RowHasher;
  private buf: string;
  private readonly names: string[];
  constructor(private readonly opts: ChunkWriteOptions) {
    super({ writableObjectMode: true });
    this.hasher = new RowHasher(opts.columns, opts.key);
    this.names = opts.columns.map((c) => c.name);
    this.buf = opts.format === 'csv' ? encodeCsvRow(this.names) : '';
  }
  override _transform(values: (string | null)[], _enc: BufferEncoding, done: TransformCallback): void {
    if (values.length !== this.names.length) return done(new Error(`the source sent a row of ${values.length} values for ${this.names.length} columns`));
    this.hasher.add(values);
    this.buf += this.opts.format === 'csv' ? encodeCsvRow(values) : encodeNdjsonRow(this.names, values);
    if (this.hasher.rows % 5000 === 0) this.opts.onProgress?.(this.hasher.rows);
    if (this.buf.length >= FLUSH_AT) {
      this.push(this.buf, 'utf8');
      this.buf = '';
    }
    done();
  }
  override _flush(done: TransformCallback): void {
    done(null, this.buf.length > 0 ? Buffer.from(this.buf, 'utf8') : undefined);
  }
}

/** Streams `data` (transfer text) into the chunk file `path`, atomically. */
export async function writeChunkFile(data: Readable, path: string, opts: ChunkWriteOptions): Promise<WrittenChunk> {
  const tmp = tempPath(path);
  const encoder = new RowEncoder(opts);
  const tap = new HashTap();
  try {
    await pipeline(data, new RowDecoder(), encoder, createGzip(), tap, createWriteStream(tmp));
    await syncFile(tmp);
    await rename(tmp, path);
  } catch (e) {
    data.destroy();
    await removeIfExists(tmp);
    throw e;
  }
  const h = encoder.hasher;
  return { rows: h.rows, bytes: tap.bytes, sha256: tap.digest(), sum: h.sum.toString(), canonicalSum: h.canonicalSum.toString() };
}
