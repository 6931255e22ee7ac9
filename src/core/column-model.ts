/**
 * The neutral column model: each dialect maps its native types into these kinds and back, so a
 * PostgreSQL table can be created on MySQL (and the reverse) without either dialect knowing the other.
 */

/** A column type independent of the engine. Lengths are in characters (text) or bytes (binary). */
export type NeutralType =
  | { kind: 'int'; bytes: 1 | 2 | 3 | 4 | 8; unsigned?: boolean }
  /**
   * precision/scale absent = unconstrained (PostgreSQL `numeric`). `money`: PostgreSQL money, which
   * travels as its plain numeric value (never the locale's currency text); DECIMAL(19,2) elsewhere.
   */
  | { kind: 'decimal'; precision?: number; scale?: number; money?: boolean }
  | { kind: 'float'; bytes: 4 | 8 }
  | { kind: 'bool' }
  /**
   * length absent = unbounded text; fixed = blank-padded char(n). wkt = a MySQL spatial value, which
   * travels as its WKT text (ST_AsText); no engine without PostGIS has the type, so the job must choose
   * the target type (`types:`, e.g. text) before such a column is carried.
   */
  | { kind: 'text'; length?: number; fixed?: boolean; wkt?: boolean }
  | { kind: 'binary'; length?: number; fixed?: boolean }
  | { kind: 'date' }
  /**
   * precision = fractional-second digits (0..6). tz = PostgreSQL timetz: travels as the UTC time of
   * day (the offset is not kept, as timestamptz keeps the instant and not the zone).
   */
  | { kind: 'time'; precision: number; tz?: boolean }
  /** tz = an instant (timestamptz / MySQL TIMESTAMP); without tz a wall-clock value. */
  | { kind: 'timestamp'; precision: number; tz: boolean }
  | { kind: 'json'; binary: boolean }
  | { kind: 'uuid' }
  /** A closed list of labels (PostgreSQL enum type `typeName`, MySQL ENUM), in sort order. */
  | { kind: 'enum'; values: string[]; typeName?: string }
  /** MySQL SET: any subset of `values`; PostgreSQL text[] with a `<@ ARRAY[…]` check. */
  | { kind: 'set'; values: string[] }
  /** PostgreSQL array of `element` (any dimensions); JSON on engines without arrays. */
  | { kind: 'array'; element: NeutralType }
  /** PostgreSQL interval; ISO 8601 text (`P1Y2M3DT4H5M6.5S`) on engines without one. */
  | { kind: 'interval' }
  /** Network addresses as PostgreSQL prints them; VARCHAR on engines without these types. */
  | { kind: 'inet'; variant: 'inet' | 'cidr' | 'macaddr' | 'macaddr8' }
  /** A bit string of `length` bits (at most `length` when `varying`); length absent = unbounded varbit. */
  | { kind: 'bit'; length?: number; varying?: boolean }
  /** PostgreSQL xml; LONGTEXT elsewhere. */
  | { kind: 'xml' };

export type NeutralKind = NeutralType['kind'];

/** One column of a table as introspected from the source. */
export interface Column {
  name: string;
  type: NeutralType;
  nullable: boolean;
  /** The native type as the source spells it, for plans and error messages. */
  nativeType: string;
  /**
   * Values come from a generator: PostgreSQL serial/identity, MySQL AUTO_INCREMENT. The target column
   * gets the same, and after the load its next value is set past the copied maximum. Default false.
   */
  identity?: boolean;
  /** A default that means the same on every engine (see {@link ColumnDefault}); absent = none. */
  default?: ColumnDefault;
  /** The column's comment, carried to the target; absent = none. */
  comment?: string;
  /**
   * Values of this column the target cannot hold and what to do with them (the job's `onLossy`);
   * set in planning only where the source can produce such values and the target cannot store them.
   * Absent = none can occur.
   */
  lossy?: LossyRule;
}

/**
 * Values a target engine cannot hold: `nan` NaN/±Infinity (floats, PostgreSQL numeric) into MySQL;
 * `nul` U+0000 in text into PostgreSQL; `zero-date` MySQL dates with a zero year, month or day into
 * PostgreSQL; `range` PostgreSQL dates and timestamps outside years 0001–9999 (BC, ±infinity) into MySQL;
 * `overflow` values past the {@link OverflowLimit} of the column the target creates (PostgreSQL numeric
 * beyond MySQL DECIMAL(65,30), MySQL TIME outside PostgreSQL time's day, text or binary key values
 * longer than the capped MySQL key column).
 */
export type LossyKind = 'nan' | 'nul' | 'zero-date' | 'range' | 'overflow';

/**
 * What the column a target creates for a source column can hold, where some source values may not fit:
 * `decimal` DECIMAL(precision, scale) (more integer digits overflow, more fractional digits would be
 * rounded); `length` at most `max` characters (text) or bytes (binary); `time-of-day` 00:00:00–24:00:00
 * (PostgreSQL time, for MySQL TIME's ±838:59:59).
 */
export type OverflowLimit =
  | { kind: 'decimal'; precision: number; scale: number }
  | { kind: 'length'; max: number }
  | { kind: 'time-of-day' };

/**
 * The job's choice for such values: `error` fails the chunk naming the column and key; `null` writes
 * NULL; `replace` writes the stated replacement (`nan` → NULL since MySQL has no such float, `nul`
 * removed from the text, `zero-date` → 0001-01-01 [00:00:00], `range` → clamped to
 * 0001-01-01 00:00:00 / 9999-12-31 23:59:59, `overflow` → decimals rounded to the target scale and
 * clamped to its largest magnitude, times clamped to 00:00:00 / 23:59:59.9…, text and binary cut to
 * the target length).
 */
