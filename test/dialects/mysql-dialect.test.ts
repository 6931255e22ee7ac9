/**
 * The MySQL dialect against the real MariaDB at 127.0.0.1:3306 (database `test`). Tables are named
 * ferry_t_* and dropped afterwards.
 */
import { createHash } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Column, TableSchema } from '../../src/core/column-model.js';
import { FULL_RANGE, rangesFromBounds, type KeyRange } from '../../src/core/key-range.js';
import { decodeRow } from '../../src/core/transfer-text.js';
import type { RangeRequest } from '../../src/dialects/dialect.js';
import { MysqlDialect } from '../../src/dialects/mysql/mysql-dialect.js';
import { ConnectionError, FerryError, MissingTableError, UnmappableTypeError } from '../../src/errors.js';

const URL = process.env['FERRY_TEST_MYSQL_URL'] ?? 'mysql://root@127.0.0.1:3306/test';
let dialect: MysqlDialect;
let admin: mysql.Connection;

async function sql(text: string, values?: unknown[]): Promise<void> {
  await admin.query(text, values);
}

async function dropAll(): Promise<void> {
  const [rows] = await admin.query<mysql.RowDataPacket[]>(
    "SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'test' AND TABLE_NAME LIKE 'ferry\\_t\\_%'",
  );
  await sql('SET FOREIGN_KEY_CHECKS = 0');
  for (const r of rows) await sql(`DROP TABLE IF EXISTS \`${String(r['t'])}\``);
  await sql('SET FOREIGN_KEY_CHECKS = 1');
}

async function readAll(req: RangeRequest): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of await dialect.readRange(req)) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function req(schema: TableSchema, range: KeyRange = FULL_RANGE, table = schema.name): RangeRequest {
  const key = schema.primaryKey.map((k) => schema.columns.find((c) => c.name === k)!);
  return { table, columns: schema.columns, key, range };
}

beforeAll(async () => {
  admin = await mysql.createConnection({ uri: URL, charset: 'utf8mb4', multipleStatements: false });
  await dropAll();
  dialect = MysqlDialect.open(URL);
});

afterAll(async () => {
  await dropAll();
  await admin.end();
  await dialect.close();
});

const col = (name: string, type: Column['type'], nullable = true): Column => ({ name, type, nullable, nativeType: type.kind });

