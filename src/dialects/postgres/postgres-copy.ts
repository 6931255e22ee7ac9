/**
 * The bulk paths: `COPY (SELECT …) TO STDOUT` for reads and `COPY … FROM STDIN` for writes, both in
 * transfer text, so PostgreSQL produces and parses the rows itself and ferry only moves bytes.
 */
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { CopyOutStream } from './copy-out-stream.js';

/** Runs a COPY … TO STDOUT and returns its byte stream; the client is released when the stream ends. */
export async function copyOut(pool: pg.Pool, sql: string): Promise<Readable> {
  const client = await pool.connect();
  let released = false;
  const release = (err?: Error) => {
    if (released) return;
    released = true;
    // A stream torn down mid-COPY leaves the connection unusable; drop it instead of pooling it.
    client.release(err ?? undefined);
  };
  try {
    const stream = client.query(new CopyOutStream(sql) as CopyOutStream & pg.Submittable);
    stream.on('end', () => release());
    stream.on('error', (e: Error) => release(e));
    stream.on('close', () => release(stream.readableEnded ? undefined : new Error('copy stream closed early')));
    return stream;
  } catch (e) {
    release(e as Error);
    throw e;
  }
}

/**
 * Runs `body` in one transaction on a pooled client; `copyIn(sql)` streams `data` into a
 * `COPY … FROM STDIN` and returns the rows copied. Any failure rolls back and destroys `data`, so a
 * retry starts from the same target state.
 */
export async function inCopyTransaction<T>(
  pool: pg.Pool,
  data: Readable,
  body: (client: pg.PoolClient, copyIn: (copySql: string) => Promise<number>) => Promise<T>,
): Promise<T> {
  // The producer may fail while the connection is fetched or the range deleted (a source read
  // dropped, a missing chunk file); that failure is kept in `data.errored` for copyIn, and must not
  // reach the process as an unhandled 'error' in the meantime.
  data.on('error', () => undefined);
  const client = await pool.connect();
  let broken: Error | undefined;
  const copyIn = async (copySql: string) => {
    // Input that failed before the COPY began (e.g. a missing file) is not worth starting it for.
    if (data.errored) throw data.errored;
    const sink = client.query(copyStreams.from(copySql));
    // The server answers a cancelled COPY after pipeline() has settled and let go of its listeners;
    // that late 'error' is the same failure pipeline() already rejected with, not a new one.
    sink.on('error', () => undefined);
    await pipeline(data, sink);
    return sink.rowCount ?? 0;
  };
  try {
    await client.query('BEGIN');
    const result = await body(client, copyIn);
    await client.query('COMMIT');
    return result;
  } catch (e) {
    try {
      await client.query('ROLLBACK');
    } catch (rollbackError) {
      broken = rollbackError as Error;
    }
    data.destroy();
    throw e;
  } finally {
    client.release(broken);
  }
}

/** In one transaction: run `deleteSql` (when given), then COPY `data` in. Returns the rows copied. */
export function replaceWithCopy(pool: pg.Pool, deleteSql: string | undefined, copySql: string, data: Readable): Promise<number> {
  return inCopyTransaction(pool, data, async (client, copyIn) => {
    if (deleteSql !== undefined) await client.query(deleteSql);
    return copyIn(copySql);
  });
}