export type LossyPolicy = 'error' | 'null' | 'replace';

/** A column's lossy values and the policy for them (see {@link LossyKind}). */
export interface LossyRule {
  policy: LossyPolicy;
  kinds: LossyKind[];
  /** What the target column holds, when `kinds` has `overflow`; absent otherwise. */
  limit?: OverflowLimit;
}

/** How each lossy kind reads in messages. */
export const LOSSY_WHAT: Record<LossyKind, string> = {
  nan: 'NaN or ±Infinity',
  nul: 'a NUL character (U+0000) in text',
  'zero-date': 'a zero date (year, month or day 0)',
  range: 'a date outside years 0001–9999 (or ±infinity)',
  overflow: "a value out of the target column's range or precision",
};

/** The limit as a user reads it in plans and messages, e.g. `DECIMAL(65,30)`. */
export function describeLimit(limit: OverflowLimit, type: NeutralType): string {
  switch (limit.kind) {
    case 'decimal':
      return `DECIMAL(${limit.precision},${limit.scale}) (at most ${limit.precision - limit.scale} integer and ${limit.scale} fractional digits)`;
    case 'length':
      return `${limit.max} ${type.kind === 'binary' ? 'bytes' : 'characters'}`;
    case 'time-of-day':
      return 'a time of day (00:00:00 to 24:00:00)';
  }
}

/** Whether the source maps this column's lossy values in SQL (null/replace) rather than refusing them. */
export function mapsLossy(column: Column): boolean {
  return column.lossy !== undefined && column.lossy.policy !== 'error';
}

/** Whether a lossy policy writes NULL for this kind (so it cannot apply to a NOT NULL column). */
export function lossyWritesNull(policy: LossyPolicy, kind: LossyKind): boolean {
  return policy === 'null' || (policy === 'replace' && kind === 'nan');
}

/**
 * A portable column default: a literal in the column's transfer form, or the current time (`now()`,
 * CURRENT_TIMESTAMP). Other expressions are not carried and are reported as plan warnings.
 */
export type ColumnDefault = { literal: string } | { now: true };

/** A secondary index (the primary key is carried in {@link TableSchema.primaryKey}). */
export interface IndexDef {
  name: string;
  columns: string[];
  unique: boolean;
}

/** A foreign key; actions are SQL keywords such as `CASCADE` or `NO ACTION`. */
export interface ForeignKeyDef {
  name: string;
  columns: string[];
  refTable: string;
  refColumns: string[];
  onDelete: string;
  onUpdate: string;
}

/** What ferry knows of a table: enough to create it elsewhere and to split and compare it. */
export interface TableSchema {
  name: string;
  columns: Column[];
  /** The primary key, or the unique not-null key ferry will use, or a user-declared key. Empty when none. */
  primaryKey: string[];
  /** True when {@link primaryKey} is a real primary key constraint (to be created on the target). */
  hasPrimaryKey: boolean;
  indexes: IndexDef[];
  foreignKeys: ForeignKeyDef[];
  /** The engine's row estimate (statistics, not a count). */
  estimatedRows: number;
  /** Check constraints simple enough to mean the same on every engine. Absent = none. */
  checks?: CheckDef[];
  /** The table's comment; absent = none. */
  comment?: string;
  /** Target column types chosen by the job (`types:`), by column name; set in planning. Absent = none. */
  typeOverrides?: Record<string, string>;
  /**
   * What the source has that ferry does not carry (views and triggers on the table, expression or
   * partial or fulltext indexes, checks that do not translate), each naming table.column or the object.
   */
  warnings?: string[];
}

/** Comparison operators a portable check uses. */
export type CheckOp = '=' | '<>' | '<' | '<=' | '>' | '>=';

/**
 * A check's condition, reduced to what both engines evaluate alike: a column compared with a literal
 * (in the column's transfer form), an IN list, IS [NOT] NULL, and AND/OR of those.
 */
export type CheckExpr =
  | { and: CheckExpr[] }
  | { or: CheckExpr[] }
  | { column: string; op: CheckOp; literal: string }
  | { column: string; in: string[] }
  | { column: string; notNull: true }
  | { column: string; isNull: true };

/** A check constraint portable between engines (see {@link CheckExpr}). */
export interface CheckDef {
  name: string;
  expr: CheckExpr;
}

/** Whether values of this kind compare exactly as text produced in SQL, or need the worker to canonicalise them. */
export function needsWorkerCanonical(type: NeutralType): boolean {
  // Arrays travel as JSON, which engines print differently (spacing, number forms).
  return type.kind === 'json' || type.kind === 'float' || type.kind === 'array';
}

/**
 * Whether digests (`Dialect.digestRange`, the copy's digests) hash this column's values as the
 * databases print them rather than trimmed to the checksum text's canonical decimal: a decimal with
 * a declared scale prints exactly that many fractional digits on both engines (`12.30` in a
 * numeric(12,2) and a decimal(12,2) alike), so equal values print equal text and equal text is an
 * equal value. A target column declared with another scale only makes the digests differ; the range
 * is then checksummed in the checksum text, as any range whose digests differ. Trimming was a fifth
 * of MariaDB's cost of a row's text. PostgreSQL money prints with a currency sign: not as printed.
 */
export function digestsAsPrinted(type: NeutralType): boolean {
  return type.kind === 'decimal' && type.scale !== undefined && !type.money;
}

/** Whether a key column of this kind is ordered as an integer (so ranges can be split arithmetically). */
export function isIntegerKind(type: NeutralType): boolean {
  return type.kind === 'int';
}
