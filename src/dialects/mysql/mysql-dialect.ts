/**
 * The MySQL/MariaDB dialect: {@link Dialect} over a mysql2 pool. SQL text is built in mysql-sql.ts and
 * mysql-ddl.ts, types mapped in mysql-types.ts, reads streamed by mysql-read.ts and writes loaded by
 * mysql-load.ts; this class wires them to the pool and maps driver errors onto ferry's errors.
 */
import type { Readable } from 'node:stream';
import type { Pool, PoolConnection } from 'mysql2/promise';
import type { Column, LossyKind, OverflowLimit, TableSchema } from '../../core/column-model.js';
import { uniqueBounds, type KeyRange, type KeyTuple } from '../../core/key-range.js';
import type { SourceView } from '../../core/table-mapping.js';
import { FerryError, MissingTableError } from '../../errors.js';
import type { ChangeRequest, ChecksumFromTransfer, CreateTableOptions, Dialect, KeyedTable, RangeChecksum, RangeDigest, RangeRequest, TargetState } from '../dialect.js';
import { partExpr, partsFromRows } from '../part-sql.js';
import { connectionError, createMysqlPool, errorCode, parseMysqlUrl, type MysqlTarget } from './mysql-connect.js';
import { permissionError, statementError } from './mysql-errors.js';
import { addForeignKeySql, createIndexSql, createTableSql, droppedIdentityWarnings, objectName } from './mysql-ddl.js';
import { infoColumns, introspectTable, listTables, nativeColumns, tableRows } from './mysql-introspect.js';
import { LoadInput, loadRange } from './mysql-load.js';
import { myOverflowLimit } from './mysql-limits.js';
import { myCountLossySelect, myFirstLossyParts, myProduces } from './mysql-lossy.js';
import { stringCast, streamRows } from './mysql-read.js';
import {
  checksumFromTransfer,
  checksumSelect,
  digestSelect,
  duplicateKeySql,
  keyExpr,
  keyOrder,
  keySelect,
  lit,
  quoteId,
  rangeCondition,
  rowTextBytesSql,
  valueExpr,
  type NativeColumn,
  type NativeColumns,
} from './mysql-sql.js';
import { DEFAULT_SERVER, ddlType, serverInfoFromVersion, type ServerInfo } from './mysql-types.js';
import { changeChunkEndSql, maxValueSql, readChangesSql } from './mysql-changes.js';
import { deleteKeysMysql, deleteKeysSql, upsertLoaded } from './mysql-upsert.js';
import { viewFromSql, viewSourceColumn } from '../view-sql.js';

/** Tables up to this estimate are counted exactly before sampling key bounds. */
const EXACT_COUNT_BELOW = 5_000_000;
const BLOB_TYPES = new Set(['tinytext', 'text', 'mediumtext', 'longtext', 'tinyblob', 'blob', 'mediumblob', 'longblob', 'json']);

/** Most checksum text a digest piece holds, even where max_allowed_packet would allow more (it is in server memory). */
const DIGEST_BYTES = 16 * 1024 * 1024;

/** {@link Dialect} for MySQL and MariaDB (`mysql://` and `mariadb://` URLs). */
export class MysqlDialect implements Dialect {
  readonly engine = 'mysql' as const;
  readonly label: string;
  private server: ServerInfo | undefined;
  private serverPending: Promise<ServerInfo> | undefined;
  /** Collations and native types per table, for the SQL builders; dropped when ferry creates the table. */
  private readonly natives = new Map<string, Promise<NativeColumns>>();

  private constructor(
    private readonly pool: Pool,
    private readonly target: MysqlTarget,
  ) {
    this.label = target.label;
  }

  /**
   * Opens a pool for an expanded `mysql://` or `mariadb://` URL (`user:password@host:port/database`,
   * query parameters passed to mysql2). Connects lazily; the server version is requested at once so
   * the synchronous DDL methods know it (until it arrives they assume plain MySQL without NO PAD
   * collations or a UUID type). Throws ConnectionUrlError for a malformed URL.
   */
  static open(url: string): MysqlDialect {
    const target = parseMysqlUrl(url);
    const dialect = new MysqlDialect(createMysqlPool(url), target);
    // Failures resurface (mapped) on the first real call.
    dialect.serverInfo().catch(() => undefined);
    return dialect;
  }

