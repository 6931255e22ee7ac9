/**
 * The one interface every engine implements. Nothing outside src/dialects/ branches on the engine:
 * activities call these methods and let each dialect do the engine-specific work.
 *
 * ## Transfer text
 * Rows move between dialects as a byte stream in PostgreSQL's COPY text format: fields separated by
 * TAB, rows ended by LF, NULL written `\N`, and backslash escapes `\\`, `\t`, `\n`, `\r` (readers also
 * accept `\b`, `\f`, `\v`). Each value is in the transfer form of its neutral kind:
 *
 * | kind      | form                                                                  |
 * |-----------|-----------------------------------------------------------------------|
 * | int       | decimal digits with optional `-`                                      |
 * | decimal   | plain decimal notation, no exponent                                   |
 * | float     | a decimal or exponent literal, `NaN`, `Infinity`, `-Infinity`         |
 * | bool      | `1` or `0`                                                            |
 * | text      | the characters, UTF-8                                                 |
 * | binary    | `\x` then lowercase hex (so `\\x00ff` in the stream)                   |
 * | date      | `YYYY-MM-DD`                                                          |
 * | time      | `HH:MM:SS[.ffffff]`                                                   |
 * | timestamp | `YYYY-MM-DD HH:MM:SS[.ffffff]`; for tz=true the UTC wall clock        |
 * | json      | JSON text (any spacing/key order)                                     |
 * | uuid      | `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` lowercase                       |
 * | enum      | the label                                                             |
 * | set       | the members in definition order joined by `,` (MySQL's form); `` empty |
 * | array     | JSON array (nested for more dimensions) of the elements as PostgreSQL's |
 * |           | `array_to_json` writes them                                           |
 * | interval  | ISO 8601 duration as PostgreSQL's `iso_8601` IntervalStyle prints it   |
 * | inet      | the address as PostgreSQL prints it (`10.0.0.1`, `10.0.0.0/8`, `08:00:2b:01:02:03`) |
 * | bit       | the bits as `0`/`1` characters, most significant first, full length   |
 * | xml       | the document text                                                     |
 *
 * Decimal `money` travels as its plain numeric value; `time` with tz=true as the UTC time of day.
 *
 * ## Checksum text
 * {@link Dialect.checksumRange} hashes, in SQL, one string per row: the checksum form of each column
 * joined by U+001F, NULL written `\N`. The checksum form is the transfer form made unique: decimals
 * without trailing fractional zeros (and no trailing `.`; `-0` is `0`), times and timestamps always with
 * six fractional digits. json, float and array columns are left out of the SQL checksum (engines print them
 * differently; see `needsWorkerCanonical`); the caller compares them by reading them through {@link Dialect.readRange} and
 * canonicalising in the worker (see core/canonical.ts).
 *
 * The row hash is the first 15 hex digits (60 bits) of md5(row string) read as an unsigned integer;
 * a range's checksum is the decimal sum of its row hashes. Between two databases of the same engine
 * (`peerHash`), each engine may hash its own value forms with a cheaper function instead.
 *
 * A range's digest ({@link Dialect.digestRange}) is one md5 over the same row strings in key order,
 * each written as `<byte length>:<text>`: a single hash per piece of rows instead of one per row.
 * A database may offer a cheaper digest of its own for the worker to match (`RangeRequest.digestHash`).
 */
import type { Readable } from 'node:stream';
import type { Column, LossyKind, OverflowLimit, TableSchema } from '../core/column-model.js';
import type { KeyRange, KeyTuple } from '../core/key-range.js';
import type { SourceView } from '../core/table-mapping.js';

/**
 * How a range's digest hashes its row strings: `md5`, one md5 over them in key order (see above); or
 * `hashtext-sum`, the decimal sum of PostgreSQL's `hashtextextended(row string, 0)` over them, in any
 * order (core/pg-text-hash.ts computes the same in the worker).
 */
export type DigestHash = 'md5' | 'hashtext-sum';