describe('MysqlDialect introspection', () => {
  it('maps many types, the key, indexes and foreign keys', async () => {
    await sql('CREATE TABLE ferry_t_parent (id INT PRIMARY KEY)');
    await sql(`CREATE TABLE ferry_t_types (
      id BIGINT UNSIGNED NOT NULL PRIMARY KEY, b BOOL, ti TINYINT, si SMALLINT UNSIGNED, mi MEDIUMINT, i INT NOT NULL,
      d DECIMAL(12,4), f FLOAT, dbl DOUBLE, c CHAR(5) NOT NULL, vc VARCHAR(40), tx TEXT, bn BINARY(4), vb VARBINARY(16),
      bl BLOB, dt DATE, tm TIME(3), dtm DATETIME(6), ts TIMESTAMP(6) NULL, j JSON, u UUID, y YEAR, parent_id INT,
      INDEX idx_vc (vc), UNIQUE KEY uq_c (c, i),
      CONSTRAINT fk_parent FOREIGN KEY (parent_id) REFERENCES ferry_t_parent (id) ON DELETE CASCADE)`);
    const s = await dialect.introspect('ferry_t_types');
    const types = Object.fromEntries(s.columns.map((c) => [c.name, c.type]));
    expect(types).toEqual({
      id: { kind: 'int', bytes: 8, unsigned: true },
      b: { kind: 'bool' },
      ti: { kind: 'int', bytes: 1 },
      si: { kind: 'int', bytes: 2, unsigned: true },
      mi: { kind: 'int', bytes: 3 },
      i: { kind: 'int', bytes: 4 },
      d: { kind: 'decimal', precision: 12, scale: 4 },
      f: { kind: 'float', bytes: 4 },
      dbl: { kind: 'float', bytes: 8 },
      c: { kind: 'text', length: 5, fixed: true },
      vc: { kind: 'text', length: 40 },
      tx: { kind: 'text' },
      bn: { kind: 'binary', length: 4, fixed: true },
      vb: { kind: 'binary', length: 16 },
      bl: { kind: 'binary' },
      dt: { kind: 'date' },
      tm: { kind: 'time', precision: 3 },
      dtm: { kind: 'timestamp', precision: 6, tz: false },
      ts: { kind: 'timestamp', precision: 6, tz: true },
      j: { kind: 'json', binary: false },
      u: { kind: 'uuid' },
      y: { kind: 'int', bytes: 2 },
      parent_id: { kind: 'int', bytes: 4 },
    });
    expect(s.columns.map((c) => c.name)[0]).toBe('id');
    expect(s.columns.find((c) => c.name === 'i')!.nullable).toBe(false);
    expect(s.primaryKey).toEqual(['id']);
    expect(s.hasPrimaryKey).toBe(true);
    expect(s.indexes).toContainEqual({ name: 'idx_vc', columns: ['vc'], unique: false });
    expect(s.indexes).toContainEqual({ name: 'uq_c', columns: ['c', 'i'], unique: true });
    expect(s.foreignKeys).toEqual([
      { name: 'fk_parent', columns: ['parent_id'], refTable: 'ferry_t_parent', refColumns: ['id'], onDelete: 'CASCADE', onUpdate: 'RESTRICT' },
    ]);
    expect(s.estimatedRows).toBeGreaterThanOrEqual(0);
    const tables = await dialect.listTables();
    expect(tables.filter((t) => t.startsWith('ferry_t_'))).toEqual(['ferry_t_parent', 'ferry_t_types']);
  });

  it('uses a unique not-null key when there is no primary key; a declared key overrides it', async () => {
    await sql('CREATE TABLE ferry_t_nopk (a INT NULL, b VARCHAR(10) NOT NULL, c INT NOT NULL, UNIQUE KEY ua (a), UNIQUE KEY ubc (b, c))');
    const s = await dialect.introspect('ferry_t_nopk');
    expect(s.primaryKey).toEqual(['b', 'c']);
    expect(s.hasPrimaryKey).toBe(false);
    const d = await dialect.introspect('ferry_t_nopk', ['c']);
    expect(d.primaryKey).toEqual(['c']);
    await expect(dialect.introspect('ferry_t_nopk', ['nope'])).rejects.toThrow(/nope.*ferry_t_nopk/);
    await expect(dialect.introspect('ferry_t_nopk', ['nope'])).rejects.toBeInstanceOf(FerryError);
  });

  it('throws MissingTableError and UnmappableTypeError', async () => {
    await expect(dialect.introspect('ferry_t_missing')).rejects.toBeInstanceOf(MissingTableError);
    await expect(dialect.introspect('ferry_t_missing')).rejects.toThrow(/mysql:\/\/127\.0\.0\.1:3306\/test/);
    const missing = { table: 'ferry_t_missing', columns: [col('id', { kind: 'int', bytes: 4 })], key: [], range: FULL_RANGE };
    await expect(dialect.readRange(missing)).rejects.toBeInstanceOf(MissingTableError);
    await expect(dialect.checksumRange(missing)).rejects.toBeInstanceOf(MissingTableError);
    await expect(dialect.writeRange(missing, Readable.from([Buffer.from('1\n')]))).rejects.toBeInstanceOf(MissingTableError);
    // A spatial column has no equivalent without PostGIS: it is read (as WKT) but not created without a types override.
    await sql('CREATE TABLE ferry_t_enum (id INT PRIMARY KEY, e POINT)');
    const e = (await dialect.introspect('ferry_t_enum')).columns.find((c) => c.name === 'e')!;
    expect(e.type).toEqual({ kind: 'text', wkt: true });
    expect(() => dialect.nativeType('ferry_t_enum', e)).toThrow(UnmappableTypeError);
    expect(() => dialect.nativeType('ferry_t_enum', e)).toThrow(/ferry_t_enum\.e .*PostGIS.*types: \{ "ferry_t_enum\.e": "text" \}/);
  });
});

