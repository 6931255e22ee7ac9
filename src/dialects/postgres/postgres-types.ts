/**
 * PostgreSQL native types ⇄ the neutral column model.
 */
import type { Column, NeutralType, OverflowLimit } from '../../core/column-model.js';
import { UnmappableTypeError } from '../../errors.js';
import { spatialNeedsOverride } from '../spatial.js';

/** A row of information_schema.columns, as read by the introspection query. */
export interface PgColumnInfo {
  column_name: string;
  udt_name: string;
  data_type: string;
  is_nullable: string;
  character_maximum_length: number | null;
  numeric_precision: number | null;
  numeric_scale: number | null;
  datetime_precision: number | null;
  /** From pg_type (see postgres-catalog.ts): `e` for an enum column, with its labels in sort order. */
  typtype?: string | null;
  enum_labels?: string[] | null;
  /** For arrays: the element's base type name, its typtype and labels, and `format_type` of the column. */
  elem_udt?: string | null;
  elem_typtype?: string | null;
  elem_labels?: string[] | null;
  format?: string | null;
  /** Labels of a `col <@ ARRAY[…]` check on a text[] column: the column holds a set. */
  set_values?: string[] | null;
}

/** Maps one introspected column to the neutral model; throws UnmappableTypeError for types not modelled yet. */
export function neutralFromPg(table: string, c: PgColumnInfo): NeutralType {
  if (c.data_type === 'ARRAY') return arrayFromPg(table, c);
  if (c.typtype === 'e' && c.enum_labels) return { kind: 'enum', values: c.enum_labels, typeName: c.udt_name };
  const len = c.character_maximum_length ?? undefined;
  const fsp = c.datetime_precision ?? 6;
  switch (c.udt_name) {
    case 'int2':
      return { kind: 'int', bytes: 2 };
    case 'int4':
      return { kind: 'int', bytes: 4 };
    case 'int8':
      return { kind: 'int', bytes: 8 };
    case 'numeric':
      return c.numeric_precision === null
        ? { kind: 'decimal' }
        : { kind: 'decimal', precision: c.numeric_precision, scale: c.numeric_scale ?? 0 };
    case 'float4':
      return { kind: 'float', bytes: 4 };
    case 'float8':
      return { kind: 'float', bytes: 8 };
    case 'bool':
      return { kind: 'bool' };
    case 'text':
      return { kind: 'text' };
    case 'varchar':
      return len === undefined ? { kind: 'text' } : { kind: 'text', length: len };
    case 'bpchar':
      return { kind: 'text', length: len ?? 1, fixed: true };
    case 'bytea':
      return { kind: 'binary' };
    case 'date':
      return { kind: 'date' };
    case 'time':
      return { kind: 'time', precision: fsp };
    case 'timetz':
      return { kind: 'time', precision: fsp, tz: true };
    case 'interval':
      return { kind: 'interval' };
    case 'money':
      return { kind: 'decimal', precision: 19, scale: 2, money: true };
    case 'inet':
    case 'cidr':
    case 'macaddr':
    case 'macaddr8':
      return { kind: 'inet', variant: c.udt_name };
    case 'bit':
      return { kind: 'bit', length: len ?? 1 };
    case 'varbit':
      return len === undefined ? { kind: 'bit', varying: true } : { kind: 'bit', length: len, varying: true };
    case 'xml':
      return { kind: 'xml' };
    case 'timestamp':
      return { kind: 'timestamp', precision: fsp, tz: false };
    case 'timestamptz':
      return { kind: 'timestamp', precision: fsp, tz: true };
    case 'json':
      return { kind: 'json', binary: false };
    case 'jsonb':
      return { kind: 'json', binary: true };
    case 'uuid':
      return { kind: 'uuid' };
    default:
      throw new UnmappableTypeError(table, c.column_name, c.data_type === 'USER-DEFINED' ? c.udt_name : c.data_type);
  }
}

