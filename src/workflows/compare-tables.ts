/**
 * The bisection shared by `diff`, `repair` and full `sync` passes: checksum every shard on both sides,
 * cut the ranges that differ into parts (by the keys of the side holding more rows) and checksum those,
 * level by level, until a differing range is small enough to compare row by row in a `diffLeaf`
 * activity (which repairs it when asked). Workflow code: only activities touch the databases.
 */
import { proxyActivities, setCurrentDetails } from '@temporalio/workflow';
import type { FerryActivities } from '../activities/index.js';
import { BISECT_DEFAULTS, appendCapped, comparePaths, nextStep, type RangeCompare, type RangePath } from '../core/bisect.js';
import type { DiffInput, LeafResult, TableDiff } from '../core/compare-report.js';
import { tableSides, type TablePlan } from '../core/report.js';
import { boundedAll } from '../core/bounded.js';

const retry = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' };
const { compareRange, compareParts, diffLeaf } = proxyActivities<FerryActivities>({
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '1 minute',
  retry,
});

interface Pending {
  ti: number;
  path: RangePath;
  depth: number;
  cmp: RangeCompare;
}

/** Result of {@link compareTables}. */
export interface CompareOutcome {
  tables: TableDiff[];
  stats: { rangesCompared: number; leaves: number };
}

/** Diffs (and with `input.repair`, repairs) every planned table. */
export async function compareTables(input: DiffInput, plan: TablePlan[]): Promise<CompareOutcome> {
  const opts = { ...BISECT_DEFAULTS, ...input.bisect };
  const side = (t: TablePlan) => tableSides(input, t);
  const shards = plan.flatMap((t, ti) => t.shards.map((range, si) => ({ t, ti, si, range })));
  const first = await boundedAll(shards, input.parallelism, ({ t, range }) => compareRange({ ...side(t), range, bisecting: true }));
  let level: Pending[] = first.map((cmp, i) => ({ ti: shards[i]!.ti, path: [shards[i]!.si], depth: 0, cmp }));
  const stats = { rangesCompared: shards.length, leaves: 0 };
  const leaves: { ti: number; path: RangePath; r: LeafResult }[] = [];
  // Keys already collected per table and kind: later leaves are asked for fewer, so history stays small.
  const got = plan.map(() => ({ missing: 0, extra: 0, changed: 0 }));
  for (let depth = 0; level.length > 0; depth++) {
    // Shown in the Web UI as the run's current details.
    const differing = level.filter((p) => !p.cmp.match).length;
    setCurrentDetails(
      `**${input.repair ? (input.repair.dryRun ? 'repair (dry run)' : 'repair') : 'diff'}** level ${depth}: ${differing} of ${level.length} ranges differ; ` +
        `${stats.rangesCompared} ranges checksummed, ${stats.leaves} compared row by row so far`,
    );
    const next: Pending[] = [];
    await boundedAll(level, input.parallelism, async (p) => {
      const step = nextStep(p.cmp, p.depth, opts);
      if (step.kind === 'same') return;
      const t = plan[p.ti]!;
      if (step.kind === 'leaf') {
        const g = got[p.ti]!;
        const cap = (n: number) => Math.max(0, input.maxKeys - n);
        const r = await diffLeaf({
          ...side(t),
          range: p.cmp.range,
          sourceRows: p.cmp.sourceRows,
          targetRows: p.cmp.targetRows,
          caps: { missing: cap(g.missing), extra: cap(g.extra), changed: cap(g.changed) },
          chunkRows: input.chunkRows,
          ...(input.repair ? { repair: input.repair } : {}),
        });
        g.missing += r.keys.missing.length;
        g.extra += r.keys.extra.length;
        g.changed += r.keys.changed.length;
        stats.leaves += 1;
        leaves.push({ ti: p.ti, path: p.path, r });
        return;
      }
      const parts = await compareParts({
        ...side(t),
        range: p.cmp.range,
        side: step.side,
        rowsPerPart: step.rowsPerPart,
        parts: opts.parts,
        ...(p.cmp.rawAlike !== undefined ? { rawAlike: p.cmp.rawAlike } : {}),
      });
      stats.rangesCompared += parts.length;
      parts.forEach((cmp, i) => next.push({ ti: p.ti, path: [...p.path, i], depth: p.depth + 1, cmp }));
    });
    level = next.sort((a, b) => a.ti - b.ti || comparePaths(a.path, b.path));
  }
  leaves.sort((a, b) => a.ti - b.ti || comparePaths(a.path, b.path));
  const tables = plan.map((t, ti) => summarise(t.target, leaves.filter((l) => l.ti === ti).map((l) => l.r), input));
  return { tables, stats };
}

/** One table's report from its leaves in key order, key lists capped at `maxKeys`. */
export function summarise(table: string, results: LeafResult[], input: DiffInput): TableDiff {
  const d: TableDiff = { table, missing: 0, extra: 0, changed: 0, keys: { missing: [], extra: [], changed: [] }, truncated: false };
  if (input.repair) d.repaired = { inserted: 0, updated: 0, deleted: 0 };
  for (const r of results) {
    d.missing += r.missing;
    d.extra += r.extra;
    d.changed += r.changed;
    appendCapped(d.keys.missing, r.keys.missing, input.maxKeys);
    appendCapped(d.keys.extra, r.keys.extra, input.maxKeys);
    appendCapped(d.keys.changed, r.keys.changed, input.maxKeys);
    if (d.repaired) {
      d.repaired.inserted += r.repaired.inserted;
      d.repaired.updated += r.repaired.updated;
      d.repaired.deleted += r.repaired.deleted;
    }
  }
  d.truncated = d.keys.missing.length < d.missing || d.keys.extra.length < d.extra || d.keys.changed.length < d.changed;
  return d;
}
