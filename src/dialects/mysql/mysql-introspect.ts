/**
 * Reads a table's shape from information_schema: columns (mapped to neutral types), key, secondary
 * indexes, foreign keys and the row estimate. Scoped to the connection's database (DATABASE()).
 */
import type { Column, ForeignKeyDef, IndexDef, TableSchema } from '../../core/column-model.js';
import { JobSpecError } from '../../errors.js';
import { lit, type NativeColumn } from './mysql-sql.js';
import { neutralType, type InfoColumn } from './mysql-types.js';
import { mysqlDefault, tableChecks, tableExtras } from './mysql-schema-extras.js';

/** Runs a query and returns its rows as arrays of strings (null for NULL). */
export type StringQuery = (sql: string) => Promise<(string | null)[][]>;

const num = (v: string | null | undefined): number | null => (v === null || v === undefined ? null : Number(v));

/** Base tables of the current database, sorted. */
export async function listTables(q: StringQuery): Promise<string[]> {
  const rows = await q(
    "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE'",
  );
  return rows.map((r) => r[0]!).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Row estimate of a base table, or null when it does not exist. */
export async function tableRows(q: StringQuery, table: string): Promise<number | null> {
  const rows = await q(
    `SELECT COALESCE(TABLE_ROWS, 0) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ` +
      `AND TABLE_NAME = ${lit(table)} AND TABLE_TYPE = 'BASE TABLE'`,
  );
  return rows.length === 0 ? null : Number(rows[0]![0]);
}

/** information_schema.COLUMNS rows of a table in ordinal order (empty when the table is missing). */
export async function infoColumns(q: StringQuery, table: string): Promise<InfoColumn[]> {
  const rows = await q(
    `SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, IS_NULLABLE, CHARACTER_MAXIMUM_LENGTH, NUMERIC_PRECISION, ` +
      `NUMERIC_SCALE, DATETIME_PRECISION, COLLATION_NAME, EXTRA, COLUMN_DEFAULT, COLUMN_COMMENT FROM information_schema.COLUMNS ` +
      `WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ${lit(table)} ORDER BY ORDINAL_POSITION`,
  );
  return rows.map((r) => ({
    name: r[0]!,
    dataType: r[1]!.toLowerCase(),
    columnType: r[2]!, // not lower-cased: ENUM and SET labels keep their case
    nullable: r[3] === 'YES',
    charLength: num(r[4]),
    precision: num(r[5]),
    scale: num(r[6]),
    datetimePrecision: num(r[7]),
    collation: r[8] ?? null,
    extra: (r[9] ?? '').toLowerCase(),
    defaultText: r[10] ?? null,
    comment: r[11] ?? '',
  }));
}

/** The native facts ferry's SQL builders need, per column name. */
export function nativeColumns(cols: InfoColumn[]): Map<string, NativeColumn> {
  return new Map(cols.map((c) => [c.name, { dataType: c.dataType, columnType: c.columnType.toLowerCase(), collation: c.collation }]));
}

/** Columns guarded by `CHECK (json_valid(col))`: how MariaDB stores its JSON alias. */
async function jsonCheckedColumns(q: StringQuery, table: string): Promise<Set<string>> {
  const rows = await q(
    `SELECT CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS ` +
      `WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = ${lit(table)}`,
  );
  const cols = new Set<string>();
  for (const [clause] of rows) {
    const m = /^json_valid\(`((?:[^`]|``)+)`\)$/i.exec((clause ?? '').trim());
    if (m) cols.add(m[1]!.replace(/``/g, '`'));
  }
  return cols;
}

interface RawIndex {
  name: string;
  unique: boolean;
  columns: string[];
  /** Full-text, spatial or functional: no neutral form, reported as a warning. */
  skip?: boolean;
}

async function rawIndexes(q: StringQuery, table: string): Promise<RawIndex[]> {
  const rows = await q(
    `SELECT INDEX_NAME, NON_UNIQUE, COLUMN_NAME, INDEX_TYPE FROM information_schema.STATISTICS ` +
      `WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ${lit(table)} ORDER BY INDEX_NAME, SEQ_IN_INDEX`,
  );
  const byName = new Map<string, RawIndex & { skip: boolean }>();
  for (const [name, nonUnique, column, type] of rows) {
    let idx = byName.get(name!);
    if (!idx) byName.set(name!, (idx = { name: name!, unique: nonUnique === '0', columns: [], skip: false }));
    // Full-text, spatial and functional (expression) indexes have no neutral form.
    if (column === null || column === undefined || type === 'FULLTEXT' || type === 'SPATIAL') idx.skip = true;
    else idx.columns.push(column);
  }
  return [...byName.values()].map(({ name, unique, columns, skip }) => ({ name, unique, columns, ...(skip ? { skip } : {}) }));
}

