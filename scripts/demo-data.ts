/**
 * The demo dataset: a small shop in PostgreSQL (customers, products, orders; ~100K rows of varied
 * types with foreign keys), generated in SQL so it takes a second.
 */
import pg from 'pg';

/** Creates database `db` if needed and (re)creates the demo tables in it. */
export async function createDemoData(adminUrl: string, db: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [db]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${db}"`);
  } finally {
    await admin.end();
  }
  const u = new URL(adminUrl);
  u.pathname = `/${db}`;
  const c = new pg.Client({ connectionString: u.toString() });
  await c.connect();
  try {
    await c.query(`
      DROP TABLE IF EXISTS orders, products, customers;
      CREATE TABLE customers (
        id integer PRIMARY KEY, email varchar(120) NOT NULL UNIQUE, name text NOT NULL, vip boolean NOT NULL,
        signed_up timestamptz(6) NOT NULL, profile jsonb);
      CREATE TABLE products (
        id integer PRIMARY KEY, sku uuid NOT NULL, name varchar(100) NOT NULL, price numeric(10,2) NOT NULL,
        weight_kg real, thumbnail bytea, launched date);
      CREATE TABLE orders (
        id bigint PRIMARY KEY, customer_id integer NOT NULL REFERENCES customers(id), product_id integer NOT NULL REFERENCES products(id),
        quantity smallint NOT NULL, total numeric(12,2) NOT NULL, status varchar(20) NOT NULL, ordered_at timestamp(6) NOT NULL,
        note text);
      INSERT INTO customers SELECT g, 'user' || g || '@example.com', 'Customer ' || g || CASE WHEN g % 50 = 0 THEN ' 😀 ünïcødé' ELSE '' END,
        g % 10 = 0, timestamptz '2020-01-01 00:00:00+00' + g * interval '17 minutes 3.25 seconds',
        CASE WHEN g % 7 = 0 THEN NULL ELSE jsonb_build_object('lang', (ARRAY['en','fr','de','ja'])[1 + g % 4], 'score', g % 100) END
        FROM generate_series(1, 10000) g;
      INSERT INTO products SELECT g, md5('p' || g)::uuid, 'Product ' || g, (g % 500) + 0.99, CASE WHEN g % 9 = 0 THEN NULL ELSE g / 7.0 END,
        decode(md5(g::text), 'hex'), date '2015-01-01' + g FROM generate_series(1, 1000) g;
      INSERT INTO orders SELECT g, 1 + (g * 7919) % 10000, 1 + (g * 31) % 1000, 1 + g % 5, ((g * 37) % 100000) / 100.0,
        (ARRAY['new','paid','shipped','cancelled'])[1 + g % 4], timestamp '2024-01-01' + g * interval '1 minute 0.000123 seconds',
        CASE WHEN g % 3 = 0 THEN NULL ELSE E'gift wrap\\tplease ' || g END
        FROM generate_series(1, 90000) g;
      CREATE INDEX orders_customer ON orders (customer_id);
      ANALYZE customers; ANALYZE products; ANALYZE orders;`);
  } finally {
    await c.end();
  }
}
