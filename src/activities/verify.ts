/**
 * Verification of one shard: counts, and checksums computed in SQL on each side; json and float
 * columns (which engines print differently) are read and canonicalised in the worker.
 */
import { Context } from '@temporalio/activity';
import type { Readable } from 'node:stream';
import { canonicalValue, checksumRowText, rowHash } from '../core/canonical.js';
import type { Column } from '../core/column-model.js';
import { needsWorkerCanonical } from '../core/column-model.js';
import { describeRange, type KeyRange } from '../core/key-range.js';
import { RowDecoder } from '../core/transfer-text.js';
import type { Dialect } from '../dialects/dialect.js';
import { printsAlike } from '../dialects/index.js';
import type { ActivityDeps } from './deps.js';
import { dialectFor } from './deps.js';
import { withFailures } from './failures.js';

/** Input of {@link verifyShard}. */
export interface VerifyShardInput {
  source: string;
  target: string;
  table: string;
  targetTable: string;
  columns: Column[];
  key: Column[];
  range: KeyRange;
  mode: 'count' | 'checksum';
}

/** Result of {@link verifyShard}. */
export interface VerifyShardResult {
  sourceRows: number;
  targetRows: number;
  match: boolean;
}

/** Compares one key range of source and target. */
export async function verifyShard(deps: ActivityDeps, input: VerifyShardInput): Promise<VerifyShardResult> {
  return withFailures(`verifying ${input.table} keys ${describeRange(input.range)}`, async () => {
    const source = dialectFor(deps, input.source);
    const target = dialectFor(deps, input.target);
    // Same engine: json and floats print alike, so the whole row is hashed in SQL and nothing is read.
    const alike = printsAlike(source, target);
    const side = (table: string) => ({ table, columns: input.columns, key: input.key, range: input.range, wholeRow: alike });
    if (input.mode === 'count') {
      const [s, t] = await Promise.all([
        source.countRange(input.table, input.key, input.range),
        target.countRange(input.targetTable, input.key, input.range),
      ]);
      return { sourceRows: s, targetRows: t, match: s === t };
    }
    const [s, t] = await Promise.all([source.checksumRange(side(input.table)), target.checksumRange(side(input.targetTable))]);
    let match = s.rows === t.rows && s.sum === t.sum;
    const workerColumns = alike ? [] : input.columns.filter((c) => needsWorkerCanonical(c.type));
    if (match && workerColumns.length > 0) {
      const [hs, ht] = await Promise.all([
        canonicalHash(source, { ...side(input.table), columns: workerColumns }),
        canonicalHash(target, { ...side(input.targetTable), columns: workerColumns }),
      ]);
      match = hs === ht;
    }
    return { sourceRows: s.rows, targetRows: t.rows, match };
  });
}

/**
 * Sum of row hashes of the canonical values, each row hashed with its position: both sides read in
 * the same byte-wise key order and the SQL checksum already matched the keys, so position i is the
 * same row on both sides and a value moved between rows is caught.
 */
async function canonicalHash(d: Dialect, req: { table: string; columns: Column[]; key: Column[]; range: KeyRange }): Promise<string> {
  const stream: Readable = await d.readRange(req);
  const rows = stream.pipe(new RowDecoder());
  stream.on('error', (e) => rows.destroy(e));
  const ctx = Context.current();
  let sum = 0n;
  let i = 0;
  for await (const values of rows as AsyncIterable<(string | null)[]>) {
    const canon = values.map((v, j) => canonicalValue(req.columns[j]!.type, v));
    sum += rowHash(checksumRowText([String(i++), ...canon]));
    if (i % 10_000 === 0) ctx.heartbeat(i);
  }
  return sum.toString();
}
