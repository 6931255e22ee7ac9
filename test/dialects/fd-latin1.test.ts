/**
 * A latin1 MySQL/MariaDB source is decoded correctly: MySQL's latin1 is Windows-1252, so besides
 * accented letters it holds `€`, `Œ`, `‚`, curly quotes and dashes in bytes 0x80–0x9F. Copied to
 * PostgreSQL and to a utf8mb4 MySQL table, the exact characters arrive; checksums, a byte-level
 * comparison of the UTF-8 text and `ferry diff`'s row fetches agree, with latin1 text in the key.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TableSchema } from '../../src/core/column-model.js';
import { DialectCache } from '../../src/dialects/index.js';
import { MYSQL_URL, PG_URL, mysqlExec, pgExec } from '../helpers/databases.js';

const DB = 'fd_latin1';
const PG_T = PG_URL.replace(/\/test$/, `/${DB}`);
const MY_T = MYSQL_URL.replace(/\/test$/, `/${DB}`);
const dialects = new DialectCache();

// Every printable cp1252 character above ASCII (0x81, 0x8D, 0x8F, 0x90 and 0x9D are unassigned).
const CP1252_HIGH = '€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ ¡¢£¤¥¦§¨©ª«¬­®¯°±²³´µ¶·¸¹º»¼½¾¿ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖ×ØÙÚÛÜÝÞßàáâãäåæçèéêëìíîïðñòóôõö÷øùúûüýþÿ';
const ROWS: [string, string, string | null][] = [
  ['Ärger', 'Größe: 5 €', 'naïve café'],
  ['Œuvre', '“quoted” — dash – ‘single’', null],
  ['zebra', CP1252_HIGH, 'ÿ'],
  ['a', '', 'plain ascii'],
  ['é', 'tab\there\nnewline\\backslash', '0x80 is €'],
];

beforeAll(async () => {
  const values = ROWS.map(([k, a, b]) => `(${[k, a, b].map((v) => (v === null ? 'NULL' : `'${v.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`)).join(', ')})`).join(', ');
  await mysqlExec(`SET NAMES utf8mb4; DROP TABLE IF EXISTS fd_latin1;
    CREATE TABLE fd_latin1 (k varchar(20) CHARACTER SET latin1 NOT NULL PRIMARY KEY, a text CHARACTER SET latin1 NOT NULL,
      b varchar(40) CHARACTER SET latin1 COLLATE latin1_german2_ci NULL, c char(3) CHARACTER SET latin1 NULL) DEFAULT CHARSET=latin1;
    INSERT INTO fd_latin1 (k, a, b) VALUES ${values};
    UPDATE fd_latin1 SET c = 'Ñ€ß' WHERE k = 'a'`);
  await pgExec(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  await pgExec(`CREATE DATABASE ${DB}`);
  await mysqlExec(`DROP DATABASE IF EXISTS ${DB}; CREATE DATABASE ${DB} CHARACTER SET utf8mb4`);
}, 60_000);

afterAll(async () => {
  await dialects.closeAll();
  await pgExec(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  await mysqlExec(`DROP TABLE IF EXISTS fd_latin1; DROP DATABASE IF EXISTS ${DB}`);
});

async function copy(target: string): Promise<TableSchema> {
  const s = dialects.get(MYSQL_URL);
  const t = dialects.get(target);
  const schema = await s.introspect('fd_latin1');
  await t.createTable(schema);
  const key = schema.columns.filter((c) => c.name === 'k');
  const req = { table: 'fd_latin1', columns: schema.columns, key, range: { lo: null, hi: null } };
  await t.writeRange(req, await s.readRange(req));
  const [a, b] = await Promise.all([s.checksumRange(req), t.checksumRange(req)]);
  expect(b).toEqual(a);
  // Split ranges by a latin1 key: both sides must put the same rows on each side of the bound.
  for (const bound of ['Ä', 'b', 'é']) {
    const lo = { ...req, range: { lo: null, hi: [bound] } };
    const hi = { ...req, range: { lo: [bound], hi: null } };
    expect(await t.checksumRange(lo), `keys <= ${bound}`).toEqual(await s.checksumRange(lo));
    expect(await t.checksumRange(hi), `keys > ${bound}`).toEqual(await s.checksumRange(hi));
  }
  return schema;
}

/** The rows as UTF-8 hex per value, read with the driver (not through ferry). */
const expected = () =>
  [...ROWS]
    .sort((x, y) => Buffer.compare(Buffer.from(x[0]), Buffer.from(y[0])))
    .map(([k, a, b]) => ({ k, a, b, c: k === 'a' ? 'Ñ€ß' : null }));

describe('latin1 (cp1252) MySQL source', () => {
  it('arrives in PostgreSQL with the exact characters', async () => {
    await copy(PG_T);
    const c = new pg.Client({ connectionString: PG_T });
    await c.connect();
    try {
      const rows = (await c.query(`SELECT k, a, b, c FROM fd_latin1 ORDER BY k COLLATE "C"`)).rows;
      expect(rows).toEqual(expected());
      const euro = (await c.query(`SELECT encode(convert_to(a, 'UTF8'), 'hex') AS h FROM fd_latin1 WHERE k = 'zebra'`)).rows[0] as { h: string };
      expect(euro.h.startsWith('e282ac')).toBe(true); // € as UTF-8, not U+0080
    } finally {
      await c.end();
    }
  });

  it('arrives in a utf8mb4 MySQL table with the exact characters', async () => {
    await copy(MY_T);
    const rows = (await mysqlExec(`SET NAMES utf8mb4; SELECT k, a, b, c FROM ${DB}.fd_latin1 ORDER BY CONVERT(k USING utf8mb4) COLLATE utf8mb4_bin`)) as unknown[];
    expect(rows[1]).toEqual(expected());
    const cs = (await mysqlExec(`SELECT COLUMN_NAME AS n, CHARACTER_SET_NAME AS cs FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '${DB}' AND TABLE_NAME = 'fd_latin1' ORDER BY ORDINAL_POSITION`)) as { n: string; cs: string }[];
    expect(cs.map((r) => r.cs)).toEqual(['utf8mb4', 'utf8mb4', 'utf8mb4', 'utf8mb4']);
  });
});
