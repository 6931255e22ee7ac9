/**
 * The copy activity: one chunk of at most `chunkRows` rows, read from the source as transfer text and
 * written to the target in one transaction that first deletes the chunk's key range. A retry (after a
 * crash before or after the commit) therefore leaves exactly the rows one success would.
 */
import { Transform } from 'node:stream';
import { Context } from '@temporalio/activity';
import { LOSSY_WHAT } from '../core/column-model.js';
import type { CopiedDigests } from '../core/copied-digest.js';
import { describeRange, type KeyRange, type KeyTuple } from '../core/key-range.js';
import { LossyValueError } from '../errors.js';
import type { TableRange } from './compare-range.js';
import type { Dialect } from '../dialects/dialect.js';
import type { ActivityDeps } from './deps.js';
import { dialectFor } from './deps.js';
import { nextChunkEnd } from './chunk-end.js';
import { copyDigester } from './copy-digest.js';
import { withFailures } from './failures.js';
import { shapedRows, sourceColumns, sourceFor } from './source-side.js';

/** Input of {@link copyChunk}: the rest of a shard, from the cursor `range.lo` (exclusive) to the shard's end. */
export interface CopyChunkInput extends TableRange {
  chunkRows: number;
  /**
   * The target table was created empty by this migration and no earlier run wrote into it, so a first
   * attempt at a range finds none of its rows there (see `WriteRangeOptions.fresh`). Default false.
   */
  freshTarget?: boolean;
  /** Digest the rows as they are read, for a checksum verify (see copy-digest.ts). Default false. */
  digest?: boolean;
}

/** Result of {@link copyChunk}. */
export interface CopyChunkResult {
  rows: number;
  /** Last key of the chunk: the cursor for the next one. */
  end: KeyTuple | null;
  /** True when the shard is complete. */
  done: boolean;
  worker: string;
  /** Attempt that succeeded (1 = first try); more means the chunk was copied again. */
  attempt: number;
  /** The chunk's rows digested as they were read, for verify (see copy-digest.ts); absent when not taken. */
  digests?: CopiedDigests;
}

const HEARTBEAT_EVERY_MS = 1000;

interface ChunkHeartbeat {
  end: KeyTuple | null;
  bytes?: number;
}

/**
 * Whether the chunk can travel in the engine's binary copy form: both sides the same engine, the rows
 * neither reshaped nor mapped, and every column of the same built-in type on both sides. PostgreSQL
 * then neither prints nor parses numbers, timestamps and the like (a 1M-row copy by hand: 1.49 s
 * against 1.63 s in text). Anything else keeps the transfer text, which converts between types.
 */
export async function binaryCopy(source: Dialect, target: Dialect, input: CopyChunkInput): Promise<boolean> {
  if (source.engine !== target.engine || !source.binaryForm || !target.binaryForm) return false;
  if (input.view || input.transform || input.columns.some((c) => c.lossy)) return false;
  const [from, to] = await Promise.all([source.binaryForm(input.table, input.columns), target.binaryForm(input.targetTable, input.columns)]);
  return from !== null && from === to;
}

/** Copies the next chunk of a shard. Heartbeats carry the chunk's end so a retry copies the same range. */
export async function copyChunk(deps: ActivityDeps, input: CopyChunkInput): Promise<CopyChunkResult> {
  const ctx = Context.current();
  return withFailures(`table ${input.table}, keys ${describeRange(input.range)}`, async () => {
    const source = sourceFor(deps, input);
    const target = dialectFor(deps, input.target);
    const previous = ctx.info.heartbeatDetails as ChunkHeartbeat | undefined;
    const end = previous !== undefined ? previous.end : await nextChunkEnd(source, { ...input, viewed: input.view !== undefined });
    ctx.heartbeat({ end } satisfies ChunkHeartbeat);

    const chunk: KeyRange = { lo: input.range.lo, hi: end ?? input.range.hi };
    // Values the target cannot hold would otherwise be refused mid-load without a key, or worse,
    // coerced quietly; with onLossy "error" (the default) the chunk fails naming the first of them.
    const strict = sourceColumns(input).filter((c) => c.lossy?.policy === 'error');
    if (strict.length > 0) {
      const found = await source.firstLossy({ table: input.table, columns: strict, key: input.key, range: chunk });
      if (found) {
        const kinds = strict.find((c) => c.name === found.column)?.lossy?.kinds ?? [];
        throw new LossyValueError(input.table, found.column, found.key, kinds.map((k) => LOSSY_WHAT[k]).join(' or '));
      }
    }
    const binary = await binaryCopy(source, target, input);
    const digester = input.digest === true && !binary ? await copyDigester(source, target, input, chunk) : null;
    const data = await shapedRows(input, source, (d, columns) =>
      d.readRange({ table: input.table, columns, key: input.key, range: chunk, ...(binary ? { binary } : {}), ...(digester ? { tap: digester } : {}) }),
    );
    let bytes = 0;
    let beatAt = Date.now();
    // Counts bytes on their way through (a 'data' listener would drain the stream before the writer reads it).
    // A heartbeat a second is plenty against a 15 s timeout; one per 64 KB buffer cost measurable CPU.
    const metered = new Transform({
      transform(b: Buffer, _enc, done) {
        bytes += b.length;
        const now = Date.now();
        if (now - beatAt >= HEARTBEAT_EVERY_MS) {
          beatAt = now;
          ctx.heartbeat({ end, bytes } satisfies ChunkHeartbeat);
        }
        done(null, b);
      },
    });
    data.on('error', (e) => metered.destroy(e));
    // Cancellation (or a lost heartbeat) aborts the stream; the target transaction then rolls back.
    const onCancel = () => data.destroy(new Error('chunk cancelled'));
    ctx.cancellationSignal.addEventListener('abort', onCancel, { once: true });
    try {
      // A retry, or an attempt that finds an earlier one's heartbeat, may follow a commit it never heard of.
      const fresh = input.freshTarget === true && ctx.info.attempt === 1 && previous === undefined;
      const rows = await target.writeRange(
        { table: input.targetTable, columns: input.columns, key: input.key, range: chunk, ...(binary ? { binary } : {}) },
        data.pipe(metered),
        { fresh },
      );
      const done = end === null || (input.range.hi !== null && JSON.stringify(end) === JSON.stringify(input.range.hi));
      // Rows the digester saw are the rows loaded, or its digests describe something else.
      const digests = digester !== null && digester.rows === rows ? { digests: digester.finish(chunk.hi) } : {};
      return { rows, end, done, worker: deps.workerName ?? 'worker', attempt: ctx.info.attempt, ...digests };
    } catch (e) {
      // Release the source's connection too, not only the target's transaction.
      data.destroy();
      throw e;
    } finally {
      ctx.cancellationSignal.removeEventListener('abort', onCancel);
    }
  });
}
