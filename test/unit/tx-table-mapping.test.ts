/**
 * The pure side of transforms and mapping: the job's table settings, mapping a source schema to the
 * target's shape, type names, and the row-transform stream (errors name the row's key).
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Column, TableSchema } from '../../src/core/column-model.js';
import { jobNames, mapTable, type TableMapping } from '../../src/core/table-mapping.js';
import { parseTypeSpec } from '../../src/core/type-spec.js';
import { decodeRow, encodeRow } from '../../src/core/transfer-text.js';
import { parseJobSpec } from '../../src/job/job-spec.js';
import { JobSpecError, TransformFailedError } from '../../src/errors.js';
import { RowTransformStream } from '../../src/transforms/transform-stream.js';
import type { RowTransform } from '../../src/transforms/load-transform.js';

const col = (name: string, kind: 'int' | 'text' = 'text', nullable = true): Column => ({
  name,
  type: kind === 'int' ? { kind: 'int', bytes: 4 } : { kind: 'text' },
  nullable,
  nativeType: kind,
});

const users: TableSchema = {
  name: 'users',
  columns: [col('id', 'int', false), col('name'), col('email'), col('secret'), col('team_id', 'int')],
  primaryKey: ['id'],
  hasPrimaryKey: true,
  indexes: [
    { name: 'users_email', columns: ['email'], unique: true },
    { name: 'users_secret', columns: ['secret'], unique: false },
  ],
  foreignKeys: [{ name: 'users_team', columns: ['team_id'], refTable: 'teams', refColumns: ['id'], onDelete: 'CASCADE', onUpdate: 'NO ACTION' }],
  estimatedRows: 10,
  checks: [{ name: 'users_email_ck', expr: { column: 'email', notNull: true } }],
};

const SOURCE = 'postgres://u@h/db';
const TARGET = 'mysql://u@h/db';

describe('job spec: table mappings', () => {
  it('accepts names and mappings side by side, with the transform function defaulting to "transform"', () => {
    const job = parseJobSpec({ source: SOURCE, target: TARGET, tables: ['teams', { name: 'users', as: 'people', exclude: ['secret'], transform: { module: '/t.js' } }] });
    expect(job.tables).toEqual(['teams', { name: 'users', as: 'people', exclude: ['secret'], transform: { module: '/t.js', function: 'transform' } }]);
  });

  it('refuses a table listed twice, two tables onto one target, and unknown settings, naming the field', () => {
    expect(() => parseJobSpec({ source: SOURCE, target: TARGET, tables: ['a', { name: 'a' }] })).toThrow(/table "a" is listed twice/);
    expect(() => parseJobSpec({ source: SOURCE, target: TARGET, tables: ['b', { name: 'a', as: 'b' }] })).toThrow(/two tables would be written to the target table "b"/);
    expect(() => parseJobSpec({ source: SOURCE, target: TARGET, tables: [{ name: 'a', renames: {} }] })).toThrow(JobSpecError);
    expect(() => parseJobSpec({ source: SOURCE, target: TARGET, tables: [{ name: 'a', transform: { module: '/t.js', function: 'not valid' } }] })).toThrow(/exported function/);
  });
});

describe('mapTable', () => {
  const names = jobNames([{ name: 'users', as: 'people', rename: { email: 'contact' } }, { name: 'teams', as: 'squads', rename: { id: 'squad_id' } }]);

  it('renames the table, columns, key, indexes, checks and foreign keys (following the referenced table’s renames)', () => {
    const m: TableMapping = { name: 'users', as: 'people', rename: { email: 'contact' }, exclude: ['secret'] };
    const r = mapTable(users, m, names);
    expect(r.schema.name).toBe('people');
    expect(r.schema.columns.map((c) => c.name)).toEqual(['id', 'name', 'contact', 'team_id']);
    expect(r.schema.indexes).toEqual([{ name: 'users_email', columns: ['contact'], unique: true }]);
    expect(r.schema.foreignKeys[0]).toMatchObject({ columns: ['team_id'], refTable: 'squads', refColumns: ['squad_id'] });
    expect(r.schema.checks).toEqual([{ name: 'users_email_ck', expr: { column: 'contact', notNull: true } }]);
    expect(r.schema.warnings).toEqual(['index users_secret on people is not created: a column of it is not copied']);
    expect(r.view).toEqual({ columns: [{ name: 'id' }, { name: 'name' }, { name: 'contact', from: 'email' }, { name: 'team_id' }] });
  });

  it('adds computed columns to the view with their declared types, and keeps where', () => {
    const r = mapTable(users, { name: 'users', where: 'id > 3', computed: { domain: { sql: "split_part(email, '@', 2)", type: 'varchar(80)', verify: false } } }, jobNames([]));
    expect(r.schema.columns.at(-1)).toMatchObject({ name: 'domain', type: { kind: 'text', length: 80 }, nullable: true });
    expect(r.view?.where).toBe('id > 3');
    expect(r.view?.columns.at(-1)).toEqual({ name: 'domain', sql: "split_part(email, '@', 2)" });
    expect(r.unverified).toEqual([{ column: 'domain', reason: 'computed with verify: false' }]);
  });

  it('gives a transform the view columns and the target the columns it writes', () => {
    const r = mapTable(users, { name: 'users', transform: { module: '/t.js', function: 'f', drop: ['name'], add: { first: 'text', tokens: 'json' }, unverified: ['tokens'] } }, jobNames([]));
    expect(r.transform?.input.map((c) => c.name)).toEqual(['id', 'name', 'email', 'secret', 'team_id']);
    expect(r.schema.columns.map((c) => c.name)).toEqual(['id', 'email', 'secret', 'team_id', 'first', 'tokens']);
    expect(r.view).toBeUndefined();
    expect(r.unverified).toEqual([{ column: 'tokens', reason: 'not repeatable by f' }]);
  });

  it('refuses unknown columns, an excluded or dropped key, a duplicate name and an unknown type, naming the setting', () => {
    expect(() => mapTable(users, { name: 'users', exclude: ['nope'] }, jobNames([]))).toThrow(/tables\.users\.exclude: table "users" has no column "nope"; its columns are id, name/);
    expect(() => mapTable(users, { name: 'users', exclude: ['id'] }, jobNames([]))).toThrow(/key column "id" must be copied/);
    expect(() => mapTable(users, { name: 'users', include: ['name'] }, jobNames([]))).toThrow(/tables\.users\.include: the key column "id"/);
    expect(() => mapTable(users, { name: 'users', rename: { name: 'email' } }, jobNames([]))).toThrow(/two target columns are named "email"/);
    expect(() => mapTable(users, { name: 'users', computed: { x: { sql: '1', type: 'hyperloglog' } } }, jobNames([]))).toThrow(/computed\.x\.type: "hyperloglog" is not a type ferry knows/);
    expect(() => mapTable(users, { name: 'users', transform: { module: '/t', function: 'f', drop: ['id'] } }, jobNames([]))).toThrow(/key column "id" must be written/);
    expect(() => mapTable(users, { name: 'users', types: { nope: 'text' } }, jobNames([]))).toThrow(/types\.nope/);
  });
});

describe('parseTypeSpec', () => {
  it('reads the type names a job may use', () => {
    expect(parseTypeSpec('decimal(12, 2)')).toEqual({ kind: 'decimal', precision: 12, scale: 2 });
    expect(parseTypeSpec('timestamptz')).toEqual({ kind: 'timestamp', precision: 6, tz: true });
    expect(parseTypeSpec('BIGINT')).toEqual({ kind: 'int', bytes: 8 });
    expect(parseTypeSpec('double precision')).toEqual({ kind: 'float', bytes: 8 });
    expect(parseTypeSpec('varchar')).toBeNull();
    expect(parseTypeSpec('point')).toBeNull();
  });
});

async function run(fn: RowTransform, lines: (string | null)[][], input: Column[], output: Column[]): Promise<(string | null)[][]> {
  const stage = new RowTransformStream({ fn, fnName: 'fn', table: 'users', input, output, key: [input[0]!] });
  // Split mid-row so batches do not line up with rows.
  const text = lines.map(encodeRow).join('');
  const src = Readable.from([Buffer.from(text.slice(0, 7)), Buffer.from(text.slice(7))]);
  let out = '';
  for await (const b of src.pipe(stage)) out += (b as Buffer).toString('utf8');
  return out === '' ? [] : out.replace(/\n$/, '').split('\n').map(decodeRow);
}

describe('RowTransformStream', () => {
  const input = [col('id', 'int'), col('name'), col('bio')];
  const output = [col('id', 'int'), col('first'), col('tags')];

  it('maps rows (sync or async), keeps NULL apart from empty text, and leaves out rows the function returns null for', async () => {
    const f: RowTransform = (r) => (r['id'] === '2' ? null : { id: r['id']!, first: (r['name'] ?? null) === null ? null : r['name']!.split(' ')[0]!, tags: (r['bio'] ?? null) === null ? null : r['bio']!.split(/\s+/).filter(Boolean) as unknown as string });
    const rows = [['1', 'Ada Lovelace', 'tab\there'], ['2', 'x', 'y'], ['3', null, ''], ['4', '', null]];
    const expected = [['1', 'Ada', '["tab","here"]'], ['3', null, '[]'], ['4', '', null]];
    expect(await run(f, rows, input, output)).toEqual(expected);
    const asyncF: RowTransform = async (r) => f(r, { table: 'users' });
    expect(await run(asyncF, rows, input, output)).toEqual(expected);
  });

  it('fails naming the table and key when the function throws, misses a column, or changes the key', async () => {
    const rows = [['1', 'a', 'b'], ['7', 'c', 'd']];
    await expect(run((r) => { if (r['id'] === '7') throw new Error('nope'); return { id: r['id']!, first: 'x', tags: null }; }, rows, input, output)).rejects.toThrow(
      new TransformFailedError('users', 'fn', ['7'], 'Error: nope'),
    );
    await expect(run(async (r) => { if (r['id'] === '7') throw new Error('later'); return { id: r['id']!, first: 'x', tags: null }; }, rows, input, output)).rejects.toThrow(/at key \(7\): Error: later/);
    await expect(run((r) => ({ id: r['id']!, first: 'x' }), rows, input, output)).rejects.toThrow(/at key \(1\): returned no value for column "tags"/);
    await expect(run((r) => ({ id: String(Number(r['id']) + 1), first: 'x', tags: null }), rows, input, output)).rejects.toThrow(/changed key column "id" from 1 to 2/);
  });
});
