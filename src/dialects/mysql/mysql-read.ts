/**
 * Streamed range reads from MySQL/MariaDB as transfer text. mysql2's query stream pauses the socket
 * when its buffer is full, so memory stays flat however many rows the range holds.
 */
import { pipeline, Transform, type Readable, type TransformCallback } from 'node:stream';
import type { Connection as CoreConnection, TypeCastField } from 'mysql2';
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
 * Runs `sql` on `conn` as a streaming query and returns its rows as transfer text. The connection goes
 * back to the pool once the server has sent the whole result (or an error); if the consumer stops
 * early it is destroyed instead, because it would otherwise still be receiving the rest of the result.
 */
export function streamRows(conn: PoolConnection, sql: string, mapError: (err: unknown) => unknown = (e) => e): Readable {
  const core = conn.connection as unknown as CoreConnection;
  const query = core.query({ sql, rowsAsArray: true, typeCast: stringCast });
  let queryEnded = false;
  const rows = query.stream({ highWaterMark: 512 });
  query.on('end', () => (queryEnded = true));
  const out = new RowEncoder();
  // Registered before pipeline's own handler, so the consumer sees ferry's error, not the driver's.
  rows.once('error', (err) => out.destroy(mapError(err) as Error));
  pipeline(rows, out, () => {
    if (queryEnded) conn.release();
    else conn.destroy();
  });
  return out;
}
