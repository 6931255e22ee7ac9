/**
 * Whether a target table's columns are declared as the source's are ("drift" when not). Two databases
 * of one engine hash whole rows in their own value forms, which only agree for equal values when both
 * columns have the same declared type: PostgreSQL hashes a uuid and its text differently, prints a
 * timestamptz with an offset a timestamp lacks. A drifted table is therefore compared in each side's
 * own canonical text instead. Pure logic: no drivers.
 */
import type { Column } from './column-model.js';

/** A native type as written for comparison: lower case, single spaces, none around brackets and commas. */
export function normaliseNativeType(native: string): string {
  return native
    .trim()
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/\s*([(),])\s*/g, '$1');
}

/**
 * The target's own columns, in the order and with the names of `planned`, when a column of
 * `compared` is declared differently on the target (or missing there); undefined when every compared
 * column has the same native type on both sides, so the same-engine whole-row hash is exact. Only
 * meaningful between two databases of one engine, whose native type names are spelt alike.
 * A planned column the target lacks keeps its planned form (comparing it then fails, naming it).
 */
export function driftedTargetColumns(planned: readonly Column[], target: readonly Column[], compared: ReadonlySet<string>): Column[] | undefined {
  const byName = new Map(target.map((c) => [c.name, c]));
  const drifted = planned.some((c) => {
    if (!compared.has(c.name)) return false;
    const t = byName.get(c.name);
    return t === undefined || normaliseNativeType(t.nativeType) !== normaliseNativeType(c.nativeType);
  });
  if (!drifted) return undefined;
  // The target's values are never mapped by an onLossy rule (those apply to the source as read).
  return planned.map((c) => {
    const t = byName.get(c.name);
    return t === undefined ? c : { name: c.name, type: t.type, nullable: t.nullable, nativeType: t.nativeType };
  });
}
