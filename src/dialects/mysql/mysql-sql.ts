/**
 * SQL text for MySQL/MariaDB: quoting, per-kind value expressions (transfer, checksum and key forms)
 * and key-range predicates. Pure string building, so every expression is unit-testable without a server.
 *
 * Values are never sent as `?` parameters: mysql2 formats parameters on the client anyway, and an
 * identifier containing `?` would be mistaken for a placeholder. Instead every value is either
 * validated and inlined (numbers) or escaped with {@link lit}, and every identifier goes through
 * {@link quoteId}. Connections run without NO_BACKSLASH_ESCAPES (see mysql-connect.ts), which the
 * backslash escaping of {@link lit} relies on.
 */
import mysql from 'mysql2/promise';
import { digestsAsPrinted, needsWorkerCanonical, type Column } from '../../core/column-model.js';
import type { KeyRange, KeyTuple } from '../../core/key-range.js';
import type { ChecksumFromTransfer } from '../dialect.js';
import { FerryError } from '../../errors.js';
import { myLossyRef } from './mysql-lossy.js';

/** What the server says about a column beyond its neutral type (from information_schema.COLUMNS). */
export interface NativeColumn {
  /** DATA_TYPE, lower case (`varchar`, `year`, `uuid`, …). */
  dataType: string;
  /** COLUMN_TYPE, lower case (`tinyint(1)`, `bigint(20) unsigned`, …). */
  columnType: string;
  /** COLLATION_NAME; null for non-text columns. */
  collation: string | null;
}

/** Native facts per column name of one table; a missing entry means "unknown", handled conservatively. */
export type NativeColumns = ReadonlyMap<string, NativeColumn>;

