/**
 * SQL text for PostgreSQL: identifier quoting, key-range predicates, and the per-kind expressions that
 * produce transfer text and checksum text (see ../dialect.ts).
 */
import pg from 'pg';
import type { Column, NeutralType } from '../../core/column-model.js';
import { digestsAsPrinted, needsWorkerCanonical } from '../../core/column-model.js';
import type { KeyRange, KeyTuple } from '../../core/key-range.js';
import type { ChecksumFromTransfer, DigestHash } from '../dialect.js';
import { pgLossyRef } from './postgres-lossy.js';
import { partExpr } from '../part-sql.js';

/** Quotes an identifier; embedded double quotes are doubled. */
export function quoteIdent(name: string): string {
  return '"' + name.replace(/"/g, '""') + '"';
}

/** Quotes a value as a string literal (standard_conforming_strings is on for every ferry session). */
export function quoteLiteral(value: string): string {
  return pg.escapeLiteral(value);
}

/** Key columns that need `COLLATE "C"` to sort byte-wise (text whose collation is not already byte order). */
export interface KeyColumnSql {
  column: Column;
  /** True when the column's collation already sorts by bytes (C, POSIX, C.UTF-8). */
  byteOrdered: boolean;
}

function keyExpr(k: KeyColumnSql): string {
  const q = quoteIdent(k.column.name);
  return k.column.type.kind === 'text' && !k.byteOrdered ? `${q} COLLATE "C"` : q;
}

function tuple(values: string[]): string {
  return values.length === 1 ? values[0]! : `(${values.join(', ')})`;
}

/** `ORDER BY` list for the key. */
export function keyOrderBy(key: KeyColumnSql[]): string {
  return key.map(keyExpr).join(', ');
}

/**
 * Key values as selected for cursors and shard bounds: the checksum form, which both engines parse
 * back identically (timestamps in UTC without an offset, booleans as 1/0).
 */
export function keySelect(key: KeyColumnSql[]): string {
  // Aliased: PostgreSQL resolves ORDER BY "id" to an output column named "id" before the table's,
  // which would sort by the text form.
  return key.map((k, i) => `${checksumExpr(k.column) ?? `${quoteIdent(k.column.name)}::text`} AS "ferry_k${i}"`).join(', ');
}

/**
 * `lo < key <= hi` with literals inlined (COPY cannot take parameters). Row-value comparison keeps
 * composite keys in lexicographic order.
 */
export function rangePredicate(key: KeyColumnSql[], range: KeyRange): string {
  const lhs = tuple(key.map(keyExpr));
  const lit = (t: KeyTuple) => tuple(t.map(quoteLiteral));
  const parts: string[] = [];
  if (range.lo) parts.push(`${lhs} > ${lit(range.lo)}`);
  if (range.hi) parts.push(`${lhs} <= ${lit(range.hi)}`);
  return parts.length > 0 ? parts.join(' AND ') : 'TRUE';
}

/** Expression yielding a column's transfer text (PostgreSQL's own output is already transfer text for most kinds). */
export function transferExpr(column: Column): string {
  const q = pgLossyRef(column);
  const t = column.type;
  switch (t.kind) {
    case 'bool':
      return `${q}::int`;
    case 'timestamp':
      return t.tz ? `(${q} AT TIME ZONE 'UTC')` : q;
    case 'time':
      return t.tz ? `(${q} AT TIME ZONE 'UTC')::time` : q;
    case 'float':
      // real prints the shortest text that reads back as the same float4, but other engines parse it as
      // a double: '3.4028235e+38' (the largest real) is then past FLOAT's range. The exact double is not.
      return t.bytes === 4 ? `${q}::float8` : q;
    case 'decimal':
      // money prints in the locale's currency format; its numeric value is exact.
      return t.money ? `${q}::numeric` : q;
    case 'array':
      return `array_to_json(${q})::text`;
    case 'set':
      return setText(q, t.values);
    default:
      return q;
  }
}

// A set's members once each, in definition order (as MySQL prints a SET), NULL kept NULL.
function setText(q: string, values: string[]): string {
  const labels = `ARRAY[${values.map(quoteLiteral).join(', ')}]::text[]`;
  return (
    `(CASE WHEN ${q} IS NULL THEN NULL ELSE (SELECT coalesce(string_agg(v, ',' ORDER BY array_position(${labels}, v)), '') ` +
    `FROM (SELECT DISTINCT v FROM unnest(${q}) v) s) END)`
  );
}

/**
 * Expression yielding a column's checksum text, or null for kinds compared in the worker (unless
 * `wholeRow`, for a PostgreSQL peer, where their own text form is already identical on both sides).
 */
export function checksumExpr(column: Column, wholeRow = false): string | null {
  const q = pgLossyRef(column);
  const t: NeutralType = column.type;
  if (needsWorkerCanonical(t)) return wholeRow ? `${q}::text` : null;
  switch (t.kind) {
    case 'decimal':
      return t.money ? `trim_scale(${q}::numeric)::text` : `trim_scale(${q})::text`;
    case 'set':
      return setText(q, t.values);
    case 'inet':
      // inet::text always appends the netmask (/32); the output function, as COPY prints it, does not.
      return `(CASE WHEN ${q} IS NULL THEN NULL ELSE concat(${q}) END)`;
    case 'bool':
      return `${q}::int::text`;
    case 'binary':
      return `'\\x' || encode(${q}, 'hex')`;
    case 'date':
      // A date of years 1000-9999 prints as 'YYYY-MM-DD' in ISO DateStyle (set on every session) at half
      // the cost of to_char; BC, infinite and five-digit years keep to_char's form.
      return `(CASE WHEN ${q} >= '1000-01-01' AND ${q} < '10000-01-01' THEN ${q}::text ELSE to_char(${q}, 'YYYY-MM-DD') END)`;
    case 'time': {
      // 24:00:00 is a time PostgreSQL and MySQL both hold; added to a date it would print as 00:00:00.
      const v = t.tz ? `(${q} AT TIME ZONE 'UTC')::time` : q;
      return `(CASE WHEN ${v} = '24:00:00'::time THEN '24:00:00.000000' ELSE to_char(date '2000-01-01' + ${v}, 'HH24:MI:SS.US') END)`;
    }
    case 'timestamp':
      return t.tz ? `to_char(${q} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')` : timestampText(q);
    default:
      return `${q}::text`;
  }
}

/**
 * `YYYY-MM-DD HH24:MI:SS.US` of a timestamp without time zone. For years 1000-9999 its ISO text (which
 * drops trailing fractional zeros) padded to six fractional digits: 0.2 s per million rows against
 * to_char's 0.4 s. Other years keep to_char, whose output the padding would not match.
 */
function timestampText(q: string): string {
  const padded = `(CASE WHEN ${q} = date_trunc('second', ${q}) THEN ${q}::text || '.000000' ELSE rpad(${q}::text, 26, '0') END)`;
  return `(CASE WHEN ${q} >= '1000-01-01' AND ${q} < '10000-01-01' THEN ${padded} ELSE to_char(${q}, 'YYYY-MM-DD HH24:MI:SS.US') END)`;
}

/**
 * Whether a column's checksum text is never NULL, so the row string needs no `coalesce(…, '\N')` for
 * it: a NOT NULL column read as is (no lossy mapping) of a kind whose checksum form of a value is a
 * value. Date and time kinds keep theirs (to_char of an infinite value is NULL).
 */
function neverNull(column: Column): boolean {
  if (column.nullable || pgLossyRef(column) !== quoteIdent(column.name)) return false;
  return ['int', 'decimal', 'bool', 'text', 'binary', 'uuid', 'json'].includes(column.type.kind);
}

/** Peer hashes of PostgreSQL (see `RangeRequest.peerHash`). */
export const PG_RECORD_HASH = 'pg-record';
export const PG_TEXT_HASH = 'pg-text';

/**
 * Text of a column for a text-hash checksum against another PostgreSQL database: its own output
 * (both sessions run with the same TimeZone, DateStyle, bytea_output and extra_float_digits), except
 * where two declared types can print one value differently (numeric scale, money's locale, a set's
 * member order).
 */
function peerTextExpr(column: Column): string {
  const t = column.type;
  if (t.kind === 'decimal' || t.kind === 'set' || t.kind === 'inet') return checksumExpr(column, true)!;
  return `${pgLossyRef(column)}::text`;
}

/**
 * A column as a field of the record hashed by `hash_record_extended`: the value itself where its
 * type's hash sees exactly what its text would (integers, numeric by value so scale does not count,
 * booleans, bytea, dates, times, timestamps, uuid, jsonb, and text byte-wise under COLLATE "C"), and
 * its text otherwise: json and xml have no hash, an enum's hash is its label's OID (which differs
 * between databases), a float's hash equates -0 and 0, an interval's '1 day' and '24 hours'.
 */
function peerRecordField(column: Column): string {
  const q = pgLossyRef(column);
  const t = column.type;
  switch (t.kind) {
    case 'int':
    case 'bool':
    case 'binary':
    case 'date':
    case 'time':
    case 'timestamp':
    case 'uuid':
      return q;
    case 'decimal':
      return t.money ? `${q}::numeric` : q;
    case 'text':
      return `${q}::text COLLATE "C"`;
    case 'json':
      // Cast, not the bare column: the other side's column may be json where this one is jsonb (a
      // schema that drifted, or a table an earlier MySQL migration created), and json has no hash.
      // On a jsonb column the cast is a no-op; json text is read as the same jsonb value.
      return t.binary ? `${q}::jsonb` : `${q}::text`;
    default:
      return peerTextExpr(column);
  }
}

/**
 * Per-row hash summed by a checksum: the 60-bit md5 prefix of the checksum text; with a peer hash
 * (see `RangeRequest.peerHash`), PostgreSQL's 64-bit hash of the row as a record (`pg-record`,
 * PostgreSQL 14 and later) or of its own text forms (`pg-text`).
 */
function rowHashExpr(columns: Column[], wholeRow: boolean, peerHash: string | undefined): string {
  if (peerHash === PG_RECORD_HASH) return `hash_record_extended(ROW(${columns.map(peerRecordField).join(', ')}), 0)`;
  const row = rowText(columns, (c) => (peerHash === PG_TEXT_HASH ? peerTextExpr(c) : checksumExpr(c, wholeRow)));
  return peerHash === PG_TEXT_HASH ? `hashtextextended(${row}, 0)` : `('x' || substr(md5(${row}), 1, 15))::bit(60)::bigint`;
}

/**
 * Per column, how its text in a digest of whole rows (see `Dialect.checksumForms`) follows from the
 * COPY text of its transfer form ({@link transferExpr}), for a target of another engine (null for
 * one of this engine, `asPrinted`, and for values mapped by onLossy). Decimals without a declared scale are trimmed (see
 * `digestsAsPrinted`), times and
 * timestamps padded to six fractional digits, char(n) unpadded, as {@link checksumExpr} does. A real
 * and an array are hashed as transferred (a double, JSON): that is the text the other engine stores
 * and hashes, so equal text is still an equal value, while PostgreSQL's own text of them (the real's
 * shortest digits, the array literal) would never match it. Dates, timestamps and times outside what
 * the checksum text prints as such (BC, infinity) only make the digests differ, which sends verify to
 * both sides.
 */
export function checksumFromTransfer(columns: Column[], asPrinted = false): ChecksumFromTransfer[] | null {
  if (asPrinted) return null;
  const forms: ChecksumFromTransfer[] = [];
  for (const c of columns) {
    if (pgLossyRef(c) !== quoteIdent(c.name)) return null;
    const t = c.type;
    if (t.kind === 'decimal') forms.push(digestsAsPrinted(t) ? 'same' : 'decimal');
    else if (t.kind === 'time' || t.kind === 'timestamp') forms.push('fraction6');
    else if (t.kind === 'text' && t.fixed) forms.push('trimEnd');
    else forms.push('same');
  }
  return forms;
}

/** One string per row: the columns' forms (null = left out) joined by U+001F, NULL as `\N`. */
function rowText(columns: Column[], form: (c: Column) => string | null): string {
  const parts = columns.flatMap((c) => {
    const e = form(c);
    return e === null ? [] : [neverNull(c) ? e : `coalesce(${e}, '\\N')`];
  });
  return parts.length > 0 ? `concat_ws(chr(31), ${parts.join(', ')})` : `''`;
}

/**
 * A column's text in a digest: its checksum text, but a decimal of a declared scale as printed (see
 * `digestsAsPrinted`), which saves trim_scale on every row.
 */
function digestExpr(column: Column, wholeRow: boolean): string | null {
  const q = pgLossyRef(column);
  return digestsAsPrinted(column.type) && q === quoteIdent(column.name) ? `${q}::text` : checksumExpr(column, wholeRow);
}

/**
 * The range's rows as checksum text, as a subquery with the one column `ferry_row_text`: in key order,
 * or any `limit` rows of it.
 */
function rangeRows(tableSql: string, columns: Column[], key: KeyColumnSql[], range: KeyRange, wholeRow: boolean, limit?: number): string {
  const text = rowText(columns, (c) => digestExpr(c, wholeRow));
  const tail = limit === undefined ? `ORDER BY ${keyOrderBy(key)}` : `LIMIT ${limit}`;
  return `(SELECT ${text} AS ferry_row_text FROM ${tableSql} WHERE ${rangePredicate(key, range)} ${tail}) AS ferry_rows`;
}

/**
 * `SELECT rows, digest` of a range (see `Dialect.digestRange`). The md5 aggregate reads a subquery sorted
 * by the key; `SET LOCAL enable_sort = off` in the same statement list lets the planner serve that order
 * from the key's index even on a table it has no statistics for yet. A sum of text hashes needs no
 * order, and costs about half as much (`COLLATE "C"`: hashtextextended hashes the bytes under it).
 */
export function digestSql(tableSql: string, columns: Column[], key: KeyColumnSql[], range: KeyRange, wholeRow = false, hash: DigestHash = 'md5'): string {
  if (hash === 'hashtext-sum') {
    const text = rowText(columns, (c) => digestExpr(c, wholeRow));
    return (
      `SET LOCAL enable_sort = off; SELECT count(*)::text AS rows, coalesce(sum(hashtextextended(${text} COLLATE "C", 0)), 0)::text AS digest ` +
      `FROM ${tableSql} WHERE ${rangePredicate(key, range)}`
    );
  }
  return (
    `SET LOCAL enable_sort = off; SELECT count(*)::text AS rows, ` +
    `coalesce(md5(string_agg(octet_length(ferry_row_text)::text || ':' || ferry_row_text, '')), '') AS digest ` +
    `FROM ${rangeRows(tableSql, columns, key, range, wholeRow)}`
  );
}

/** Average checksum-text bytes of up to `rows` rows of a range, unsorted (0 without rows). */
export function rowTextBytesSql(tableSql: string, columns: Column[], key: KeyColumnSql[], range: KeyRange, rows: number, wholeRow = false): string {
  return `SELECT coalesce(avg(octet_length(ferry_row_text)), 0)::text AS bytes FROM ${rangeRows(tableSql, columns, key, range, wholeRow, rows)}`;
}

/** `SELECT count(*), sum(row hash)` over a range (see {@link rowHashExpr}). */
export function checksumSql(tableSql: string, columns: Column[], key: KeyColumnSql[], range: KeyRange, wholeRow = false, peerHash?: string): string {
  return `SELECT count(*)::text AS rows, coalesce(sum(${rowHashExpr(columns, wholeRow, peerHash)}), 0)::text AS sum FROM ${tableSql} WHERE ${rangePredicate(key, range)}`;
}

/** {@link checksumSql} of every part of a range in one scan: rows `(part, rows, sum)`, parts without rows absent. */
export function partChecksumSql(tableSql: string, columns: Column[], key: KeyColumnSql[], range: KeyRange, ends: KeyTuple[], wholeRow = false, peerHash?: string): string {
  const part = partExpr(ends, (end) => rangePredicate(key, { lo: null, hi: end }));
  return (
    `SELECT ${part} AS part, count(*)::text AS rows, coalesce(sum(${rowHashExpr(columns, wholeRow, peerHash)}), 0)::text AS sum ` +
    `FROM ${tableSql} WHERE ${rangePredicate(key, range)} GROUP BY 1`
  );
}