  async listTables(): Promise<string[]> {
    return this.run(() => listTables(this.strings));
  }

  async introspect(table: string, declaredKey?: string[]): Promise<TableSchema> {
    const server = await this.serverInfo();
    const found = await this.run(() => introspectTable(this.strings, table, server.mariadb, declaredKey));
    if (!found) throw new MissingTableError(table, this.label);
    this.natives.set(table, Promise.resolve(nativeColumns(found.info)));
    return found.schema;
  }

  async findDuplicateKey(table: string, key: Column[]): Promise<{ value: (string | null)[]; count: number } | null> {
    const natives = await this.nativesOf(table);
    const [row] = await this.run(() => this.strings(duplicateKeySql(this.from(table), key, natives, this.binCollation())), table);
    return row ? { value: row.slice(0, key.length), count: Number(row[key.length]) } : null;
  }

  async integerKeyExtent(table: string, key: Column): Promise<{ min: string; max: string } | null> {
    const natives = await this.nativesOf(table);
    const k = valueExpr(key, natives.get(key.name), 'key');
    const [row] = await this.run(() => this.strings(`SELECT MIN(${k}), MAX(${k}) FROM ${this.from(table)}`), table);
    return row?.[0] == null || row[1] == null ? null : { min: row[0], max: row[1] };
  }

  async sampleKeyBounds(table: string, key: Column[], parts: number): Promise<KeyTuple[]> {
    if (parts <= 1 || key.length === 0) return [];
    const natives = await this.nativesOf(table);
    const coll = this.binCollation();
    let rows = (await this.run(() => tableRows(this.strings, table), table)) ?? 0;
    if (rows < EXACT_COUNT_BELOW) rows = await this.countRange(table, key, { lo: null, hi: null });
    const bounds: KeyTuple[] = [];
    for (let i = 1; i < parts; i++) {
      // The last key of part i: ranges (prev, bound] then hold about rows/parts rows each.
      const offset = Math.floor((i * rows) / parts) - 1;
      if (offset < 0) continue;
      const sql =
        `SELECT ${keySelect(key, natives)} FROM ${this.from(table)} ` +
        `ORDER BY ${keyOrder(key, natives, coll)} LIMIT 1 OFFSET ${offset}`;
      const [row] = await this.run(() => this.strings(sql), table);
      if (row) bounds.push(row.map((v) => v ?? ''));
    }
    return uniqueBounds(bounds);
  }

  async chunkEnd(table: string, key: Column[], range: KeyRange, rows: number): Promise<KeyTuple | null> {
    if (!Number.isInteger(rows) || rows < 1) throw new FerryError(`chunk size must be a positive integer, got ${rows}`);
    const natives = await this.nativesOf(table);
    const coll = this.binCollation();
    const sql =
      `SELECT ${keySelect(key, natives)} FROM ${this.from(table)} WHERE ${rangeCondition(key, natives, range, coll)} ` +
      `ORDER BY ${keyOrder(key, natives, coll)} LIMIT 1 OFFSET ${rows - 1}`;
    const [row] = await this.run(() => this.strings(sql), table);
    return row ? row.map((v) => v ?? '') : null;
  }

  nativeType(table: string, column: Column): string {
    return ddlType(table, column, this.server ?? DEFAULT_SERVER);
  }

  createTableSql(schema: TableSchema, options?: CreateTableOptions): string {
    return createTableSql(schema, this.server ?? DEFAULT_SERVER, options?.typeOverrides);
  }

  createWarnings(schema: TableSchema, options?: CreateTableOptions): string[] {
    return droppedIdentityWarnings(schema, options?.typeOverrides);
  }

  async listRoutines(): Promise<string[]> {
    const rows = await this.run(() =>
      this.strings(`SELECT LOWER(ROUTINE_TYPE), ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE() ORDER BY 2, 1`),
    );
    return rows.map(([kind, name]) => `${kind ?? 'routine'} ${name ?? ''}`);
  }

  async targetState(table: string): Promise<TargetState> {
    await this.serverInfo();
    if ((await this.run(() => tableRows(this.strings, table))) === null) return 'missing';
    const rows = await this.run(() => this.strings(`SELECT 1 FROM ${quoteId(table)} LIMIT 1`), table);
    return rows.length > 0 ? 'rows' : 'empty';
  }

