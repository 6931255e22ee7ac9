/**
 * `verify`, `diff` and `repair`: compare a job's tables on source and target. verify checksums each
 * shard; diff bisects the shards that differ down to the rows; repair does the same and writes the
 * fixes, holding the target-table locks while it does.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { FerryActivities } from '../activities/index.js';
import type { DiffInput, DiffReport, JobInput, TableVerifyReport, VerifyInput, VerifyReport } from '../core/compare-report.js';
import { describeRange } from '../core/key-range.js';
import { tableSides, unverifiedOf, type MigrateInput } from '../core/report.js';
import { boundedAll } from '../core/bounded.js';
import { compareTables } from './compare-tables.js';
import { acquireTableLocks } from './table-lock.js';

const retry = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' };
const { planMigration } = proxyActivities<FerryActivities>({ startToCloseTimeout: '1 hour', retry });
const { compareRange } = proxyActivities<FerryActivities>({ startToCloseTimeout: '2 hours', heartbeatTimeout: '1 minute', retry });

/** The planning input for a job that only reads (or writes by key into) existing target tables. */
export function planInput(input: JobInput): MigrateInput {
  return { ...input, onExisting: 'append', verify: 'checksum' };
}

/** Counts and checksums every shard of every table on both sides. */
export async function verify(input: VerifyInput): Promise<VerifyReport> {
  const plan = await planMigration(planInput(input));
  const shards = plan.tables.flatMap((t, ti) => t.shards.map((range) => ({ t, ti, range })));
  const results = await boundedAll(shards, input.parallelism, ({ t, range }) =>
    compareRange({ ...tableSides(input, t), range }),
  );
  const tables: TableVerifyReport[] = plan.tables.map((t) => ({ table: t.target, sourceRows: 0, targetRows: 0, verified: true, mismatchedRanges: [], ...unverifiedOf(t) }));
  results.forEach((r, i) => {
    const s = shards[i]!;
    const rep = tables[s.ti]!;
    rep.sourceRows += r.sourceRows;
    rep.targetRows += r.targetRows;
    if (!r.match) {
      rep.verified = false;
      rep.mismatchedRanges.push(describeRange(s.range));
    }
  });
  return { status: tables.every((t) => t.verified) ? 'same' : 'different', job: input.job, tables };
}

/** Lists the keys of missing, extra and changed rows. */
export async function diff(input: DiffInput): Promise<DiffReport> {
  const plan = await planMigration(planInput(input));
  const { tables, stats } = await compareTables({ ...input, repair: undefined }, plan.tables);
  const differs = tables.some((t) => t.missing + t.extra + t.changed > 0);
  return { status: differs ? 'different' : 'same', job: input.job, tables, stats };
}

/** Diffs and writes the fixes (unless `repair.dryRun`); extra rows are deleted only with `repair.deleteExtra`. */
export async function repair(input: DiffInput): Promise<DiffReport> {
  const options = input.repair ?? { dryRun: false, deleteExtra: false };
  const plan = await planMigration(planInput(input));
  const locks = options.dryRun ? undefined : await acquireTableLocks(input.target, plan.tables.map((t) => t.target));
  try {
    const { tables, stats } = await compareTables({ ...input, repair: options }, plan.tables);
    const differs = tables.some((t) => t.missing + t.extra + t.changed > 0);
    return { status: differs ? 'different' : 'same', job: input.job, tables, stats, repair: options };
  } finally {
    await locks?.release();
  }
}