describe('MysqlDialect DDL', () => {
  const schema: TableSchema = {
    name: 'ferry_t_ddl',
    columns: [
      col('name', { kind: 'text' }, false),
      col('n', { kind: 'int', bytes: 8, unsigned: true }, false),
      col('small', { kind: 'int', bytes: 2 }),
      col('amount', { kind: 'decimal', precision: 12, scale: 2 }),
      col('free', { kind: 'decimal' }),
      col('r', { kind: 'float', bytes: 4 }),
      col('flag', { kind: 'bool' }),
      col('code', { kind: 'text', length: 3, fixed: true }),
      col('title', { kind: 'text', length: 200 }),
      col('body', { kind: 'text' }),
      col('raw', { kind: 'binary' }),
      col('born', { kind: 'date' }),
      col('at', { kind: 'time', precision: 3 }),
      col('local', { kind: 'timestamp', precision: 6, tz: false }),
      col('utc', { kind: 'timestamp', precision: 0, tz: true }),
      col('doc', { kind: 'json', binary: true }),
      col('ref', { kind: 'uuid' }),
      col('parent', { kind: 'int', bytes: 4 }),
    ],
    primaryKey: ['name', 'n'],
    hasPrimaryKey: true,
    indexes: [
      { name: 'ferry_t_ddl_title_idx', columns: ['title'], unique: false },
      { name: 'ferry_t_ddl_body_idx_' + 'x'.repeat(80), columns: ['body'], unique: false },
    ],
    foreignKeys: [{ name: 'ferry_t_ddl_parent_fk', columns: ['parent'], refTable: 'ferry_t_ddl_parent', refColumns: ['id'], onDelete: 'SET NULL', onUpdate: 'NO ACTION' }],
    estimatedRows: 0,
  };

  it('renders CREATE TABLE from a neutral schema', async () => {
    await dialect.listTables(); // server version known
    const ddl = dialect.createTableSql(schema);
    expect(ddl).toContain('CREATE TABLE IF NOT EXISTS `ferry_t_ddl`');
    expect(ddl).toContain('`name` VARCHAR(766) COLLATE utf8mb4_nopad_bin NOT NULL');
    expect(ddl).toContain('`n` BIGINT UNSIGNED NOT NULL');
    expect(ddl).toContain('`small` SMALLINT NULL');
    expect(ddl).toContain('`amount` DECIMAL(12,2) NULL');
    expect(ddl).toContain('`free` DECIMAL(65,30) NULL');
    expect(ddl).toContain('`r` FLOAT NULL');
    expect(ddl).toContain('`flag` TINYINT(1) NULL');
    expect(ddl).toContain('`code` CHAR(3) NULL');
    expect(ddl).toContain('`title` VARCHAR(200) NULL');
    expect(ddl).toContain('`body` LONGTEXT NULL');
    expect(ddl).toContain('`raw` LONGBLOB NULL');
    expect(ddl).toContain('`at` TIME(3) NULL');
    expect(ddl).toContain('`local` DATETIME(6) NULL');
    expect(ddl).toContain('`utc` DATETIME(0) NULL');
    expect(ddl).toContain('`doc` JSON NULL');
    // CHAR(36), not MariaDB's UUID type, which rejects non-RFC-4122 values that PostgreSQL's uuid holds.
    expect(ddl).toContain('`ref` CHAR(36) NULL');
    expect(ddl).toContain('PRIMARY KEY (`name`, `n`)');
    expect(ddl).toContain('ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin');
    expect(dialect.nativeType('t', col('x', { kind: 'text' }))).toBe('LONGTEXT');
    expect(dialect.createTableSql(schema, { typeOverrides: { body: 'MEDIUMTEXT' } })).toContain('`body` MEDIUMTEXT NULL');
    expect(() => dialect.createTableSql(schema, { typeOverrides: { body: 'TEXT; DROP TABLE x' } })).toThrow(FerryError);
    expect(dialect.createTableSql({ ...schema, name: 'we`ird' })).toContain('`we``ird`');
  });

  it('creates the table, indexes and foreign keys idempotently', async () => {
    await sql('CREATE TABLE ferry_t_ddl_parent (id INT PRIMARY KEY)');
    expect(await dialect.targetState('ferry_t_ddl')).toBe('missing');
    await dialect.createTable(schema);
    await dialect.createTable(schema);
    expect(await dialect.targetState('ferry_t_ddl')).toBe('empty');
    await dialect.createIndexes(schema);
    await dialect.createIndexes(schema);
    await dialect.createForeignKeys(schema);
    await dialect.createForeignKeys(schema);
    const back = await dialect.introspect('ferry_t_ddl');
    expect(back.primaryKey).toEqual(['name', 'n']);
    expect(back.indexes.map((i) => i.name).sort()).toEqual(['ferry_t_ddl_body_idx_' + 'x'.repeat(43), 'ferry_t_ddl_parent_fk', 'ferry_t_ddl_title_idx'].sort());
    expect(back.foreignKeys).toEqual(schema.foreignKeys);
    expect(back.columns.find((c) => c.name === 'doc')!.type).toEqual({ kind: 'json', binary: false });
    expect(back.columns.find((c) => c.name === 'ref')!.type).toEqual({ kind: 'text', length: 36, fixed: true });
    await sql("INSERT INTO ferry_t_ddl (name, n) VALUES ('a', 1)");
    expect(await dialect.targetState('ferry_t_ddl')).toBe('rows');
    await dialect.truncate('ferry_t_ddl');
    expect(await dialect.targetState('ferry_t_ddl')).toBe('empty');
  });
});

