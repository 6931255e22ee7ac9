/**
 * MySQL/MariaDB native types ⇄ the neutral column model. Pure functions (no driver), so the mapping
 * table is unit-testable and shared by introspection, DDL and plans.
 */
import type { Column, NeutralType } from '../../core/column-model.js';
import { UnmappableTypeError } from '../../errors.js';
import { spatialNeedsOverride } from '../spatial.js';
import { labelsDdl, MAX_SET_MEMBERS, parseLabels } from './mysql-enum-set.js';

const SPATIAL = new Set(['geometry', 'point', 'linestring', 'polygon', 'multipoint', 'multilinestring', 'multipolygon', 'geometrycollection', 'geomcollection']);

/** What ferry needs to know about the server it talks to; detected once per pool. */
export interface ServerInfo {
  mariadb: boolean;
  /** [major, minor, patch] of VERSION(). */
  version: [number, number, number];
  /** Native UUID column type (MariaDB ≥ 10.7). */
  nativeUuid: boolean;
  /**
   * Binary collation for text keys. NO PAD where the server has one (MariaDB `utf8mb4_nopad_bin`,
   * MySQL 8 `utf8mb4_0900_bin`): PAD SPACE `utf8mb4_bin` treats 'a' and 'a ' as equal, so keys that
   * PostgreSQL keeps apart would collide in a unique index and sort differently.
   */
  binCollation: string;
}

/** Assumed before the server answered (only synchronous DDL rendering can run that early). */
export const DEFAULT_SERVER: ServerInfo = {
  mariadb: false,
  version: [0, 0, 0],
  nativeUuid: false,
  binCollation: 'utf8mb4_bin',
};

/** Derives {@link ServerInfo} from `SELECT VERSION()`, e.g. `10.11.19-MariaDB-0+deb12u1` or `8.0.36`. */
export function serverInfoFromVersion(versionText: string): ServerInfo {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(versionText);
  const version: [number, number, number] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
  const mariadb = /mariadb/i.test(versionText);
  const atLeast = (a: number, b: number) => version[0] > a || (version[0] === a && version[1] >= b);
  return {
    mariadb,
    version,
    nativeUuid: mariadb && atLeast(10, 7),
    binCollation: mariadb && atLeast(10, 2) ? 'utf8mb4_nopad_bin' : !mariadb && atLeast(8, 0) ? 'utf8mb4_0900_bin' : 'utf8mb4_bin',
  };
}

/** One row of information_schema.COLUMNS, as introspection reads it. */
export interface InfoColumn {
  name: string;
  dataType: string;
  columnType: string;
  nullable: boolean;
  charLength: number | null;
  precision: number | null;
  scale: number | null;
  datetimePrecision: number | null;
  collation: string | null;
  /** EXTRA (`auto_increment`, `DEFAULT_GENERATED`, …), COLUMN_DEFAULT and COLUMN_COMMENT; absent in old callers. */
  extra?: string;
  defaultText?: string | null;
  comment?: string;
}

const INT_BYTES: Record<string, 1 | 2 | 3 | 4 | 8> = {
  tinyint: 1,
  smallint: 2,
  mediumint: 3,
  int: 4,
  integer: 4,
  bigint: 8,
};

/**
 * The neutral type of a native column. `jsonColumns` are the MariaDB longtext columns guarded by a
 * `json_valid` CHECK (MariaDB's JSON alias). Throws UnmappableTypeError for enum, set, bit, spatial
 * and other types ferry does not model yet.
 */
