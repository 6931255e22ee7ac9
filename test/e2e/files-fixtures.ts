/**
 * Source tables of the export/import end-to-end suites, created natively on each engine: an orders
 * table (varied types, NULLs, escapes, emoji), order lines with a foreign key, and an edge-value table
 * (NULL vs '', CSV and COPY delimiters inside values, binary with NUL bytes, 4-byte UTF-8, microseconds)
 * with a text key holding those characters too.
 */
import { mysqlExec, pgExec } from '../helpers/databases.js';
import type { DumpSpec } from '../helpers/row-dump.js';

export const FX_ORDERS = 3000;

export const FX_SPECS: DumpSpec[] = [
  {
    table: 'fx_orders',
    key: ['id'],
    columns: { id: 'int', customer_id: 'int', status: 'text', amount: 'decimal', created_at: 'timestamp', note: 'text', payload: 'json', flag: 'bool', ratio: 'float', raw: 'binary', day: 'date', at_tz: 'timestamp' },
  },
  { table: 'fx_lines', key: ['order_id', 'line'], columns: { order_id: 'int', line: 'int', qty: 'int' } },
  { table: 'fx_edge', key: ['k'], columns: { k: 'text', t: 'text', b: 'binary', ts: 'timestamp', d: 'decimal', j: 'json', f: 'float' } },
];

// Edge values as SQL literals that mean the same on both engines (standard strings, hex binary).
const EDGE: [string, string, string, string, string, string, string][] = [
  [`'a,b'`, `NULL`, `NULL`, `NULL`, `NULL`, `NULL`, `NULL`],
  [`'q"q'`, `''`, `X''`, `'2024-01-01 00:00:00.000001'`, `0`, `'{}'`, `0`],
  [`'tab\tkey'`, `'comma, "quotes", and ''single'''`, `X'00'`, `'1999-12-31 23:59:59.999999'`, `-0.000001`, `'[]'`, `-1.5`],
  [`'é'`, `'line1\nline2\r\nline3\rend'`, `X'0d0a2c22095c'`, `'2000-02-29 12:00:00.5'`, `123456789.123456`, `'{"a": "x,\\\\"y\\\\"\\\\n"}'`, `1e300`],
  [`'😀'`, `'4-byte 😀 𝄞 and \\\\N and \\\\\\\\ and \\\\t literal'`, `X'ffd8ffe000104a464946'`, `'2038-01-19 03:14:07.999999'`, `99999999.999999`, `'{"emoji": "😀"}'`, `3.14159`],
  [`'\\\\'`, `'\t\\\\'`, `X'5c4e'`, `'1970-01-01 00:00:00'`, `0.5`, `'null'`, `2.5e-300`],
  [`' '`, `' '`, `X'20'`, `'2024-06-30 23:59:59.123456'`, `1`, `'"str"'`, `0.1`],
];

const edgeRows = (pg: boolean) =>
  EDGE.map((r) => `(${r.map((v) => (pg && v.startsWith("X'") ? `'\\x${v.slice(2, -1)}'::bytea` : pg && v.startsWith("'") ? `E${v}` : v)).join(', ')})`).join(',\n');

/** Creates the fixture tables in PostgreSQL database `test`. */
export async function createPgFx(): Promise<void> {
  await pgExec(`DROP TABLE IF EXISTS fx_lines, fx_orders, fx_edge`);
  await pgExec(`CREATE TABLE fx_orders (id bigint PRIMARY KEY, customer_id int NOT NULL, status varchar(20) NOT NULL,
    amount numeric(12,2) NOT NULL, created_at timestamp(6) NOT NULL, note text, payload jsonb, flag boolean NOT NULL,
    ratio double precision, raw bytea, day date, at_tz timestamptz(6))`);
  await pgExec(`INSERT INTO fx_orders SELECT g, (g * 7919) % 1000, (ARRAY['new','paid','shipped','cancelled'])[1 + g % 4],
    ((g * 37) % 100000) / 100.0, timestamp '2024-01-01' + g * interval '1 second' + (g % 1000) * interval '1 microsecond',
    CASE WHEN g % 10 = 0 THEN NULL WHEN g % 7 = 0 THEN E'tab\\there\\\\back\\nnl, "q" 😀' WHEN g % 11 = 0 THEN '' ELSE 'note ' || g || ' – ünïcødé ✓' END,
    CASE WHEN g % 13 = 0 THEN NULL ELSE jsonb_build_object('k', g % 97, 'tags', jsonb_build_array('a', 'b')) END,
    g % 3 = 0, CASE WHEN g % 5 = 0 THEN NULL ELSE g / 3.0 END, CASE WHEN g % 4 = 0 THEN NULL ELSE decode(lpad(to_hex(g), 8, '0'), 'hex') END,
    date '2000-01-01' + g, timestamptz '2020-01-01 00:00:00+00' + g * interval '1 minute'
    FROM generate_series(1, ${FX_ORDERS}) g`);
  await pgExec(`CREATE INDEX fx_orders_customer ON fx_orders (customer_id)`);
  await pgExec(`CREATE TABLE fx_lines (order_id bigint NOT NULL REFERENCES fx_orders(id), line int NOT NULL, qty int NOT NULL, PRIMARY KEY (order_id, line))`);
  await pgExec(`INSERT INTO fx_lines SELECT o, l, o + l FROM generate_series(1, 1000) o, generate_series(1, 3) l`);
  await pgExec(`CREATE TABLE fx_edge (k varchar(20) PRIMARY KEY, t text, b bytea, ts timestamp(6), d numeric(15,6), j jsonb, f double precision)`);
  await pgExec(`INSERT INTO fx_edge VALUES ${edgeRows(true)}`);
  await pgExec(`ANALYZE fx_orders; ANALYZE fx_lines; ANALYZE fx_edge`);
}

