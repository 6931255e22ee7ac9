/**
 * Column types a job names for columns ferry cannot introspect (computed columns, columns a row
 * transform adds), parsed into the neutral model. Pure: no drivers.
 */
import type { NeutralType } from './column-model.js';

/** The names {@link parseTypeSpec} accepts, for messages. */
export const TYPE_SPEC_NAMES =
  'smallint, int, bigint, decimal(p,s), real, double, boolean, text, varchar(n), char(n), binary, date, time(p), timestamp(p), timestamptz(p), json, jsonb, uuid';

/**
 * The neutral type for a type name such as `text`, `varchar(80)`, `decimal(12,2)` or `timestamptz`,
 * or null when the name is not one of {@link TYPE_SPEC_NAMES}. Times default to 6 fractional digits.
 */
export function parseTypeSpec(spec: string): NeutralType | null {
  const m = /^\s*([a-z ]+?)\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?\s*$/i.exec(spec);
  if (!m) return null;
  const name = m[1]!.toLowerCase().replace(/\s+/g, ' ');
  const a = m[2] === undefined ? undefined : Number(m[2]);
  const b = m[3] === undefined ? undefined : Number(m[3]);
  const fsp = Math.min(a ?? 6, 6);
  switch (name) {
    case 'smallint':
      return { kind: 'int', bytes: 2 };
    case 'int':
    case 'integer':
      return { kind: 'int', bytes: 4 };
    case 'bigint':
      return { kind: 'int', bytes: 8 };
    case 'decimal':
    case 'numeric':
      return a === undefined ? { kind: 'decimal' } : { kind: 'decimal', precision: a, scale: b ?? 0 };
    case 'real':
    case 'float':
      return { kind: 'float', bytes: 4 };
    case 'double':
    case 'double precision':
      return { kind: 'float', bytes: 8 };
    case 'bool':
    case 'boolean':
      return { kind: 'bool' };
    case 'text':
      return { kind: 'text' };
    case 'varchar':
      return a === undefined ? null : { kind: 'text', length: a };
    case 'char':
      return { kind: 'text', length: a ?? 1, fixed: true };
    case 'binary':
    case 'bytea':
    case 'blob':
      return { kind: 'binary' };
    case 'date':
      return { kind: 'date' };
    case 'time':
      return { kind: 'time', precision: fsp };
    case 'timestamp':
    case 'datetime':
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
      return null;
  }
}
