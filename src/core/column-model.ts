/**
 * The neutral column model: each dialect maps its native types into these kinds and back, so a
 * PostgreSQL table can be created on MySQL (and the reverse) without either dialect knowing the other.
 */

/** A column type independent of the engine. Lengths are in characters (text) or bytes (binary). */
export type NeutralType =
  | { kind: 'int'; bytes: 1 | 2 | 3 | 4 | 8; unsigned?: boolean }
  /** precision/scale absent = unconstrained (PostgreSQL `numeric`). */
  | { kind: 'decimal'; precision?: number; scale?: number }
  | { kind: 'float'; bytes: 4 | 8 }
  | { kind: 'bool' }
  /** length absent = unbounded text; fixed = blank-padded char(n). */
  | { kind: 'text'; length?: number; fixed?: boolean }
  | { kind: 'binary'; length?: number; fixed?: boolean }
  | { kind: 'date' }
  /** precision = fractional-second digits (0..6). */
  | { kind: 'time'; precision: number }
  /** tz = an instant (timestamptz / MySQL TIMESTAMP); without tz a wall-clock value. */
  | { kind: 'timestamp'; precision: number; tz: boolean }
  | { kind: 'json'; binary: boolean }
  | { kind: 'uuid' };

export type NeutralKind = NeutralType['kind'];

/** One column of a table as introspected from the source. */
export interface Column {
  name: string;
  type: NeutralType;
  nullable: boolean;
  /** The native type as the source spells it, for plans and error messages. */
  nativeType: string;
}

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
}

/** Whether values of this kind compare exactly as text produced in SQL, or need the worker to canonicalise them. */
export function needsWorkerCanonical(type: NeutralType): boolean {
  return type.kind === 'json' || type.kind === 'float';
}

/** Whether a key column of this kind is ordered as an integer (so ranges can be split arithmetically). */
export function isIntegerKind(type: NeutralType): boolean {
  return type.kind === 'int';
}
