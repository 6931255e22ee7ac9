/**
 * `ferry list`: recent ferry runs with their state, from Temporal visibility (search attributes).
 */
import { FerryJobKey, FerryStatusKey, SEARCH_ATTRIBUTES } from '../shared.js';
import { connectClient } from '../temporal/connection.js';
import { EXIT_OK, reportError } from './output.js';

/** Lists the newest runs (migrations by default; `--kind` picks another workflow kind). */
export async function listCommand(flags: { json?: boolean; limit?: string; job?: string; kind?: string }): Promise<number> {
  const json = flags.json === true;
  try {
    const client = await connectClient();
    try {
      const limit = Number(flags.limit ?? 20);
      const clauses = [`${SEARCH_ATTRIBUTES.kind} = '${(flags.kind ?? 'migrate').replace(/'/g, '')}'`];
      if (flags.job) clauses.push(`${SEARCH_ATTRIBUTES.job} = '${flags.job.replace(/'/g, '')}'`);
      const rows: Record<string, unknown>[] = [];
      for await (const w of client.workflow.list({ query: clauses.join(' AND ') })) {
        rows.push({
          workflowId: w.workflowId,
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
      else for (const r of rows) console.log(`${String(r.startTime)}  ${String(r.status).padEnd(10)} ${String(r.phase ?? '').padEnd(10)} ${String(r.workflowId)}`);
      return EXIT_OK;
    } finally {
      await client.connection.close();
    }
  } catch (e) {
    return reportError(e, json);
  }
}
