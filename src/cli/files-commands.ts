/**
 * `ferry export`, `ferry import` and `ferry verify` with a directory side: validate on the client
 * (which never touches the databases or the directory), start the workflow, and without --wait print
 * its ID and Web UI link; with --wait follow it and print the report (exit 0 done / same, 1 differences
 * after the load, 2 error).
 */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { VerifyReport } from '../core/compare-report.js';
import type { ExportReport, ImportReport, VerifyFilesInput } from '../core/files-report.js';
import { FerryError } from '../errors.js';
import { exportInput, importInput, type FilesFlags } from '../job/files-job.js';
import { FerryJobKey, FerryKindKey } from '../shared.js';
import { connectClient, loadConnectConfig } from '../temporal/connection.js';
import { taskQueue } from '../temporal/task-queue.js';
import { failureMessage } from './failure-message.js';
import { EXIT_DIFFERENT, EXIT_ERROR, EXIT_OK, fmtRows, reportError, uiLink } from './output.js';

/** Flags of export and import beyond the job settings. */
export interface FilesRunFlags extends FilesFlags {
  id?: string;
  wait?: boolean;
  json?: boolean;
}

type Outcome<R> = { kind: 'started'; workflowId: string; link: string } | { kind: 'done'; result: R; workflowId: string; link: string; durationMs: number } | { kind: 'failed'; error: string; workflowId: string; link: string; durationMs: number };

/** Starts `type` under `workflowId` (refused while a run with that ID is open) and, with `wait`, waits for it. */
async function start<R>(type: string, kind: string, workflowId: string, input: { job: string }, summary: string, wait: boolean, json: boolean, bars = false): Promise<Outcome<R>> {
  let client: Client | undefined;
  try {
    client = await connectClient();
    const { namespace } = await loadConnectConfig();
    const link = uiLink(namespace, workflowId);
    const handle = await client.workflow
      .start(type, {
        taskQueue: taskQueue(),
        workflowId,
        args: [input],
        typedSearchAttributes: [
          { key: FerryJobKey, value: input.job },
          { key: FerryKindKey, value: kind },
        ],
        staticSummary: summary,
      })
      .catch((e: unknown) => {
        if (e instanceof WorkflowExecutionAlreadyStartedError) throw new FerryError(`${kind} ${workflowId} is already running; wait for it (npx ferry status ${workflowId}) or give this run another --id`);
        throw e;
      });
    if (!wait) return { kind: 'started', workflowId, link };
    if (!json) console.error(`started ${workflowId}\n${link}`);
    const duration = async () => {
      const d = await handle.describe().catch(() => undefined);
      return d?.closeTime ? d.closeTime.getTime() - d.startTime.getTime() : 0;
    };
    try {
      const done = handle.result() as Promise<R>;
      // Same bars (rows, rows/s, ETA per table) as migrate, from the run's progress query.
      if (bars && !json) await (await import('./progress-view.js')).showProgress(handle, done);
      const result = await done;
      return { kind: 'done', result, workflowId, link, durationMs: await duration() };
    } catch (e) {
      return { kind: 'failed', error: failureMessage(e), workflowId, link, durationMs: await duration() };
    }
  } finally {
    await client?.connection.close();
  }
}

