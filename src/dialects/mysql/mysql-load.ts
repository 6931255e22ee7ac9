/**
 * Bulk writes into MySQL/MariaDB with `LOAD DATA LOCAL INFILE` fed from a stream (mysql2's
 * `infileStreamFactory`): delete the key range and load it in one transaction.
 */
import { pipeline, Readable, Transform, type TransformCallback } from 'node:stream';
import type { PoolConnection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { Column } from '../../core/column-model.js';
import { FerryError } from '../../errors.js';
import { quoteId, type NativeColumns } from './mysql-sql.js';

const BACKSLASH = 0x5c;
/** MySQL's warning code for a row skipped because its key is already in the table. */
const ER_DUP_ENTRY = 1062;
/**
 * COPY escapes LOAD DATA reads differently: it turns `\f` into `f`, `\v` into `v` and `\Z` into
 * byte 0x1A. `\b` it does read as backspace; it is rewritten too so the result does not depend on it.
 */
const REWRITES: Record<number, number> = {
  0x66: 0x0c, // \f → form feed
  0x76: 0x0b, // \v → vertical tab
  0x62: 0x08, // \b → backspace
  0x5a: 0x5a, // \Z → Z, as COPY reads it
};

/**
 * Rewrites the COPY text escapes LOAD DATA would misread into the raw bytes they stand for, leaving
 * `\\ \t \n \r \N` (which both read alike) untouched. Tracks an escape split across chunks; jumps
 * between backslashes with indexOf so plain data is copied, not scanned byte by byte.
 */
export class CopyToLoadDataEscapes extends Transform {
  /** The previous chunk ended in the middle of an escape (an unpaired backslash). */
  private pending = false;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    const parts: Buffer[] = [];
    let start = 0; // first byte not yet copied to parts
    let i = 0;
    if (this.pending) {
      this.pending = false;
      if (chunk.length === 0) {
        this.pending = true;
        return done();
      }
      const r = REWRITES[chunk[0]!];
      parts.push(r === undefined ? Buffer.from([BACKSLASH, chunk[0]!]) : Buffer.from([r]));
      start = i = 1;
    }
    for (;;) {
      const at = chunk.indexOf(BACKSLASH, i);
      if (at < 0) break;
      if (at + 1 >= chunk.length) {
        if (at > start) parts.push(chunk.subarray(start, at));
        start = chunk.length;
        this.pending = true;
        break;
      }
      const r = REWRITES[chunk[at + 1]!];
      if (r !== undefined) {
        if (at > start) parts.push(chunk.subarray(start, at));
        parts.push(Buffer.from([r]));
        start = at + 2;
      }
      i = at + 2;
    }
    if (start === 0 && !this.pending) return done(null, chunk); // nothing rewritten: pass the chunk on
    if (start < chunk.length) parts.push(chunk.subarray(start));
    done(null, parts.length === 1 ? parts[0] : Buffer.concat(parts));
  }

  override _flush(done: TransformCallback): void {
    // A lone trailing backslash is malformed COPY text; pass it on for LOAD DATA to judge.
    done(null, this.pending ? Buffer.from([BACKSLASH]) : undefined);
  }
}

/**
 * The LOAD DATA statement for `columns` in transfer order. Binary columns arrive as `\x` + hex and go
 * through a user variable and UNHEX; a YEAR target gets the number (the string '0' would become 2000,
 * the number 0 stays 0000); every other kind loads from its transfer text directly.
 */
export function loadDataSql(table: string, columns: Column[], natives: NativeColumns = new Map()): string {
  const targets: string[] = [];
  const sets: string[] = [];
  columns.forEach((col, i) => {
    if (col.type.kind === 'binary') {
      targets.push(`@v${i}`);
      sets.push(`${quoteId(col.name)} = UNHEX(SUBSTRING(@v${i}, 3))`);
    } else if (natives.get(col.name)?.dataType === 'bit') {
      // '0101' as a string would be stored as its bytes; BIT(n) needs the number the bits spell.
      targets.push(`@v${i}`);
      sets.push(`${quoteId(col.name)} = CAST(CONV(@v${i}, 2, 10) AS UNSIGNED)`);
    } else if (natives.get(col.name)?.dataType === 'year') {
      targets.push(`@v${i}`);
      sets.push(`${quoteId(col.name)} = @v${i} + 0`);
    } else {
      targets.push(quoteId(col.name));
    }
  });
  return (
    `LOAD DATA LOCAL INFILE 'ferry-stream' INTO TABLE ${quoteId(table)} CHARACTER SET utf8mb4 ` +
    `FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (${targets.join(', ')})` +
    (sets.length > 0 ? ` SET ${sets.join(', ')}` : '')
  );
}

interface CoreConnection {
  stream?: { writableNeedDrain?: boolean };
}

/**
 * The incoming transfer text, consumed from the moment a write starts: a producer already in flowing
 * mode (e.g. with a progress listener) would otherwise drop what it emits while the connection is
 * fetched and the range deleted. The escape Transform buffers and pushes back meanwhile.
 */
export class LoadInput {
  /** What LOAD DATA reads. */
  readonly stream = new CopyToLoadDataEscapes();
  /** First error of the producer or the pipe, if any. */
  error: unknown;
  constructor(private readonly data: Readable) {
    pipeline(data, this.stream, (err) => {
      if (err) this.error ??= err;
    });
  }
  /** Stops the producer (often another database's read) when the write fails. */
  abort(): void {
    if (!this.data.destroyed && !this.data.readableEnded) this.data.destroy();
  }
}

