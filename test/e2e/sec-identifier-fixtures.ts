/**
 * Hostile names for the identifier suite: tables and columns with double quotes, backticks, spaces,
 * dots, mixed case, reserved words and non-ASCII letters, text keys whose values carry quotes,
 * backslashes and SQL fragments; created natively on each engine, and an independent dump that
 * quotes every name with the drivers' own escaping.
 */
import mysql from 'mysql2/promise';
import pg from 'pg';
import { mysqlExec, pgExec } from '../helpers/databases.js';

type Kind = 'int' | 'text' | 'decimal' | 'timestamp' | 'bool';

/** A table under test: name, key columns, and every column with its kind. */
export interface HostileTable {
  name: string;
  key: string[];
  columns: Record<string, Kind>;
}

export const T_MIXED = 'sec_Mixed "Q" `B` a.b ü';
export const T_TEXT = 'sec_Text Key ✓';
export const T_COMP = 'sec_Comp.Key';

export const TABLES: HostileTable[] = [
  {
    name: T_MIXED,
    key: ['select'],
    columns: { select: 'int', order: 'text', 'Col "dq"': 'text', 'back`tick': 'int', 'dot.ted': 'decimal', 'spa ce': 'timestamp', 'Ünïcödé': 'text', MixedCase: 'bool' },
  },
  { name: T_TEXT, key: ['key"col'], columns: { 'key"col': 'text', 'v`al': 'int' } },
  { name: T_COMP, key: ['Grp "g"', 'n`o'], columns: { 'Grp "g"': 'text', 'n`o': 'int', select: 'int' } },
];

/** Text key values that a raw literal would break: quotes, backslashes, comment and LIKE characters. */
export const HOSTILE_KEYS = [
  "O'Brien",
  "''",
  'back\\slash',
  '\\',
  'ends with \\',
  'a"b',
  'tick`',
  '%',
  '_',
  '100%_off',
  "'; DROP TABLE x; --",
  '/* c */',
  '\\x41',
  '\\N',
  'tab\tin',
  'new\nline',
  'ünïcødé',
  '😀',
  'Z',
  'a',
  'A',
];

const pgQ = (n: string) => pg.escapeIdentifier(n);
const myQ = (n: string) => mysql.escapeId(n, true);

function keyRows(): { k: string; v: number }[] {
  const rows = HOSTILE_KEYS.map((k, i) => ({ k, v: i }));
  for (let g = 0; g < 150; g++) rows.push({ k: `key ${String(g).padStart(3, '0')}`, v: 1000 + g });
  return rows;
}

