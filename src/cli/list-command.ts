/**
 * `ferry list`: recent ferry runs with their state, from Temporal visibility (search attributes).
 */
import { FerryJobKey, FerryKindKey, FerryStatusKey } from '../shared.js';
import { connectClient } from '../temporal/connection.js';
import { listQuery } from './list-query.js';
import { EXIT_OK, reportError } from './output.js';

/** Lists the newest runs (migrate, export and import by default; `--kind` picks others, `all` every run kind). */
export async function listCommand(flags: { json?: boolean; limit?: string; job?: string; kind?: string }): Promise<number> {
  const json = flags.json === true;
  try {
    // A bad --kind is refused before connecting.
    const { query } = listQuery(flags);
    const client = await connectClient();
    try {
      const limit = Number(flags.limit ?? 20);
      const rows: Record<string, unknown>[] = [];
      for await (const w of client.workflow.list({ query })) {
        rows.push({
          workflowId: w.workflowId,
          kind: w.typedSearchAttributes.get(FerryKindKey) ?? null,
          job: w.typedSearchAttributes.get(FerryJobKey) ?? null,
          status: w.status.name.toLowerCase(),
          phase: w.typedSearchAttributes.get(FerryStatusKey) ?? null,
          startTime: w.startTime.toISOString(),
          closeTime: w.closeTime?.toISOString() ?? null,
        });
        if (rows.length >= limit) break;
      }
      if (json) console.log(JSON.stringify(rows));
      else if (rows.length === 0) console.log('no runs found');
      else for (const r of rows) console.log(`${String(r.startTime)}  ${String(r.kind ?? '').padEnd(8)} ${String(r.status).padEnd(10)} ${String(r.phase ?? '').padEnd(10)} ${String(r.workflowId)}`);
      return EXIT_OK;
    } finally {
      await client.connection.close();
    }
  } catch (e) {
    return reportError(e, json);
  }
}
