/**
 * Streamed range reads from MySQL/MariaDB as transfer text. The socket is paused while the consumer
 * is full, so memory stays flat however many rows the range holds.
 */
import { Readable, Transform, type TransformCallback } from 'node:stream';
import type { TypeCastField } from 'mysql2';
import type { PoolConnection } from 'mysql2/promise';
import { encodeRow } from '../../core/transfer-text.js';
import type { RowTap } from '../dialect.js';

/**
 * Every value as the server's text (UTF-8 decoded even for binary-charset results such as MySQL's
 * JSON type), so no Date or number conversion can alter it. The SQL builds each value's transfer form.
 */
export function stringCast(field: TypeCastField): string | null {
  return field.string('utf8');
}

/** Rows in; transfer text out, in Buffers of about `batchBytes` so each push carries many rows. */
export class RowEncoder extends Transform {
  private text = '';
  constructor(private readonly batchBytes = 64 * 1024) {
    super({ writableObjectMode: true, writableHighWaterMark: 256 });
  }
  override _transform(row: (string | null)[], _enc: BufferEncoding, done: TransformCallback): void {
    this.text += encodeRow(row);
    if (this.text.length >= this.batchBytes) {
      const out = Buffer.from(this.text, 'utf8');
      this.text = '';
      return done(null, out);
    }
    done();
  }
  override _flush(done: TransformCallback): void {
    done(null, this.text.length > 0 ? Buffer.from(this.text, 'utf8') : undefined);
  }
}

/**
 * Runs `sql` on `conn` as a streaming query and returns its rows as transfer text, in Buffers of about
 * `batchBytes`. Rows are encoded as the driver parses them, not passed one by one through an object
 * stream (that cost about a fifth of the worker's CPU on a MySQL read); when the consumer is full the
 * connection's socket is paused until it reads again, so memory stays flat. The connection goes back
 * to the pool once the server has sent the whole result (or an error); if the consumer stops early it
 * is destroyed instead, because it would otherwise still be receiving the rest of the result.
 */
export function streamRows(conn: PoolConnection, sql: string, mapError: (err: unknown) => unknown = (e) => e, batchBytes = 64 * 1024, tap?: RowTap): Readable {
  const core = conn.connection as unknown as PausableConnection;
  let paused = false;
  let settled = false;
  const settle = (ended: boolean) => {
    if (settled) return;
    settled = true;
    if (ended) conn.release();
    else conn.destroy();
  };
  const encoder = new LineEncoder(batchBytes);
  const out = new Readable({
    read() {
      if (paused) {
        paused = false;
        core.resume();
      }
    },
    destroy(err, done) {
      // Stopped before the server finished sending: the connection is mid-result.
      settle(false);
      done(err);
    },
  });
  // Raw bytes (typeCast false): the connection is utf8mb4, so values arrive as UTF-8 and are escaped
  // and copied as bytes, never decoded into strings and encoded back.
  const query = core.query({ sql, rowsAsArray: true, typeCast: false });
  query.on('result', (row: (Buffer | null)[]) => {
    if (out.destroyed) return;
    tap?.row(row);
    const batch = encoder.add(row);
    if (batch === undefined) return;
    const more = out.push(batch);
    if (!more && !paused) {
      paused = true;
      core.pause();
    }
  });
  query.on('error', (err: unknown) => {
    if (!out.destroyed) out.destroy(mapError(err) as Error);
  });
  query.on('end', () => {
    if (out.destroyed) return;
    settle(true);
    const rest = encoder.flush();
    if (rest !== undefined) out.push(rest);
    out.push(null);
  });
  return out;
}

/** The parts of mysql2's core connection used to stream a result with backpressure. */
interface PausableConnection {
  query(opts: { sql: string; rowsAsArray: boolean; typeCast: false }): NodeJS.EventEmitter;
  pause(): void;
  resume(): void;
}

const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const BACKSLASH = 0x5c;
const ESCAPED: Record<number, number> = { [BACKSLASH]: BACKSLASH, [TAB]: 0x74, [LF]: 0x6e, [CR]: 0x72 };
/** Per byte: the letter that follows the backslash when the byte must be escaped, else 0. */
const ESCAPE_AS = new Uint8Array(256);
for (const [c, as] of Object.entries(ESCAPED)) ESCAPE_AS[Number(c)] = as;
/**
 * Values up to this many bytes are copied byte by byte in the loop that looks for escapes; longer
 * ones as runs with Buffer.copy. A copy call costs as much as copying tens of bytes by hand, and
 * most values (numbers, dates, short text) are shorter than this.
 */
const BYTEWISE_MAX = 64;

/**
 * Rows of raw UTF-8 values in; transfer text out, as byte batches of about `batchBytes`: values
 * tab-separated, NULL as `\N`, `\\ \t \n \r` escaped, exactly as {@link encodeRow} writes them.
 */
export class LineEncoder {
  private buf: Buffer;
  private at = 0;
  constructor(private readonly batchBytes = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(batchBytes * 2);
  }

  /** Adds one row; returns a full batch when one is ready. */
  add(row: readonly (Buffer | null)[]): Buffer | undefined {
    let need = 1;
    for (const v of row) need += v === null ? 3 : v.length * 2 + 1;
    if (this.at + need > this.buf.length) this.grow(need);
    let at = this.at;
    for (let i = 0; i < row.length; i++) {
      if (i > 0) this.buf[at++] = TAB;
      const v = row[i]!;
      at = v === null ? this.putNull(at) : this.putEscaped(v, at);
    }
    this.buf[at++] = LF;
    this.at = at;
    return this.at >= this.batchBytes ? this.take() : undefined;
  }

  private putNull(at: number): number {
    this.buf[at++] = BACKSLASH;
    this.buf[at++] = 0x4e; // N
    return at;
  }

  // Copies `src` to the batch at `at`, escaping \ \t \n \r; returns the new end.
  private putEscaped(src: Buffer, at: number): number {
    const out = this.buf;
    if (src.length <= BYTEWISE_MAX) {
      for (let j = 0; j < src.length; j++) {
        const c = src[j]!;
        const as = ESCAPE_AS[c]!;
        if (as === 0) out[at++] = c;
        else {
          out[at++] = BACKSLASH;
          out[at++] = as;
        }
      }
      return at;
    }
    let copied = 0;
    for (let j = 0; j < src.length; j++) {
      const as = ESCAPE_AS[src[j]!]!;
      if (as === 0) continue;
      at += src.copy(out, at, copied, j);
      out[at++] = BACKSLASH;
      out[at++] = as;
      copied = j + 1;
    }
    return at + src.copy(out, at, copied);
  }

  /** What is left at the end of the result. */
  flush(): Buffer | undefined {
    return this.at > 0 ? this.take() : undefined;
  }

  private take(): Buffer {
    const batch = Buffer.from(this.buf.subarray(0, this.at));
    this.at = 0;
    return batch;
  }

  // A row larger than what is free: keep what is written, in a buffer big enough for the row too.
  private grow(need: number): void {
    const bigger = Buffer.allocUnsafe(Math.max(this.batchBytes * 2, this.at + need));
    this.buf.copy(bigger, 0, 0, this.at);
    this.buf = bigger;
  }
}
