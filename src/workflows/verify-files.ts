/**
 * `verifyFiles`: a database compared with an export directory (either side of `ferry verify`). The
 * export's files are checked against its manifest (bytes and sha256), then every shard of the table
 * against the manifest's counts and checksums. Reports in the shape of `verify`.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { FerryActivities } from '../activities/index.js';
import type { TableVerifyReport, VerifyReport } from '../core/compare-report.js';
import type { VerifyFilesInput } from '../core/files-report.js';
import { boundedAll } from '../core/bounded.js';

const retry = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' };
const { planImport, checkAgainstFiles } = proxyActivities<FerryActivities>({ startToCloseTimeout: '2 hours', heartbeatTimeout: '1 minute', retry });

/** Counts and checksums every shard of the export's tables in the database and compares them with the manifest. */
export async function verifyFiles(input: VerifyFilesInput): Promise<VerifyReport> {
  const plan = await planImport({ dir: input.dir, target: input.url, tables: input.tables });
  const shards = plan.tables.flatMap((t, ti) => t.shards.map((_, shard) => ({ t, ti, shard })));
  const results = await boundedAll(shards, input.parallelism, ({ t, shard }) => checkAgainstFiles({ dir: input.dir, url: input.url, table: t.name, shard, mode: 'checksum' }));
  const tables: TableVerifyReport[] = plan.tables.map((t) => ({ table: t.name, sourceRows: 0, targetRows: 0, verified: true, mismatchedRanges: [] }));
  results.forEach((r, i) => {
    const rep = tables[shards[i]!.ti]!;
    rep.sourceRows += input.dirSide === 'source' ? r.fileRows : r.dbRows;
    rep.targetRows += input.dirSide === 'source' ? r.dbRows : r.fileRows;
    if (!r.match) {
      rep.verified = false;
      rep.mismatchedRanges.push(...r.mismatched);
    }
  });
  return { status: tables.every((t) => t.verified) ? 'same' : 'different', job: input.job, tables };
}