  async hasPrimaryKey(table: string): Promise<boolean> {
    const rows = await this.run(() =>
      this.strings(
        `SELECT 1 FROM information_schema.TABLE_CONSTRAINTS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ${lit(table)} ` +
          `AND CONSTRAINT_TYPE = 'PRIMARY KEY'`,
      ),
    );
    return rows.length > 0;
  }

  async createTable(schema: TableSchema, options?: CreateTableOptions): Promise<void> {
    await this.serverInfo();
    await this.run(() => this.strings(this.createTableSql(schema, options)));
    this.natives.delete(schema.name);
  }

  async truncate(table: string): Promise<void> {
    await this.serverInfo();
    try {
      await this.run(() => this.strings(`TRUNCATE TABLE ${quoteId(table)}`), table);
    } catch (err) {
      // InnoDB refuses TRUNCATE on a table other tables reference; DELETE honours the foreign keys.
      if (errorCode(err) !== 'ER_TRUNCATE_ILLEGAL_FK') throw err;
      await this.run(() => this.strings(`DELETE FROM ${quoteId(table)}`), table);
    }
  }

  // InnoDB clusters rows by the primary key: it is created with the table, never deferred.
  readonly defersPrimaryKey = false;

  async createIndexes(schema: TableSchema): Promise<void> {
    await this.serverInfo();
    const table = schema.name;
    const existing = await this.run(() =>
      this.strings(
        `SELECT DISTINCT INDEX_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ${lit(table)}`,
      ),
    );
    const names = new Set(existing.map((r) => r[0]!.toLowerCase()));
    const cols = await this.run(() => infoColumns(this.strings, table));
    const blobs = new Set(cols.filter((c) => BLOB_TYPES.has(c.dataType)).map((c) => c.name));
    for (const index of schema.indexes) {
      if (names.has(objectName(index.name).toLowerCase())) continue;
      await this.run(() => this.strings(createIndexSql(table, index, blobs)), table);
      names.add(objectName(index.name).toLowerCase());
    }
  }

  async dropForeignKeys(table: string): Promise<string[]> {
    await this.serverInfo();
    const rows = await this.run(() =>
      this.strings(
        `SELECT CONSTRAINT_NAME FROM information_schema.REFERENTIAL_CONSTRAINTS ` +
          `WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = ${lit(table)}`,
      ),
    );
    const names = rows.map((r) => r[0]!);
    for (const name of names) {
      await this.run(() => this.strings(`ALTER TABLE ${quoteId(table)} DROP FOREIGN KEY ${quoteId(name)}`), table);
    }
    return names;
  }

  async createForeignKeys(schema: TableSchema): Promise<void> {
    await this.serverInfo();
    const existing = await this.run(() =>
      this.strings(
        `SELECT CONSTRAINT_NAME FROM information_schema.REFERENTIAL_CONSTRAINTS ` +
          `WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = ${lit(schema.name)}`,
      ),
    );
    const names = new Set(existing.map((r) => r[0]!.toLowerCase()));
    for (const fk of schema.foreignKeys) {
      if (names.has(objectName(fk.name).toLowerCase())) continue;
      await this.run(() => this.strings(addForeignKeySql(schema.name, fk)), schema.name);
    }
  }

  lossyKindsOf(column: Column): LossyKind[] {
    return myProduces(column);
  }

  cannotHold(column: Column): LossyKind[] {
    const k = column.type.kind;
    return k === 'float' || k === 'decimal' ? ['nan'] : k === 'date' || k === 'timestamp' ? ['range'] : [];
  }

  overflowLimit(column: Column, schema: TableSchema): OverflowLimit | undefined {
    return myOverflowLimit(column, schema);
  }

  async countLossy(req: RangeRequest): Promise<Record<string, number>> {
    const q = myCountLossySelect(req.columns);
    if (!q) return {};
    const natives = await this.nativesOf(req.table);
    const where = rangeCondition(req.key, natives, req.range, this.binCollation());
    const [row] = await this.run(() => this.strings(`SELECT ${q.select} FROM ${this.from(req.table)} WHERE ${where}`), req.table);
    return Object.fromEntries(q.names.map((n, i) => [n, Number(row?.[i] ?? 0)]));
  }

