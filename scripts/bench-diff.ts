/**
 * The diff bar of the verify/diff issue in the benchmark: 100 differences planted across the target
 * `orders` table (rows deleted, rows changed, rows the source lacks), then `ferry diff` must report
 * exactly those keys. The source is never touched, so later directions still see the same dataset.
 */
import { DST_DB, TABLE, query, type Engine } from './bench-datasets.js';

/** The keys planted, as `ferry diff --json` reports them (one-column key tuples as strings). */
export interface Planted {
  missing: string[];
  extra: string[];
  changed: string[];
}

/** Result of checking a diff report against what was planted. */
export interface DiffCheck {
  found: number;
  planted: number;
  /** Empty when the report names exactly the planted keys. */
  problems: string[];
}

const PLANTED = 100;

/**
 * Plants 100 differences in the target of a `rows`-row table with keys 1..rows: 40 rows deleted
 * (missing) and 40 changed (amount + 1), spread evenly over the key range, and 20 rows the source
 * does not have (extra; below and above its keys, the only free places in a dense key range).
 */
export async function plantDifferences(engine: Engine, rows: number): Promise<Planted> {
  const step = Math.floor(rows / (PLANTED + 1));
  if (step < 1) throw new Error(`planting ${PLANTED} differences needs a table of more than ${PLANTED} rows, got ${rows}`);
  const planted: Planted = { missing: [], extra: [], changed: [] };
  for (let k = 1; k <= PLANTED; k++) {
    const id = k * step;
    if (k % 5 === 0 || k % 5 === 1) planted.missing.push(String(id));
    else if (k % 5 === 2 || k % 5 === 3) planted.changed.push(String(id));
    else planted.extra.push(String(k % 2 === 0 ? -k * 1000 : rows + k * 1000));
  }
  const copyOfRow1 = (id: string) =>
    `INSERT INTO ${TABLE} SELECT ${id}, customer_id, status, amount, created_at, note, payload, flag FROM ${TABLE} WHERE id = 1`;
  const statements = [
    `DELETE FROM ${TABLE} WHERE id IN (${planted.missing.join(', ')})`,
    `UPDATE ${TABLE} SET amount = amount + 1 WHERE id IN (${planted.changed.join(', ')})`,
    ...planted.extra.map(copyOfRow1),
  ];
  await query(engine, DST_DB, `${statements.join('; ')};`);
  return planted;
}

interface DiffJson {
  tables?: { missing: number; extra: number; changed: number; truncated?: boolean; keys: { missing: string[][]; extra: string[][]; changed: { key: string[]; columns: string[] }[] } }[];
}

/** Compares `ferry diff --json` output with what was planted: counts, and every key listed. */
export function checkDiff(stdout: string, planted: Planted): DiffCheck {
  const total = planted.missing.length + planted.extra.length + planted.changed.length;
  let report: DiffJson;
  try {
    report = JSON.parse(stdout.trim().split('\n').pop() ?? '') as DiffJson;
  } catch {
    return { found: 0, planted: total, problems: [`ferry diff printed no JSON: ${stdout.slice(-300)}`] };
  }
  const t = report.tables?.[0];
  if (!t) return { found: 0, planted: total, problems: ['ferry diff reported no table'] };
  const problems: string[] = [];
  const sameKeys = (kind: keyof Planted, got: string[]) => {
    const want = [...planted[kind]].sort();
    const have = [...got].sort();
    if (JSON.stringify(want) !== JSON.stringify(have)) problems.push(`${kind}: planted ${want.length} keys, reported ${have.length} (${have.slice(0, 10).join(', ')}…)`);
    return have.filter((k) => planted[kind].includes(k)).length;
  };
  const found =
    sameKeys('missing', t.keys.missing.map((k) => k.join(','))) +
    sameKeys('extra', t.keys.extra.map((k) => k.join(','))) +
    sameKeys('changed', t.keys.changed.map((c) => c.key.join(',')));
  if (t.missing !== planted.missing.length || t.extra !== planted.extra.length || t.changed !== planted.changed.length) {
    problems.push(`counts: planted ${planted.missing.length}/${planted.extra.length}/${planted.changed.length} missing/extra/changed, reported ${t.missing}/${t.extra}/${t.changed}`);
  }
  const wrongColumns = t.keys.changed.filter((c) => c.columns.join(',') !== 'amount');
  if (wrongColumns.length) problems.push(`changed rows should differ in amount only; ${wrongColumns.length} report ${wrongColumns[0]!.columns.join(', ')}`);
  return { found, planted: total, problems };
}