/** Engines ferry speaks. MariaDB is `mysql`. */
export type Engine = 'postgres' | 'mysql';

/** A range of one table, with the columns to read or write in order. */
export interface RangeRequest {
  /** Table name on this side. */
  table: string;
  /** Columns in transfer order. On the target these carry the target table's column names. */
  columns: Column[];
  /** Key columns (a subset of the table's columns), in key order. */
  key: Column[];
  range: KeyRange;
  /**
   * For {@link Dialect.checksumRange}: hash json and float columns in SQL too, in this engine's own
   * text form. Only meaningful when both sides are the same engine (see `printsAlike`); default false.
   */
  wholeRow?: boolean;
  /**
   * For {@link Dialect.checksumRange}: the other side is this same engine and both offer this peer
   * hash (from {@link Dialect.peerHashes}), so the sum may use this engine's own value forms and its
   * cheapest hash instead of md5 of the checksum text. PostgreSQL's md5 costs about 1 µs a row; its
   * record hash a third of that with no text output at all. The sum is then comparable only with a
   * sum of the same peer hash. Set together with `wholeRow`.
   */
  peerHash?: string;
  /**
   * For {@link Dialect.digestRange} and {@link Dialect.rowTextBytes}: the other side is this same
   * engine, so values may be hashed as this database prints them where the checksum text would
   * reshape them (MySQL's trimmed decimals). Equal text is still an equal value; a column declared
   * differently on the two sides (another decimal scale) only makes the digests differ, and the
   * caller then checksums the range in the checksum text.
   */
  asPrinted?: boolean;
  /** For {@link Dialect.digestRange}: the digest to compute, one of `Dialect.copyDigestHash` or md5 (the default). */
  digestHash?: DigestHash;
  /**
   * For {@link Dialect.readRange} and {@link Dialect.writeRange}: the rows travel in this engine's own
   * binary copy form instead of transfer text. Only between two tables whose {@link Dialect.binaryForm}
   * signatures are equal; default false.
   */
  binary?: boolean;
  /**
   * For {@link Dialect.readRange} of a dialect with {@link Dialect.checksumForms}: called with each
   * row's values as read, before they are encoded as transfer text.
   */
  tap?: RowTap;
}

/** Sees the rows a range read streams (see `RangeRequest.tap`). */
export interface RowTap {
  /**
   * One row: each column's transfer form as UTF-8 bytes, null for NULL, in `RangeRequest.columns`
   * order. The array and its buffers are this row's own; the reader does not reuse them.
   */
  row(values: readonly (Buffer | null)[]): void;
  /**
   * One row as a line of PostgreSQL COPY text at `src[start..end)` (without its newline): the
   * columns' transfer forms separated by tabs, backslash escapes, `\N` for NULL.
   */
  line(src: Buffer, start: number, end: number): void;
}

/**
 * How a column's checksum text (see "Checksum text" above) follows from its transfer form as read:
 * `same` bytes, a `decimal` made canonical, a time or timestamp with its fraction padded to six
 * digits (`fraction6`), blank-padded text with the blanks cut (`trimEnd`), or `skip` (left out of
 * the row string).
 */
export type ChecksumFromTransfer = 'same' | 'decimal' | 'fraction6' | 'trimEnd' | 'skip';

/** Columns and key of a table that rows are written to or deleted from by key. */
export interface KeyedTable {
  table: string;
  /** Columns in transfer order (the target table's names). */
  columns: Column[];
  key: Column[];
}

/**
 * Rows whose watermark lies in `after < watermark <= upTo`, walked in (watermark, key) order so an
 * incremental sync can cut them into chunks with a cursor. Bounds are in checksum form.
 */
export interface ChangeRequest extends KeyedTable {
  watermark: Column;
  /** Exclusive lower bound; null = every row with a watermark up to `upTo`. */
  after: string | null;
  upTo: string;
  /** Over the tuple (watermark, ...key): rows with `lo < (watermark, key) <= hi`. */
  range: KeyRange;
}