/** Creates the same tables natively in MariaDB database `test`. */
export async function createMysqlFx(): Promise<void> {
  await mysqlExec(`SET time_zone = '+00:00'; SET SESSION max_recursive_iterations = 100000;
    DROP TABLE IF EXISTS fx_lines, fx_orders, fx_edge;
    CREATE TABLE fx_orders (id bigint PRIMARY KEY, customer_id int NOT NULL, status varchar(20) NOT NULL,
      amount decimal(12,2) NOT NULL, created_at datetime(6) NOT NULL, note text, payload json, flag boolean NOT NULL,
      ratio double, raw blob, day date, at_tz timestamp(6) NULL, KEY fx_orders_customer (customer_id)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
    INSERT INTO fx_orders
    WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < ${FX_ORDERS})
    SELECT g, (g * 7919) % 1000, ELT(1 + g % 4, 'new', 'paid', 'shipped', 'cancelled'), ((g * 37) % 100000) / 100.0,
      TIMESTAMP('2024-01-01') + INTERVAL g SECOND + INTERVAL (g % 1000) MICROSECOND,
      CASE WHEN g % 10 = 0 THEN NULL WHEN g % 7 = 0 THEN 'tab\\there\\\\back\\nnl, "q" 😀' WHEN g % 11 = 0 THEN '' ELSE CONCAT('note ', g, ' – ünïcødé ✓') END,
      CASE WHEN g % 13 = 0 THEN NULL ELSE JSON_OBJECT('k', g % 97, 'tags', JSON_ARRAY('a', 'b')) END,
      g % 3 = 0, CASE WHEN g % 5 = 0 THEN NULL ELSE g / 3.0e0 END, CASE WHEN g % 4 = 0 THEN NULL ELSE UNHEX(LPAD(HEX(g), 8, '0')) END,
      DATE('2000-01-01') + INTERVAL g DAY, TIMESTAMP('2020-01-01') + INTERVAL g MINUTE
    FROM s;
    CREATE TABLE fx_lines (order_id bigint NOT NULL, line int NOT NULL, qty int NOT NULL, PRIMARY KEY (order_id, line),
      CONSTRAINT fx_lines_order FOREIGN KEY (order_id) REFERENCES fx_orders (id)) ENGINE=InnoDB;
    INSERT INTO fx_lines WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < 3000)
      SELECT 1 + (g - 1) DIV 3, 1 + (g - 1) % 3, 1 + (g - 1) DIV 3 + 1 + (g - 1) % 3 FROM s;
    CREATE TABLE fx_edge (k varchar(20) PRIMARY KEY, t text, b blob, ts datetime(6), d decimal(15,6), j json, f double)
      ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
    INSERT INTO fx_edge VALUES ${edgeRows(false)};
    ANALYZE TABLE fx_orders, fx_lines, fx_edge;`);
}

/** Drops the fixture tables on both engines. */
export async function dropFx(): Promise<void> {
  await pgExec(`DROP TABLE IF EXISTS fx_lines, fx_orders, fx_edge`);
  await mysqlExec(`DROP TABLE IF EXISTS fx_lines, fx_orders, fx_edge`);
}

/** Drops and recreates empty target databases (fx_ names) on both engines. */
export async function freshFxDatabases(names: string[]): Promise<void> {
  for (const n of names) {
    await pgExec(`DROP DATABASE IF EXISTS ${n} WITH (FORCE)`);
    await pgExec(`CREATE DATABASE ${n}`);
    await mysqlExec(`DROP DATABASE IF EXISTS ${n}; CREATE DATABASE ${n} CHARACTER SET utf8mb4`);
  }
}

/** Drops the target databases again. */
export async function dropFxDatabases(names: string[]): Promise<void> {
  for (const n of names) {
    await pgExec(`DROP DATABASE IF EXISTS ${n} WITH (FORCE)`);
    await mysqlExec(`DROP DATABASE IF EXISTS ${n}`);
  }
}
