/**
 * DDL for MySQL/MariaDB targets: CREATE TABLE, secondary indexes and foreign keys. Pure string
 * building on top of mysql-types.ts.
 */
import type { Column, ForeignKeyDef, IndexDef, TableSchema } from '../../core/column-model.js';
import { JobSpecError } from '../../errors.js';
import { checkSql } from '../../core/check-parse.js';
import { lit, quoteId } from './mysql-sql.js';
import { mysqlDefaultSql } from './mysql-schema-extras.js';
import { ddlType, keyBytes, type KeyCap, type ServerInfo } from './mysql-types.js';

/** InnoDB's limit on one index entry (DYNAMIC/COMPRESSED row format). */
const MAX_KEY_BYTES = 3072;
/** Room left below MySQL's 65,535-byte row limit for VARCHAR/VARBINARY columns (leaves slack for the rest). */
const ROW_BUDGET = 60000;
/** Identifier length limit. */
const MAX_NAME = 64;

/** An index or constraint name as MySQL accepts it (at most 64 characters). */
export function objectName(name: string): string {
  return [...name].slice(0, MAX_NAME).join('');
}

// A native type as a job may spell it: words, numbers, parentheses, commas and quoted enum labels.
// Anything else (semicolons, comments, backticks) is refused so an override cannot smuggle SQL in.
const NATIVE_TYPE = /^[A-Za-z][A-Za-z0-9_ ]*(\(\s*('([^'\\]|'')*'|[0-9]+)(\s*,\s*('([^'\\]|'')*'|[0-9]+))*\s*\))?[A-Za-z0-9_ ]*$/;

function checkedOverride(column: string, type: string): string {
  if (!NATIVE_TYPE.test(type.trim())) {
    throw new JobSpecError(`typeOverrides.${column}`, `"${type}" is not a MySQL column type ferry can use (e.g. VARCHAR(100))`);
  }
  return type.trim();
}

/**
 * Caps for unbounded text/binary columns of one key: the 3,072-byte budget minus the bounded
 * columns, shared equally by the unbounded ones (so a lone text key gets VARCHAR(768)).
 */
function keyCaps(columns: Column[]): Map<string, KeyCap> {
  let fixed = 0;
  const open: Column[] = [];
  for (const col of columns) {
    const b = keyBytes(col);
    if (b === null) open.push(col);
    else fixed += b;
  }
  const caps = new Map<string, KeyCap>();
  const share = Math.max(4, Math.floor((MAX_KEY_BYTES - fixed) / Math.max(1, open.length)));
  for (const col of columns) caps.set(col.name, { chars: Math.floor(share / 4), bytes: share });
  return caps;
}

/** Columns of the primary key and every unique index, each with the tightest cap any of its keys needs. */
export function keyColumnCaps(schema: TableSchema): Map<string, KeyCap> {
  const byName = new Map(schema.columns.map((c) => [c.name, c]));
  const keys = [schema.primaryKey, ...schema.indexes.filter((i) => i.unique).map((i) => i.columns)];
  const caps = new Map<string, KeyCap>();
  for (const key of keys) {
    const cols = key.map((n) => byName.get(n)).filter((c): c is Column => c !== undefined);
    for (const [name, cap] of keyCaps(cols)) {
      const prev = caps.get(name);
      caps.set(name, prev ? { chars: Math.min(prev.chars, cap.chars), bytes: Math.min(prev.bytes, cap.bytes) } : cap);
    }
  }
  return caps;
}

/**
 * The one column that becomes AUTO_INCREMENT, or null. MySQL allows one such column and it must lead
 * a key at creation time; only the primary key exists then, so it is an integer identity column that
 * leads the primary key.
 */
function autoIncrementColumn(schema: TableSchema): string | null {
  const first = schema.primaryKey[0];
  const col = schema.columns.find((c) => c.name === first);
  return schema.hasPrimaryKey && col?.identity && col.type.kind === 'int' ? col.name : null;
}

/** Identity columns that are created as plain columns (no AUTO_INCREMENT), named for plan warnings. */
export function droppedIdentityWarnings(schema: TableSchema, overrides: Record<string, string> = {}): string[] {
  const auto = autoIncrementColumn(schema);
  return schema.columns
    .filter((c) => c.identity && c.name !== auto && overrides[c.name] === undefined)
    .map(
      (c) =>
        `column ${schema.name}.${c.name} is an identity/serial column but MySQL allows AUTO_INCREMENT only on one column ` +
        `leading the primary key; it is created as a plain ${c.type.kind === 'int' ? 'integer' : 'column'} and its values are copied, new rows get no generated value`,
    );
}

