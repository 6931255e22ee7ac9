/**
 * The write-by-key and change-window methods of both dialects against the real servers: upsertRows
 * (stage + update + insert, idempotent, keeps referencing rows valid), deleteKeys (byte-exact text
 * keys), maxValue / changeChunkEnd / readChanges (watermark windows walked in (watermark, key) order).
 */
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Column } from '../../src/core/column-model.js';
import { RowDecoder, encodeRow } from '../../src/core/transfer-text.js';
import type { ChangeRequest, Dialect } from '../../src/dialects/dialect.js';
import { openDialect } from '../../src/dialects/index.js';
import { MYSQL_URL, PG_URL, mysqlExec, pgExec } from '../helpers/databases.js';

const ENGINES = [
  {
    name: 'postgres',
    url: PG_URL,
    exec: (sql: string) => pgExec(sql),
    setup: [
      `DROP TABLE IF EXISTS s5_up_child, s5_up, s5_up_text`,
      `CREATE TABLE s5_up (id bigint PRIMARY KEY, name text, price numeric(10,2), at timestamptz(6), doc jsonb, raw bytea)`,
      `CREATE TABLE s5_up_child (id int PRIMARY KEY, parent bigint NOT NULL REFERENCES s5_up(id))`,
      `CREATE TABLE s5_up_text (k varchar(20) PRIMARY KEY, v int)`,
    ],
  },
  {
    name: 'mysql',
    url: MYSQL_URL,
    exec: (sql: string) => mysqlExec(sql),
    setup: [
      `DROP TABLE IF EXISTS s5_up_child, s5_up, s5_up_text`,
      `CREATE TABLE s5_up (id bigint PRIMARY KEY, name text, price decimal(10,2), at timestamp(6) NULL, doc json, raw blob) ENGINE=InnoDB`,
      `CREATE TABLE s5_up_child (id int PRIMARY KEY, parent bigint NOT NULL, FOREIGN KEY (parent) REFERENCES s5_up(id)) ENGINE=InnoDB`,
      // A case-insensitive collation: deletes must still match keys byte for byte.
      `CREATE TABLE s5_up_text (k varchar(20) COLLATE utf8mb4_general_ci PRIMARY KEY, v int) ENGINE=InnoDB`,
    ],
  },
];

async function rows(stream: Readable): Promise<(string | null)[][]> {
  const out: (string | null)[][] = [];
  for await (const r of stream.pipe(new RowDecoder()) as AsyncIterable<(string | null)[]>) out.push(r);
  return out;
}

const text = (data: (string | null)[][]) => Readable.from([Buffer.from(data.map(encodeRow).join(''))]);

describe.each(ENGINES)('$name dialect: upsert, delete by key, change windows', ({ url, exec, setup }) => {
  let d: Dialect;
  let columns: Column[];
  let key: Column[];

  beforeAll(async () => {
    for (const sql of setup) await exec(sql);
    await exec(`INSERT INTO s5_up VALUES (1, 'one', 1.00, '2024-01-01 00:00:01', '{"a":1}', NULL), (2, 'two', 2.00, '2024-01-01 00:00:02', NULL, NULL), (3, 'three', 3.00, '2024-01-01 00:00:02', NULL, NULL)`);
    await exec(`INSERT INTO s5_up_child VALUES (10, 2)`);
    await exec(`INSERT INTO s5_up_text VALUES ('a', 1), ('b', 2)`);
    d = openDialect(url);
    const s = await d.introspect('s5_up');
    columns = s.columns;
    key = columns.filter((c) => c.name === 'id');
  });

  afterAll(async () => {
    await d?.close();
    await exec(`DROP TABLE IF EXISTS s5_up_child, s5_up, s5_up_text`);
  });

  it('upserts: updates existing keys in place (a referencing row stays valid), inserts new ones, idempotently', async () => {
    const data = [
      ['2', 'TWO\ttab', '2.5', '2024-01-01 00:00:05', '{"b": [1, 2]}', '\\x00ff'],
      ['4', 'four', '4', '2024-01-01 00:00:04', null, null],
    ];
    expect(await d.upsertRows({ table: 's5_up', columns, key }, text(data))).toBe(2);
    expect(await d.upsertRows({ table: 's5_up', columns, key }, text(data))).toBe(2);
    const all = await rows(await d.readRange({ table: 's5_up', columns, key, range: { lo: null, hi: null } }));
    expect(all.map((r) => [r[0], r[1]])).toEqual([['1', 'one'], ['2', 'TWO\ttab'], ['3', 'three'], ['4', 'four']]);
    expect(all[1]![5]).toBe('\\x00ff');
    expect(await d.countRange('s5_up_child', [{ name: 'id', type: { kind: 'int', bytes: 4 }, nullable: false, nativeType: 'int' }], { lo: null, hi: null })).toBe(1);
  });

  it('deletes exactly the keys given, in batches, text keys byte for byte', async () => {
    expect(await d.deleteKeys('s5_up', key, [['4'], ['99']])).toBe(1);
    const t = await d.introspect('s5_up_text');
    const tk = t.columns.filter((c) => c.name === 'k');
    expect(await d.deleteKeys('s5_up_text', tk, [['A']])).toBe(0);
    expect(await d.deleteKeys('s5_up_text', tk, [['a'], ...Array.from({ length: 1200 }, (_, i) => [`x${i}`])])).toBe(1);
    expect(await d.countRange('s5_up_text', tk, { lo: null, hi: null })).toBe(1);
  });

  it('walks a change window in (watermark, key) order with a cursor', async () => {
    const at = columns.find((c) => c.name === 'at')!;
    expect(await d.maxValue('s5_up', at)).toBe('2024-01-01 00:00:05.000000');
    const req: ChangeRequest = { table: 's5_up', columns, key, watermark: at, after: '2024-01-01 00:00:01.000000', upTo: '2024-01-01 00:00:05.000000', range: { lo: null, hi: null } };
    const end = await d.changeChunkEnd(req, 1);
    expect(end).toEqual(['2024-01-01 00:00:02.000000', '3']);
    const first = await rows(await d.readChanges({ ...req, range: { lo: null, hi: end } }));
    expect(first.map((r) => r[0])).toEqual(['3']);
    const rest = await rows(await d.readChanges({ ...req, range: { lo: end, hi: null } }));
    expect(rest.map((r) => r[0])).toEqual(['2']);
    expect(await d.changeChunkEnd({ ...req, range: { lo: end, hi: null } }, 5)).toBeNull();
    const all = await rows(await d.readChanges({ ...req, after: null }));
    expect(all.map((r) => r[0])).toEqual(['1', '3', '2']);
  });
});
