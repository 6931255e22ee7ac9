/**
 * Source tables for the end-to-end suites, created natively on each engine (not by ferry), with
 * varied types, NULLs, escapes, emoji, a text key, a composite key and a foreign key.
 */
import { mysqlExec, pgExec } from '../helpers/databases.js';
import type { DumpSpec } from '../helpers/row-dump.js';

export const ORDERS = 3000;

export const SPECS: DumpSpec[] = [
  {
    table: 'e2e_orders',
    key: ['id'],
    columns: {
      id: 'int', customer_id: 'int', status: 'text', amount: 'decimal', created_at: 'timestamp', note: 'text', payload: 'json',
      flag: 'bool', ratio: 'float', raw: 'binary', day: 'text', uid: 'uuid', at_tz: 'timestamp',
    },
  },
  { table: 'e2e_tags', key: ['name'], columns: { name: 'text', n: 'int' } },
  { table: 'e2e_lines', key: ['order_id', 'line'], columns: { order_id: 'int', line: 'int', qty: 'int' } },
];

const TAGS = `('a', 1), ('B', 2), ('é', 3), ('😀', 4), ('Z', 5), ('a b', 6), ('ab', 7), ('Ab', 8)`;

/** Creates the fixture tables in PostgreSQL database `test`. */
export async function createPgSource(): Promise<void> {
  await pgExec(`DROP TABLE IF EXISTS e2e_lines, e2e_orders, e2e_tags`);
  await pgExec(`CREATE TABLE e2e_orders (id bigint PRIMARY KEY, customer_id int NOT NULL, status varchar(20) NOT NULL,
    amount numeric(12,2) NOT NULL, created_at timestamp(6) NOT NULL, note text, payload jsonb, flag boolean NOT NULL,
    ratio double precision, raw bytea, day date, uid uuid, at_tz timestamptz(6))`);
  await pgExec(`INSERT INTO e2e_orders SELECT g, (g * 7919) % 1000, (ARRAY['new','paid','shipped','cancelled'])[1 + g % 4],
    ((g * 37) % 100000) / 100.0, timestamp '2024-01-01' + g * interval '1 second' + (g % 1000) * interval '1 microsecond',
    CASE WHEN g % 10 = 0 THEN NULL WHEN g % 7 = 0 THEN E'tab\\there\\\\back\\nnl 😀' WHEN g % 11 = 0 THEN '' ELSE 'note ' || g || ' – ünïcødé ✓' END,
    CASE WHEN g % 13 = 0 THEN NULL ELSE jsonb_build_object('k', g % 97, 'tags', jsonb_build_array('a', 'b')) END,
    g % 3 = 0, CASE WHEN g % 5 = 0 THEN NULL ELSE g / 3.0 END, CASE WHEN g % 4 = 0 THEN NULL ELSE decode(lpad(to_hex(g), 8, '0'), 'hex') END,
    date '2000-01-01' + g, md5(g::text)::uuid, timestamptz '2020-01-01 00:00:00+00' + g * interval '1 minute'
    FROM generate_series(1, ${ORDERS}) g`);
  await pgExec(`CREATE INDEX e2e_orders_customer ON e2e_orders (customer_id)`);
  await pgExec(`CREATE TABLE e2e_tags (name varchar(50) PRIMARY KEY, n int NOT NULL)`);
  await pgExec(`INSERT INTO e2e_tags VALUES ${TAGS}`);
  await pgExec(`INSERT INTO e2e_tags SELECT 'tag ' || g, g FROM generate_series(1, 500) g`);
  await pgExec(`CREATE TABLE e2e_lines (order_id bigint NOT NULL REFERENCES e2e_orders(id), line int NOT NULL, qty int NOT NULL, PRIMARY KEY (order_id, line))`);
  await pgExec(`INSERT INTO e2e_lines SELECT o, l, o + l FROM generate_series(1, 1000) o, generate_series(1, 3) l`);
  await pgExec(`ANALYZE e2e_orders; ANALYZE e2e_tags; ANALYZE e2e_lines`);
}

/** Creates the same tables natively in MariaDB database `test`. */
export async function createMysqlSource(): Promise<void> {
  await mysqlExec(`SET time_zone = '+00:00'; SET SESSION max_recursive_iterations = 100000;
    DROP TABLE IF EXISTS e2e_lines, e2e_orders, e2e_tags;
    CREATE TABLE e2e_orders (id bigint PRIMARY KEY, customer_id int NOT NULL, status varchar(20) NOT NULL,
      amount decimal(12,2) NOT NULL, created_at datetime(6) NOT NULL, note text, payload json, flag boolean NOT NULL,
      ratio double, raw blob, day date, uid uuid, at_tz timestamp(6) NULL, KEY e2e_orders_customer (customer_id))
      ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
    INSERT INTO e2e_orders
    WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < ${ORDERS})
    SELECT g, (g * 7919) % 1000, ELT(1 + g % 4, 'new', 'paid', 'shipped', 'cancelled'), ((g * 37) % 100000) / 100.0,
      TIMESTAMP('2024-01-01') + INTERVAL g SECOND + INTERVAL (g % 1000) MICROSECOND,
      CASE WHEN g % 10 = 0 THEN NULL WHEN g % 7 = 0 THEN 'tab\\there\\\\back\\nnl 😀' WHEN g % 11 = 0 THEN '' ELSE CONCAT('note ', g, ' – ünïcødé ✓') END,
      CASE WHEN g % 13 = 0 THEN NULL ELSE JSON_OBJECT('k', g % 97, 'tags', JSON_ARRAY('a', 'b')) END,
      g % 3 = 0, CASE WHEN g % 5 = 0 THEN NULL ELSE g / 3.0e0 END, CASE WHEN g % 4 = 0 THEN NULL ELSE UNHEX(LPAD(HEX(g), 8, '0')) END,
      DATE('2000-01-01') + INTERVAL g DAY, UUID(), TIMESTAMP('2020-01-01') + INTERVAL g MINUTE
    FROM s;
    CREATE TABLE e2e_tags (name varchar(50) PRIMARY KEY, n int NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
    INSERT INTO e2e_tags VALUES ${TAGS};
    INSERT INTO e2e_tags WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < 500) SELECT CONCAT('tag ', g), g FROM s;
    CREATE TABLE e2e_lines (order_id bigint NOT NULL, line int NOT NULL, qty int NOT NULL, PRIMARY KEY (order_id, line),
      CONSTRAINT e2e_lines_order FOREIGN KEY (order_id) REFERENCES e2e_orders (id)) ENGINE=InnoDB;
    INSERT INTO e2e_lines WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < 3000)
      SELECT 1 + (g - 1) DIV 3, 1 + (g - 1) % 3, 1 + (g - 1) DIV 3 + 1 + (g - 1) % 3 FROM s;
    ANALYZE TABLE e2e_orders, e2e_tags, e2e_lines;`);
}

/** Drops and recreates an empty target database on both engines. */
export async function freshTargetDatabases(names: string[]): Promise<void> {
  for (const n of names) {
    await pgExec(`DROP DATABASE IF EXISTS ${n} WITH (FORCE)`);
    await pgExec(`CREATE DATABASE ${n}`);
    await mysqlExec(`DROP DATABASE IF EXISTS ${n}; CREATE DATABASE ${n} CHARACTER SET utf8mb4`);
  }
}