// An array's element: its type name with the modifiers `format_type` printed for the column, e.g.
// `character varying(5)[]` → varchar with length 5.
function arrayFromPg(table: string, c: PgColumnInfo): NeutralType {
  const elem = c.elem_udt ?? c.udt_name.replace(/^_/, '');
  if (c.elem_typtype === 'e' && c.elem_labels) return { kind: 'array', element: { kind: 'enum', values: c.elem_labels, typeName: elem } };
  if (elem === 'text' && c.set_values) return { kind: 'set', values: c.set_values };
  const mods = /\((\d+)(?:,(\d+))?\)/.exec(c.format ?? '');
  const a = mods ? Number(mods[1]) : null;
  const b = mods?.[2] !== undefined ? Number(mods[2]) : null;
  const info: PgColumnInfo = {
    column_name: c.column_name,
    udt_name: elem,
    data_type: elem,
    is_nullable: 'YES',
    character_maximum_length: ['varchar', 'bpchar', 'bit', 'varbit'].includes(elem) ? a : null,
    numeric_precision: elem === 'numeric' ? a : null,
    numeric_scale: elem === 'numeric' ? (b ?? 0) : null,
    datetime_precision: ['time', 'timetz', 'timestamp', 'timestamptz'].includes(elem) ? a : null,
  };
  const element = neutralFromPg(table, info);
  if (element.kind === 'array' || element.kind === 'set') throw new UnmappableTypeError(table, c.column_name, c.format ?? c.udt_name);
  return { kind: 'array', element };
}

/**
 * The PostgreSQL type that holds every value of a neutral type. `enumType` names (quoted, qualified)
 * the enum type of an enum column or element; the dialect creates it before the table.
 */
export function pgTypeFor(column: Column, enumType: (values: string[], typeName?: string) => string = (_v, n) => `"${(n ?? column.name).replace(/"/g, '""')}"`, table = '?'): string {
  const t = column.type;
  if (t.kind === 'text' && t.wkt) throw spatialNeedsOverride(table, column.name, column.nativeType);
  switch (t.kind) {
    case 'int':
      // Unsigned values need the next wider signed type; unsigned 64-bit only fits numeric(20,0).
      if (t.unsigned) return t.bytes <= 1 ? 'smallint' : t.bytes <= 3 ? 'integer' : t.bytes === 4 ? 'bigint' : 'numeric(20,0)';
      return t.bytes <= 2 ? 'smallint' : t.bytes <= 4 ? 'integer' : 'bigint';
    case 'decimal':
      if (t.money) return 'money';
      return t.precision === undefined ? 'numeric' : `numeric(${t.precision},${t.scale ?? 0})`;
    case 'float':
      return t.bytes === 4 ? 'real' : 'double precision';
    case 'bool':
      return 'boolean';
    case 'text':
      if (t.length === undefined) return 'text';
      return t.fixed ? `char(${t.length})` : `varchar(${t.length})`;
    case 'binary':
      return 'bytea';
    case 'date':
      return 'date';
    case 'time':
      return `${t.tz ? 'timetz' : 'time'}(${t.precision})`;
    case 'timestamp':
      return `${t.tz ? 'timestamptz' : 'timestamp'}(${t.precision})`;
    case 'json':
      return t.binary ? 'jsonb' : 'json';
    case 'uuid':
      return 'uuid';
    case 'enum':
      return enumType(t.values, t.typeName);
    case 'set':
      // The members are enforced by a `<@ ARRAY[…]` check (see createTableSql), which introspection reads back.
      return 'text[]';
    case 'array':
      return pgTypeFor({ ...column, type: t.element }, enumType) + '[]';
    case 'interval':
      return 'interval';
    case 'inet':
      return t.variant;
    case 'bit':
      if (t.varying) return t.length === undefined ? 'varbit' : `varbit(${t.length})`;
      return `bit(${t.length ?? 1})`;
    case 'xml':
      return 'xml';
  }
}

/**
 * See {@link Dialect.overflowLimit}: PostgreSQL time holds one day (00:00:00 to 24:00:00), narrower
 * than the neutral time (MySQL TIME spans ±838:59:59). Every other PostgreSQL column ferry creates
 * holds all values of its neutral type.
 */
export function pgOverflowLimit(column: Column): OverflowLimit | undefined {
  return column.type.kind === 'time' ? { kind: 'time-of-day' } : undefined;
}
