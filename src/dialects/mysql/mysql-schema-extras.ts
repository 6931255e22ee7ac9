/**
 * MySQL/MariaDB schema facts beyond columns and keys: portable column defaults, the table comment,
 * and the objects ferry does not carry (triggers, views reading the table), for plan warnings.
 */
import { parseCheck } from '../../core/check-parse.js';
import type { CheckDef, ColumnDefault, NeutralType } from '../../core/column-model.js';
import type { StringQuery } from './mysql-introspect.js';
import { lit } from './mysql-sql.js';

const NOW = /^(current_timestamp|now)(\(\d?\))?$/i;
const LITERAL_KINDS = new Set(['int', 'decimal', 'float', 'bool', 'text', 'date', 'time', 'timestamp', 'uuid', 'enum', 'set']);

/**
 * The portable form of COLUMN_DEFAULT, or null. MariaDB (≥ 10.2.7) prints literals quoted and
 * expressions bare; MySQL prints literals bare and marks expressions DEFAULT_GENERATED.
 */
export function mysqlDefault(text: string, extra: string, type: NeutralType, mariadb: boolean): ColumnDefault | null {
  const t = text.trim();
  if (NOW.test(t)) return type.kind === 'timestamp' || type.kind === 'date' ? { now: true } : null;
  if (!LITERAL_KINDS.has(type.kind) || (type.kind === 'timestamp' && type.tz)) return null;
  let literal: string;
  if (mariadb) {
    const q = /^'((?:[^'\\]|''|\\.)*)'$/s.exec(t);
    if (q) literal = q[1]!.replace(/''/g, "'").replace(/\\(.)/g, '$1');
    else if (/^-?\d+(\.\d+)?$/.test(t)) literal = t;
    else return null;
  } else {
    if (extra.includes('default_generated')) return null;
    literal = t;
  }
  if (type.kind === 'bool') return { literal: /^0+$/.test(literal) ? '0' : '1' };
  return { literal };
}

/** ` DEFAULT …` for a MySQL column of DDL type `ddl`, or '' (TEXT/BLOB/JSON columns take no literal default everywhere). */
export function mysqlDefaultSql(d: ColumnDefault | undefined, type: NeutralType, ddl: string): string {
  if (!d) return '';
  if ('now' in d) {
    if (type.kind !== 'timestamp') return '';
    return ` DEFAULT CURRENT_TIMESTAMP${type.precision > 0 ? `(${type.precision})` : ''}`;
  }
  if (/TEXT|BLOB|JSON/i.test(ddl)) return '';
  return ` DEFAULT ${lit(d.literal)}`;
}

/** The table's comment and what is not carried: its triggers and the views that read it. */
export async function tableExtras(q: StringQuery, table: string): Promise<{ comment: string | null; warnings: string[] }> {
  const [row] = await q(`SELECT TABLE_COMMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ${lit(table)}`);
  const triggers = await q(
    `SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = DATABASE() AND EVENT_OBJECT_TABLE = ${lit(table)} ORDER BY 1`,
  );
  const views = await q(
    `SELECT TABLE_NAME FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE() ` +
      `AND LOCATE(${lit('`' + table.replace(/`/g, '``') + '`')}, VIEW_DEFINITION) > 0 ORDER BY 1`,
  );
  const warnings = [
    ...triggers.map(([n]) => `trigger ${n} on table ${table} is not carried (recreate it on the target by hand)`),
    ...views.map(([n]) => `view ${n} reads table ${table} and is not carried (recreate it on the target by hand)`),
  ];
  return { comment: row?.[0] ? row[0] : null, warnings };
}

/**
 * The table's check constraints: the portable ones (see core/check-parse.ts) as CheckDefs, the others
 * named as warnings. MariaDB's `json_valid(col)` checks stand for its JSON alias and are skipped.
 */
export async function tableChecks(q: StringQuery, table: string, mariadb: boolean, columns: ReadonlySet<string>): Promise<{ checks: CheckDef[]; warnings: string[] }> {
  // MariaDB's CHECK_CONSTRAINTS has TABLE_NAME; MySQL's does not, so it is joined to TABLE_CONSTRAINTS.
  const rows = await q(
    mariadb
      ? `SELECT CONSTRAINT_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = ${lit(table)} ORDER BY 1`
      : `SELECT cc.CONSTRAINT_NAME, cc.CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS cc ` +
          `JOIN information_schema.TABLE_CONSTRAINTS tc ON tc.CONSTRAINT_SCHEMA = cc.CONSTRAINT_SCHEMA AND tc.CONSTRAINT_NAME = cc.CONSTRAINT_NAME ` +
          `WHERE tc.CONSTRAINT_TYPE = 'CHECK' AND tc.TABLE_SCHEMA = DATABASE() AND tc.TABLE_NAME = ${lit(table)} ORDER BY 1`,
  );
  const checks: CheckDef[] = [];
  const warnings: string[] = [];
  for (const [name, clause] of rows) {
    if (/^json_valid\(`(?:[^`]|``)+`\)$/i.test((clause ?? '').trim())) continue;
    const expr = parseCheck(clause ?? '', columns);
    if (expr) checks.push({ name: name ?? 'check', expr });
    else warnings.push(`check constraint ${name} on table ${table} (${clause}) is not portable and is not carried (recreate it on the target by hand)`);
  }
  return { checks, warnings };
}
