/**
 * Verification of one shard for `migrate`: counts only, or counts and checksums compared as in
 * compare-range.ts (SQL on both sides; json/float lines compared in the worker across engines).
 */
import { mapsLossy } from '../core/column-model.js';
import type { CopiedDigests } from '../core/copied-digest.js';
import { describeRange } from '../core/key-range.js';
import { compareRangeIn, type TableRange } from './compare-range.js';
import { copiedDigestsMatch } from './copy-digest.js';
import type { ActivityDeps } from './deps.js';
import { dialectFor } from './deps.js';
import { withFailures } from './failures.js';
import { sourceColumns, sourceFor } from './source-side.js';
import { targetKeyOf } from './target-side.js';

/** Input of {@link verifyShard}. */
export interface VerifyShardInput extends TableRange {
  mode: 'count' | 'checksum';
  /** Digests the copy took of the shard's rows (see copy-digest.ts); a checksum verify then reads only the target. */
  copied?: CopiedDigests;
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
    // A transform may leave rows out, so counting the source means running it (compareRangeIn does).
    if (input.mode === 'checksum' && input.copied) {
      const settled = await copiedDigestsMatch(dialectFor(deps, input.target), input, input.copied);
      if (settled) return { sourceRows: settled.rows, targetRows: settled.rows, match: true };
    }
    if (input.mode === 'checksum' || input.transform) {
      const r = await compareRangeIn(deps, input);
      return { sourceRows: r.sourceRows, targetRows: r.targetRows, match: r.match };
    }
    const [s, t] = await Promise.all([
      sourceFor(deps, input).countRange(input.table, input.key, input.range),
      dialectFor(deps, input.target).countRange(input.targetTable, targetKeyOf(input), input.range),
    ]);
    return { sourceRows: s, targetRows: t, match: s === t };
  });
}

/** Input of {@link countLossy}: a whole table. */
export type CountLossyInput = Omit<TableRange, 'targetTable' | 'target'>;

/**
 * Rows of the source table whose lossy values were mapped (onLossy null/replace), per column, for the
 * report. Counted once per table on the source with the same conditions the copy mapped by.
 */
export async function countLossy(deps: ActivityDeps, input: CountLossyInput): Promise<Record<string, number>> {
  return withFailures(`counting lossy values of ${input.table}`, async () => {
    const columns = sourceColumns(input).filter(mapsLossy);
    if (columns.length === 0) return {};
    const counts = await sourceFor(deps, input).countLossy({ table: input.table, columns, key: input.key, range: input.range });
    return Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));
  });
}
