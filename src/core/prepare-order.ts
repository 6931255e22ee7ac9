/**
 * The order in which a load's target tables are made ready, shared by the `prepareTargets` activity
 * and the workflow steps it replaced (still replayed by runs recorded before it).
 */

/** What decides the order. */
export interface PrepareOrderInput {
  onExisting: 'fail' | 'truncate' | 'append';
  /** A resumed run keeps its rows: only the foreign keys are dropped. */
  resume?: boolean;
  /** One per table; a resumed run returns `kept` for each. */
  schemas: readonly unknown[];
}

/**
 * Foreign keys on existing target tables go before the load and come back after it. With `fail`, the
 * refusal check (part of `prepare`) runs first so a refused target is left untouched; otherwise they
 * go first, because PostgreSQL will not truncate a table that another one references.
 */
export async function inPrepareOrder<R>(input: PrepareOrderInput, dropForeignKeys: () => Promise<void>, prepare: () => Promise<R[]>, kept: R): Promise<R[]> {
  if (input.resume) {
    await dropForeignKeys();
    return input.schemas.map(() => kept);
  }
  if (input.onExisting === 'fail') {
    const prepared = await prepare();
    await dropForeignKeys();
    return prepared;
  }
  await dropForeignKeys();
  return prepare();
}
