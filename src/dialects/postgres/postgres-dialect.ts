/**
 * The PostgreSQL dialect: one pool per connection URL, every session in UTC with ISO dates so values
 * read and written as text mean the same thing on every worker.
 */
import type { Readable } from 'node:stream';
import pg from 'pg';
import type { Column, LossyKind, OverflowLimit, TableSchema } from '../../core/column-model.js';
import type { KeyRange, KeyTuple } from '../../core/key-range.js';
import type { SourceView } from '../../core/table-mapping.js';
import { describeUrl } from '../../job/connection-url.js';
import { FerryError } from '../../errors.js';
import type { ChangeRequest, ChecksumFromTransfer, CreateIndexesOptions, CreateTableOptions, Dialect, KeyedTable, RangeChecksum, RangeDigest, RangeRequest, TargetState, WriteRangeOptions } from '../dialect.js';
import { partsFromRows } from '../part-sql.js';
import { poolSize } from '../pool-size.js';
import { viewFromSql, viewSourceColumn } from '../view-sql.js';
import { wrapPgError } from './postgres-errors.js';
import { copyOut, replaceWithCopy } from './postgres-copy.js';
import { CopyLineTap } from './copy-line-tap.js';
import { addPrimaryKey, hasPrimaryKey, releasePrimaryKey, type KeyRelease } from './postgres-primary-key.js';
import { listPgRoutines } from './postgres-catalog.js';
import { pgCountLossySql, pgFirstLossySql, pgProduces } from './postgres-lossy.js';
import { byteOrderedColumns, introspectPg, listPgTables, qualified } from './postgres-introspect.js';
import { PG_RECORD_HASH, PG_TEXT_HASH, checksumFromTransfer, checksumSql, digestSql, partChecksumSql, rowTextBytesSql, keyOrderBy, keySelect, quoteIdent, rangePredicate, transferExpr, type KeyColumnSql } from './postgres-sql.js';
import { pgOverflowLimit, pgTypeFor } from './postgres-types.js';
import { pgWriteInput } from './postgres-arrays.js';
import { createTableStatements, identityResetSql } from './postgres-ddl.js';
import { changeChunkEndSql, changeColumns, maxValueSql, readChangesSql } from './postgres-changes.js';
import { deleteKeysPg, upsertWithCopy } from './postgres-upsert.js';

// Numeric and int8 come back as strings by default; keep it that way so nothing is rounded.
// No parallel workers per query: ferry already runs `parallelism` key ranges at once, and on a busy
// server a Gather's workers only compete with those (a 1M-row diff's checksums took ~5% longer with them).
const SESSION_OPTIONS =
  '-c TimeZone=UTC -c DateStyle=ISO,YMD -c bytea_output=hex -c extra_float_digits=1 -c standard_conforming_strings=on -c IntervalStyle=iso_8601 ' +
  '-c max_parallel_workers_per_gather=0';

/**
 * Checksum text one digest piece may hold: string_agg keeps all of it in the backend's memory until md5
 * reads it, and a job runs several pieces at once.
 */
const DIGEST_BYTES = 16 * 1024 * 1024;
/** SQLSTATEs of a string too long to build: program_limit_exceeded, out_of_memory. */
const TOO_LONG = new Set(['54000', '53200']);

export class PostgresDialect implements Dialect {
  readonly engine = 'postgres' as const;
  readonly copyDigestHash = 'hashtext-sum' as const;
  readonly label: string;
  private readonly byteOrdered = new Map<string, Promise<Set<string>>>();

  private constructor(
    private readonly pool: pg.Pool,
    private readonly schema: string,
    label: string,
  ) {
    this.label = label;
  }

