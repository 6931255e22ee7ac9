/**
 * `ferry verify`, `ferry diff`, `ferry repair` and `ferry sync`: start the workflow, wait, print the
 * result (a table, or one JSON object with --json) and exit 0 (same / done), 1 (differences) or 2 (error).
 */
import type { DiffInput, DiffReport, SyncReport, TableDiff, VerifyReport } from '../core/compare-report.js';
import type { KeyTuple } from '../core/key-range.js';
import { JobSpecError } from '../errors.js';
import { verifyFilesInput } from '../job/files-job.js';
import { loadJob } from '../job/load-job.js';
import { verifyFilesCommand } from './files-commands.js';
import { jobInput, runJobWorkflow, syncInput, type JobRunFlags, type SyncFlags } from './job-run.js';
import { EXIT_DIFFERENT, EXIT_ERROR, EXIT_OK, fmtRows, reportError } from './output.js';

/** Flags of `ferry diff` and `ferry repair`. */
export interface DiffFlags extends JobRunFlags {
  maxKeys?: string;
  dryRun?: boolean;
  deleteExtra?: boolean;
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Runs `ferry verify`; a directory on either side compares the database with that export instead. */
export async function verifyCommand(file: string | undefined, flags: JobRunFlags): Promise<number> {
  const json = flags.json === true;
  try {
    const files = verifyFilesInput(file, flags);
    if (files) return await verifyFilesCommand(files, flags, printVerify);
    const input = jobInput(loadJob(file, flags));
    const run = await runJobWorkflow<VerifyReport>({ workflowType: 'verify', kind: 'verify', workflowId: flags.id ?? `verify-${input.job}`, input, summary: `verify ${input.job}` });
    if (!run.ok) return failed(run, json, 'verify');
    printVerify(run.result, run, json);
    return run.result.status === 'same' ? EXIT_OK : EXIT_DIFFERENT;
  } catch (e) {
    return reportError(e, json);
  }
}

/** Prints a verify report: one JSON object, or a table per table. */
function printVerify(r: VerifyReport, run: { workflowId: string; durationMs: number; link: string }, json: boolean): void {
  if (json) {
    console.log(JSON.stringify({ status: r.status, workflowId: run.workflowId, durationMs: run.durationMs, tables: r.tables }));
    return;
  }
  console.log(`${r.status === 'same' ? '✔' : '✘'} ${run.workflowId}: ${r.status} (${secs(run.durationMs)})`);
  const w = Math.max(5, ...r.tables.map((t) => t.table.length));
  console.log(`${'table'.padEnd(w)}  ${'source rows'.padStart(12)}  ${'target rows'.padStart(12)}  verified`);
  for (const t of r.tables) {
    console.log(
      `${t.table.padEnd(w)}  ${fmtRows(t.sourceRows).padStart(12)}  ${fmtRows(t.targetRows).padStart(12)}  ${t.verified ? 'yes' : 'NO'}` +
        (t.mismatchedRanges.length ? `  (differs in keys ${t.mismatchedRanges.join(', ')})` : ''),
    );
  }
  for (const t of r.tables) for (const u of t.unverified ?? []) console.log(`not compared: ${t.table}.${u}`);
  console.log(run.link);
}

/** Runs `ferry diff` (repair undefined) or `ferry repair`. */
export async function diffCommand(file: string | undefined, flags: DiffFlags, mode: 'diff' | 'repair'): Promise<number> {
  const json = flags.json === true;
  try {
    const job = jobInput(loadJob(file, flags));
    const maxKeys = flags.maxKeys === undefined ? 100 : Number(flags.maxKeys);
    if (!Number.isInteger(maxKeys) || maxKeys < 0 || maxKeys > 100_000) throw new JobSpecError('--max-keys', `expected a whole number from 0 to 100000, got "${flags.maxKeys}"`);
    const input: DiffInput = { ...job, maxKeys, ...(mode === 'repair' ? { repair: { dryRun: flags.dryRun === true, deleteExtra: flags.deleteExtra === true } } : {}) };
    const run = await runJobWorkflow<DiffReport>({ workflowType: mode, kind: mode, workflowId: flags.id ?? `${mode}-${job.job}`, input, summary: `${mode} ${job.job}` });
    if (!run.ok) return failed(run, json, mode);
    const r = run.result;
    const extrasLeft = input.repair && !input.repair.dryRun && !input.repair.deleteExtra && r.tables.some((t) => t.extra > 0);
    const exit = r.status === 'same' ? EXIT_OK : mode === 'diff' || input.repair?.dryRun || extrasLeft ? EXIT_DIFFERENT : EXIT_OK;
    if (json) {
      console.log(JSON.stringify({ status: r.status, workflowId: run.workflowId, durationMs: run.durationMs, ...(r.repair ? { repair: r.repair } : {}), tables: r.tables, stats: r.stats }));
    } else {
      console.log(`${r.status === 'same' ? '✔' : mode === 'repair' && exit === EXIT_OK ? '✔' : '✘'} ${run.workflowId}: ${describeOutcome(r, mode)} (${secs(run.durationMs)})`);
      for (const t of r.tables) printTableDiff(t, r);
      console.log(run.link);
    }
    return exit;
  } catch (e) {
    return reportError(e, json);
  }
}

/** Runs `ferry sync`. */
export async function syncCommand(file: string | undefined, flags: SyncFlags): Promise<number> {
  const json = flags.json === true;
  try {
    const input = syncInput(file, flags);
    const run = await runJobWorkflow<SyncReport>({ workflowType: 'sync', kind: 'sync', workflowId: flags.id ?? `sync-${input.job}`, input, summary: `sync ${input.job} (${input.mode})` });
    if (!run.ok) return failed(run, json, 'sync');
    const r = run.result;
    if (json) console.log(JSON.stringify({ status: r.status, workflowId: run.workflowId, durationMs: run.durationMs, pass: r.pass, run: r.state.run, tables: r.tables, state: r.state }));
    else {
      console.log(`✔ ${run.workflowId}: ${r.pass} pass, run ${r.state.run} (${secs(run.durationMs)})`);
      for (const t of r.tables) {
        const window = t.window ? `, watermark window (${t.window.after ?? '-∞'}, ${t.window.upTo ?? 'none'}]` : '';
        const diff = t.diff ? `; ${t.diff.missing} missing, ${t.diff.changed} changed, ${t.diff.extra} extra → deleted ${t.diff.repaired?.deleted ?? 0}` : '';
        console.log(`  ${t.table}: ${fmtRows(t.rowsUpserted)} rows upserted${window}${diff}`);
      }
      console.log(run.link);
    }
    return EXIT_OK;
  } catch (e) {
    return reportError(e, json);
  }
}

function failed(run: { error: string; workflowId: string; link: string }, json: boolean, what: string): number {
  if (json) console.log(JSON.stringify({ status: 'failed', workflowId: run.workflowId, error: run.error }));
  else console.error(`ferry: ${what} ${run.workflowId} failed: ${run.error}\n${run.link}`);
  return EXIT_ERROR;
}

function describeOutcome(r: DiffReport, mode: 'diff' | 'repair'): string {
  if (r.status === 'same') return 'source and target hold the same rows';
  if (mode === 'diff') return 'differences found';
  return r.repair?.dryRun ? 'differences found (dry run: nothing written)' : 'repaired';
}

const fmtKey = (k: KeyTuple) => (k.length === 1 ? k[0]! : `(${k.join(', ')})`);

function printTableDiff(t: TableDiff, r: DiffReport): void {
  console.log(`${t.table}: ${fmtRows(t.missing)} missing, ${fmtRows(t.extra)} extra, ${fmtRows(t.changed)} changed`);
  const more = (n: number, listed: number) => (n > listed ? `, … ${fmtRows(n - listed)} more` : '');
  if (t.missing) console.log(`  missing: ${t.keys.missing.map(fmtKey).join(', ')}${more(t.missing, t.keys.missing.length)}`);
  if (t.extra) console.log(`  extra:   ${t.keys.extra.map(fmtKey).join(', ')}${more(t.extra, t.keys.extra.length)}`);
  if (t.changed) console.log(`  changed: ${t.keys.changed.map((c) => `${fmtKey(c.key)} [${c.columns.join(', ')}]`).join(', ')}${more(t.changed, t.keys.changed.length)}`);
  if (t.repaired && r.repair) {
    const verb = r.repair.dryRun ? 'would insert' : 'inserted';
    const del = r.repair.deleteExtra ? `${r.repair.dryRun ? 'would delete' : 'deleted'} ${fmtRows(r.repair.dryRun ? t.extra : t.repaired.deleted)}` : `kept ${fmtRows(t.extra)} extra (pass --delete-extra to delete them)`;
    const ins = r.repair.dryRun ? t.missing : t.repaired.inserted;
    const upd = r.repair.dryRun ? t.changed : t.repaired.updated;
    console.log(`  ${verb} ${fmtRows(ins)}, ${r.repair.dryRun ? 'would update' : 'updated'} ${fmtRows(upd)}, ${del}`);
  }
}
