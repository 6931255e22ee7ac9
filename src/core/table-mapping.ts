/**
 * Table mapping: how a job reshapes a source table into its target table (rename, column
 * include/exclude and rename, a row filter, computed columns, a custom row transform). Planning turns
 * the job's settings and the introspected source schema into a target-shaped schema plus a
 * {@link SourceView} (which every source read goes through) and a {@link TransformRef}. Pure.
 */
import type { CheckExpr, Column, ForeignKeyDef, TableSchema } from './column-model.js';
import { JobSpecError } from '../errors.js';
import { parseTypeSpec, TYPE_SPEC_NAMES } from './type-spec.js';

/** A computed column: a SQL expression over the source table's columns and the type of its values. */
export interface ComputedColumn {
  sql: string;
  /** A type name (see type-spec.ts), e.g. `text`, `decimal(12,2)`. */
  type: string;
  /** False when the expression is not repeatable (e.g. now()), so verify cannot compare it. Default true. */
  verify?: boolean;
}

/** A custom row transform named in the job. */
export interface TransformSpec {
  /** Path of the module on the worker (.js, .mjs, .cjs or .ts). */
  module: string;
  /** Name of the exported function. */
  function: string;
  /** Columns the function adds, with their types (target-side names). */
  add?: Record<string, string>;
  /** Columns the function reads but that are not written to the target. */
  drop?: string[];
  /** Columns whose values verify cannot reproduce (the function is not repeatable for them). */
  unverified?: string[];
}

/**
 * A job's settings for one table. Names in `include`, `exclude`, `rename` keys and in `where`/`sql`
 * text are source names; everything else (`rename` values, computed and added columns, `types`) names
 * target columns.
 */
export interface TableMapping {
  name: string;
  /** Target table name (default: the source name). */
  as?: string;
  include?: string[];
  exclude?: string[];
  rename?: Record<string, string>;
  /** A SQL condition on the source table: only rows where it is true are copied, verified and synced. */
  where?: string;
  computed?: Record<string, ComputedColumn>;
  transform?: TransformSpec;
  /** Target column types by target column name (as the job-wide `types`). */
  types?: Record<string, string>;
}

/** One column of a {@link SourceView}: its (target-side) name, and the source column or SQL it reads. */
export interface ViewColumn {
  name: string;
  /** Source column, when it is named differently. */
  from?: string;
  /** SQL expression over the source table (computed column). */
  sql?: string;
}

/** How a table is read on the source: a projection to target-side names and a row filter. */
export interface SourceView {
  columns: ViewColumn[];
  where?: string;
}

/** A row transform as activities run it: the module and function, and the view columns it reads. */
export interface TransformRef {
  module: string;
  function: string;
  /** The columns read from the source view, in order; the output columns are the table's target columns. */
  input: Column[];
}

/** The outcome of mapping one table. */
export interface MappedTable {
  /** The target-shaped schema (name = target table, columns = what the target receives). */
  schema: TableSchema;
  /** Absent when the source table is read as it is. */
  view?: SourceView;
  transform?: TransformRef;
  /** Target columns verify and diff cannot compare, each with the reason. */
  unverified: { column: string; reason: string }[];
}

/** Names of every mapped table of a job, so foreign keys can follow renames. */
export interface JobNames {
  /** Target name of a source table (the source name when not renamed). */
  table(source: string): string;
  /** Target name of a source column of a source table. */
  column(sourceTable: string, column: string): string;
}

/** The {@link JobNames} of a job's table mappings. */
export function jobNames(mappings: TableMapping[]): JobNames {
  const byName = new Map(mappings.map((m) => [m.name, m]));
  return {
    table: (t) => byName.get(t)?.as ?? t,
    column: (t, c) => byName.get(t)?.rename?.[c] ?? c,
  };
}

