/**
 * The benchmark's databases and its dataset: `orders` in `ferry_bench_src` on PostgreSQL and MySQL,
 * made by the team's generator scripts in ../shared/bench when that directory is there (a developer's
 * checkout) and by the same SQL inline when it is not (CI clones only the project).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { mustRun, run, sh, shq, type RunResult } from './bench-proc.js';

export type Engine = 'pg' | 'mysql';

export const SRC_DB = 'ferry_bench_src';
export const DST_DB = 'ferry_bench_dst';
/** Where the MySQL rows are generated before being loaded as CSV; never the tests' `test` database. */
export const SCRATCH_DB = 'ferry_bench_scratch';
export const TABLE = 'orders';

// The servers the project's tests use (see README); the shared scripts assume the same.
const PG_HOST = '127.0.0.1';
const PG_PORT = 5432;
const PG_USER = 'root';
const MY_HOST = '127.0.0.1';
const MY_PORT = 3306;
const MY_USER = 'root';

/** ferry connection URL of a bench database. */
export function ferryUrl(engine: Engine, db: string): string {
  return engine === 'pg' ? `postgres://${PG_USER}@${PG_HOST}:${PG_PORT}/${db}` : `mysql://${MY_USER}@${MY_HOST}:${MY_PORT}/${db}`;
}

/** `psql` arguments for a database (no psqlrc, stop on the first error). */
export function psqlArgs(db: string): string[] {
  return ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', PG_HOST, '-p', String(PG_PORT), '-U', PG_USER, '-d', db];
}

/** `pg_dump`/`pgloader`-style connection arguments for PostgreSQL. */
export function pgConnArgs(): string[] {
  return ['-h', PG_HOST, '-p', String(PG_PORT), '-U', PG_USER];
}

/** `mysql`/`mysqldump` connection arguments. */
export function mysqlConnArgs(): string[] {
  return [`-h${MY_HOST}`, `-P${MY_PORT}`, `-u${MY_USER}`];
}

/** Runs SQL on a database and returns its tab-separated output without headers. */
export async function query(engine: Engine, db: string, sql: string): Promise<string> {
  const r =
    engine === 'pg'
      ? await mustRun('psql', [...psqlArgs(db), '-At', '-c', sql])
      : await mustRun('mysql', [...mysqlConnArgs(), '-N', '-B', ...(db ? [db] : []), '-e', sql]);
  return r.stdout.trim();
}

/** Rows in `orders` of a database, or -1 when the table does not exist. */
export async function countRows(engine: Engine, db: string): Promise<number> {
  try {
    return Number(await query(engine, db, `SELECT count(*) FROM ${TABLE}`));
  } catch {
    return -1;
  }
}

/** Drops `orders` in a database (the untimed reset before every run). */
export async function dropTable(engine: Engine, db: string): Promise<void> {
  await query(engine, db, engine === 'pg' ? `DROP TABLE IF EXISTS ${TABLE} CASCADE` : `DROP TABLE IF EXISTS ${TABLE}`);
}

/** Creates a database when missing. */
export async function ensureDatabase(engine: Engine, db: string): Promise<void> {
  if (engine === 'mysql') {
    await query('mysql', '', `CREATE DATABASE IF NOT EXISTS \`${db}\` CHARACTER SET utf8mb4`);
    return;
  }
  const exists = await query('pg', 'postgres', `SELECT 1 FROM pg_database WHERE datname = '${db}'`);
  if (exists !== '1') await query('pg', 'postgres', `CREATE DATABASE "${db}"`);
}

/** `orders` in PostgreSQL, exactly as ../shared/bench/make-pg-data.sh makes it. */
export function pgOrdersSql(rows: number): string {
  return `DROP TABLE IF EXISTS orders;
CREATE TABLE orders (
  id bigint PRIMARY KEY,
  customer_id integer NOT NULL,
  status varchar(20) NOT NULL,
  amount numeric(12,2) NOT NULL,
  created_at timestamp(6) NOT NULL,
  note text,
  payload jsonb,
  flag boolean NOT NULL
);
INSERT INTO orders
SELECT g, ((g * 7919) % 100000)::int, (ARRAY['new','paid','shipped','cancelled'])[1 + g % 4],
       ((g * 37) % 1000000) / 100.0, timestamp '2024-01-01' + g * interval '1 second',
       CASE WHEN g % 10 = 0 THEN NULL ELSE 'note ' || g || ' – ünïcødé ✓' END,
       jsonb_build_object('k', g % 97, 'tags', jsonb_build_array('a', 'b')),
       g % 3 = 0
FROM generate_series(1::bigint, ${Math.trunc(rows)}) g;
ANALYZE orders;
`;
}

/** `orders` in MySQL/MariaDB, as ../shared/bench/make-mysql-data.sh creates it (empty). */
export const MYSQL_ORDERS_DDL = `CREATE TABLE orders (
  id bigint PRIMARY KEY,
  customer_id int NOT NULL,
  status varchar(20) NOT NULL,
  amount decimal(12,2) NOT NULL,
  created_at datetime(6) NOT NULL,
  note text,
  payload json,
  flag boolean NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`;

