/**
 * Getting target tables ready for a load and their foreign keys back after it, shared by `migrate`
 * and `importFiles`.
 */
import { patched } from '@temporalio/workflow';
import type { TableSchema } from '../core/column-model.js';
import { inPrepareOrder } from '../core/prepare-order.js';
import type { PrepareTableResult, PrepareTargetsInput } from '../activities/schema.js';
import { acts } from './migrate-activities.js';

export type { PrepareTargetsInput } from '../activities/schema.js';

/**
 * Prepares every target table (see the `prepareTargets` activity for the order of foreign keys and
 * tables). Runs recorded before that activity existed replay the steps it merges, one activity each.
 */
export async function prepareTargets(input: PrepareTargetsInput): Promise<PrepareTableResult[]> {
  if (patched('ferry-one-prepare')) return acts.prepareTargets(input);
  const defer = input.deferPrimaryKey ? { deferPrimaryKey: true } : {};
  return inPrepareOrder(
    input,
    () => acts.dropForeignKeys({ target: input.target, tables: input.tables }),
    // Runs recorded before prepareTable had a result replay it as undefined: no key was deferred.
    async () =>
      (await Promise.all(input.schemas.map((schema) => acts.prepareTable({ target: input.target, schema, onExisting: input.onExisting, ...defer })))).map(
        (r): PrepareTableResult => r ?? { keyDeferred: false },
      ),
    { keyDeferred: false },
  );
}

/**
 * Creates the foreign keys of the job's tables once all are loaded and returns warnings for those it
 * could not. Tables without any need no activity, which saves the job a workflow round trip.
 */
export async function restoreForeignKeys(target: string, schemas: TableSchema[]): Promise<string[]> {
  // The patch is asked only when skipping: runs recorded before it replay their activity.
  if (schemas.every((s) => s.foreignKeys.length === 0) && patched('ferry-skip-no-fks')) return [];
  return acts.createForeignKeys({ target, schemas });
}