  /** Opens a pool for a `postgres://` URL (placeholders already expanded). `?schema=` picks the schema (default public). */
  static open(url: string, options: { maxConnections?: number } = {}): PostgresDialect {
    const u = new URL(url);
    const schema = u.searchParams.get('schema') ?? 'public';
    u.searchParams.delete('schema');
    // sslmode means what it means to libpq (psql, pg_dump): `require` encrypts without verifying, `verify-ca`
    // checks the chain, `verify-full` also the host. pg alone would treat require and verify-ca as verify-full.
    if (u.searchParams.has('sslmode') && !u.searchParams.has('uselibpqcompat')) u.searchParams.set('uselibpqcompat', 'true');
    const pool = new pg.Pool({
      connectionString: u.toString().replace(/^postgresql:/, 'postgres:'),
      options: SESSION_OPTIONS,
      max: options.maxConnections ?? poolSize(),
      connectionTimeoutMillis: 15_000,
      idleTimeoutMillis: 30_000,
    });
    const label = describeUrl(url);
    // An idle client losing its server must not crash the worker; the next query reconnects.
    pool.on('error', () => undefined);
    return new PostgresDialect(pool, schema, label);
  }

  private get where(): string {
    return `${this.label} (schema ${this.schema})`;
  }

  /** Tables read through a view (see {@link viewing}); empty on the dialect the cache hands out. */
  private views: Record<string, SourceView> = {};

  viewing(views: Record<string, SourceView>): Dialect {
    // Shares the pool and caches; only the views differ.
    const scoped = Object.create(this) as PostgresDialect;
    scoped.views = views;
    return scoped;
  }

  private table(name: string): string {
    const view = this.views[name];
    return view ? viewFromSql(qualified(this.schema, name), view, quoteIdent) : qualified(this.schema, name);
  }