  async firstLossy(req: RangeRequest): Promise<{ column: string; key: KeyTuple } | null> {
    const q = myFirstLossyParts(req.columns);
    if (!q) return null;
    const natives = await this.nativesOf(req.table);
    const coll = this.binCollation();
    const sql =
      `SELECT ${q.which}, ${keySelect(req.key, natives)} FROM ${this.from(req.table)} WHERE ${rangeCondition(req.key, natives, req.range, coll)} ` +
      `AND ${q.any} ORDER BY ${keyOrder(req.key, natives, coll)} LIMIT 1`;
    const [row] = await this.run(() => this.strings(sql), req.table);
    return row ? { column: q.names[Number(row[0])] ?? '?', key: row.slice(1).map((v) => v ?? '') } : null;
  }

  async readRange(req: RangeRequest): Promise<Readable> {
    const natives = await this.nativesOf(req.table);
    if (natives.size === 0) throw new MissingTableError(req.table, this.label);
    const coll = this.binCollation();
    const select = req.columns.map((c) => valueExpr(c, natives.get(c.name), 'transfer')).join(', ');
    const order = req.key.length > 0 ? ` ORDER BY ${keyOrder(req.key, natives, coll)}` : '';
    const sql = `SELECT ${select} FROM ${this.from(req.table)} WHERE ${rangeCondition(req.key, natives, req.range, coll)}${order}`;
    const conn = await this.connection();
    return streamRows(conn, sql, (err) => this.mapError(err, req.table), undefined, req.tap);
  }

  checksumForms(req: RangeRequest): Promise<ChecksumFromTransfer[] | null> {
    return Promise.resolve(checksumFromTransfer(req.columns, req.wholeRow, req.asPrinted));
  }

  async writeRange(req: RangeRequest, data: Readable): Promise<number> {
    const input = new LoadInput(data); // before any await: see LoadInput
    let conn: PoolConnection | undefined;
    try {
      const natives = await this.nativesOf(req.table);
      const where = rangeCondition(req.key, natives, req.range, this.binCollation());
      conn = await this.connection();
      const c = conn;
      return await this.run(() => loadRange(c, req.table, req.columns, natives, where, input), req.table);
    } catch (err) {
      if (conn === undefined) input.abort();
      const code = errorCode(err);
      if (code === 'ER_NOT_ALLOWED_COMMAND' || code === 'ER_CLIENT_LOCAL_FILES_DISABLED' || code === 'ER_LOAD_INFILE_CAPABILITY_DISABLED') {
        throw new FerryError(
          `${this.label} refuses LOAD DATA LOCAL INFILE, which ferry uses to write table "${req.table}"; ` +
            `enable it with SET GLOBAL local_infile = 1 (or local_infile=ON in the server configuration)`,
          { cause: err },
        );
      }
      throw err;
    }
  }

  async checksumRange(req: RangeRequest): Promise<RangeChecksum> {
    const natives = await this.nativesOf(req.table);
    const where = rangeCondition(req.key, natives, req.range, this.binCollation());
    const sql = `SELECT ${checksumSelect(req.columns, natives, req.wholeRow)} FROM ${this.from(req.table)} WHERE ${where}`;
    const [row] = await this.run(() => this.strings(sql), req.table);
    return { rows: Number(row?.[0] ?? 0), sum: row?.[1] ?? '0' };
  }

  async checksumParts(req: RangeRequest, ends: KeyTuple[]): Promise<RangeChecksum[]> {
    const natives = await this.nativesOf(req.table);
    const coll = this.binCollation();
    const part = partExpr(ends, (end) => rangeCondition(req.key, natives, { lo: null, hi: end }, coll));
    const where = rangeCondition(req.key, natives, req.range, coll);
    const sql = `SELECT ${part}, ${checksumSelect(req.columns, natives, req.wholeRow)} FROM ${this.from(req.table)} WHERE ${where} GROUP BY 1`;
    const rows = await this.run(() => this.strings(sql), req.table);
    return partsFromRows(ends.length + 1, rows.map((r) => [Number(r[0]), r[1] ?? null, r[2] ?? null]));
  }

  async digestCapacity(table: string, key: Column[]): Promise<number> {
    const server = await this.serverInfo();
    // MySQL 8 warns about a user variable set inside an expression, which the digest SQL does.
    if (!server.mariadb || this.views[table]) return 0;
    const [primary, natives, packet] = await Promise.all([this.primaryKeyOf(table), this.nativesOf(table), this.maxPacket()]);
    // The digest reads the rows in PRIMARY order, which is key order when every key column is compared as it is.
    const coll = this.binCollation();
    const inKeyOrder = primary.length === key.length && key.every((c, i) => primary[i] === c.name && keyExpr(c, natives.get(c.name), coll) === quoteId(c.name));
    return inKeyOrder ? Math.min(packet, DIGEST_BYTES) : 0;
  }