/** Count and checksum of a key range (see "Checksum text" above). */
export interface RangeChecksum {
  rows: number;
  /** Decimal string: sum of the 60-bit row hashes. "0" for an empty range. */
  sum: string;
}

/** Count and digest of a key range (see {@link Dialect.digestRange}). */
export interface RangeDigest {
  rows: number;
  /**
   * md5 (hex) of the rows' checksum text in key order, each row as `<byte length>:<text>`, '' for no
   * rows; or with `RangeRequest.digestHash` 'hashtext-sum' the decimal sum of their hashes, '0' for none.
   */
  digest: string;
}

/** What the target holds under a table name before a migration writes to it. */
export type TargetState = 'missing' | 'empty' | 'rows';

/** Options for {@link Dialect.createTable}. */
export interface CreateTableOptions {
  /** Native types per column name chosen by the job (overrides the mapping). */
  typeOverrides?: Record<string, string>;
  /**
   * Leave the primary key out; {@link Dialect.createIndexes} with `primaryKey` adds it after the load.
   * Only where {@link Dialect.defersPrimaryKey} is true.
   */
  deferPrimaryKey?: boolean;
}

/** Options of {@link Dialect.createIndexes}. */
export interface CreateIndexesOptions {
  /** Add the primary key too (the table was created with `deferPrimaryKey`); a no-op when it has one. */
  primaryKey?: boolean;
}

/** Options of {@link Dialect.writeRange}. */
export interface WriteRangeOptions {
  /**
   * No row of the range can be in the target yet (the first attempt at a range of a table this run
   * created empty), so the delete that makes a retry idempotent is skipped: without a key index it
   * would scan the whole table.
   */
  fresh?: boolean;
}

export interface Dialect {
  readonly engine: Engine;
  /**
   * A digest this database computes more cheaply than md5 and the worker can match as a copy reads
   * the rows (`RangeRequest.digestHash`); absent when it has none.
   */
  readonly copyDigestHash?: DigestHash;
  /** Where this connection points, for messages: engine, host and database, never credentials. */
  readonly label: string;

  /** Base tables of the connection's schema (PostgreSQL: `public` or `?schema=`) or database. */
  listTables(): Promise<string[]>;

  /**
   * Columns, key, indexes, foreign keys and row estimate of a table. `declaredKey` replaces the
   * detected key. Throws MissingTableError, or UnmappableTypeError for a column type it cannot model.
   */
  introspect(table: string, declaredKey?: string[]): Promise<TableSchema>;

  /**
   * A key value that identifies more than one row (`count` > 1) or has a NULL key column (`count` is
   * then the rows holding it), or null when `key` identifies every row. Keys are compared as ferry's
   * ranges compare them (text byte-wise). Used in planning to vet a declared key before anything moves.
   */
  findDuplicateKey(table: string, key: Column[]): Promise<{ value: (string | null)[]; count: number } | null>;

  /** Smallest and largest key of a single-integer-key table, or null when empty. */
  integerKeyExtent(table: string, key: Column): Promise<{ min: string; max: string } | null>;

  /**
   * Up to `parts - 1` sorted inner boundaries that cut the table into near-equal row counts, for keys
   * of any type (sampled by key order; text compared byte-wise).
   */
  sampleKeyBounds(table: string, key: Column[], parts: number): Promise<KeyTuple[]>;

  /**
   * The key of the `rows`-th row of `range` in key order, or null when the range holds fewer rows.
   * Used to cut a shard into chunks of at most `rows` rows.
   */
  chunkEnd(table: string, key: Column[], range: KeyRange, rows: number): Promise<KeyTuple | null>;

  /** Native DDL type for a neutral column on this engine. Throws UnmappableTypeError. */
  nativeType(table: string, column: Column): string;

  /** CREATE TABLE statement (columns, NOT NULL, primary key) for a schema; no secondary indexes or FKs. */
  createTableSql(schema: TableSchema, options?: CreateTableOptions): string;