  private async run<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw wrapPgError(e, this.label, what);
    }
  }

  private async keySql(table: string, key: Column[]): Promise<KeyColumnSql[]> {
    let cached = this.byteOrdered.get(table);
    if (!cached) {
      cached = byteOrderedColumns(this.pool, this.schema, table);
      this.byteOrdered.set(table, cached);
    }
    const ordered = await cached;
    const view = this.views[table];
    return key.map((column) => ({ column, byteOrdered: ordered.has(viewSourceColumn(view, column.name) ?? '') }));
  }

  listTables(): Promise<string[]> {
    return this.run('listing tables', () => listPgTables(this.pool, this.schema));
  }

  introspect(table: string, declaredKey?: string[]): Promise<TableSchema> {
    return this.run(`reading table "${table}"`, () => introspectPg(this.pool, this.schema, table, this.where, declaredKey));
  }

  findDuplicateKey(table: string, key: Column[]): Promise<{ value: (string | null)[]; count: number } | null> {
    return this.run(`checking the key of "${table}"`, async () => {
      const ks = await this.keySql(table, key);
      const cols = key.map((c) => quoteIdent(c.name));
      // Deterministic collations compare equal only byte-equal strings, so plain GROUP BY matches ferry's byte-wise ranges.
      const r = await this.pool.query({
        text:
          `SELECT ${keySelect(ks)}, count(*)::text FROM ${this.table(table)} GROUP BY ${cols.join(', ')} ` +
          `HAVING count(*) > 1 OR ${cols.map((c) => `count(*) > count(${c})`).join(' OR ')} LIMIT 1`,
        rowMode: 'array',
      });
      const row = r.rows[0] as (string | null)[] | undefined;
      return row ? { value: row.slice(0, key.length), count: Number(row[key.length]) } : null;
    });
  }

  integerKeyExtent(table: string, key: Column): Promise<{ min: string; max: string } | null> {
    return this.run(`reading key extent of "${table}"`, async () => {
      const k = quoteIdent(key.name);
      const r = await this.pool.query<{ min: string | null; max: string | null }>(
        `SELECT min(${k})::text AS min, max(${k})::text AS max FROM ${this.table(table)}`,
      );
      const row = r.rows[0];
      return row?.min != null && row.max != null ? { min: row.min, max: row.max } : null;
    });
  }

  sampleKeyBounds(table: string, key: Column[], parts: number): Promise<KeyTuple[]> {
    return this.run(`sampling keys of "${table}"`, async () => {
      const ks = await this.keySql(table, key);
      const total = await this.countRange(table, key, { lo: null, hi: null });
      const bounds: KeyTuple[] = [];
      for (let i = 1; i < parts && total > 0; i++) {
        const offset = Math.floor((i * total) / parts) - 1;
        if (offset < 0) continue;
        const r = await this.pool.query({
          text: `SELECT ${keySelect(ks)} FROM ${this.table(table)} ORDER BY ${keyOrderBy(ks)} LIMIT 1 OFFSET ${offset}`,
          rowMode: 'array',
        });
        const row = r.rows[0] as string[] | undefined;
        if (row && !bounds.some((b) => JSON.stringify(b) === JSON.stringify(row))) bounds.push(row);
      }
      return bounds;
    });
  }

  chunkEnd(table: string, key: Column[], range: KeyRange, rows: number): Promise<KeyTuple | null> {
    return this.run(`finding the next chunk of "${table}"`, async () => {
      const ks = await this.keySql(table, key);
      const r = await this.pool.query({
        text:
          `SELECT ${keySelect(ks)} FROM ${this.table(table)} WHERE ${rangePredicate(ks, range)} ` +
          `ORDER BY ${keyOrderBy(ks)} LIMIT 1 OFFSET ${Math.max(0, rows - 1)}`,
        rowMode: 'array',
      });
      return (r.rows[0] as string[] | undefined) ?? null;
    });
  }

  nativeType(table: string, column: Column): string {
    return pgTypeFor(column, (_values, typeName) => this.enumTypeName(table, column, typeName), table);
  }

  private enumTypeName(table: string, column: Column, typeName?: string): string {
    return qualified(this.schema, typeName ?? `${table}_${column.name}`.slice(0, 63));
  }

  /** CREATE TYPE for each enum, then CREATE TABLE and COMMENT statements, joined for display. */
  createTableSql(schema: TableSchema, options: CreateTableOptions = {}): string {
    const st = createTableStatements(schema, this.table(schema.name), options, (c) => this.nativeType(schema.name, c), (c, n) => this.enumTypeName(schema.name, c, n));
    return [...st.types.map((t) => t.sql), st.table, ...st.comments].join(';\n');
  }
  createWarnings(): string[] {
    // PostgreSQL takes any number of identity columns, so everything createTableSql is given is carried.
    return [];
  }

  listRoutines(): Promise<string[]> {
    return this.run('listing routines', () => listPgRoutines(this.pool, this.schema));
  }

  targetState(table: string): Promise<TargetState> {
    return this.run(`checking target table "${table}"`, async () => {
      const exists = await this.pool.query(
        `SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r','p')`,
        [this.schema, table],
      );
      if (exists.rowCount === 0) return 'missing';
      const any = await this.pool.query(`SELECT 1 FROM ${this.table(table)} LIMIT 1`);
      return any.rowCount === 0 ? 'empty' : 'rows';
    });
  }

  hasPrimaryKey(table: string): Promise<boolean> {
    return this.run(`checking the primary key of "${table}"`, () => hasPrimaryKey(this.pool, this.schema, table));
  }

  async createTable(schema: TableSchema, options: CreateTableOptions = {}): Promise<void> {
    const st = createTableStatements(schema, this.table(schema.name), options, (c) => this.nativeType(schema.name, c), (c, n) => this.enumTypeName(schema.name, c, n));
    await this.run(`creating table "${schema.name}"`, async () => {
      for (const t of st.types) {
        // An enum type of the same name may exist already (another table, an earlier run): reuse it.
        const found = await this.pool.query(`SELECT to_regtype($1) IS NOT NULL AS found`, [t.name]);
        if (!(found.rows[0] as { found: boolean } | undefined)?.found) await this.pool.query(t.sql);
      }
      await this.pool.query(st.table);
      for (const c of st.comments) await this.pool.query(c);
    });
  }

  async truncate(table: string): Promise<void> {
    await this.run(`truncating "${table}"`, () => this.pool.query(`TRUNCATE ${this.table(table)}`));
  }

  readonly defersPrimaryKey = true;

  releasePrimaryKey(table: string, key: string[]): Promise<KeyRelease> {
    return this.run(`dropping the primary key of "${table}" for the load`, () => releasePrimaryKey(this.pool, this.schema, table, this.table(table), key));
  }

  async createIndexes(schema: TableSchema, options: CreateIndexesOptions = {}): Promise<void> {
    if (options.primaryKey && schema.hasPrimaryKey && schema.primaryKey.length > 0) {
      await this.run(`adding the primary key of "${schema.name}"`, () => addPrimaryKey(this.pool, this.schema, schema.name, this.table(schema.name), schema.primaryKey));
    }
    // After the load: identity/serial sequences continue past the copied maximum.
    for (const c of schema.columns.filter((x) => x.identity)) {
      await this.run(`setting the next value of ${schema.name}.${c.name}`, () => this.pool.query(identityResetSql(this.table(schema.name), c.name)));
    }
    for (const ix of schema.indexes) {
      // Index names are unique per schema in PostgreSQL but per table in MySQL: prefix with the table.
      const name = (ix.name.startsWith(schema.name) ? ix.name : `${schema.name}_${ix.name}`).slice(0, 63);
      await this.run(`creating index ${name}`, () =>
        this.pool.query(
          `CREATE ${ix.unique ? 'UNIQUE ' : ''}INDEX IF NOT EXISTS ${quoteIdent(name)} ON ${this.table(schema.name)} (${ix.columns.map(quoteIdent).join(', ')})`,
        ),
      );
    }
  }

  dropForeignKeys(table: string): Promise<string[]> {
    return this.run(`dropping foreign keys of "${table}"`, async () => {
      const r = await this.pool.query<{ name: string }>(
        `SELECT con.conname AS name FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = $1 AND c.relname = $2 AND con.contype = 'f'`,
        [this.schema, table],
      );
      for (const { name } of r.rows) await this.pool.query(`ALTER TABLE ${this.table(table)} DROP CONSTRAINT ${quoteIdent(name)}`);
      return r.rows.map((row) => row.name);
    });
  }

  async createForeignKeys(schema: TableSchema): Promise<void> {
    for (const fk of schema.foreignKeys) {
      await this.run(`creating foreign key ${fk.name} on "${schema.name}"`, async () => {
        const exists = await this.pool.query(
          `SELECT 1 FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = $1 AND c.relname = $2 AND con.conname = $3`,
          [this.schema, schema.name, fk.name],
        );
        if (exists.rowCount) return;
        await this.pool.query(
          `ALTER TABLE ${this.table(schema.name)} ADD CONSTRAINT ${quoteIdent(fk.name)} FOREIGN KEY (${fk.columns.map(quoteIdent).join(', ')}) ` +
            `REFERENCES ${this.table(fk.refTable)} (${fk.refColumns.map(quoteIdent).join(', ')}) ON DELETE ${fk.onDelete} ON UPDATE ${fk.onUpdate}`,
        );
      });
    }
  }

  readRange(req: RangeRequest): Promise<Readable> {
    return this.run(`reading "${req.table}"`, async () => {
      const ks = await this.keySql(req.table, req.key);
      // Binary rows go to a table of the same types (see binaryForm): the values as stored, no transfer forms.
      const select = req.binary ? req.columns.map((c) => quoteIdent(c.name)) : req.columns.map(transferExpr);
      const sql =
        `COPY (SELECT ${select.join(', ')} FROM ${this.table(req.table)} ` +
        `WHERE ${rangePredicate(ks, req.range)} ORDER BY ${keyOrderBy(ks)}) TO STDOUT${req.binary ? ' (FORMAT binary)' : ''}`;
      const out = await copyOut(this.pool, sql);
      if (!req.tap || req.binary) return out;
      const tapped = new CopyLineTap(req.tap);
      out.on('error', (e) => tapped.destroy(e));
      // Destroying the tapped stream (a failed load) ends the COPY and releases its connection too.
      tapped.on('close', () => out.destroy());
      return out.pipe(tapped);
    });
  }

  checksumForms(req: RangeRequest): Promise<ChecksumFromTransfer[] | null> {
    return Promise.resolve(this.views[req.table] ? null : checksumFromTransfer(req.columns, req.asPrinted));
  }

  binaryForm(table: string, columns: Column[]): Promise<string | null> {
    return this.run(`reading the column types of "${table}"`, async () => {
      if (this.views[table]) return null;
      const r = await this.pool.query<{ attname: string; type: string; builtin: boolean; server: string }>(
        `SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS type, t.typnamespace = 'pg_catalog'::regnamespace AS builtin,
                (current_setting('server_version_num')::int / 10000) || ' ' || current_setting('server_encoding') AS server
         FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
         WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped`,
        [qualified(this.schema, table)],
      );
      const byName = new Map(r.rows.map((row) => [row.attname, row]));
      const types: string[] = [];
      for (const c of columns) {
        const row = byName.get(c.name);
        if (!row || !row.builtin) return null;
        types.push(row.type);
      }
      return `${r.rows[0]?.server ?? ''}: ${types.join(', ')}`;
    });
  }

  writeRange(req: RangeRequest, data: Readable, options: WriteRangeOptions = {}): Promise<number> {
    return this.run(`writing "${req.table}"`, async () => {
      const ks = await this.keySql(req.table, req.key);
      const del = options.fresh ? undefined : `DELETE FROM ${this.table(req.table)} WHERE ${rangePredicate(ks, req.range)}`;
      const columns = req.columns.map((c) => quoteIdent(c.name)).join(', ');
      if (req.binary) return replaceWithCopy(this.pool, del, `COPY ${this.table(req.table)} (${columns}) FROM STDIN (FORMAT binary)`, data);
      return replaceWithCopy(this.pool, del, `COPY ${this.table(req.table)} (${columns}) FROM STDIN`, pgWriteInput(req.columns, data));
    });
  }

  lossyKindsOf(column: Column): LossyKind[] {
    return pgProduces(column);
  }

  cannotHold(column: Column): LossyKind[] {
    const k = column.type.kind;
    return k === 'text' ? ['nul'] : k === 'date' || k === 'timestamp' ? ['zero-date'] : [];
  }

  overflowLimit(column: Column): OverflowLimit | undefined {
    return pgOverflowLimit(column);
  }

  countLossy(req: RangeRequest): Promise<Record<string, number>> {
    return this.run(`counting lossy values in "${req.table}"`, async () => {
      const q = pgCountLossySql(this.table(req.table), req.columns, await this.keySql(req.table, req.key), req.range);
      if (!q) return {};
      const row = (await this.pool.query<Record<string, string>>(q.sql)).rows[0] ?? {};
      return Object.fromEntries(q.names.map((n, i) => [n, Number(row[`c${i}`] ?? 0)]));
    });
  }

  firstLossy(req: RangeRequest): Promise<{ column: string; key: KeyTuple } | null> {
    return this.run(`looking for lossy values in "${req.table}"`, async () => {
      const ks = await this.keySql(req.table, req.key);
      const q = pgFirstLossySql(this.table(req.table), req.columns, ks, req.range);
      if (!q) return null;
      const row = (await this.pool.query({ text: q.sql, rowMode: 'array' })).rows[0] as (string | number | null)[] | undefined;
      if (!row) return null;
      return { column: q.names[Number(row[0])] ?? '?', key: row.slice(1).map((v) => (v === null ? '' : String(v))) };
    });
  }

  checksumRange(req: RangeRequest): Promise<RangeChecksum> {
    return this.run(`checksumming "${req.table}"`, async () => {
      const ks = await this.keySql(req.table, req.key);
      const r = await this.pool.query<{ rows: string; sum: string }>(checksumSql(this.table(req.table), req.columns, ks, req.range, req.wholeRow, req.peerHash));
      return { rows: Number(r.rows[0]?.rows ?? 0), sum: r.rows[0]?.sum ?? '0' };
    });
  }

  checksumParts(req: RangeRequest, ends: KeyTuple[]): Promise<RangeChecksum[]> {
    return this.run(`checksumming "${req.table}"`, async () => {
      const ks = await this.keySql(req.table, req.key);
      const sql = partChecksumSql(this.table(req.table), req.columns, ks, req.range, ends, req.wholeRow, req.peerHash);
      const r = await this.pool.query<{ part: number; rows: string; sum: string }>(sql);
      return partsFromRows(ends.length + 1, r.rows.map((x) => [Number(x.part), x.rows, x.sum]));
    });
  }

  digestCapacity(): Promise<number> {
    return Promise.resolve(DIGEST_BYTES);
  }

  rowTextBytes(req: RangeRequest, rows: number): Promise<number> {
    if (!Number.isInteger(rows) || rows < 1) throw new FerryError(`probe size must be a positive integer, got ${rows}`);
    return this.run(`checksumming "${req.table}"`, async () => {
      const ks = await this.keySql(req.table, req.key);
      const r = await this.pool.query<{ bytes: string }>(rowTextBytesSql(this.table(req.table), req.columns, ks, req.range, rows, req.wholeRow));
      return Number(r.rows[0]?.bytes ?? 0);
    });
  }

  digestRange(req: RangeRequest): Promise<RangeDigest | null> {
    return this.run(`checksumming "${req.table}"`, async () => {
      const ks = await this.keySql(req.table, req.key);
      try {
        // Two statements in one simple query run in one transaction, which the SET LOCAL lasts for.
        const results = (await this.pool.query(digestSql(this.table(req.table), req.columns, ks, req.range, req.wholeRow, req.digestHash))) as unknown as pg.QueryResult<{ rows: string; digest: string }>[];
        const row = results[results.length - 1]?.rows[0];
        return { rows: Number(row?.rows ?? 0), digest: row?.digest ?? '' };
      } catch (e) {
        // Rows far longer than the probe found: too much text for one string. The caller checksums instead.
        if (TOO_LONG.has((e as { code?: string }).code ?? '')) return null;
        throw e;
      }
    });
  }

  private peerHashList?: Promise<string[]>;

  peerHashes(): Promise<string[]> {
    // hash_record_extended arrived in PostgreSQL 14; hashtextextended is older than any supported server.
    this.peerHashList ??= this.run('reading the server version', async () => {
      const r = await this.pool.query<{ v: string }>(`SELECT current_setting('server_version_num') AS v`);
      return Number(r.rows[0]?.v ?? 0) >= 140000 ? [PG_RECORD_HASH, PG_TEXT_HASH] : [PG_TEXT_HASH];
    }).catch((e: unknown) => {
      this.peerHashList = undefined;
      throw e;
    });
    return this.peerHashList;
  }

  countRange(table: string, key: Column[], range: KeyRange): Promise<number> {
    return this.run(`counting "${table}"`, async () => {
      const ks = await this.keySql(table, key);
      const r = await this.pool.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${this.table(table)} WHERE ${rangePredicate(ks, range)}`);
      return Number(r.rows[0]?.n ?? 0);
    });
  }

  maxValue(table: string, column: Column): Promise<string | null> {
    return this.run(`reading the high-water mark of "${table}"."${column.name}"`, async () => {
      const [k] = await this.keySql(table, [column]);
      const r = await this.pool.query({ text: maxValueSql(this.table(table), k!), rowMode: 'array' });
      return (r.rows[0] as (string | null)[] | undefined)?.[0] ?? null;
    });
  }

  changeChunkEnd(req: ChangeRequest, rows: number): Promise<KeyTuple | null> {
    return this.run(`finding the next changes of "${req.table}"`, async () => {
      const ks = await this.keySql(req.table, changeColumns(req));
      const r = await this.pool.query({ text: changeChunkEndSql(this.table(req.table), ks, req, rows), rowMode: 'array' });
      return (r.rows[0] as string[] | undefined) ?? null;
    });
  }

  readChanges(req: ChangeRequest): Promise<Readable> {
    return this.run(`reading changes of "${req.table}"`, async () => {
      const ks = await this.keySql(req.table, changeColumns(req));
      return copyOut(this.pool, readChangesSql(this.table(req.table), ks, req));
    });
  }

  upsertRows(req: KeyedTable, data: Readable): Promise<number> {
    return this.run(`upserting into "${req.table}"`, () => upsertWithCopy(this.pool, this.table(req.table), req.columns, req.key, pgWriteInput(req.columns, data)));
  }

  deleteKeys(table: string, key: Column[], keys: KeyTuple[]): Promise<number> {
    return this.run(`deleting rows of "${table}"`, () => deleteKeysPg(this.pool, this.table(table), key, keys));
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