/** Creates the three tables in PostgreSQL database `test`. */
export async function createPgHostile(): Promise<void> {
  await pgExec(`DROP TABLE IF EXISTS ${pgQ(T_COMP)}, ${pgQ(T_TEXT)}, ${pgQ(T_MIXED)}`);
  await pgExec(`CREATE TABLE ${pgQ(T_MIXED)} ("select" bigint PRIMARY KEY, "order" text, ${pgQ('Col "dq"')} varchar(40), ${pgQ('back`tick')} int,
    ${pgQ('dot.ted')} numeric(10,2), ${pgQ('spa ce')} timestamp(6), ${pgQ('Ünïcödé')} text, "MixedCase" boolean)`);
  await pgExec(`INSERT INTO ${pgQ(T_MIXED)} SELECT g, CASE WHEN g % 5 = 0 THEN NULL ELSE 'order ' || g END, 'q"' || g || '''', g * 3,
    g / 7.0, timestamp '2024-02-29 12:00:00' + g * interval '1.5 second', 'ünï ' || g, g % 2 = 0 FROM generate_series(1, 400) g`);
  await pgExec(`CREATE INDEX ${pgQ('sec ix "q"')} ON ${pgQ(T_MIXED)} (${pgQ('Col "dq"')})`);
  await pgExec(`CREATE TABLE ${pgQ(T_TEXT)} (${pgQ('key"col')} varchar(60) PRIMARY KEY, ${pgQ('v`al')} int NOT NULL)`);
  for (const r of keyRows()) await pgExec(`INSERT INTO ${pgQ(T_TEXT)} VALUES ($1, $2)`, [r.k, r.v]);
  await pgExec(`CREATE TABLE ${pgQ(T_COMP)} (${pgQ('Grp "g"')} varchar(20) NOT NULL, ${pgQ('n`o')} int NOT NULL, "select" bigint,
    PRIMARY KEY (${pgQ('Grp "g"')}, ${pgQ('n`o')}), CONSTRAINT ${pgQ('sec fk`x')} FOREIGN KEY ("select") REFERENCES ${pgQ(T_MIXED)} ("select"))`);
  await pgExec(`INSERT INTO ${pgQ(T_COMP)} SELECT (ARRAY['it''s', 'a\\b', 'x"y', 'plain'])[1 + g % 4], g, 1 + g % 400 FROM generate_series(1, 300) g`);
  await pgExec(`ANALYZE ${pgQ(T_MIXED)}; ANALYZE ${pgQ(T_TEXT)}; ANALYZE ${pgQ(T_COMP)}`);
}

/** Creates the same tables natively in MariaDB database `test`. */
export async function createMysqlHostile(): Promise<void> {
  const values = keyRows().map((r) => `(${mysql.escape(r.k)}, ${r.v})`).join(', ');
  await mysqlExec(`SET time_zone = '+00:00';
    DROP TABLE IF EXISTS ${myQ(T_COMP)}, ${myQ(T_TEXT)}, ${myQ(T_MIXED)};
    CREATE TABLE ${myQ(T_MIXED)} (\`select\` bigint PRIMARY KEY, \`order\` text, ${myQ('Col "dq"')} varchar(40), ${myQ('back`tick')} int,
      ${myQ('dot.ted')} decimal(10,2), ${myQ('spa ce')} datetime(6), ${myQ('Ünïcödé')} text, MixedCase boolean,
      KEY ${myQ('sec ix "q"')} (${myQ('Col "dq"')})) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
    INSERT INTO ${myQ(T_MIXED)} WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < 400)
      SELECT g, IF(g % 5 = 0, NULL, CONCAT('order ', g)), CONCAT('q"', g, ''''), g * 3, g / 7.0,
      TIMESTAMP('2024-02-29 12:00:00') + INTERVAL (g * 1500000) MICROSECOND, CONCAT('ünï ', g), g % 2 = 0 FROM s;
    CREATE TABLE ${myQ(T_TEXT)} (${myQ('key"col')} varchar(60) PRIMARY KEY, ${myQ('v`al')} int NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
    INSERT INTO ${myQ(T_TEXT)} VALUES ${values};
    CREATE TABLE ${myQ(T_COMP)} (${myQ('Grp "g"')} varchar(20) NOT NULL, ${myQ('n`o')} int NOT NULL, \`select\` bigint,
      PRIMARY KEY (${myQ('Grp "g"')}, ${myQ('n`o')}), CONSTRAINT ${myQ('sec fk`x')} FOREIGN KEY (\`select\`) REFERENCES ${myQ(T_MIXED)} (\`select\`))
      ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
    INSERT INTO ${myQ(T_COMP)} WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < 300)
      SELECT ELT(1 + g % 4, 'it''s', 'a\\\\b', 'x"y', 'plain'), g, 1 + g % 400 FROM s;
    ANALYZE TABLE ${myQ(T_MIXED)}, ${myQ(T_TEXT)}, ${myQ(T_COMP)};`);
}

/** Drops the tables from both `test` databases. */
export async function dropHostile(): Promise<void> {
  await pgExec(`DROP TABLE IF EXISTS ${pgQ(T_COMP)}, ${pgQ(T_TEXT)}, ${pgQ(T_MIXED)}`);
  await mysqlExec(`DROP TABLE IF EXISTS ${myQ(T_COMP)}, ${myQ(T_TEXT)}, ${myQ(T_MIXED)}`);
}

function norm(kind: Kind, v: unknown): string | null {
  if (v === null || v === undefined) return null;
  const s = Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
  switch (kind) {
    case 'decimal':
      return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
    case 'bool':
      return s === 't' || s === 'true' || s === '1' ? '1' : '0';
    case 'timestamp': {
      const m = /^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(?:\.(\d+))?/.exec(s);
      return m ? `${m[1]} ${m[2]}.${(m[3] ?? '').padEnd(6, '0')}` : s;
    }
    default:
      return s;
  }
}

/** Every row of a table as normalised JSON lines, ordered by key (text byte-wise), read with the raw driver. */
export async function dumpHostile(url: string, t: HostileTable): Promise<string[]> {
  const cols = Object.keys(t.columns);
  const line = (row: unknown[]) => JSON.stringify(row.map((v, i) => norm(t.columns[cols[i]!]!, v)));
  if (url.startsWith('postgres')) {
    const c = new pg.Client({ connectionString: url, types: { getTypeParser: () => (v: string) => v }, options: '-c TimeZone=UTC' });
    await c.connect();
    try {
      const order = t.key.map((k) => `${pgQ(k)}${t.columns[k] === 'text' ? ' COLLATE "C"' : ''}`).join(', ');
      const r = await c.query({ text: `SELECT ${cols.map(pgQ).join(', ')} FROM ${pgQ(t.name)} ORDER BY ${order}`, rowMode: 'array' });
      return (r.rows as unknown[][]).map(line);
    } finally {
      await c.end();
    }
  }
  const c = await mysql.createConnection({ uri: url, timezone: 'Z', dateStrings: true, typeCast: (f, next) => (/BLOB/.test(f.type) ? f.buffer() : next()) });
  try {
    const order = t.key.map((k) => (t.columns[k] === 'text' ? `CAST(${myQ(k)} AS BINARY)` : myQ(k))).join(', ');
    const [rows] = await c.query({ sql: `SELECT ${cols.map(myQ).join(', ')} FROM ${myQ(t.name)} ORDER BY ${order}`, rowsAsArray: true });
    return (rows as unknown[][]).map(line);
  } finally {
    await c.end();
  }
}

/** Keys of the differences {@link plantDifferences} makes in T_TEXT of a target. */
export const PLANTED = { missing: "O'Brien", changed: 'back\\slash', extra: "x'\"`\\extra" };

/** Deletes, changes and adds one T_TEXT row with a hostile key on a target (as its own driver sees it). */
export async function plantDifferences(url: string): Promise<void> {
  if (url.startsWith('postgres')) {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      const t = pgQ(T_TEXT);
      await c.query(`DELETE FROM ${t} WHERE ${pgQ('key"col')} = $1`, [PLANTED.missing]);
      await c.query(`UPDATE ${t} SET ${pgQ('v`al')} = -7 WHERE ${pgQ('key"col')} = $1`, [PLANTED.changed]);
      await c.query(`INSERT INTO ${t} VALUES ($1, 42)`, [PLANTED.extra]);
    } finally {
      await c.end();
    }
    return;
  }
  const c = await mysql.createConnection({ uri: url });
  try {
    const t = myQ(T_TEXT);
    await c.query(`DELETE FROM ${t} WHERE ${myQ('key"col')} = ?`, [PLANTED.missing]);
    await c.query(`UPDATE ${t} SET ${myQ('v`al')} = -7 WHERE ${myQ('key"col')} = ?`, [PLANTED.changed]);
    await c.query(`INSERT INTO ${t} VALUES (?, 42)`, [PLANTED.extra]);
  } finally {
    await c.end();
  }
}