/** CREATE TABLE IF NOT EXISTS with columns, NOT NULL and the primary key; binary collation by default. */
export function createTableSql(schema: TableSchema, server: ServerInfo, overrides: Record<string, string> = {}): string {
  const caps = keyColumnCaps(schema);
  let rowBytes = 0;
  let autoDone = false;
  const lines = schema.columns.map((col) => {
    const override = overrides[col.name];
    let type: string;
    if (override !== undefined) {
      type = checkedOverride(col.name, override);
    } else {
      const cap = caps.get(col.name);
      let c = col;
      const t = col.type;
      if (!cap && (t.kind === 'text' || t.kind === 'binary') && t.length !== undefined) {
        // Many wide VARCHARs overflow the row size limit; the ones past the budget become LONGTEXT/LONGBLOB.
        const bytes = t.kind === 'text' ? t.length * 4 : t.length;
        if (rowBytes + bytes > ROW_BUDGET) c = { ...col, type: { kind: t.kind } };
        else rowBytes += bytes;
      }
      type = ddlType(schema.name, c, server, cap);
    }
    let extra = '';
    if (override === undefined && autoIncrementColumn(schema) === col.name && !autoDone) {
      extra = ' AUTO_INCREMENT';
      autoDone = true;
    } else if (override === undefined) extra = mysqlDefaultSql(col.default, col.type, type);
    const comment = col.comment ? ` COMMENT ${lit(col.comment.slice(0, 1024))}` : '';
    return `  ${quoteId(col.name)} ${type}${col.nullable ? ' NULL' : ' NOT NULL'}${extra}${comment}`;
  });
  for (const ch of schema.checks ?? []) {
    lines.push(`  CONSTRAINT ${quoteId(objectName(ch.name))} CHECK (${checkSql(ch.expr, quoteId, lit)})`);
  }
  if (schema.hasPrimaryKey && schema.primaryKey.length > 0) {
    lines.push(`  PRIMARY KEY (${schema.primaryKey.map(quoteId).join(', ')})`);
  }
  return (
    `CREATE TABLE IF NOT EXISTS ${quoteId(schema.name)} (\n${lines.join(',\n')}\n)` +
    ` ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=${server.binCollation}` +
    (schema.comment ? ` COMMENT=${lit(schema.comment.slice(0, 2048))}` : '')
  );
}

/**
 * CREATE INDEX for a secondary index. `blobColumns` are the target's TEXT/BLOB columns: a non-unique
 * index on them needs a prefix length; a unique one is left whole (MariaDB ≥ 10.4 hashes long unique
 * keys; MySQL refuses, which is the right outcome rather than a silently weaker constraint).
 */
export function createIndexSql(table: string, index: IndexDef, blobColumns: ReadonlySet<string>): string {
  const cols = index.columns.map((c) => (!index.unique && blobColumns.has(c) ? `${quoteId(c)}(255)` : quoteId(c)));
  return `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${quoteId(objectName(index.name))} ON ${quoteId(table)} (${cols.join(', ')})`;
}

const FK_ACTIONS = new Set(['CASCADE', 'SET NULL', 'SET DEFAULT', 'RESTRICT', 'NO ACTION']);

function fkAction(action: string): string {
  const a = action.trim().toUpperCase().replace(/\s+/g, ' ');
  return FK_ACTIONS.has(a) ? a : 'NO ACTION';
}

/** ALTER TABLE … ADD CONSTRAINT … FOREIGN KEY; unknown actions fall back to NO ACTION. */
export function addForeignKeySql(table: string, fk: ForeignKeyDef): string {
  return (
    `ALTER TABLE ${quoteId(table)} ADD CONSTRAINT ${quoteId(objectName(fk.name))} FOREIGN KEY ` +
    `(${fk.columns.map(quoteId).join(', ')}) REFERENCES ${quoteId(fk.refTable)} (${fk.refColumns.map(quoteId).join(', ')})` +
    ` ON DELETE ${fkAction(fk.onDelete)} ON UPDATE ${fkAction(fk.onUpdate)}`
  );
}
