/**
 * Row-set diff of one key range: the rows both sides returned (transfer text), canonicalised per kind
 * and matched by key. Pure logic, unit-tested without a database.
 */
import { canonicalTransferValue, sameAcrossKinds } from './canonical.js';
import type { Column } from './column-model.js';
import type { KeyTuple } from './key-range.js';

/** One row as decoded transfer text, values in column order. */
export type Row = (string | null)[];

/** A row present on both sides whose values differ. */
export interface ChangedRow {
  key: KeyTuple;
  /** Names of the columns whose canonical values differ, in column order. */
  columns: string[];
}

/** Result of {@link diffRowSets}. Keys are in their checksum form, the form key ranges use. */
export interface RowSetDiff {
  /** In the source, not in the target (source order). */
  missing: KeyTuple[];
  /** In the target, not in the source (target order). */
  extra: KeyTuple[];
  changed: ChangedRow[];
  /** The source rows (as read, not canonicalised) a repair writes: missing then changed ones, in source order. */
  upsert: Row[];
}

/** Indexes of the key columns within `columns`; throws when a key column is not among them. */
export function keyIndexes(columns: readonly Column[], key: readonly Column[]): number[] {
  return key.map((k) => {
    const i = columns.findIndex((c) => c.name === k.name);
    if (i < 0) throw new Error(`key column ${k.name} is not among the columns read`);
    return i;
  });
}

/** The key of a row in checksum form. */
export function rowKey(columns: readonly Column[], keyIdx: readonly number[], row: Row): KeyTuple {
  return keyIdx.map((i) => canonicalTransferValue(columns[i]!.type, row[i] ?? null) ?? '');
}

/**
 * Compares two row sets of the same key range. `columns` describe the source's rows and
 * `targetColumns` the target's (the same names in the same order; by default `columns`), each side's
 * values canonicalised by its own types; only `compared` columns count as changed.
 */
export function diffRowSets(
  columns: readonly Column[],
  key: readonly Column[],
  source: readonly Row[],
  target: readonly Row[],
  compared: readonly Column[] = columns,
  targetColumns: readonly Column[] = columns,
): RowSetDiff {
  const checked = new Set(compared.map((c) => c.name));
  const kIdx = keyIndexes(columns, key);
  const canon = (cols: readonly Column[], row: Row) => row.map((v, i) => canonicalTransferValue(cols[i]!.type, v ?? null));
  const targetByKey = new Map<string, { values: (string | null)[]; row: Row }>();
  const targetKeys: KeyTuple[] = [];
  for (const row of target) {
    const values = canon(targetColumns, row);
    const k = kIdx.map((i) => values[i] ?? '');
    targetByKey.set(JSON.stringify(k), { values, row });
    targetKeys.push(k);
  }
  const seen = new Set<string>();
  const result: RowSetDiff = { missing: [], extra: [], changed: [], upsert: [] };
  const changedRows: Row[] = [];
  const differs = (i: number, values: (string | null)[], row: Row, other: { values: (string | null)[]; row: Row }) => {
    const x = row[i] ?? null;
    const y = other.row[i] ?? null;
    if (values[i] === other.values[i]) return false;
    return x === null || y === null || !sameAcrossKinds(columns[i]!.type, targetColumns[i]!.type, x, y);
  };
  for (const row of source) {
    const values = canon(columns, row);
    const k = kIdx.map((i) => values[i] ?? '');
    const id = JSON.stringify(k);
    seen.add(id);
    const other = targetByKey.get(id);
    if (other === undefined) {
      result.missing.push(k);
      result.upsert.push(row);
      continue;
    }
    const differing = columns.filter((c, i) => checked.has(c.name) && differs(i, values, row, other)).map((c) => c.name);
    if (differing.length > 0) {
      result.changed.push({ key: k, columns: differing });
      changedRows.push(row);
    }
  }
  result.upsert.push(...changedRows);
  for (const k of targetKeys) if (!seen.has(JSON.stringify(k))) result.extra.push(k);
  return result;
}
