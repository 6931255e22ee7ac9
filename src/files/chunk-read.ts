/**
 * Reads one chunk file back as transfer text for a dialect's writeRange: file → sha256 tap → gunzip →
 * CSV/NDJSON parser → transfer text. The stream fails (so the write's transaction rolls back) when the
 * file cannot be read or decompressed, does not parse, has other columns, or when at its end its bytes
 * or row count differ from the manifest: a damaged chunk never loads, not even in part.
 */
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { Transform, pipeline, type Readable, type TransformCallback } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { encodeRow } from '../core/transfer-text.js';
import { ChunkFileError } from '../errors.js';
import { CsvParser, CsvSyntaxError } from './csv-codec.js';
import { HashTap } from './file-io.js';
import type { ChunkEntry, FileFormat } from './manifest.js';
import { NdjsonRowError, decodeNdjsonRow } from './ndjson-codec.js';

const FLUSH_AT = 64 * 1024;

/** Parses chunk text into transfer text and checks the file against its manifest entry at the end. */
class ChunkDecoder extends Transform {
  rows = 0;
  private header = true;
  private buf = '';
  private rest = '';
  private line = 0;
  private readonly text = new StringDecoder('utf8');
  private readonly csv = new CsvParser();
  private readonly onRecord = (values: (string | null)[]) => this.row(values);
  constructor(
    private readonly path: string,
    private readonly names: string[],
    private readonly format: FileFormat,
    private readonly entry: Pick<ChunkEntry, 'rows' | 'sha256' | 'bytes'>,
    private readonly tap: HashTap,
  ) {
    super();
    this.header = format === 'csv';
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      this.feed(this.text.write(chunk));
      this.drain(false);
      done();
    } catch (e) {
      done(this.fileError(e));
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      this.feed(this.text.end());
      if (this.format === 'csv') this.csv.end(this.onRecord);
      else if (this.rest.length > 0) this.ndjsonLine(this.rest);
      if (this.header) throw new ChunkFileError(this.path, 'is empty (it has no header row)');
      const sha = this.tap.digest();
      if (this.tap.bytes !== this.entry.bytes || sha !== this.entry.sha256) {
        throw new ChunkFileError(this.path, `is damaged: ${this.tap.bytes} bytes with sha256 ${sha}, the manifest says ${this.entry.bytes} bytes with sha256 ${this.entry.sha256}`);
      }
      if (this.rows !== this.entry.rows) throw new ChunkFileError(this.path, `holds ${this.rows} rows, the manifest says ${this.entry.rows}`);
      this.drain(true);
      done();
    } catch (e) {
      done(this.fileError(e));
    }
  }

  private feed(text: string): void {
    if (text.length === 0) return;
    if (this.format === 'csv') return this.csv.push(text, this.onRecord);
    const lines = (this.rest + text).split('\n');
    this.rest = lines.pop() ?? '';
    for (const l of lines) this.ndjsonLine(l);
  }

  private ndjsonLine(l: string): void {
    this.line++;
    try {
      this.row(decodeNdjsonRow(this.names, l));
    } catch (e) {
      if (e instanceof NdjsonRowError) throw new ChunkFileError(this.path, `is damaged: line ${this.line} is not a row of the chunk (it ${e.message})`);
      throw e;
    }
  }

  private row(values: (string | null)[]): void {
    if (this.header) {
      this.header = false;
      if (values.length !== this.names.length || values.some((v, i) => v !== this.names[i])) {
        throw new ChunkFileError(this.path, `has the header ${values.join(',')}, expected the columns ${this.names.join(',')}`);
      }
      return;
    }
    if (values.length !== this.names.length) {
      throw new ChunkFileError(this.path, `is damaged: record ${this.rows + 2} has ${values.length} fields for ${this.names.length} columns`);
    }
    this.rows++;
    this.buf += encodeRow(values);
    if (this.buf.length >= FLUSH_AT) this.drain(true);
  }

  private drain(all: boolean): void {
    if (this.buf.length > 0 && (all || this.buf.length >= FLUSH_AT)) {
      this.push(this.buf, 'utf8');
      this.buf = '';
    }
  }

  private fileError(e: unknown): Error {
    if (e instanceof ChunkFileError) return e;
    if (e instanceof CsvSyntaxError) return new ChunkFileError(this.path, `is damaged: it is not valid CSV (${e.message})`, { cause: e });
    return e as Error;
  }
}

/** A chunk file as a transfer-text stream, and the first error of its file side once it failed. */
export interface ChunkSource {
  stream: Readable;
  /** Rows decoded so far. */
  rows: () => number;
  /** The file-side failure (missing, unreadable, damaged), as a ChunkFileError; undefined while fine. */
  failure: () => ChunkFileError | undefined;
}

/** Opens `path` (the chunk of `entry`) as transfer text of `columns` in manifest order. */
export function readChunkFile(path: string, names: string[], format: FileFormat, entry: Pick<ChunkEntry, 'rows' | 'sha256' | 'bytes'>): ChunkSource {
  const tap = new HashTap();
  const decoder = new ChunkDecoder(path, names, format, entry, tap);
  let failure: ChunkFileError | undefined;
  const note = (e: unknown) => {
    if (failure || e === undefined || e === null) return;
    const err = e as NodeJS.ErrnoException;
    if (err instanceof ChunkFileError) failure = err;
    else if (err.code === 'ENOENT') failure = new ChunkFileError(path, 'is missing', { cause: err });
    else if (err.code?.startsWith('Z_') || /incorrect header|unexpected end|invalid|check/i.test(err.message)) failure = new ChunkFileError(path, `is damaged: gzip says ${err.message}`, { cause: err });
    else if (err.code === 'EACCES' || err.code === 'EISDIR') failure = new ChunkFileError(path, `cannot be read (${err.message})`, { cause: err });
  };
  const file = createReadStream(path);
  const gunzip = createGunzip();
  file.on('error', note);
  gunzip.on('error', note);
  decoder.on('error', note);
  pipeline(file, tap, gunzip, decoder, (e) => note(e));
  return { stream: decoder, rows: () => decoder.rows, failure: () => failure };
}
