/**
 * MySQL range reads build each transfer-text line in the server (mysql-read.ts `transferLineExpr`).
 * Against the real MariaDB at 127.0.0.1:3306 (database `test`), tables perf_*: columns of different
 * character sets and collations side by side (CONCAT_WS must not refuse the mix), every escape, NULL
 * next to the string '\N', binary with backslashes, and rows read back through the decoder equal to
 * what the server holds.
 */
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TableSchema } from '../../src/core/column-model.js';
import { FULL_RANGE } from '../../src/core/key-range.js';
import { decodeRow } from '../../src/core/transfer-text.js';
import type { RangeRequest } from '../../src/dialects/dialect.js';
import { MysqlDialect } from '../../src/dialects/mysql/mysql-dialect.js';

const URL = process.env['FERRY_TEST_MYSQL_URL'] ?? 'mysql://root@127.0.0.1:3306/test';
let dialect: MysqlDialect;
let admin: mysql.Connection;

function req(schema: TableSchema): RangeRequest {
  const key = schema.primaryKey.map((k) => schema.columns.find((c) => c.name === k)!);
  return { table: schema.name, columns: schema.columns, key, range: FULL_RANGE };
}

async function readText(r: RangeRequest): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of await dialect.readRange(r)) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

beforeAll(async () => {
  admin = await mysql.createConnection({ uri: URL, charset: 'utf8mb4' });
  await admin.query('DROP TABLE IF EXISTS perf_lines, perf_many');
  dialect = MysqlDialect.open(URL);
});

afterAll(async () => {
  await admin.query('DROP TABLE IF EXISTS perf_lines, perf_many');
  await admin.end();
  await dialect.close();
});

describe('MySQL reads with lines built by the server', () => {
  it('escapes every special byte, keeps NULL apart from the text \\N and mixes character sets and collations', async () => {
    await admin.query(
      `CREATE TABLE perf_lines (id INT PRIMARY KEY, l1 VARCHAR(40) CHARACTER SET latin1, ci VARCHAR(40) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci,
        bin VARCHAR(40) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin, raw VARBINARY(16), doc JSON, d DECIMAL(8,3), at DATETIME(6), e ENUM('a\\tb', 'c'))`,
    );
    await admin.query('INSERT INTO perf_lines VALUES (?), (?), (?)', [
      [1, 'café', 'tab\there', 'new\nline\\back\rcr', Buffer.from([0x5c, 0x00, 0x0a, 0xff]), '{"a": "x\\ty"}', '-1.500', '2024-02-29 23:59:59.000001', 'a\tb'],
      [2, null, '\\N', 'ü😀', null, null, null, null, null],
      [3, '', '', '', Buffer.alloc(0), '[]', '0.000', '1970-01-01 00:00:00', 'c'],
    ]);
    const schema = await dialect.introspect('perf_lines');
    const text = await readText(req(schema));
    const lines = text.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe('');
    expect(lines[0]).toBe('1\tcafé\ttab\\there\tnew\\nline\\\\back\\rcr\t\\\\x5c000aff\t{"a": "x\\\\ty"}\t-1.500\t2024-02-29 23:59:59.000001\ta\\tb');
    expect(decodeRow(lines[1]!)).toEqual(['2', null, '\\N', 'ü😀', null, null, null, null, null]);
    expect(decodeRow(lines[2]!)).toEqual(['3', '', '', '', '\\x', '[]', '0.000', '1970-01-01 00:00:00.000000', 'c']);
  });

  it('streams many rows in order, each row exactly once', async () => {
    await admin.query('CREATE TABLE perf_many (id INT PRIMARY KEY, body TEXT)');
    await admin.query("SET SESSION max_recursive_iterations = 100000");
    await admin.query(
      "INSERT INTO perf_many WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 20000) SELECT n, CONCAT('row ', n, IF(n % 7 = 0, '\\t', '')) FROM g",
    );
    const schema = await dialect.introspect('perf_many');
    const lines = (await readText(req(schema))).split('\n');
    expect(lines).toHaveLength(20001);
    lines.slice(0, 20000).forEach((line, i) => {
      const n = i + 1;
      expect(decodeRow(line)).toEqual([String(n), `row ${n}${n % 7 === 0 ? '\t' : ''}`]);
    });
  });
});
