/**
 * A pooled pg client checked out for a transaction or a COPY. pg reports a connection that dies between
 * statements (the server restarting, an administrator ending the session) as an 'error' event on the
 * client, not on a query; with no listener that event ends the worker process. Here it is kept: the
 * next statement fails anyway, and the client is dropped from the pool instead of handed out again.
 */
import type pg from 'pg';

/** A checked-out client whose connection errors are caught; see the module comment. */
export interface GuardedClient {
  client: pg.PoolClient;
  /** Marks the client unusable (a failed ROLLBACK), so {@link GuardedClient.release} drops it. */
  markBroken(err: Error): void;
  /** Gives the client back to the pool, or drops it when its connection failed or it was marked broken. */
  release(): void;
}

/**
 * Checks out a client from `pool` with its connection errors caught; `onError` also hears them (a
 * reader fails its stream with the error, say).
 */
export async function connectGuarded(pool: pg.Pool, onError?: (err: Error) => void): Promise<GuardedClient> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onClientError = (err: Error) => {
    broken ??= err;
    onError?.(err);
  };
  client.on('error', onClientError);
  return {
    client,
    markBroken(err) {
      broken ??= err;
    },
    release() {
      // A dropped client keeps the listener: it may still emit while it closes.
      if (!broken) client.removeListener('error', onClientError);
      client.release(broken);
    },
  };
}