/** Backtick-quoted identifier with embedded backticks doubled. */
export function quoteId(name: string): string {
  return '`' + name.replace(/`/g, '``') + '`';
}

/** Quoted, backslash-escaped string literal. */
export function lit(value: string): string {
  return mysql.escape(value);
}

// `\N` and `\x` as hex literals so the SQL does not depend on backslash escaping in literals.
const NULL_MARK = "X'5C4E'";
const HEX_PREFIX = "X'5C78'";

/** Which form a value expression produces (see "Transfer text" and "Checksum text" in dialect.ts). */
export type ValueForm = 'transfer' | 'checksum' | 'key';

/**
 * SQL expression giving a column's value in the requested form. NULL stays NULL in every form.
 * `key` is the form key tuples travel in: the checksum form, except text keeps its native string.
 */
export function valueExpr(col: Column, native: NativeColumn | undefined, form: ValueForm, rowCollation?: string): string {
  // Key columns never have their values mapped (planning refuses onLossy null/replace on them).
  const c = form === 'key' ? quoteId(col.name) : myLossyRef(col);
  if (form === 'checksum' && native !== undefined && c === quoteId(col.name)) {
    const quick = quickChecksumExpr(col, native, c);
    if (quick !== null) return quick;
  }
  switch (col.type.kind) {
    case 'int':
      // YEAR prints as 4 digits ('0000'); +0 gives the plain integer the neutral int form needs.
      return native?.dataType === 'year' ? `(${c} + 0)` : c;
    case 'decimal':
      return form === 'transfer' ? c : canonicalDecimal(`CAST(${c} AS CHAR)`);
    case 'float':
      // FLOAT prints only 6 significant digits; as a double it prints the stored value exactly, and
      // the worker's canonical form rounds it back to 32 bits.
      return native?.dataType === 'float' || (native === undefined && col.type.bytes === 4) ? `(${c} + 0E0)` : c;
    case 'json':
      // Hashed as stored text only when asked (`wholeRow`), as UTF-8 like text.
      return form === 'checksum' ? asUtf8(c, col, native, rowCollation) : c;
    case 'bool':
      // Exactly 1/0 even for tinyint(1) values such as 2; NULL must not become 0.
      return `(CASE WHEN ${c} IS NULL THEN NULL WHEN ${c} <> 0 THEN '1' ELSE '0' END)`;
    case 'text': {
      // Spatial values travel as WKT; latin1 or utf8mb3 columns hash their UTF-8 bytes like PostgreSQL does.
      const v = col.type.wkt ? `ST_AsText(${c})` : c;
      return form === 'checksum' ? asUtf8(v, col, native, rowCollation) : v;
    }
    case 'binary':
      return `CONCAT(${HEX_PREFIX}, LOWER(HEX(${c})))`;
    case 'date':
      return `DATE_FORMAT(${c}, '%Y-%m-%d')`;
    case 'time':
      return `TIME_FORMAT(${c}, '%H:%i:%s.%f')`;
    case 'timestamp':
      return `DATE_FORMAT(${c}, '%Y-%m-%d %H:%i:%s.%f')`;
    case 'uuid':
      return `LOWER(CONVERT(${c} USING utf8mb4))`;
    case 'bit': {
      // BIT(n) prints as raw bytes; the neutral form is its n bits as '0'/'1'. Longer or varying bit
      // strings are stored as that text already.
      const bitColumn = native ? native.dataType === 'bit' : !col.type.varying && (col.type.length ?? 1) <= 64;
      return bitColumn ? `LPAD(BIN(${c} + 0), ${col.type.length ?? 1}, '0')` : c;
    }
    case 'enum':
    case 'set':
    case 'interval':
    case 'inet':
    case 'xml':
      return form === 'checksum' ? `CONVERT(${c} USING utf8mb4)` : c;
    case 'array':
      return form === 'checksum' ? `CONVERT(${c} USING utf8mb4)` : c;
  }
}

/**
 * A text or json column's value as UTF-8 for the checksum row string, in the row's collation (see
 * {@link rowCollation}). A utf8mb4 column read as is needs no CONVERT, which costs MariaDB ~0.1 s per
 * million rows for nothing; one of another utf8mb4 collation is only relabelled (two _bin collations
 * of columns would otherwise be an "illegal mix" in CONCAT_WS). Other character sets are converted.
 */
function asUtf8(v: string, col: Column, native: NativeColumn | undefined, rowColl: string | undefined): string {
  if (rowColl === undefined) return `CONVERT(${v} USING utf8mb4)`;
  const own = utf8mb4Collation(col, native);
  if (own !== undefined && v === quoteId(col.name)) return own === rowColl ? v : `${v} COLLATE ${rowColl}`;
  return `CONVERT(${v} USING utf8mb4) COLLATE ${rowColl}`;
}

/** The collation of a text (not spatial) or json column stored in utf8mb4, else undefined. */
function utf8mb4Collation(col: Column, native: NativeColumn | undefined): string | undefined {
  if (col.type.kind !== 'json' && !(col.type.kind === 'text' && !col.type.wkt)) return undefined;
  return native?.collation?.startsWith('utf8mb4_') ? native.collation : undefined;
}

/** The column is read as it is stored (no onLossy mapping wraps it). */
function readAsIs(col: Column): boolean {
  return myLossyRef(col) === quoteId(col.name);
}

/**
 * The collation the text and json columns of a checksum row are put in: that of its first utf8mb4
 * text or json column read as is, so that column and all of its kind go into the row unconverted.
 * Undefined when there is none (every text value is then converted to utf8mb4, as it always was).
 */
function rowCollation(columns: Column[], natives: NativeColumns): string | undefined {
  for (const col of columns) {
    const coll = utf8mb4Collation(col, natives.get(col.name));
    if (coll !== undefined && readAsIs(col)) return coll;
  }
  return undefined;
}

/**
 * Whether a column's checksum form is never NULL, so the row string needs no COALESCE for it (~0.2 s
 * per million rows of an eight-column table): a NOT NULL column read as is, of a kind whose checksum
 * form of a value is a value. Temporal kinds keep theirs (DATE_FORMAT of an invalid date is NULL),
 * except a DATETIME(6)/TIMESTAMP(6) hashed as the column itself (~0.1 s per million rows).
 */
function neverNull(col: Column, native: NativeColumn | undefined): boolean {
  if (col.nullable || native === undefined || !readAsIs(col)) return false;
  if (col.type.kind === 'text' && col.type.wkt) return false;
  if (col.type.kind === 'timestamp') return quickChecksumExpr(col, native, 'c') === 'c';
  return ['int', 'decimal', 'bool', 'text', 'json', 'uuid', 'binary'].includes(col.type.kind);
}

/**
 * Cheaper SQL for the checksum form of a plain column whose declared type is known, where the general
 * expression does work the column never needs: every function per row costs MariaDB measurable time
 * over a million rows (DATE_FORMAT +0.4 s, decimal trimming +0.4 s). Null when the general expression
 * is needed. (Text is handled by {@link asUtf8}.) The text produced is exactly the general expression's.
 */
function quickChecksumExpr(col: Column, native: NativeColumn, c: string): string | null {
  switch (col.type.kind) {
    case 'timestamp':
      // A DATETIME(6)/TIMESTAMP(6) prints as 'YYYY-MM-DD HH:MM:SS.ffffff' in the session's time
      // zone, exactly what DATE_FORMAT(…, '%Y-%m-%d %H:%i:%s.%f') gives; other precisions print fewer digits.
      return /^(datetime|timestamp)\(6\)/.test(native.columnType) ? c : null;
    case 'decimal': {
      // Zero (also a stored '-0.00') is '0'; otherwise a value with a declared scale always has a '.'.
      const scale = /^decimal\(\d+,(\d+)\)/.exec(native.columnType)?.[1];
      if (scale === undefined) return null;
      return Number(scale) > 0 ? `IF(${c} = 0, '0', TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM ${c})))` : `IF(${c} = 0, '0', ${c})`;
    }
    case 'bool':
      // 1/0, NULL kept NULL, without a CASE per row.
      return `(${c} <> 0)`;
    default:
      return null;
  }
}

/** Decimal text without trailing fractional zeros or trailing '.', and '-0' as '0'. */
function canonicalDecimal(s: string): string {
  const trimmed = `IF(LOCATE('.', ${s}) > 0, TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM ${s})), ${s})`;
  return `IF(${trimmed} = '-0', '0', ${trimmed})`;
}

/**
 * The string hashed per row: checksum forms of the non-json/non-float columns joined by U+001F with
 * NULL as `\N`. Text and json values are UTF-8 in one collation ({@link rowCollation}), so MD5 sees
 * UTF-8 bytes and CONCAT_WS finds no two collations to choose between. For a digest (`digest`),
 * decimals of a declared scale are hashed as printed (see `digestsAsPrinted`).
 */
export function checksumRowExpr(columns: Column[], natives: NativeColumns, wholeRow = false, asPrinted = false, digest = false): string {
  const included = columns.filter((col) => wholeRow || !needsWorkerCanonical(col.type));
  const coll = rowCollation(included, natives);
  const parts = included
    .map((col) => {
      const native = natives.get(col.name);
      // A declared decimal prints with its scale; trimming it costs a fifth of the row text.
      const printed = (asPrinted || (digest && digestsAsPrinted(col.type))) && col.type.kind === 'decimal' && native !== undefined && readAsIs(col);
      const v = printed ? quoteId(col.name) : valueExpr(col, native, 'checksum', coll);
      return neverNull(col, native) ? v : `COALESCE(${v}, ${NULL_MARK})`;
    });
  return parts.length === 0 ? "''" : `CONCAT_WS(CHAR(31), ${parts.join(', ')})`;
}

/**
 * Per column, how the checksum text {@link checksumRowExpr} builds follows from the transfer form
 * {@link valueExpr} reads, as the utf8mb4 connection delivers it (see `Dialect.checksumForms`). Text
 * of every kind arrives as UTF-8, which is what the checksum's conversion to utf8mb4 hashes; the
 * checksum's shortcuts (a DATETIME(6) as the column, a bool as `c <> 0`) print exactly the transfer
 * text. Only a decimal not hashed as printed differs: its trailing zeros are trimmed. Null when a
 * column's value is mapped (onLossy), whose forms are not compared here.
 */
export function checksumFromTransfer(columns: Column[], wholeRow = false, asPrinted = false): ChecksumFromTransfer[] | null {
  const forms: ChecksumFromTransfer[] = [];
  for (const col of columns) {
    if (!wholeRow && needsWorkerCanonical(col.type)) forms.push('skip');
    else if (!readAsIs(col)) return null;
    else forms.push(col.type.kind === 'decimal' && !asPrinted && !digestsAsPrinted(col.type) ? 'decimal' : 'same');
  }
  return forms;
}

/** SUM of 60-bit row hashes and the row count, as a SELECT list. */
export function checksumSelect(columns: Column[], natives: NativeColumns, wholeRow = false): string {
  const row = checksumRowExpr(columns, natives, wholeRow);
  return `COUNT(*), COALESCE(SUM(CAST(CONV(SUBSTRING(MD5(${row}), 1, 15), 16, 10) AS UNSIGNED)), 0)`;
}

/**
 * `COUNT(*)` and the digest of the rows as a SELECT list (see `Dialect.digestRange`), over the rows in
 * the order the query reads them. A user variable holds each row's text so that its length prefix does
 * not build the text a second time.
 */
export function digestSelect(columns: Column[], natives: NativeColumns, wholeRow = false, asPrinted = false): string {
  const row = checksumRowExpr(columns, natives, wholeRow, asPrinted, true);
  return `COUNT(*), COALESCE(MD5(GROUP_CONCAT(CONCAT(LENGTH(@ferry_row := ${row}), ':', @ferry_row) SEPARATOR '')), '')`;
}

/**
 * Average checksum-text bytes of up to `rows` rows that `where` selects (0 without rows): any rows will
 * do for an estimate, so none are sorted.
 */
export function rowTextBytesSql(from: string, columns: Column[], natives: NativeColumns, where: string, rows: number, wholeRow = false, asPrinted = false): string {
  const row = checksumRowExpr(columns, natives, wholeRow, asPrinted, true);
  return `SELECT COALESCE(AVG(LENGTH(ferry_row_text)), 0) FROM (SELECT ${row} AS ferry_row_text FROM ${from} WHERE ${where} LIMIT ${rows}) AS ferry_rows`;
}

const BYTEWISE_CHARSETS = /^(utf8mb4|utf8mb3|utf8|ascii)_/;

/**
 * The expression a key column is compared and ordered by, so that both engines order keys the same
 * way: text byte-wise (PostgreSQL COLLATE "C" on UTF-8), uuid as its lowercase text (MariaDB's UUID
 * type sorts its segments in a swapped order). A UTF-8 `_bin` column is used as is so its index
 * serves the range; note that PAD SPACE `_bin` collations (utf8mb4_bin) still ignore trailing spaces,
 * which is why tables ferry creates use a NO PAD binary collation.
 */
export function keyExpr(col: Column, native: NativeColumn | undefined, binCollation: string): string {
  const c = quoteId(col.name);
  if (col.type.kind === 'text') {
    const coll = native?.collation ?? '';
    if (coll.endsWith('_bin') && BYTEWISE_CHARSETS.test(coll)) return c;
    return `(CONVERT(${c} USING utf8mb4) COLLATE ${binCollation})`;
  }
  if (col.type.kind === 'uuid') {
    if (native && native.dataType !== 'uuid' && (native.collation ?? '').endsWith('_bin')) return c;
    return `(LOWER(CONVERT(${c} USING utf8mb4)) COLLATE ${binCollation})`;
  }
  // Numbers, temporal values and bytes compare natively against the literals of keyLiteral, which
  // keeps the primary key index usable.
  return c;
}

const INTEGER = /^-?\d+$/;
const DECIMAL = /^-?(\d+(\.\d*)?|\.\d+)$/;
const HEX = /^\\x([0-9a-fA-F]{2})*$/;

/**
 * A key value as a SQL literal of the column's kind. Integers and decimals are inlined after
 * validation because MySQL compares a string with a numeric column as doubles, which is inexact
 * above 2^53 and for long decimals.
 */
export function keyLiteral(col: Column, value: string): string {
  const bad = () => new FerryError(`key value ${JSON.stringify(value)} is not a valid ${col.type.kind} for column ${col.name}`);
  switch (col.type.kind) {
    case 'int':
      if (!INTEGER.test(value)) throw bad();
      return value;
    case 'decimal':
      if (!DECIMAL.test(value)) throw bad();
      return value;
    case 'bool':
      if (/^(1|t|true)$/i.test(value)) return '1';
      if (/^(0|f|false)$/i.test(value)) return '0';
      throw bad();
    case 'binary':
      if (!HEX.test(value)) throw bad();
      return `UNHEX(${lit(value.slice(2))})`;
    default:
      return lit(value);
  }
}

/** `lo < key <= hi` as a SQL condition (row constructors for composite keys); `1=1` when unbounded. */
export function rangeCondition(key: Column[], natives: NativeColumns, range: KeyRange, binCollation: string): string {
  if (key.length === 0) {
    if (range.lo === null && range.hi === null) return '1=1';
    throw new FerryError('a bounded key range needs key columns');
  }
  const exprs = key.map((col) => keyExpr(col, natives.get(col.name), binCollation));
  const lhs = exprs.length === 1 ? exprs[0]! : `(${exprs.join(', ')})`;
  const tuple = (t: KeyTuple): string => {
    if (t.length !== key.length) throw new FerryError(`key tuple has ${t.length} values, key has ${key.length} columns`);
    const vals = key.map((col, i) => keyLiteral(col, t[i]!));
    return vals.length === 1 ? vals[0]! : `(${vals.join(', ')})`;
  };
  const conds: string[] = [];
  if (range.lo !== null) conds.push(`${lhs} > ${tuple(range.lo)}`);
  if (range.hi !== null) conds.push(`${lhs} <= ${tuple(range.hi)}`);
  return conds.length === 0 ? '1=1' : conds.join(' AND ');
}

/** ORDER BY list matching {@link rangeCondition}'s comparison. */
export function keyOrder(key: Column[], natives: NativeColumns, binCollation: string): string {
  return key.map((col) => keyExpr(col, natives.get(col.name), binCollation)).join(', ');
}

/** SELECT list giving a key tuple in its travelling form. */
export function keySelect(key: Column[], natives: NativeColumns): string {
  return key.map((col) => valueExpr(col, natives.get(col.name), 'key')).join(', ');
}

/**
 * One key value held by more than one row or with a NULL key column, and its row count. Grouped by
 * the byte-wise key expressions, so 'a' and 'A' of a case-insensitive column stay apart as they do
 * in ferry's ranges; MIN() picks the (byte-equal) value of each group under ONLY_FULL_GROUP_BY.
 */
export function duplicateKeySql(from: string, key: Column[], natives: NativeColumns, binCollation: string): string {
  const values = key.map((c) => `MIN(${valueExpr(c, natives.get(c.name), 'key')})`);
  const nulls = key.map((c) => `COUNT(*) > COUNT(${quoteId(c.name)})`);
  return (
    `SELECT ${values.join(', ')}, COUNT(*) FROM ${from} GROUP BY ${keyOrder(key, natives, binCollation)} ` +
    `HAVING COUNT(*) > 1 OR ${nulls.join(' OR ')} LIMIT 1`
  );
}