/** Applies a table's mapping to its introspected source schema (see the module comment). */
export function mapTable(src: TableSchema, m: TableMapping | undefined, names: JobNames): MappedTable {
  if (!m) return { schema: renameReferences(src, names), unverified: [] };
  const at = (setting: string) => `tables.${m.name}.${setting}`;
  const has = (c: string) => src.columns.some((x) => x.name === c);
  const known = src.columns.map((c) => c.name).join(', ');
  for (const [setting, list] of [['include', m.include ?? []], ['exclude', m.exclude ?? []], ['rename', Object.keys(m.rename ?? {})]] as const) {
    for (const c of list) if (!has(c)) throw new JobSpecError(`${at(setting)}`, `table "${m.name}" has no column "${c}"; its columns are ${known}`);
  }
  const kept = src.columns.filter((c) => (m.include ? m.include.includes(c.name) : true) && !(m.exclude ?? []).includes(c.name));
  for (const k of src.primaryKey) {
    if (!kept.some((c) => c.name === k)) {
      throw new JobSpecError(at(m.include?.includes(k) === false ? 'include' : 'exclude'), `the key column "${k}" must be copied: rows are copied and compared by key ranges`);
    }
  }
  const rename = (c: string) => m.rename?.[c] ?? c;
  const viewColumns: ViewColumn[] = kept.map((c) => (rename(c.name) === c.name ? { name: c.name } : { name: rename(c.name), from: c.name }));
  const columns: Column[] = kept.map((c) => ({ ...c, name: rename(c.name) }));
  const unverified: MappedTable['unverified'] = [];
  for (const [name, spec] of Object.entries(m.computed ?? {})) {
    columns.push({ name, type: typeOf(spec.type, at(`computed.${name}.type`)), nullable: true, nativeType: spec.type });
    viewColumns.push({ name, sql: spec.sql });
    if (spec.verify === false) unverified.push({ column: name, reason: 'computed with verify: false' });
  }
  let transform: TransformRef | undefined;
  let out = columns;
  if (m.transform) {
    const t = m.transform;
    const keys = src.primaryKey.map(rename);
    for (const d of t.drop ?? []) {
      if (!columns.some((c) => c.name === d)) throw new JobSpecError(at('transform.drop'), `"${d}" is not a column the transform reads; its columns are ${columns.map((c) => c.name).join(', ')}`);
      if (keys.includes(d)) throw new JobSpecError(at('transform.drop'), `the key column "${d}" must be written to the target`);
    }
    out = columns.filter((c) => !(t.drop ?? []).includes(c.name));
    for (const [name, type] of Object.entries(t.add ?? {})) out.push({ name, type: typeOf(type, at(`transform.add.${name}`)), nullable: true, nativeType: type });
    for (const u of t.unverified ?? []) {
      if (!out.some((c) => c.name === u)) throw new JobSpecError(at('transform.unverified'), `"${u}" is not a target column; they are ${out.map((c) => c.name).join(', ')}`);
      unverified.push({ column: u, reason: `not repeatable by ${t.function}` });
    }
    transform = { module: t.module, function: t.function, input: columns };
  }
  const seen = new Set<string>();
  for (const c of out) {
    if (seen.has(c.name)) throw new JobSpecError(at('rename'), `two target columns are named "${c.name}"; give each a distinct name`);
    seen.add(c.name);
  }
  const present = new Set(out.map((c) => c.name));
  for (const c of Object.keys(m.types ?? {})) if (!present.has(c)) throw new JobSpecError(at(`types.${c}`), `"${c}" is not a target column; they are ${[...present].join(', ')}`);
  const schema = renameReferences({ ...src, columns: out }, names, present);
  const needsView = m.include !== undefined || (m.exclude ?? []).length > 0 || Object.keys(m.rename ?? {}).length > 0 || m.computed !== undefined || m.where !== undefined;
  return {
    schema,
    ...(needsView ? { view: { columns: viewColumns, ...(m.where !== undefined ? { where: m.where } : {}) } } : {}),
    ...(transform ? { transform } : {}),
    unverified,
  };
}

function typeOf(spec: string, field: string) {
  const t = parseTypeSpec(spec);
  if (!t) throw new JobSpecError(field, `"${spec}" is not a type ferry knows; use one of ${TYPE_SPEC_NAMES}`);
  return t;
}

/**
 * The schema with its table, key, indexes, foreign keys and checks named as on the target; indexes,
 * foreign keys and checks over columns that are not copied are left out with a warning each.
 */
function renameReferences(src: TableSchema, names: JobNames, present?: Set<string>): TableSchema {
  const col = (c: string) => names.column(src.name, c);
  const keep = (cols: string[]) => present === undefined || cols.every((c) => present.has(col(c)));
  const warnings = [...(src.warnings ?? [])];
  const target = names.table(src.name);
  const indexes = src.indexes.filter((ix) => keep(ix.columns) || void warnings.push(`index ${ix.name} on ${target} is not created: a column of it is not copied`));
  const foreignKeys: ForeignKeyDef[] = src.foreignKeys
    .filter((fk) => keep(fk.columns) || void warnings.push(`foreign key ${fk.name} on ${target} is not created: a column of it is not copied`))
    .map((fk) => ({ ...fk, columns: fk.columns.map(col), refTable: names.table(fk.refTable), refColumns: fk.refColumns.map((c) => names.column(fk.refTable, c)) }));
  const checks = (src.checks ?? [])
    .filter((ck) => keep(checkColumns(ck.expr)) || void warnings.push(`check ${ck.name} on ${target} is not created: a column of it is not copied`))
    .map((ck) => ({ ...ck, expr: renameCheck(ck.expr, col) }));
  return {
    ...src,
    name: target,
    primaryKey: src.primaryKey.map(col),
    indexes: indexes.map((ix) => ({ ...ix, columns: ix.columns.map(col) })),
    foreignKeys,
    ...(src.checks ? { checks } : {}),
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}

function checkColumns(e: CheckExpr): string[] {
  if ('and' in e) return e.and.flatMap(checkColumns);
  if ('or' in e) return e.or.flatMap(checkColumns);
  return [e.column];
}

function renameCheck(e: CheckExpr, col: (c: string) => string): CheckExpr {
  if ('and' in e) return { and: e.and.map((x) => renameCheck(x, col)) };
  if ('or' in e) return { or: e.or.map((x) => renameCheck(x, col)) };
  return { ...e, column: col(e.column) };
}
