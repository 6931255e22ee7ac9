/**
 * The verification phase of `migrate`: every shard compared on both sides, summed per table.
 */
import { mapsLossy } from '../core/column-model.js';
import { describeRange } from '../core/key-range.js';
import { mappingOf, tableSides, unverifiedOf, type MigrateInput, type MigrationPlan, type ShardState, type TableReport } from '../core/report.js';
import { boundedAll } from '../core/bounded.js';
import { acts, verifyActs } from './migrate-activities.js';

/** Builds the per-table report, verifying each shard unless `input.verify` is `none`. */
export async function verifyTables(input: MigrateInput, plan: MigrationPlan, shards: ShardState[]): Promise<TableReport[]> {
  const reports: TableReport[] = plan.tables.map((t) => ({
    source: t.source,
    target: t.target,
    rowsCopied: 0,
    sourceRows: 0,
    targetRows: 0,
    verified: input.verify !== 'none',
    rowsRedone: 0,
    workers: {},
    ...(input.verify !== 'none' ? unverifiedOf(t) : {}),
  }));
  for (const s of shards) {
    const rep = reports[s.table]!;
    rep.rowsCopied += s.rows;
    rep.rowsRedone += s.redone;
    for (const [w, n] of Object.entries(s.workers)) rep.workers[w] = (rep.workers[w] ?? 0) + n;
  }
  await countLossyValues(input, plan, reports);
  if (input.verify === 'none') return reports;
  const mode = input.verify;
  const results = await boundedAll(shards, input.parallelism, (s) => {
    const t = plan.tables[s.table]!;
    return verifyActs.verifyShard.executeWithOptions(
      { startToCloseTimeout: '1 hour', heartbeatTimeout: '1 minute', summary: `verify ${t.source} keys ${describeRange(t.shards[s.shard]!)}` },
      [
{ ...tableSides(input, t), range: t.shards[s.shard]!, mode, ...(s.digests ? { copied: s.digests } : {}) },
      ],
    );
  });
  results.forEach((r, i) => {
    const s = shards[i]!;
    const rep = reports[s.table]!;
    rep.sourceRows += r.sourceRows;
    rep.targetRows += r.targetRows;
    if (!r.match) {
      rep.verified = false;
      (rep.mismatchedRanges ??= []).push(describeRange(plan.tables[s.table]!.shards[s.shard]!));
    }
  });
  return reports;
}

/** Per column with onLossy null/replace, how many source rows had their value mapped (only non-zero counts). */
async function countLossyValues(input: MigrateInput, plan: MigrationPlan, reports: TableReport[]): Promise<void> {
  await Promise.all(
    plan.tables.map(async (t, i) => {
      const mapped = t.schema.columns.filter(mapsLossy);
      if (mapped.length === 0) return;
      const counts = await acts.countLossy({ source: input.source, table: t.source, columns: mapped, key: t.key, ...mappingOf(t), range: { lo: null, hi: null } });
      const lossy: NonNullable<TableReport['lossy']> = {};
      for (const [column, n] of Object.entries(counts)) {
        lossy[column] = mapped.find((c) => c.name === column)?.lossy?.policy === 'null' ? { nulled: n } : { replaced: n };
      }
      if (Object.keys(lossy).length > 0) reports[i]!.lossy = lossy;
    }),
  );
}
