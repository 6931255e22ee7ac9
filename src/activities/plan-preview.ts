/**
 * `ferry plan`: the migration's plan as a user reads it — per table the source and target DDL, each
 * column's type on both sides, the row estimate and shards, and every warning — written by nothing.
 */
import { lossyWarning } from '../core/lossy-text.js';
import type { MigrateInput, PlanPreview, TablePreview } from '../core/report.js';
import type { ActivityDeps } from './deps.js';
import { dialectFor } from './deps.js';
import { withFailures } from './failures.js';
import { planMigration } from './plan.js';

/** Plans the job (introspection only) and renders what the migration would create. */
export async function previewMigration(deps: ActivityDeps, input: MigrateInput): Promise<PlanPreview> {
  const plan = await planMigration(deps, input);
  return withFailures('planning', () => {
    const source = dialectFor(deps, input.source);
    const target = dialectFor(deps, input.target);
    const tables: TablePreview[] = plan.tables.map((t) => {
      const overrides = t.schema.typeOverrides ?? {};
      const lossy = Object.entries(input.onLossy ?? {}).filter(([tc]) => tc.startsWith(`${t.source}.`));
      return {
        source: t.source,
        target: t.target,
        // Spatial columns have no neutral DDL (see spatial.ts); the source shows them as it declares them.
        sourceDdl: source.createTableSql(t.schema, { typeOverrides: Object.fromEntries(t.schema.columns.filter((c) => c.type.kind === 'text' && c.type.wkt).map((c) => [c.name, c.nativeType])) }),
        targetDdl: target.createTableSql(t.schema, { typeOverrides: overrides }),
        columns: t.schema.columns.map((c) => ({
          name: c.name,
          sourceType: c.nativeType,
          targetType: overrides[c.name] ?? target.nativeType(t.target, c),
          nullable: c.nullable,
        })),
        estimatedRows: t.schema.estimatedRows,
        shards: t.shards,
        warnings: [
          ...(t.schema.warnings ?? []),
          ...t.schema.foreignKeys
            .filter((fk) => !plan.tables.some((o) => o.target === fk.refTable))
            .map((fk) => `foreign key ${t.source}.${fk.name} references ${fk.refTable}, which is not in the job; not created`),
          ...t.schema.columns.map((c) => lossyWarning(t.source, c)).filter((w): w is string => w !== null),
          ...lossy
            .filter(([tc]) => !t.schema.columns.some((c) => c.lossy && `${t.source}.${c.name}` === tc))
            .map(([tc, how]) => `column ${tc}: onLossy "${how}" has no effect, the target holds every value of this column`),
        ],
      };
    });
    return Promise.resolve({ tables, warnings: [...tables.flatMap((t) => t.warnings), ...(plan.warnings ?? [])] });
  });
}