  /**
   * What {@link createTableSql} cannot carry of `schema` on this engine, each naming table.column
   * (e.g. an identity column MySQL cannot make AUTO_INCREMENT). Empty when everything is carried.
   */
  createWarnings(schema: TableSchema, options?: CreateTableOptions): string[];

  /**
   * Stored routines of the connection's schema or database, as `function name` / `procedure name`:
   * ferry does not carry them, so planning names them as warnings.
   */
  listRoutines(): Promise<string[]>;

  targetState(table: string): Promise<TargetState>;
  /** True when `table` has a primary key (a table created with its key deferred has none yet). */
  hasPrimaryKey(table: string): Promise<boolean>;
  /** Creates the table when missing (columns and primary key only). */
  createTable(schema: TableSchema, options?: CreateTableOptions): Promise<void>;
  truncate(table: string): Promise<void>;
  /**
   * True when loading a new table without its primary key and adding the key afterwards is the faster
   * way (PostgreSQL builds the index once, sorted, instead of maintaining it row by row). InnoDB
   * clusters rows by the primary key, so MySQL needs it from the start.
   */
  readonly defersPrimaryKey: boolean;
  /**
   * For a table the load has just emptied: drops its primary key when adding it back after the load
   * recreates it exactly (`dropped`), tells a table without one that holds the key's columns (`none`),
   * or leaves the key in place (`kept`). Only where {@link Dialect.defersPrimaryKey} is true.
   */
  releasePrimaryKey?(table: string, key: string[]): Promise<'dropped' | 'none' | 'kept'>;
  /** Creates the secondary indexes of `schema` that do not exist yet (and the primary key, when asked). */
  createIndexes(schema: TableSchema, options?: CreateIndexesOptions): Promise<void>;
  /**
   * Drops the foreign keys declared on `table` when it exists, so a reload into an existing target
   * neither checks nor locks parent rows mid-load. Returns the names dropped.
   */
  dropForeignKeys(table: string): Promise<string[]>;
  /** Creates the foreign keys of `schema` that do not exist yet (after every table is loaded). */
  createForeignKeys(schema: TableSchema): Promise<void>;

  /**
   * Lossy kinds (see {@link LossyKind}) values of `column` can take on this engine, as a source. Columns
   * with a `lossy` rule have those values mapped in {@link readRange} and {@link checksumRange} when
   * the rule is null/replace, so what is written and what is verified agree.
   */
  lossyKindsOf(column: Column): LossyKind[];

  /** Lossy kinds this engine cannot store in a column created for `column`, as a target. */
  cannotHold(column: Column): LossyKind[];

  /**
   * As a target: the limit of the column this engine creates for `column` of `schema` when it is
   * narrower than the neutral type (values past it are lossy kind `overflow`); undefined when the
   * column holds every value of the neutral type.
   */
  overflowLimit(column: Column, schema: TableSchema): OverflowLimit | undefined;

  /** Rows of `req.range` holding lossy values, per name of a `req.columns` entry with a rule (absent = none). */
  countLossy(req: RangeRequest): Promise<Record<string, number>>;

  /** The first row (key order) of `req.range` holding a lossy value in a `req.columns` entry with a rule, or null. */
  firstLossy(req: RangeRequest): Promise<{ column: string; key: KeyTuple } | null>;

  /** Streams the rows of a range in key order as transfer text. */
  readRange(req: RangeRequest): Promise<Readable>;

  /**
   * What a same-engine binary copy of `columns` of `table` depends on: the server's major version and
   * encoding and each column's exact declared type. Two tables with the same signature can exchange
   * rows in binary form; null when a column's type is not built into the engine (an enum, a domain, an
   * extension's type: their binary forms name per-database type IDs) or the engine has no such form.
   */
  binaryForm?(table: string, columns: Column[]): Promise<string | null>;

  /**
   * Replaces the rows of `req.range` with the transfer text in `data`, in one transaction: delete the
   * range, bulk-load, commit. Running it twice leaves the same rows as running it once. Returns the
   * number of rows loaded. With `fresh` the delete is skipped (see {@link WriteRangeOptions}).
   */
  writeRange(req: RangeRequest, data: Readable, options?: WriteRangeOptions): Promise<number>;