function printStartedOrFailed(o: Outcome<unknown>, json: boolean, what: string): number | undefined {
  if (o.kind === 'started') {
    if (json) console.log(JSON.stringify({ status: 'running', workflowId: o.workflowId, url: o.link }));
    else console.log(`started ${o.workflowId}\n${o.link}`);
    return EXIT_OK;
  }
  if (o.kind === 'failed') {
    if (json) console.log(JSON.stringify({ status: 'failed', workflowId: o.workflowId, durationMs: o.durationMs, error: o.error }));
    else console.error(`ferry: ${what} ${o.workflowId} failed: ${o.error}\n${o.link}`);
    return EXIT_ERROR;
  }
  return undefined;
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Runs `ferry export`. */
export async function exportCommand(file: string | undefined, flags: FilesRunFlags): Promise<number> {
  const json = flags.json === true;
  try {
    const input = exportInput(file, flags);
    const what = input.tables === '*' ? 'all tables' : input.tables.join(', ');
    const o = await start<ExportReport>('exportTables', 'export', flags.id ?? `export-${input.job}`, input, `export ${what} to ${input.dir} (${input.format})`, flags.wait === true, json, true);
    const early = printStartedOrFailed(o, json, 'export');
    if (early !== undefined || o.kind !== 'done') return early ?? EXIT_ERROR;
    const r = o.result;
    if (json) console.log(JSON.stringify({ status: r.status, workflowId: o.workflowId, durationMs: o.durationMs, dir: r.dir, format: r.format, tables: r.tables, ...(r.warnings ? { warnings: r.warnings } : {}) }));
    else {
      console.log(`✔ ${o.workflowId}: exported to ${r.dir} as ${r.format}.gz (${secs(o.durationMs)})`);
      const w = Math.max(5, ...r.tables.map((t) => t.table.length));
      console.log(`${'table'.padEnd(w)}  ${'rows'.padStart(12)}  ${'chunks'.padStart(7)}  ${'bytes'.padStart(12)}  kept from an earlier run`);
      for (const t of r.tables) console.log(`${t.table.padEnd(w)}  ${fmtRows(t.rows).padStart(12)}  ${String(t.chunks).padStart(7)}  ${fmtRows(t.bytes).padStart(12)}  ${t.skippedChunks} chunks`);
      for (const warning of r.warnings ?? []) console.log(`warning: ${warning}`);
      console.log(o.link);
    }
    return EXIT_OK;
  } catch (e) {
    return reportError(e, json);
  }
}

/** Runs `ferry import`. */
export async function importCommand(file: string | undefined, flags: FilesRunFlags): Promise<number> {
  const json = flags.json === true;
  try {
    const input = importInput(file, flags);
    const o = await start<ImportReport>('importFiles', 'import', flags.id ?? `import-${input.job}`, input, `import ${input.dir} into ${input.target.replace(/\/\/[^@/]*@/, '//')}`, flags.wait === true, json, true);
    const early = printStartedOrFailed(o, json, 'import');
    if (early !== undefined || o.kind !== 'done') return early ?? EXIT_ERROR;
    const r = o.result;
    if (json) console.log(JSON.stringify({ status: r.status, workflowId: o.workflowId, durationMs: o.durationMs, tables: r.tables, ...(r.warnings ? { warnings: r.warnings } : {}) }));
    else {
      console.log(`${r.status === 'completed' ? '✔' : '✘'} ${o.workflowId} ${r.status} in ${secs(o.durationMs)} (verify: ${r.verify})`);
      const w = Math.max(5, ...r.tables.map((t) => t.table.length));
      console.log(`${'table'.padEnd(w)}  ${'loaded'.padStart(12)}  ${'in files'.padStart(12)}  ${'target'.padStart(12)}  verified`);
      for (const t of r.tables) {
        console.log(
          `${t.table.padEnd(w)}  ${fmtRows(t.rowsLoaded).padStart(12)}  ${fmtRows(t.fileRows).padStart(12)}  ${fmtRows(t.targetRows).padStart(12)}  ${t.verified ? 'yes' : 'NO'}` +
            (t.mismatchedRanges?.length ? `  (differs in ${t.mismatchedRanges.join('; ')})` : ''),
        );
      }
      for (const warning of r.warnings ?? []) console.log(`warning: ${warning}`);
      console.log(o.link);
    }
    return r.status === 'completed' ? EXIT_OK : EXIT_DIFFERENT;
  } catch (e) {
    return reportError(e, json);
  }
}

/** Runs `ferry verify` when one side is a directory; prints like the ordinary verify. */
export async function verifyFilesCommand(input: VerifyFilesInput, flags: { id?: string; json?: boolean }, print: (r: VerifyReport, run: { workflowId: string; durationMs: number; link: string }, json: boolean) => void): Promise<number> {
  const json = flags.json === true;
  try {
    const o = await start<VerifyReport>('verifyFiles', 'verify', flags.id ?? `verify-${input.job}`, input, `verify ${input.url.replace(/\/\/[^@/]*@/, '//')} against the export ${input.dir}`, true, json);
    const early = printStartedOrFailed(o, json, 'verify');
    if (early !== undefined || o.kind !== 'done') return early ?? EXIT_ERROR;
    print(o.result, o, json);
    return o.result.status === 'same' ? EXIT_OK : EXIT_DIFFERENT;
  } catch (e) {
    return reportError(e, json);
  }
}
