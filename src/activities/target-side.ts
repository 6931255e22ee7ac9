/**
 * The target side of a compared table: the columns and key its SQL is built from. Normally the
 * planned columns (the target was created from them); for a target declared otherwise than the source
 * of the same engine, its own columns as planning found them (`targetColumns`), so each side prints
 * its own values in canonical text.
 */
import type { Column } from '../core/column-model.js';
import type { TableMappingFields } from '../core/report.js';
import { comparedColumns } from './source-side.js';

/** What names a table's target side. */
export interface TargetShape extends TableMappingFields {
  columns: Column[];
  key: Column[];
  /** See `TablePlan.targetColumns`; absent = the target's columns are `columns`. */
  targetColumns?: Column[];
}

/** The target's columns, in the order of `side.columns`. */
export function targetColumnsOf(side: TargetShape): Column[] {
  return side.targetColumns ?? side.columns;
}

/** The target's key columns, in key order. */
export function targetKeyOf(side: TargetShape): Column[] {
  const own = side.targetColumns;
  if (!own) return side.key;
  return side.key.map((k) => own.find((c) => c.name === k.name) ?? k);
}

/** The target's columns verify and diff compare, in the order of `comparedColumns(side)`. */
export function targetComparedOf(side: TargetShape): Column[] {
  return comparedColumns({ ...side, columns: targetColumnsOf(side) });
}

/** Whether the target may be hashed in the same-engine whole-row form (no declared type differs). */
export function declaredAlike(side: TargetShape): boolean {
  return side.targetColumns === undefined;
}