  async rowTextBytes(req: RangeRequest, rows: number): Promise<number> {
    if (!Number.isInteger(rows) || rows < 1) throw new FerryError(`probe size must be a positive integer, got ${rows}`);
    const natives = await this.nativesOf(req.table);
    const coll = this.binCollation();
    const sql = rowTextBytesSql(this.from(req.table), req.columns, natives, rangeCondition(req.key, natives, req.range, coll), rows, req.wholeRow, req.asPrinted);
    const [row] = await this.run(() => this.strings(sql), req.table);
    return Number(row?.[0] ?? 0);
  }

  async digestRange(req: RangeRequest): Promise<RangeDigest | null> {
    const natives = await this.nativesOf(req.table);
    const where = rangeCondition(req.key, natives, req.range, this.binCollation());
    const sql = `SELECT ${digestSelect(req.columns, natives, req.wholeRow, req.asPrinted)} FROM ${quoteId(req.table)} FORCE INDEX (PRIMARY) WHERE ${where}`;
    return this.run(async () => {
      const conn = await this.pool.getConnection();
      try {
        // GROUP_CONCAT stops at group_concat_max_len, and the server at max_allowed_packet, whatever is set.
        await conn.query('SET SESSION group_concat_max_len = @@max_allowed_packet');
        const [rows] = await conn.query({ sql, rowsAsArray: true, typeCast: stringCast });
        // Text cut at that length comes with a warning, not an error: such a digest covers only part of the rows.
        const [warned] = await conn.query({ sql: 'SELECT @@warning_count', rowsAsArray: true });
        if (Number((warned as unknown as unknown[][])[0]?.[0] ?? 0) > 0) return null;
        const row = (rows as unknown as (string | null)[][])[0];
        return { rows: Number(row?.[0] ?? 0), digest: row?.[1] ?? '' };
      } finally {
        conn.release();
      }
    }, req.table);
  }

  /** Columns of the table's PRIMARY KEY in index order (empty without one). */
  private async primaryKeyOf(table: string): Promise<string[]> {
    const sql =
      `SELECT COLUMN_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ${lit(table)} ` +
      `AND INDEX_NAME = 'PRIMARY' ORDER BY SEQ_IN_INDEX`;
    const rows = await this.run(() => this.strings(sql), table);
    return rows.map((r) => r[0] ?? '');
  }

  private packet?: Promise<number>;

  private maxPacket(): Promise<number> {
    this.packet ??= this.run(() => this.strings('SELECT @@max_allowed_packet')).then(
      (rows) => Number(rows[0]?.[0] ?? 0),
      (err: unknown) => {
        this.packet = undefined;
        throw err;
      },
    );
    return this.packet;
  }

  peerHashes(): Promise<string[]> {
    // MD5 is MySQL's cheapest hash wide enough for a sum; CRC32 is cheaper but 32 bits.
    return Promise.resolve([]);
  }

  async countRange(table: string, key: Column[], range: KeyRange): Promise<number> {
    const natives = await this.nativesOf(table);
    const where = rangeCondition(key, natives, range, this.binCollation());
    const [row] = await this.run(() => this.strings(`SELECT COUNT(*) FROM ${this.from(table)} WHERE ${where}`), table);
    return Number(row?.[0] ?? 0);
  }

  async maxValue(table: string, column: Column): Promise<string | null> {
    const natives = await this.nativesOf(table);
    const [row] = await this.run(() => this.strings(maxValueSql(this.from(table), column, natives)), table);
    return row?.[0] ?? null;
  }

  async changeChunkEnd(req: ChangeRequest, rows: number): Promise<KeyTuple | null> {
    const natives = await this.nativesOf(req.table);
    const [row] = await this.run(() => this.strings(changeChunkEndSql(req, this.from(req.table), natives, this.binCollation(), rows)), req.table);
    return row ? row.map((v) => v ?? '') : null;
  }