describe('MysqlDialect round trip', () => {
  const create = (name: string) => `CREATE TABLE ${name} (
    id BIGINT UNSIGNED NOT NULL PRIMARY KEY, txt LONGTEXT NULL, bin LONGBLOB NULL, ts DATETIME(6) NULL, tsz TIMESTAMP(6) NULL,
    d DATE NULL, tm TIME(6) NULL, dec1 DECIMAL(30,6) NULL, flag BOOL NULL, u UUID NULL, j JSON NULL, f DOUBLE NULL, y YEAR NULL
  ) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`;
  const rows: unknown[][] = [
    [1, null, null, null, null, null, null, null, null, null, null, null, null],
    [2, '', Buffer.alloc(0), '2024-01-02 03:04:05.123456', '2024-01-02 03:04:05.123456', '0001-01-01', '00:00:00', '0.000000', 0, '00000000-0000-0000-0000-000000000000', '{}', 0, 2024],
    [3, 'tab\there\nnew\\line\rcr', Buffer.from([0, 255, 0, 10, 92]), '0001-01-01 00:00:00', '1970-01-01 00:00:01', '9999-12-31', '23:59:59.999999', '-123456789.123400', 1, 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', '{"b": [1, 2.5], "a": "x"}', 1.5, 1901],
    [4, 'form\ffeed\vvtab\bbs 😀 é', Buffer.from('ff', 'hex'), '9999-12-31 23:59:59.999999', '2038-01-19 03:14:07.999999', '2000-02-29', '838:59:59', '99999999999999999999.999999', 1, null, 'null', -2.25e-10, 0],
    ['18446744073709551615', 'max', Buffer.from('\\N'), '2000-01-01 00:00:00.5', null, null, '-01:00:00', '-0.000001', 0, null, '[1,"\\t"]', null, null],
  ];
  let schema: TableSchema;

  beforeAll(async () => {
    await sql(create('ferry_t_src'));
    await sql(create('ferry_t_dst'));
    for (const r of rows) await sql('INSERT INTO ferry_t_src VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)', r);
    schema = await dialect.introspect('ferry_t_src');
  });

  it('reads transfer text', async () => {
    const lines = (await readAll(req(schema))).split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(5);
    expect(decodeRow(lines[0]!)).toEqual(['1', ...Array<null>(12).fill(null)]);
    expect(decodeRow(lines[1]!)).toEqual([
      '2', '', '\\x', '2024-01-02 03:04:05.123456', '2024-01-02 03:04:05.123456', '0001-01-01', '00:00:00.000000',
      '0.000000', '0', '00000000-0000-0000-0000-000000000000', '{}', '0', '2024',
    ]);
    const r3 = decodeRow(lines[2]!);
    expect(r3.slice(0, 3)).toEqual(['3', 'tab\there\nnew\\line\rcr', '\\x00ff000a5c']);
    expect(r3[9]).toBe('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
    expect(decodeRow(lines[3]!)[1]).toBe('form\ffeed\vvtab\bbs 😀 é');
    expect(decodeRow(lines[3]!)[12]).toBe('0');
    expect(decodeRow(lines[4]!)[0]).toBe('18446744073709551615');
    expect(lines[2]).toContain('tab\\there\\nnew\\\\line\\rcr\t\\\\x00ff000a5c\t');
  });

  it('writes what it reads, with equal checksums, and is idempotent', async () => {
    const target = req(schema, FULL_RANGE, 'ferry_t_dst');
    expect(await dialect.writeRange(target, await dialect.readRange(req(schema)))).toBe(5);
    expect(await readAll(req(schema, FULL_RANGE, 'ferry_t_dst'))).toBe(await readAll(req(schema)));
    const src = await dialect.checksumRange(req(schema));
    const dst = await dialect.checksumRange(target);
    expect(src.rows).toBe(5);
    expect(dst).toEqual(src);
    expect(src.sum).toMatch(/^\d+$/);
    expect(await dialect.writeRange(target, await dialect.readRange(req(schema)))).toBe(5);
    expect(await dialect.checksumRange(target)).toEqual(src);
    // A sub-range rewrite only touches its own rows.
    const mid: KeyRange = { lo: ['1'], hi: ['3'] };
    await sql("UPDATE ferry_t_dst SET txt = 'changed' WHERE id IN (2, 4)");
    expect(await dialect.writeRange(req(schema, mid, 'ferry_t_dst'), await dialect.readRange(req(schema, mid)))).toBe(2);
    expect(await dialect.checksumRange(req(schema, mid, 'ferry_t_dst'))).toEqual(await dialect.checksumRange(req(schema, mid)));
    expect(await dialect.checksumRange(target)).not.toEqual(src);
    expect(await dialect.countRange('ferry_t_dst', target.key, mid)).toBe(2);
    expect(await dialect.countRange('ferry_t_dst', target.key, { lo: ['3'], hi: null })).toBe(2);
  });

  it('reads PostgreSQL COPY escapes (\\f \\v \\b) and NULL vs empty string', async () => {
    await sql('CREATE TABLE ferry_t_copy (id INT PRIMARY KEY, t TEXT NULL, b BLOB NULL)');
    const s = await dialect.introspect('ferry_t_copy');
    const text = '1\ta\\fb\\vc\\bd\\\\e\\tf\\\\x\t\\\\x00ff\n2\t\\N\t\\N\n3\t\t\\\\x\n';
    // One byte per chunk: every escape is split across chunks.
    const data = Readable.from([...Buffer.from(text)].map((b) => Buffer.from([b])));
    expect(await dialect.writeRange(req(s), data)).toBe(3);
    const [got] = await admin.query<mysql.RowDataPacket[]>('SELECT id, t, HEX(b) AS b FROM ferry_t_copy ORDER BY id');
    expect(got.map((r) => [r['id'], r['t'], r['b']])).toEqual([
      [1, 'a\fb\vc\bd\\e\tf\\x', '00FF'],
      [2, null, null],
      [3, '', ''],
    ]);
  });

  it('loses nothing from a producer that is already flowing (e.g. with a progress listener)', async () => {
    await sql('CREATE TABLE ferry_t_flow (id INT PRIMARY KEY, t TEXT)');
    const s = await dialect.introspect('ferry_t_flow');
    const data = new PassThrough();
    let seen = 0;
    data.on('data', (b: Buffer) => (seen += b.length));
    const written = dialect.writeRange(req(s), data);
    // Rows arrive while writeRange is still fetching a connection and deleting the range.
    for (let i = 1; i <= 1000; i++) data.write(`${i}\trow ${i}\n`);
    data.end();
    expect(await written).toBe(1000);
    expect(seen).toBeGreaterThan(0);
    expect(await dialect.countRange('ferry_t_flow', [s.columns[0]!], FULL_RANGE)).toBe(1000);
  });

  it('rejects values the target cannot hold and leaves the table unchanged', async () => {
    await sql('CREATE TABLE ferry_t_short (id INT PRIMARY KEY, s VARCHAR(3) NOT NULL)');
    await sql("INSERT INTO ferry_t_short VALUES (1, 'abc'), (2, 'def')");
    const s = await dialect.introspect('ferry_t_short');
    const before = await dialect.checksumRange(req(s));
    const data = Readable.from([Buffer.from('1\tok\n2\ttoo long\n')]);
    const err = await dialect.writeRange(req(s), data).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FerryError);
    expect(String((err as Error).message)).toMatch(/ferry_t_short.*(truncated|too long)/i);
    expect(await dialect.checksumRange(req(s))).toEqual(before);
    // A failing source stream aborts the load too.
    const broken = new Readable({ read() { this.push('3\tx\n'); this.destroy(new Error('source broke')); } });
    await expect(dialect.writeRange(req(s), broken)).rejects.toThrow('source broke');
    expect(await dialect.checksumRange(req(s))).toEqual(before);
  });
});

describe('MysqlDialect key ranges', () => {
  it('cuts integer keys', async () => {
    await sql('CREATE TABLE ferry_t_int (id BIGINT NOT NULL PRIMARY KEY, v INT)');
    const values = Array.from({ length: 100 }, (_, i) => `(${(i + 1) * 10}, ${i})`).join(',');
    await sql(`INSERT INTO ferry_t_int VALUES ${values}, (9223372036854775807, 0), (-9223372036854775808, 0)`);
    const s = await dialect.introspect('ferry_t_int');
    const key = [s.columns[0]!];
    expect(await dialect.integerKeyExtent('ferry_t_int', key[0]!)).toEqual({ min: '-9223372036854775808', max: '9223372036854775807' });
    expect(await dialect.chunkEnd('ferry_t_int', key, FULL_RANGE, 3)).toEqual(['20']);
    expect(await dialect.chunkEnd('ferry_t_int', key, { lo: ['20'], hi: null }, 2)).toEqual(['40']);
    expect(await dialect.chunkEnd('ferry_t_int', key, { lo: ['990'], hi: null }, 2)).toEqual(['9223372036854775807']);
    expect(await dialect.chunkEnd('ferry_t_int', key, { lo: ['990'], hi: null }, 3)).toBeNull();
    // 2^63-1 and 2^63-2 differ only beyond double precision.
    expect(await dialect.countRange('ferry_t_int', key, { lo: ['9223372036854775806'], hi: null })).toBe(1);
    const bounds = await dialect.sampleKeyBounds('ferry_t_int', key, 4);
    // 102 rows sorted: the 25th, 51st and 76th keys end the parts.
    expect(bounds).toEqual([['240'], ['500'], ['750']]);
    const counts = await Promise.all(rangesFromBounds(bounds).map((r) => dialect.countRange('ferry_t_int', key, r)));
    expect(counts).toEqual([25, 26, 25, 26]);
    await expect(dialect.chunkEnd('ferry_t_int', key, { lo: ['1 OR 1=1'], hi: null }, 1)).rejects.toBeInstanceOf(FerryError);
  });

  const words = ['a', 'B', 'b', 'Z', 'é', 'e', 'é2', '😀', 'Å', 'a ', 'ab', 'x\'y', '~', 'zz'];
  const byteOrder = (xs: string[]) => [...xs].sort((p, q) => Buffer.compare(Buffer.from(p), Buffer.from(q)));

  it.each([
    ['binary collation', 'ferry_t_txt_bin', 'utf8mb4_nopad_bin', words],
    ['case-insensitive collation', 'ferry_t_txt_ci', 'utf8mb4_unicode_ci', words.filter((w) => !['B', 'Z', 'é', 'Å', 'a '].includes(w))],
  ])('orders text keys byte-wise (%s)', async (_label, table, collation, ws) => {
    await sql(`CREATE TABLE ${table} (k VARCHAR(20) COLLATE ${collation} NOT NULL PRIMARY KEY) DEFAULT CHARSET=utf8mb4`);
    for (const w of ws) await sql(`INSERT INTO ${table} VALUES (?)`, [w]);
    const s = await dialect.introspect(table);
    const sorted = byteOrder(ws);
    const got = (await readAll(req(s))).split('\n').slice(0, -1).map((l) => decodeRow(l)[0]);
    expect(got).toEqual(sorted);
    expect(await dialect.chunkEnd(table, s.columns, FULL_RANGE, 3)).toEqual([sorted[2]]);
    expect(await dialect.chunkEnd(table, s.columns, { lo: [sorted[2]!], hi: null }, 2)).toEqual([sorted[4]]);
    const bounds = await dialect.sampleKeyBounds(table, s.columns, 3);
    expect(bounds).toEqual([[sorted[Math.floor(ws.length / 3) - 1]], [sorted[Math.floor((2 * ws.length) / 3) - 1]]]);
    const counts = await Promise.all(rangesFromBounds(bounds).map((r) => dialect.countRange(table, s.columns, r)));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(ws.length);
  });

  it('cuts composite keys', async () => {
    await sql('CREATE TABLE ferry_t_comp (a INT NOT NULL, b VARCHAR(10) NOT NULL, PRIMARY KEY (a, b))');
    await sql("INSERT INTO ferry_t_comp VALUES (1,'a'),(1,'b'),(1,'c'),(2,'a'),(2,'b'),(3,'x'),(3,'y'),(3,'z')");
    const s = await dialect.introspect('ferry_t_comp');
    const key = s.columns;
    expect(await dialect.chunkEnd('ferry_t_comp', key, FULL_RANGE, 2)).toEqual(['1', 'b']);
    expect(await dialect.chunkEnd('ferry_t_comp', key, { lo: ['1', 'b'], hi: null }, 2)).toEqual(['2', 'a']);
    expect(await dialect.countRange('ferry_t_comp', key, { lo: ['1', 'b'], hi: ['3', 'x'] })).toBe(4);
    expect(await dialect.sampleKeyBounds('ferry_t_comp', key, 4)).toEqual([['1', 'b'], ['2', 'a'], ['3', 'x']]);
  });
});

describe('MysqlDialect sessions and streams', () => {
  it('reads and writes TIMESTAMP as UTC and keeps 0 in AUTO_INCREMENT columns', async () => {
    await sql('CREATE TABLE ferry_t_sess (id INT AUTO_INCREMENT PRIMARY KEY, ts TIMESTAMP(3) NULL)');
    await admin.query("SET time_zone = '+05:00'");
    await sql("INSERT INTO ferry_t_sess VALUES (5, '2024-06-01 12:00:00.250')");
    await admin.query("SET time_zone = '+00:00'");
    const s = await dialect.introspect('ferry_t_sess');
    expect(await readAll(req(s))).toBe('5\t2024-06-01 07:00:00.250000\n');
    expect(await dialect.writeRange(req(s), Readable.from([Buffer.from('0\t2000-01-01 00:00:00\n5\t2038-01-19 03:14:07.5\n')]))).toBe(2);
    const [rows] = await admin.query<mysql.RowDataPacket[]>("SELECT id, DATE_FORMAT(CONVERT_TZ(ts, @@session.time_zone, '+00:00'), '%Y-%m-%d %H:%i:%s.%f') AS ts FROM ferry_t_sess ORDER BY id");
    expect(rows.map((r) => [r['id'], r['ts']])).toEqual([[0, '2000-01-01 00:00:00.000000'], [5, '2038-01-19 03:14:07.500000']]);
  });

  it('releases the pool connection when a reader stops early', async () => {
    await sql('CREATE TABLE ferry_t_big (id INT PRIMARY KEY, pad VARCHAR(100))');
    await sql("INSERT INTO ferry_t_big SELECT seq, REPEAT('x', 100) FROM seq_1_to_50000");
    const s = await dialect.introspect('ferry_t_big');
    for (let i = 0; i < 15; i++) {
      // More early stops than the pool has connections: each must give its connection back.
      const stream = await dialect.readRange(req(s));
      const first = await new Promise<Buffer>((resolve) => stream.once('data', resolve));
      expect(first.length).toBeGreaterThan(0);
      stream.destroy();
    }
    expect(await dialect.countRange('ferry_t_big', [s.columns[0]!], FULL_RANGE)).toBe(50000);
    const text = await readAll(req(s));
    expect(text.split('\n')).toHaveLength(50001);
  });

  it('reads FLOAT columns without losing digits', async () => {
    await sql('CREATE TABLE ferry_t_float (id INT PRIMARY KEY, f FLOAT, d DOUBLE)');
    await sql('INSERT INTO ferry_t_float VALUES (1, 123456789, 0.1), (2, 1.1, 1e300)');
    const s = await dialect.introspect('ferry_t_float');
    const rows = (await readAll(req(s))).split('\n').slice(0, -1).map(decodeRow);
    expect(rows.map((r) => [Math.fround(Number(r[1])), Number(r[2])])).toEqual([
      [Math.fround(123456789), 0.1],
      [Math.fround(1.1), 1e300],
    ]);
  });

  it('compares uuid, binary, decimal and timestamp keys like PostgreSQL', async () => {
    // MariaDB's UUID type sorts time-based UUIDs by swapped segments; ferry orders by the text.
    await sql('CREATE TABLE ferry_t_uuid (u UUID NOT NULL PRIMARY KEY)');
    const uuids = ['ecc691cc-e56b-11f1-b4c2-02fc00000001', '11111111-2222-3333-4444-555555555555', 'ffffffff-0000-1000-8000-000000000000', '00000000-0000-0000-0000-000000000001'];
    for (const u of uuids) await sql('INSERT INTO ferry_t_uuid VALUES (?)', [u]);
    const su = await dialect.introspect('ferry_t_uuid');
    const sorted = [...uuids].sort();
    expect((await readAll(req(su))).split('\n').slice(0, -1)).toEqual(sorted);
    expect(await dialect.chunkEnd('ferry_t_uuid', su.columns, { lo: [sorted[0]!], hi: null }, 2)).toEqual([sorted[2]]);

    await sql('CREATE TABLE ferry_t_mixkey (b VARBINARY(4) NOT NULL, d DECIMAL(30,10) NOT NULL, ts DATETIME(6) NOT NULL, PRIMARY KEY (b, d, ts))');
    await sql("INSERT INTO ferry_t_mixkey VALUES (X'00', 1.5, '2020-01-01 00:00:00'), (X'00', 1.5, '2020-01-01 00:00:00.000001'), (X'00', 12345678901234567890.1234567891, '2020-01-01'), (X'FF', -1, '1999-01-01')");
    const sm = await dialect.introspect('ferry_t_mixkey');
    const first = await dialect.chunkEnd('ferry_t_mixkey', sm.columns, FULL_RANGE, 1);
    expect(first).toEqual(['\\x00', '1.5', '2020-01-01 00:00:00.000000']);
    expect(await dialect.chunkEnd('ferry_t_mixkey', sm.columns, { lo: first, hi: null }, 1)).toEqual(['\\x00', '1.5', '2020-01-01 00:00:00.000001']);
    expect(await dialect.countRange('ferry_t_mixkey', sm.columns, { lo: ['\\x00', '12345678901234567890.123456789', '2020-01-01 00:00:00.000000'], hi: null })).toBe(2);
    expect(await dialect.countRange('ferry_t_mixkey', sm.columns, { lo: null, hi: ['\\x00', '12345678901234567890.1234567891', '2020-01-01 00:00:00.000000'] })).toBe(3);
  });
});

describe('MysqlDialect checksum format', () => {
  it('matches md5 over the documented row string', async () => {
    await sql(`CREATE TABLE ferry_t_sum (id INT PRIMARY KEY, dec1 DECIMAL(10,4), dec2 DECIMAL(10,2), t VARCHAR(20), n VARCHAR(5),
      flag BOOL, b VARBINARY(4), d DATE, tm TIME(3), ts DATETIME, f FLOAT, j JSON, u UUID)`);
    await sql("INSERT INTO ferry_t_sum VALUES (7, 12.5000, -0.00, 'héllo', NULL, 1, X'00AB', '2024-02-29', '01:02:03.4', '2001-02-03 04:05:06', 1.5, '{}', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11')");
    const s = await dialect.introspect('ferry_t_sum');
    const rowText = ['7', '12.5', '0', 'héllo', '\\N', '1', '\\x00ab', '2024-02-29', '01:02:03.400000', '2001-02-03 04:05:06.000000', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'].join('\u001f');
    const expected = BigInt('0x' + createHash('md5').update(rowText, 'utf8').digest('hex').slice(0, 15)).toString();
    expect(await dialect.checksumRange(req(s))).toEqual({ rows: 1, sum: expected });
    // Columns of different charsets and collations hash their UTF-8 text without collation clashes.
    await sql(`CREATE TABLE ferry_t_sumcs (id INT PRIMARY KEY, a VARCHAR(5) CHARACTER SET latin1 COLLATE latin1_swedish_ci,
      b VARCHAR(5) COLLATE utf8mb4_unicode_ci, c VARCHAR(5) COLLATE utf8mb4_bin, d CHAR(5) CHARACTER SET utf8mb3)`);
    await sql("INSERT INTO ferry_t_sumcs VALUES (1, 'é', 'é😀', 'É', 'ü  ')");
    const cs = await dialect.introspect('ferry_t_sumcs');
    const csText = ['1', 'é', 'é😀', 'É', 'ü'].join('\u001f');
    const csSum = BigInt('0x' + createHash('md5').update(csText, 'utf8').digest('hex').slice(0, 15)).toString();
    expect(await dialect.checksumRange(req(cs))).toEqual({ rows: 1, sum: csSum });
    await sql('CREATE TABLE ferry_t_sum0 (j JSON, f DOUBLE)');
    await sql("INSERT INTO ferry_t_sum0 VALUES ('[]', 1), ('{}', 2)");
    const s0 = await dialect.introspect('ferry_t_sum0');
    const empty = BigInt('0x' + createHash('md5').update('').digest('hex').slice(0, 15));
    expect(await dialect.checksumRange({ table: 'ferry_t_sum0', columns: s0.columns, key: [], range: FULL_RANGE })).toEqual({ rows: 2, sum: (empty * 2n).toString() });
    expect(await dialect.checksumRange({ ...req(s), range: { lo: ['7'], hi: null } })).toEqual({ rows: 0, sum: '0' });
  });
});

describe('MysqlDialect connection errors', () => {
  it('reports a wrong password as a permanent ConnectionError without the password', async () => {
    const bad = MysqlDialect.open('mysql://root:s3cret-pw@127.0.0.1:3306/test');
    try {
      const err = await bad.listTables().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConnectionError);
      expect((err as ConnectionError).permanent).toBe(true);
      expect((err as Error).message).toContain('127.0.0.1:3306/test');
      expect((err as Error).message).not.toContain('s3cret-pw');
      expect(bad.label).toBe('mysql://127.0.0.1:3306/test');
    } finally {
      await bad.close();
    }
  });

  it('reports an unknown database as permanent and a refused connection as transient', async () => {
    const noDb = MysqlDialect.open('mariadb://root@127.0.0.1:3306/ferry_no_such_db');
    const err1 = await noDb.listTables().catch((e: unknown) => e);
    expect(err1).toBeInstanceOf(ConnectionError);
    expect((err1 as ConnectionError).permanent).toBe(true);
    await noDb.close();
    const refused = MysqlDialect.open('mysql://root@127.0.0.1:1/test');
    const err2 = await refused.listTables().catch((e: unknown) => e);
    expect(err2).toBeInstanceOf(ConnectionError);
    expect((err2 as ConnectionError).permanent).toBe(false);
    await refused.close();
  });
});
