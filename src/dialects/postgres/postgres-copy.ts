/**
 * The bulk paths: `COPY (SELECT …) TO STDOUT` for reads and `COPY … FROM STDIN` for writes, both in
 * transfer text, so PostgreSQL produces and parses the rows itself and ferry only moves bytes.
 */
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { CopyOutStream } from './copy-out-stream.js';
import { connectGuarded } from './guarded-client.js';

/** Runs a COPY … TO STDOUT and returns its byte stream; the client is released when the stream ends. */
export async function copyOut(pool: pg.Pool, sql: string): Promise<Readable> {
  let stream: CopyOutStream | undefined;
  // The connection dying while pg has no query to fail with it (the server ends the session as the
  // reader is torn down, say) fails the stream, if it is still open.
  const guarded = await connectGuarded(pool, (err) => {
    if (stream && !stream.destroyed) stream.destroy(err);
  });
  let released = false;
  const release = (err?: Error) => {
    if (released) return;
    released = true;
    // A stream torn down mid-COPY leaves the connection unusable; drop it instead of pooling it.
    if (err) guarded.markBroken(err);
    guarded.release();
  };
  try {
    const out = guarded.client.query(new CopyOutStream(sql) as CopyOutStream & pg.Submittable);
    stream = out;
    out.on('end', () => release());
    out.on('error', (e: Error) => release(e));
    out.on('close', () => release(out.readableEnded ? undefined : new Error('copy stream closed early')));
    return out;
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
  const guarded = await connectGuarded(pool);
  const { client } = guarded;
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
      guarded.markBroken(rollbackError as Error);
    }
    data.destroy();
    throw e;
  } finally {
    guarded.release();
  }
}

/** In one transaction: run `deleteSql` (when given), then COPY `data` in. Returns the rows copied. */
export function replaceWithCopy(pool: pg.Pool, deleteSql: string | undefined, copySql: string, data: Readable): Promise<number> {
  return inCopyTransaction(pool, data, async (client, copyIn) => {
    if (deleteSql !== undefined) await client.query(deleteSql);
    return copyIn(copySql);
  });
}
