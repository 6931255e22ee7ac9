/**
 * The markdown table shown as a migration's current details in the Temporal Web UI.
 */
import type { MigrationProgress } from '../core/report.js';

/** Renders progress as a small markdown table (phase, then one row per table). */
export function progressMarkdown(p: MigrationProgress): string {
  const rows = p.tables.map(
    (t) =>
      `| ${t.source} → ${t.target} | ${t.rowsDone.toLocaleString('en-US')} / ~${t.rowsTotal.toLocaleString('en-US')} | ${t.shardsDone}/${t.shardsTotal} |`,
  );
  return [`**phase:** ${p.phase}`, '', '| table | rows | shards |', '|---|---|---|', ...rows].join('\n');
}
