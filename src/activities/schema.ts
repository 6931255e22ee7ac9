/**
 * Target schema activities: create tables before the copy, indexes and foreign keys after it.
 */
import type { TableSchema } from '../core/column-model.js';
import { TargetNotEmptyError } from '../errors.js';
import type { ActivityDeps } from './deps.js';
import { dialectFor } from './deps.js';
import { withFailures } from './failures.js';

/** Input of {@link prepareTable}. */
export interface PrepareTableInput {
  target: string;
  schema: TableSchema;
  onExisting: 'fail' | 'truncate' | 'append';
}

/** Creates the target table, or checks/empties an existing one according to `onExisting`. */
export async function prepareTable(deps: ActivityDeps, input: PrepareTableInput): Promise<void> {
  await withFailures(`table ${input.schema.name}`, async () => {
    const target = dialectFor(deps, input.target);
    const state = await target.targetState(input.schema.name);
    if (state === 'missing') return target.createTable(input.schema, input.schema.typeOverrides ? { typeOverrides: input.schema.typeOverrides } : {});
    if (state === 'rows') {
      if (input.onExisting === 'fail') throw new TargetNotEmptyError(input.schema.name);
      if (input.onExisting === 'truncate') await target.truncate(input.schema.name);
    }
  });
}

/**
 * Drops the foreign keys on the job's existing target tables before any of them is emptied or loaded;
 * they are created again after the load like those of new tables.
 */
export async function dropForeignKeys(deps: ActivityDeps, input: { target: string; tables: string[] }): Promise<void> {
  await withFailures('dropping foreign keys before the load', async () => {
    const target = dialectFor(deps, input.target);
    for (const table of input.tables) await target.dropForeignKeys(table);
  });
}

/** Builds a table's secondary indexes (after its data is loaded, which is much faster than maintaining them). */
export async function createIndexes(deps: ActivityDeps, input: { target: string; schema: TableSchema }): Promise<void> {
  await withFailures(`indexes of ${input.schema.name}`, () => dialectFor(deps, input.target).createIndexes(input.schema));
}

/**
 * Adds foreign keys once every table is loaded. Keys that point at tables outside the job are skipped
 * and returned as warnings, since the target cannot enforce them.
 */
export async function createForeignKeys(deps: ActivityDeps, input: { target: string; schemas: TableSchema[] }): Promise<string[]> {
  return withFailures('foreign keys', async () => {
    const target = dialectFor(deps, input.target);
    const inJob = new Set(input.schemas.map((s) => s.name));
    const warnings: string[] = [];
    for (const schema of input.schemas) {
      const keep = schema.foreignKeys.filter((fk) => {
        if (inJob.has(fk.refTable)) return true;
        warnings.push(`foreign key ${schema.name}.${fk.name} references ${fk.refTable}, which is not in the job; not created`);
        return false;
      });
      await target.createForeignKeys({ ...schema, foreignKeys: keep });
    }
    return warnings;
  });
}