export function neutralType(table: string, c: InfoColumn, jsonColumns: ReadonlySet<string>): NeutralType {
  const dt = c.dataType.toLowerCase();
  const ct = c.columnType.toLowerCase();
  const unsigned = /\bunsigned\b/.test(ct);
  const bytes = INT_BYTES[dt];
  if (bytes !== undefined) {
    // BOOLEAN is an alias of tinyint(1); an unsigned tinyint(1) is a small number, not a flag.
    if (dt === 'tinyint' && /^tinyint\(1\)$/.test(ct)) return { kind: 'bool' };
    return unsigned ? { kind: 'int', bytes, unsigned: true } : { kind: 'int', bytes };
  }
  const fsp = Math.min(6, Math.max(0, c.datetimePrecision ?? 0));
  switch (dt) {
    case 'year':
      return { kind: 'int', bytes: 2 };
    case 'decimal':
    case 'numeric':
      return { kind: 'decimal', precision: c.precision ?? 10, scale: c.scale ?? 0 };
    case 'float':
      return { kind: 'float', bytes: 4 };
    case 'double':
    case 'real':
      return { kind: 'float', bytes: 8 };
    case 'char':
      return { kind: 'text', length: c.charLength ?? 1, fixed: true };
    case 'varchar':
      return { kind: 'text', length: c.charLength ?? 0 };
    case 'tinytext':
    case 'text':
    case 'mediumtext':
    case 'longtext':
      return jsonColumns.has(c.name) ? { kind: 'json', binary: false } : { kind: 'text' };
    case 'json':
      return { kind: 'json', binary: true };
    case 'binary':
      return { kind: 'binary', length: c.charLength ?? 1, fixed: true };
    case 'varbinary':
      return { kind: 'binary', length: c.charLength ?? 0 };
    case 'tinyblob':
    case 'blob':
    case 'mediumblob':
    case 'longblob':
      return { kind: 'binary' };
    case 'date':
      return { kind: 'date' };
    case 'time':
      return { kind: 'time', precision: fsp };
    case 'datetime':
      return { kind: 'timestamp', precision: fsp, tz: false };
    case 'timestamp':
      return { kind: 'timestamp', precision: fsp, tz: true };
    case 'uuid':
      return { kind: 'uuid' };
    case 'bit':
      return { kind: 'bit', length: c.precision ?? 1 };
    case 'enum':
      return { kind: 'enum', values: parseLabels(c.columnType) };
    case 'set':
      return { kind: 'set', values: parseLabels(c.columnType) };
    default:
      // Carried as WKT text, and only with a types override (see spatial.ts); planning refuses it otherwise.
      if (SPATIAL.has(dt)) return { kind: 'text', wkt: true };
      throw new UnmappableTypeError(table, c.name, c.columnType);
  }
}

/** MySQL DECIMAL's limits: 65 digits, 30 of them after the point. */
export const MAX_DECIMAL_PRECISION = 65;
export const MAX_DECIMAL_SCALE = 30;

/**
 * The DECIMAL(P,S) created for numeric(precision, scale) (precision absent = unconstrained): the scale
 * capped at 30, the integer digits kept as far as 65 digits allow. PostgreSQL allows a scale above the
 * precision (numeric(2,5) holds values below 0.001), hence the max() with the scale.
 */
export function mysqlDecimal(precision: number | undefined, scale: number | undefined): { precision: number; scale: number } {
  if (precision === undefined) return { precision: MAX_DECIMAL_PRECISION, scale: MAX_DECIMAL_SCALE };
  const s = Math.min(Math.max(scale ?? 0, 0), MAX_DECIMAL_SCALE);
  const intDigits = precision - (scale ?? 0);
  return { precision: Math.min(MAX_DECIMAL_PRECISION, Math.max(s, intDigits + s, 1)), scale: s };
}

/** Upper bounds the DDL applies to a column that is part of a key (index entries are limited in size). */
export interface KeyCap {
  /** Max characters for an unbounded text key column. */
  chars: number;
  /** Max bytes for an unbounded binary key column. */
  bytes: number;
}

/** VARCHAR/VARBINARY beyond this many characters become LONGTEXT (row size limit is 65,535 bytes). */
export const MAX_VARCHAR = 16383;

/**
 * Native DDL type for a neutral column. `keyCap` is set when the column belongs to the primary key or
 * a unique key: unbounded text/binary must then become VARCHAR/VARBINARY (InnoDB cannot index LONGTEXT
 * without a prefix, and a prefix would change uniqueness). Text key columns get the binary collation.
 */