/** Warnings from LOAD DATA (values it truncated or rows it skipped); `duplicates` when a key was already there. */
export class LoadWarningsError extends FerryError {
  constructor(
    message: string,
    readonly duplicates: boolean,
  ) {
    super(message);
  }
}

/**
 * LOAD DATA LOCAL of `input` into `table` on `conn` (inside the caller's transaction, if any). LOCAL
 * LOAD DATA turns bad values and duplicate keys into warnings and skips or truncates them, so any
 * warning is an error here, named with `what`. Returns the server's result.
 */
export async function loadStream(
  conn: PoolConnection,
  table: string,
  columns: Column[],
  natives: NativeColumns,
  input: LoadInput,
  what: string,
): Promise<ResultSetHeader> {
  const out = input.stream;
  if (input.error !== undefined) throw input.error;
  const socket = (conn.connection as unknown as CoreConnection).stream;
  const [result] = await conn.query<ResultSetHeader>({
    sql: loadDataSql(table, columns, natives),
    infileStreamFactory: () => {
      // A stream that already failed emits nothing more; load nothing and report the error below.
      if (out.destroyed) return Readable.from([]);
      // mysql2 writes each chunk to the socket without waiting; pause while the socket is full and
      // let mysql2's own 'drain' handler resume us, so memory stays flat on slow links.
      out.prependListener('data', () => {
        if (socket?.writableNeedDrain) out.pause();
      });
      return out;
    },
  });
  if (input.error !== undefined) throw input.error;
  if (result.warningStatus > 0) {
    const [warnings] = await conn.query<RowDataPacket[]>('SHOW WARNINGS LIMIT 5');
    const list = warnings.map((w) => `${String(w['Level'])} ${String(w['Code'])}: ${String(w['Message'])}`).join('; ');
    throw new LoadWarningsError(
      `${what} produced ${result.warningStatus} warning(s), so nothing was written: ${list}; ` +
        `fix the data or the target column types (type overrides) and rerun`,
      warnings.some((w) => Number(w['Code']) === ER_DUP_ENTRY),
    );
  }
  return result;
}

/**
 * In one transaction on `conn`: DELETE rows matching `where` (when it holds any), LOAD DATA the
 * input, check warnings (LOCAL LOAD DATA turns bad values and duplicate keys into warnings and skips
 * or truncates them), COMMIT. Rolls back on any error. Returns the number of rows loaded. Releases
 * `conn` (or destroys it when its state is unknown after a failed rollback).
 */
export async function loadRange(
  conn: PoolConnection,
  table: string,
  columns: Column[],
  natives: NativeColumns,
  where: string,
  input: LoadInput,
): Promise<number> {
  let deleted = false;
  try {
    // READ COMMITTED: the range DELETE then takes no gap locks, so shards of one table loading side by
    // side do not deadlock on their shared boundaries (REPEATABLE READ's next-key locks would).
    await conn.query('SET TRANSACTION ISOLATION LEVEL READ COMMITTED');
    await conn.query('BEGIN');
    deleted = await holdsCommittedRows(conn, table, where);
    if (deleted) await conn.query(`DELETE FROM ${quoteId(table)} WHERE ${where}`);
    const result = await loadStream(conn, table, columns, natives, input, `loading into table "${table}"`);
    await conn.query('COMMIT');
    conn.release();
    return result.affectedRows;
  } catch (err) {
    input.abort();
    if (!deleted && err instanceof LoadWarningsError && err.duplicates) {
      // Not the data's fault when another attempt at this range committed while this one loaded: a
      // plain Error is retried, and the retry finds those rows and deletes them first.
      if (await committedAfterRollback(conn, table, where)) {
        throw new Error(`loading into table "${table}": another attempt committed rows of this key range meanwhile, so nothing was written; retrying`, { cause: err });
      }
      throw err;
    }
    await rollbackAndRelease(conn);
    throw err;
  }
}

/**
 * Rolls back and tells whether the range now holds committed rows; releases `conn` either way
 * (destroys it when the rollback fails, and then answers false).
 */
async function committedAfterRollback(conn: PoolConnection, table: string, where: string): Promise<boolean> {
  try {
    await conn.query('ROLLBACK');
    const found = await holdsCommittedRows(conn, table, where);
    conn.release();
    return found;
  } catch {
    conn.destroy();
    return false;
  }
}

/**
 * Whether the range holds committed rows, by a consistent read (which takes no locks). The DELETE
 * that makes a retry idempotent is run only then: to find the end of its range, InnoDB locks the
 * first row past it even under READ COMMITTED, and when a neighbouring shard has just inserted that
 * row, the DELETE waits for that shard's whole load to commit, so two shards load one after the
 * other. Rows an unfinished attempt is loading into this range are not seen here; if it commits them,
 * this load meets them as duplicate keys and fails retryably (see loadRange), and the retry deletes them.
 */
async function holdsCommittedRows(conn: PoolConnection, table: string, where: string): Promise<boolean> {
  const [rows] = await conn.query<RowDataPacket[]>(`SELECT 1 FROM ${quoteId(table)} WHERE ${where} LIMIT 1`);
  return rows.length > 0;
}

/**
 * After a failure: rolls back, runs `cleanup` statements, and returns the connection to the pool;
 * a connection whose state is then unknown (the rollback itself failed) is destroyed instead.
 */
export async function rollbackAndRelease(conn: PoolConnection, ...cleanup: string[]): Promise<void> {
  try {
    await conn.query('ROLLBACK');
    for (const sql of cleanup) await conn.query(sql);
    conn.release();
  } catch {
    conn.destroy();
  }
}