async function foreignKeys(q: StringQuery, table: string): Promise<ForeignKeyDef[]> {
  const rows = await q(
    `SELECT k.CONSTRAINT_NAME, k.COLUMN_NAME, k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME, r.DELETE_RULE, r.UPDATE_RULE ` +
      `FROM information_schema.KEY_COLUMN_USAGE k JOIN information_schema.REFERENTIAL_CONSTRAINTS r ` +
      `ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME AND r.TABLE_NAME = k.TABLE_NAME ` +
      `WHERE k.TABLE_SCHEMA = DATABASE() AND k.TABLE_NAME = ${lit(table)} AND k.REFERENCED_TABLE_NAME IS NOT NULL ` +
      `AND k.REFERENCED_TABLE_SCHEMA = k.TABLE_SCHEMA ORDER BY k.CONSTRAINT_NAME, k.ORDINAL_POSITION`,
  );
  const byName = new Map<string, ForeignKeyDef>();
  for (const [name, col, refTable, refCol, onDelete, onUpdate] of rows) {
    let fk = byName.get(name!);
    if (!fk) {
      fk = { name: name!, columns: [], refTable: refTable!, refColumns: [], onDelete: onDelete!, onUpdate: onUpdate! };
      byName.set(name!, fk);
    }
    fk.columns.push(col!);
    fk.refColumns.push(refCol!);
  }
  return [...byName.values()];
}

/**
 * The table's schema, or null when it does not exist. The key is the PRIMARY index, else the unique
 * index with all columns NOT NULL and the fewest columns (ties by name), else empty; `declaredKey`
 * replaces it (the real primary key, if different, is kept as a unique index so the target keeps it).
 */
export async function introspectTable(
  q: StringQuery,
  table: string,
  mariadb: boolean,
  declaredKey?: string[],
): Promise<{ schema: TableSchema; info: InfoColumn[] } | null> {
  const estimate = await tableRows(q, table);
  if (estimate === null) return null;
  const info = await infoColumns(q, table);
  const json = mariadb ? await jsonCheckedColumns(q, table) : new Set<string>();
  const warnings: string[] = [];
  const columns: Column[] = info.map((c) => {
    const col: Column = { name: c.name, type: neutralType(table, c, json), nullable: c.nullable, nativeType: c.columnType };
    if (c.extra?.includes('auto_increment') && col.type.kind === 'int') col.identity = true;
    else if (c.defaultText !== null && c.defaultText !== undefined) {
      const d = mysqlDefault(c.defaultText, c.extra ?? '', col.type, mariadb);
      if (d) col.default = d;
      else if (!(mariadb && c.defaultText === 'NULL')) warnings.push(`column ${table}.${c.name} has default ${c.defaultText}, which is not carried`);
    }
    if (/\b(virtual|stored) generated\b|\bpersistent\b/.test(c.extra ?? '')) {
      warnings.push(`column ${table}.${c.name} is generated (${c.extra}); its values are copied but the expression is not carried`);
    }
    if (c.comment) col.comment = c.comment;
    return col;
  });
  const more = await tableExtras(q, table);
  warnings.push(...more.warnings);
  const checked = await tableChecks(q, table, mariadb, new Set(columns.map((c) => c.name)));
  warnings.push(...checked.warnings);
  const notNull = new Set(columns.filter((c) => !c.nullable).map((c) => c.name));
  const all = await rawIndexes(q, table);
  for (const i of all.filter((x) => x.skip)) warnings.push(`index ${i.name} on table ${table} is full-text, spatial or functional and is not carried`);
  const raw = all.filter((x) => !x.skip).map(({ name, unique, columns }) => ({ name, unique, columns }));
  const primary = raw.find((i) => i.name === 'PRIMARY');
  const indexes: IndexDef[] = raw.filter((i) => i !== primary);
  let primaryKey = primary?.columns ?? [];
  let hasPrimaryKey = primary !== undefined;
  if (!primary) {
    const candidate = indexes
      .filter((i) => i.unique && i.columns.every((c) => notNull.has(c)))
      .sort((a, b) => a.columns.length - b.columns.length || (a.name < b.name ? -1 : 1))[0];
    primaryKey = candidate?.columns ?? [];
  }
  if (declaredKey !== undefined && declaredKey.length > 0) {
    const names = new Set(columns.map((c) => c.name));
    const unknown = declaredKey.filter((k) => !names.has(k));
    if (unknown.length > 0) {
      throw new JobSpecError(
        `keys.${table}`,
        `column(s) ${unknown.join(', ')} do not exist in table "${table}"; its columns are ${columns.map((c) => c.name).join(', ')}`,
      );
    }
    const same = primary !== undefined && primary.columns.join('\u0000') === declaredKey.join('\u0000');
    if (primary && !same) indexes.push({ name: `${table}_pkey`, columns: primary.columns, unique: true });
    primaryKey = [...declaredKey];
    hasPrimaryKey = same;
  }
  return {
    schema: {
      name: table,
      columns,
      primaryKey,
      hasPrimaryKey,
      indexes,
      foreignKeys: await foreignKeys(q, table),
      estimatedRows: estimate,
      ...(more.comment ? { comment: more.comment } : {}),
      ...(checked.checks.length > 0 ? { checks: checked.checks } : {}),
      ...(warnings.length > 0 ? { warnings } : {}),
    },
    info,
  };
}