export function ddlType(table: string, col: Column, server: ServerInfo, keyCap?: KeyCap): string {
  const t = col.type;
  switch (t.kind) {
    case 'int': {
      const name = { 1: 'TINYINT', 2: 'SMALLINT', 3: 'MEDIUMINT', 4: 'INT', 8: 'BIGINT' }[t.bytes];
      return t.unsigned ? `${name} UNSIGNED` : name;
    }
    case 'decimal': {
      // Beyond DECIMAL(65,30) the values that do not fit are lossy kind 'overflow' (see mysql-limits.ts).
      const d = mysqlDecimal(t.precision, t.scale);
      return `DECIMAL(${d.precision},${d.scale})`;
    }
    case 'float':
      return t.bytes === 4 ? 'FLOAT' : 'DOUBLE';
    case 'bool':
      return 'TINYINT(1)';
    case 'text': {
      if (t.wkt) throw spatialNeedsOverride(table, col.name, col.nativeType);
      const collate = keyCap ? ` COLLATE ${server.binCollation}` : '';
      if (t.length !== undefined && t.length <= MAX_VARCHAR) {
        return (t.fixed && t.length <= 255 ? `CHAR(${t.length})` : `VARCHAR(${t.length})`) + collate;
      }
      return keyCap ? `VARCHAR(${keyCap.chars})${collate}` : 'LONGTEXT';
    }
    case 'binary':
      if (t.length !== undefined && t.length <= 65535) {
        return t.fixed && t.length <= 255 ? `BINARY(${t.length})` : `VARBINARY(${t.length})`;
      }
      return keyCap ? `VARBINARY(${keyCap.bytes})` : 'LONGBLOB';
    case 'date':
      return 'DATE';
    case 'time':
      // timetz arrives as the UTC time of day (see the neutral model).
      return `TIME(${t.precision})`;
    case 'timestamp':
      // tz=true is stored as DATETIME holding the UTC wall clock, not TIMESTAMP: TIMESTAMP only holds
      // 1970-01-01..2038-01-19, while PostgreSQL timestamptz spans years 4713 BC..294276 AD.
      return `DATETIME(${t.precision})`;
    case 'json':
      return 'JSON';
    case 'uuid':
      // Not MariaDB's UUID type even where it exists: it rejects values whose version/variant bits are
      // not RFC 4122 (PostgreSQL's uuid accepts any 128 bits) and sorts by swapped segments.
      return 'CHAR(36)';
    case 'enum':
      return labelsDdl('ENUM', t.values);
    case 'set':
      if (t.values.length > MAX_SET_MEMBERS || t.values.some((v) => v.includes(','))) {
        throw new UnmappableTypeError(table, col.name, col.nativeType, `a set of ${t.values.length} members; MySQL SET holds at most ${MAX_SET_MEMBERS}, without commas`);
      }
      return labelsDdl('SET', t.values);
    case 'array':
      // No array type: the JSON array PostgreSQL's array_to_json writes.
      return 'JSON';
    case 'interval':
      return 'VARCHAR(64)';
    case 'inet':
      return t.variant === 'macaddr' ? 'VARCHAR(17)' : t.variant === 'macaddr8' ? 'VARCHAR(23)' : 'VARCHAR(43)';
    case 'bit':
      // BIT(n) keeps n ≤ 64 fixed-length bits; varying or longer bit strings keep their length as '0'/'1' text.
      if (!t.varying && (t.length ?? 1) <= 64) return `BIT(${t.length ?? 1})`;
      return t.length !== undefined && t.length <= MAX_VARCHAR ? `VARCHAR(${t.length})` : 'LONGTEXT';
    case 'xml':
      return 'LONGTEXT';
  }
}

/** Bytes one index entry of a column takes at most, for splitting the 3,072-byte key budget. */
export function keyBytes(col: Column): number | null {
  const t = col.type;
  switch (t.kind) {
    case 'text':
      return t.length !== undefined && t.length <= MAX_VARCHAR ? t.length * 4 : null;
    case 'binary':
      return t.length !== undefined && t.length <= 65535 ? t.length : null;
    case 'int':
      return t.bytes;
    case 'decimal':
      return 30;
    case 'uuid':
      return 144;
    default:
      return 8;
  }
}
