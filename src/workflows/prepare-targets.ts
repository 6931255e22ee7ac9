/**
 * Getting target tables ready for a load, shared by `migrate` and `importFiles`.
 */
import type { TableSchema } from '../core/column-model.js';
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
}

/**
 * Foreign keys on existing target tables go before the load and come back after it. With `fail`, the
 * refusal check runs first so a refused target is left untouched; otherwise they go first, because
 * PostgreSQL will not truncate a table that another one references.
 */
export async function prepareTargets(input: PrepareTargetsInput): Promise<void> {
  const dropFks = () => acts.dropForeignKeys({ target: input.target, tables: input.tables });
  const prepare = () => Promise.all(input.schemas.map((schema) => acts.prepareTable({ target: input.target, schema, onExisting: input.onExisting })));
  if (input.resume) return dropFks();
  if (input.onExisting === 'fail') {
    await prepare();
    await dropFks();
  } else {
    await dropFks();
    await prepare();
  }
}
