/**
 * Streamed range reads from MySQL/MariaDB as transfer text. The socket is paused while the consumer
 * is full, so memory stays flat however many rows the range holds.
 */
import { Readable, Transform, type TransformCallback } from 'node:stream';
import type { TypeCastField } from 'mysql2';
import type { PoolConnection } from 'mysql2/promise';
import { encodeRow } from '../../core/transfer-text.js';

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
export function streamRows(conn: PoolConnection, sql: string, mapError: (err: unknown) => unknown = (e) => e, batchBytes = 64 * 1024): Readable {
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
  encodeFromPackets(query, encoder, () => !out.destroyed);
  query.on('result', (row: (Buffer | null)[] | typeof ENCODED) => {
    if (out.destroyed) return;
    const batch = row === ENCODED ? encoder.takeIfFull() : encoder.add(row);
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

/** What a row parser returns for a row already written into the encoder. */
export const ENCODED = Symbol('encoded');

/** mysql2's row packet, as its row parsers read it: the row's bytes are `buffer[offset, end)`. */
interface RowPacket {
  buffer: Buffer;
  offset: number;
  end: number;
}

interface RowParser {
  next(packet: RowPacket, fields: unknown, options: unknown): unknown;
}

/**
 * Encodes each row straight from its packet instead of letting mysql2 cut a Buffer per value first:
 * that slicing, and collecting its garbage, was over a third of the worker's CPU on a MySQL read
 * (0.6 s per 1M rows of the bench's table). mysql2 keeps the parser it builds for a result in the
 * query's `_rowParser`; the parser installed here takes its place and hands each packet to the
 * encoder. Should mysql2 stop using that slot, or hand over a packet of another shape, its own parser
 * runs and `streamRows` encodes its arrays as before: the bytes written are the same either way.
 * Rows that arrive while `wanted()` is false (the reader has stopped) are dropped.
 */
export function encodeFromPackets(query: NodeJS.EventEmitter, encoder: LineEncoder, wanted: () => boolean = () => true): void {
  let own: RowParser | undefined;
  const raw: RowParser = {
    next(packet, fields, options) {
      const columns = Array.isArray(fields) ? fields.length : -1;
      if (own === undefined || columns < 0 || !Buffer.isBuffer(packet.buffer) || typeof packet.offset !== 'number' || typeof packet.end !== 'number') {
        if (own === undefined) throw new Error('mysql2 asked for a row before describing the result');
        return own.next(packet, fields, options);
      }
      // Rows still arriving after the reader stopped are dropped, as streamRows drops arrays.
      if (wanted()) encoder.addPacket(packet.buffer, packet.offset, packet.end, columns);
      return ENCODED;
    },
  };
  Object.defineProperty(query, '_rowParser', {
    configurable: true,
    get: () => (own === undefined ? own : raw),
    set: (parser: RowParser | null) => {
      own = parser ?? undefined;
    },
  });
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
      at = v === null ? this.putNull(at) : this.putEscaped(v, 0, v.length, at);
    }
    this.buf[at++] = LF;
    this.at = at;
    return this.takeIfFull();
  }

  /**
   * Adds one row read straight from a MySQL text-protocol row packet: `columns` length-coded values
   * in `packet[start, end)`, 0xFB standing for NULL. Call {@link takeIfFull} afterwards.
   */
  addPacket(packet: Buffer, start: number, end: number, columns: number): void {
    const need = (end - start) * 2 + columns * 3 + 1;
    if (this.at + need > this.buf.length) this.grow(need);
    let at = this.at;
    let p = start;
    for (let i = 0; i < columns; i++) {
      if (i > 0) this.buf[at++] = TAB;
      const tag = packet[p++]!;
      let len: number;
      if (tag < 0xfb) len = tag;
      else if (tag === 0xfb) {
        at = this.putNull(at);
        continue;
      } else if (tag === 0xfc) {
        len = packet.readUInt16LE(p);
        p += 2;
      } else if (tag === 0xfd) {
        len = packet.readUIntLE(p, 3);
        p += 3;
      } else if (tag === 0xfe) {
        len = packet.readUInt32LE(p) + packet.readUInt32LE(p + 4) * 2 ** 32;
        p += 8;
      } else {
        throw new Error(`malformed MySQL row packet: length tag 0x${tag.toString(16)} in column ${i + 1}`);
      }
      if (p + len > end) throw new Error(`malformed MySQL row packet: column ${i + 1} runs past the packet`);
      at = this.putEscaped(packet, p, p + len, at);
      p += len;
    }
    this.buf[at++] = LF;
    this.at = at;
  }

  /** A full batch, once the rows added reach `batchBytes`. */
  takeIfFull(): Buffer | undefined {
    return this.at >= this.batchBytes ? this.take() : undefined;
  }

  private putNull(at: number): number {
    this.buf[at++] = BACKSLASH;
    this.buf[at++] = 0x4e; // N
    return at;
  }

  // Copies src[from, stop) to the batch at `at`, escaping \ \t \n \r; returns the new end.
  private putEscaped(src: Buffer, from: number, stop: number, at: number): number {
    const out = this.buf;
    let copied = from;
    for (let j = from; j < stop; j++) {
      const c = src[j]!;
      if (c !== BACKSLASH && c !== TAB && c !== LF && c !== CR) continue;
      at += src.copy(out, at, copied, j);
      out[at++] = BACKSLASH;
      out[at++] = ESCAPED[c]!;
      copied = j + 1;
    }
    return at + src.copy(out, at, copied, stop);
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
    // At least doubling: rows larger than a batch then cost amortised constant copying, not quadratic.
    const bigger = Buffer.allocUnsafe(Math.max(this.batchBytes * 2, this.buf.length * 2, this.at + need));
    this.buf.copy(bigger, 0, 0, this.at);
    this.buf = bigger;
  }
}
