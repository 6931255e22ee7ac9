/**
 * PostgreSQL native types ⇄ the neutral column model.
 */
import type { Column, NeutralType } from '../../core/column-model.js';
import { UnmappableTypeError } from '../../errors.js';

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
}

/** Maps one introspected column to the neutral model; throws UnmappableTypeError for types not modelled yet. */
export function neutralFromPg(table: string, c: PgColumnInfo): NeutralType {
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

/** The PostgreSQL type that holds every value of a neutral type. */
export function pgTypeFor(column: Column): string {
  const t = column.type;
  switch (t.kind) {
    case 'int':
      // Unsigned values need the next wider signed type; unsigned 64-bit only fits numeric(20,0).
      if (t.unsigned) return t.bytes <= 1 ? 'smallint' : t.bytes <= 3 ? 'integer' : t.bytes === 4 ? 'bigint' : 'numeric(20,0)';
      return t.bytes <= 2 ? 'smallint' : t.bytes <= 4 ? 'integer' : 'bigint';
    case 'decimal':
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
      return `time(${t.precision})`;
    case 'timestamp':
      return `${t.tz ? 'timestamptz' : 'timestamp'}(${t.precision})`;
    case 'json':
      return t.binary ? 'jsonb' : 'json';
    case 'uuid':
      return 'uuid';
  }
}