  /** Count and checksum of a range computed in SQL over the columns that are not json/float. */
  checksumRange(req: RangeRequest): Promise<RangeChecksum>;

  /**
   * {@link checksumRange} of consecutive parts of `req.range`, in one scan: part i ends at `ends[i]`
   * (inclusive), the last part at the range's end. `ends` are sorted, distinct and inside the range.
   * Returns one checksum per part (`ends.length + 1`), zero rows for a part without rows.
   */
  checksumParts(req: RangeRequest, ends: KeyTuple[]): Promise<RangeChecksum[]>;

  /**
   * Most bytes of checksum text {@link digestRange} hashes in one piece of this table, or 0 when this
   * database cannot digest it cheaply (rows not readable in key order without sorting, or a server
   * that warns about the SQL). The caller cuts ranges into pieces well below it.
   */
  digestCapacity(table: string, key: Column[]): Promise<number>;

  /** Average bytes of checksum text of up to `rows` rows of `req.range`, whichever come first (0 when it has none). */
  rowTextBytes(req: RangeRequest, rows: number): Promise<number>;

  /**
   * Count and digest of a range (see "Checksum text" above; `peerHash` is ignored). One md5 per piece
   * instead of one per row makes it cheaper than {@link checksumRange}, but it only tells equal from
   * unequal: equal digests mean equal rows, while unequal ones may also come from rows read in another
   * order, so a caller settles those with checksumRange. Null when the piece's text was more than this
   * database could hash at once.
   */
  digestRange(req: RangeRequest): Promise<RangeDigest | null>;

  /**
   * Per column of `req.columns`, how the checksum text {@link digestRange} would hash (with
   * `req.wholeRow` and `req.asPrinted`) follows from the transfer form {@link readRange} streams, so
   * the worker can digest rows as they are copied (see activities/copy-digest.ts). Null when a column's
   * text does not follow from it; absent in a dialect whose reads cannot be tapped (`RangeRequest.tap`).
   */
  checksumForms?(req: RangeRequest): Promise<ChecksumFromTransfer[] | null>;

  /**
   * Hash methods this database offers for a checksum against the same engine (`RangeRequest.peerHash`),
   * preferred first; empty when it has none beyond the portable md5 sum. Two servers of one engine
   * may differ (by version), so the caller picks one both offer.
   */
  peerHashes(): Promise<string[]>;

  /** Exact row count of a range. */
  countRange(table: string, key: Column[], range: KeyRange): Promise<number>;

  /** Largest non-null value of `column` in checksum form, or null when no row has one. */
  maxValue(table: string, column: Column): Promise<string | null>;

  /** Like {@link chunkEnd} over the (watermark, ...key) order of a change window. */
  changeChunkEnd(req: ChangeRequest, rows: number): Promise<KeyTuple | null>;

  /** Streams the rows of a change window in (watermark, key) order as transfer text. */
  readChanges(req: ChangeRequest): Promise<Readable>;

  /**
   * Writes the rows of `data` (transfer text) by key: bulk-loads them into a temporary table, then in
   * one transaction updates the target rows whose keys match and inserts the others. Updating in place
   * (rather than delete + insert) keeps rows that other tables reference by foreign key valid. Running
   * it twice leaves the same rows as running it once. Returns the number of rows loaded.
   */
  upsertRows(req: KeyedTable, data: Readable): Promise<number>;

  /** Deletes the rows with these keys (checksum form), in batches. Returns the number deleted. */
  deleteKeys(table: string, key: Column[], keys: KeyTuple[]): Promise<number>;

  /**
   * This dialect reading each table named in `views` through its view (renamed and computed columns,
   * a row filter) wherever a table is read; it shares this dialect's pool. Writes are never made
   * through a view: it is only used on the source side.
   */
  viewing(views: Record<string, SourceView>): Dialect;

  /** Releases the connection pool. */
  close(): Promise<void>;
}