/**
 * The PG→MySQL CSV pipeline (also the PG→MySQL reference): `\copy (select …) to stdout csv` piped into
 * `LOAD DATA LOCAL INFILE '/dev/stdin'` of an existing MySQL `orders`. NULL notes travel as a quoted
 * `\N` (PostgreSQL quotes a value equal to its NULL string) and are turned back into NULL on load.
 */
export function csvPipeline(pgDb: string, mysqlDb: string): string {
  const copy =
    `\\copy (select id,customer_id,status,amount,to_char(created_at,'YYYY-MM-DD HH24:MI:SS.US'),coalesce(note,'\\N'),payload::text,flag::int ` +
    `from orders) to stdout with (format csv, null '\\N')`;
  const load =
    `LOAD DATA LOCAL INFILE '/dev/stdin' INTO TABLE orders CHARACTER SET utf8mb4 ` +
    `FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '"' ESCAPED BY '' LINES TERMINATED BY '\\n' ` +
    `(id,customer_id,status,amount,created_at,@note,payload,flag) SET note = NULLIF(@note,'\\\\N')`;
  const psql = ['psql', ...psqlArgs(pgDb), '-c', copy].map(shq).join(' ');
  const mysql = ['mysql', ...mysqlConnArgs(), '--local-infile=1', mysqlDb, '-e', load].map(shq).join(' ');
  return `${psql} | ${mysql}`;
}

/** Where the shared generator scripts live, or undefined when ../shared/bench is absent. */
export function sharedScriptsDir(projectRoot: string): string | undefined {
  const dir = join(projectRoot, '..', 'shared', 'bench');
  return existsSync(join(dir, 'make-pg-data.sh')) && existsSync(join(dir, 'make-mysql-data.sh')) ? dir : undefined;
}

/** Options of {@link createDatasets}. */
export interface DatasetOptions {
  projectRoot: string;
  rows: number;
  engines: Engine[];
  /** Use the inline SQL even when the shared scripts exist. */
  inline: boolean;
  /** Keep a source table that already holds exactly `rows` rows. */
  keep: boolean;
  log: (msg: string) => void;
}

/** Creates the source and target databases and `orders` in each needed source; returns how. */
export async function createDatasets(opts: DatasetOptions): Promise<string> {
  for (const engine of ['pg', 'mysql'] as const) {
    await ensureDatabase(engine, SRC_DB);
    await ensureDatabase(engine, DST_DB);
  }
  if (opts.engines.includes('mysql')) await ensureDatabase('pg', SCRATCH_DB);
  const dir = opts.inline ? undefined : sharedScriptsDir(opts.projectRoot);
  const how = dir ? `generated by ${dir}/make-{pg,mysql}-data.sh` : 'generated by the inline SQL in scripts/bench-datasets.ts';
  for (const engine of opts.engines) {
    if (opts.keep && (await countRows(engine, SRC_DB)) === opts.rows) {
      opts.log(`${engine} ${SRC_DB}.orders already holds ${opts.rows} rows; kept (--keep-data)`);
      continue;
    }
    const started = performance.now();
    const r = dir ? await viaScripts(dir, engine, opts.rows) : await inline(engine, opts.rows);
    if (r.code !== 0) throw new Error(`creating the ${engine} dataset failed (exit ${r.code}):\n${r.stderr || r.stdout}`);
    const n = await countRows(engine, SRC_DB);
    if (n !== opts.rows) throw new Error(`the ${engine} dataset has ${n} rows, expected ${opts.rows}`);
    opts.log(`${engine} ${SRC_DB}.orders: ${n} rows in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  if (opts.engines.includes('pg')) {
    // A freshly inserted table makes its first readers write: each page's hint bits are set on first
    // read, and autovacuum soon scans it all. At 10M rows that landed on the first direction's timed
    // runs (pg_dump | psql 30 s in the bench against 21 s by hand just after). Freezing it once here,
    // untimed, leaves nothing for any run to pay; on a table already frozen it takes a moment.
    const started = performance.now();
    await query('pg', SRC_DB, `VACUUM (FREEZE, ANALYZE) ${TABLE}`);
    opts.log(`pg ${SRC_DB}.orders vacuumed and frozen in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  return how;
}

function viaScripts(dir: string, engine: Engine, rows: number): Promise<RunResult> {
  const script = join(dir, engine === 'pg' ? 'make-pg-data.sh' : 'make-mysql-data.sh');
  return run(script, [SRC_DB, String(rows)], {
    env: { ...process.env, PGHOST: PG_HOST, PGUSER: PG_USER, PGSCRATCH: SCRATCH_DB, MYSQL_ARGS: mysqlConnArgs().join(' ') },
  });
}

async function inline(engine: Engine, rows: number): Promise<RunResult> {
  if (engine === 'pg') return run('psql', psqlArgs(SRC_DB), { input: pgOrdersSql(rows) });
  // Same route as make-mysql-data.sh: generate in PostgreSQL's scratch database, load as CSV.
  const gen = await run('psql', psqlArgs(SCRATCH_DB), { input: pgOrdersSql(rows) });
  if (gen.code !== 0) return gen;
  await dropTable('mysql', SRC_DB);
  await query('mysql', SRC_DB, MYSQL_ORDERS_DDL);
  return sh(csvPipeline(SCRATCH_DB, SRC_DB));
}