  async readChanges(req: ChangeRequest): Promise<Readable> {
    const natives = await this.nativesOf(req.table);
    if (natives.size === 0) throw new MissingTableError(req.table, this.label);
    const conn = await this.connection();
    return streamRows(conn, readChangesSql(req, this.from(req.table), natives, this.binCollation()), (err) => this.mapError(err, req.table));
  }

  async upsertRows(req: KeyedTable, data: Readable): Promise<number> {
    const input = new LoadInput(data); // before any await: see LoadInput
    let conn: PoolConnection | undefined;
    try {
      const natives = await this.nativesOf(req.table);
      conn = await this.connection();
      const c = conn;
      return await this.run(() => upsertLoaded(c, req.table, req.columns, req.key, natives, input), req.table);
    } catch (err) {
      if (conn === undefined) input.abort();
      throw err;
    }
  }

  async deleteKeys(table: string, key: Column[], keys: KeyTuple[]): Promise<number> {
    const natives = await this.nativesOf(table);
    return this.run(() => deleteKeysMysql(this.pool, deleteKeysSql(table, key, keys, natives, this.binCollation())), table);
  }

  async close(): Promise<void> {
    // A connection that never got through the handshake makes end() reject with that old error;
    // closing must still succeed.
    await this.pool.end().catch(() => undefined);
  }

  /** Runs SQL and returns rows as arrays of server text (see mysql-read.ts stringCast). */
  private readonly strings = async (sql: string): Promise<(string | null)[][]> => {
    const [rows] = await this.pool.query({ sql, rowsAsArray: true, typeCast: stringCast });
    return Array.isArray(rows) ? (rows as unknown as (string | null)[][]) : [];
  };

  private binCollation(): string {
    return (this.server ?? DEFAULT_SERVER).binCollation;
  }

  private serverInfo(): Promise<ServerInfo> {
    if (this.server) return Promise.resolve(this.server);
    this.serverPending ??= this.run(() => this.strings('SELECT VERSION()')).then(
      (rows) => (this.server = serverInfoFromVersion(rows[0]?.[0] ?? '')),
      (err: unknown) => {
        this.serverPending = undefined; // let the next call try again
        throw err;
      },
    );
    return this.serverPending;
  }

  /** Tables read through a view (see {@link viewing}); empty on the dialect the cache hands out. */
  private views: Record<string, SourceView> = {};

  viewing(views: Record<string, SourceView>): Dialect {
    // Shares the pool and caches; only the views differ.
    const scoped = Object.create(this) as MysqlDialect;
    scoped.views = views;
    return scoped;
  }

  /** What a read selects FROM: the table, or the derived table of its view. */
  private from(table: string): string {
    const view = this.views[table];
    return view ? viewFromSql(quoteId(table), view, quoteId) : quoteId(table);
  }

  /** Native column facts by the names reads use: a view's columns carry their source column's. */
  private async nativesOf(table: string): Promise<NativeColumns> {
    const base = await this.tableNatives(table);
    const view = this.views[table];
    if (!view || base.size === 0) return base;
    const out = new Map<string, NativeColumn>();
    for (const c of view.columns) {
      const n = base.get(viewSourceColumn(view, c.name) ?? '');
      if (n) out.set(c.name, n);
    }
    return out;
  }

  private async tableNatives(table: string): Promise<NativeColumns> {
    await this.serverInfo();
    let natives = this.natives.get(table);
    if (!natives) {
      natives = this.run(() => infoColumns(this.strings, table)).then(nativeColumns);
      this.natives.set(table, natives);
      // A missing table (or a failed lookup) is not remembered: it may be created later.
      natives.then(
        (m) => m.size === 0 && this.natives.delete(table),
        () => this.natives.delete(table),
      );
    }
    return natives;
  }

  private async connection(): Promise<PoolConnection> {
    return this.run(() => this.pool.getConnection());
  }

  /** Runs `fn`, turning connection faults into ConnectionError and an unknown table into MissingTableError. */
  private async run<T>(fn: () => Promise<T>, table?: string): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw this.mapError(err, table);
    }
  }

  private mapError(err: unknown, table?: string): unknown {
    if (table !== undefined && errorCode(err) === 'ER_NO_SUCH_TABLE') return new MissingTableError(table, this.label);
    return permissionError(err, this.target, table) ?? connectionError(err, this.target) ?? statementError(err, this.label) ?? err;
  }
}
