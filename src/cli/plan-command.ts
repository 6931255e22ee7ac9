/**
 * `ferry plan`: runs the `plan` workflow (a worker introspects; the client never connects to a
 * database) and prints each table's DDL on both sides, the type of every column, the row estimate,
 * the shards and every warning. Writes nothing.
 */
import type { PlanPreview } from '../core/report.js';
import { loadJob, type JobFlags } from '../job/load-job.js';
import { WORKFLOW_PLAN } from '../shared.js';
import { runJobWorkflow } from './job-run.js';
import { toInput } from './migrate-command.js';
import { EXIT_ERROR, EXIT_OK, fmtRows, reportError } from './output.js';

/** Runs `ferry plan` and returns the exit code. */
export async function planCommand(file: string | undefined, flags: JobFlags & { json?: boolean; id?: string }): Promise<number> {
  const json = flags.json === true;
  try {
    const input = toInput(loadJob(file, flags));
    const run = await runJobWorkflow<PlanPreview>({
      workflowType: WORKFLOW_PLAN,
      kind: 'plan',
      // Plans write nothing, so two may run at once: a unique ID per run.
      workflowId: flags.id ?? `plan-${input.job}-${Date.now().toString(36)}`,
      input,
      summary: `plan ${input.job}`,
    });
    if (!run.ok) {
      if (json) console.log(JSON.stringify({ status: 'failed', workflowId: run.workflowId, error: run.error }));
      else console.error(`ferry: plan failed: ${run.error}`);
      return EXIT_ERROR;
    }
    const p = run.result;
    if (json) {
      console.log(JSON.stringify({ status: 'planned', workflowId: run.workflowId, tables: p.tables, warnings: p.warnings }));
      return EXIT_OK;
    }
    for (const t of p.tables) {
      console.log(`\n== ${t.source} → ${t.target}: ~${fmtRows(t.estimatedRows)} rows, ${t.shards.length} shard(s)`);
      const w = Math.max(6, ...t.columns.map((c) => c.name.length));
      const sw = Math.max(6, ...t.columns.map((c) => c.sourceType.length));
      for (const c of t.columns) console.log(`  ${c.name.padEnd(w)}  ${c.sourceType.padEnd(sw)}  →  ${c.targetType}${c.nullable ? '' : ' NOT NULL'}`);
      console.log(`-- source\n${t.sourceDdl};\n-- target\n${t.targetDdl};`);
      for (const warning of t.warnings) console.log(`warning: ${warning}`);
    }
    console.log(`\n${p.tables.length} table(s), ${p.warnings.length} warning(s); nothing was written`);
    return EXIT_OK;
  } catch (e) {
    return reportError(e, json);
  }
}
