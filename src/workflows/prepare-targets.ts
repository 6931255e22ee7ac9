/**
 * Getting target tables ready for a load, shared by `migrate` and `importFiles`.
 */
import type { TableSchema } from '../core/column-model.js';
import type { PrepareTableResult } from '../activities/schema.js';
import { acts } from './migrate-activities.js';

/** What {@link prepareTargets} needs. */
export interface PrepareTargetsInput {
  target: string;
  /** Target table names, in the order of `schemas`. */
  tables: string[];
  schemas: TableSchema[];
  onExisting: 'fail' | 'truncate' | 'append';
  /** A resumed run keeps its rows: only the foreign keys are dropped. Default false. */
  resume?: boolean;
  /** Create missing tables without their primary key where the target loads faster so. Default false. */
  deferPrimaryKey?: boolean;
}

/**
 * Foreign keys on existing target tables go before the load and come back after it. With `fail`, the
 * refusal check runs first so a refused target is left untouched; otherwise they go first, because
 * PostgreSQL will not truncate a table that another one references.
 */
export async function prepareTargets(input: PrepareTargetsInput): Promise<PrepareTableResult[]> {
  const dropFks = () => acts.dropForeignKeys({ target: input.target, tables: input.tables });
  const defer = input.deferPrimaryKey ? { deferPrimaryKey: true } : {};
  // Runs recorded before prepareTable had a result replay it as undefined: no key was deferred.
  const prepare = async () =>
    (await Promise.all(input.schemas.map((schema) => acts.prepareTable({ target: input.target, schema, onExisting: input.onExisting, ...defer })))).map(
      (r): PrepareTableResult => r ?? { keyDeferred: false },
    );
  if (input.resume) {
    await dropFks();
    return input.schemas.map(() => ({ keyDeferred: false }));
  }
  if (input.onExisting === 'fail') {
    const prepared = await prepare();
    await dropFks();
    return prepared;
  }
  await dropFks();
  return prepare();
}
