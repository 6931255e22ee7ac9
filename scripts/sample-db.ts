/**
 * Sakila, the public MySQL sample database, through ferry and through pgloader (issue #3's check):
 * loads it into MariaDB `fd_sakila`, migrates it MySQL→PG with ferry (`fd_sakila_ferry`) and with
 * pgloader (`fd_sakila_pgl`), then PG→MySQL with ferry (`fd_sakila_back`), and prints per side the
 * tables, rows, keys, indexes and foreign keys, what ferry reported as not carried, and pgloader's
 * column types next to ferry's.
 *
 * Nothing is downloaded: SAKILA_DIR (default /tmp/fd-sakila) must hold the jOOQ sakila repository's
 * mysql-sakila-schema.sql, postgres-sakila-schema.sql and postgres-sakila-insert-data-using-copy.sql.
 * That repository ships no MySQL data file, so the rows come from its PostgreSQL data (loaded into
 * `fd_sakila_pgsrc` and inserted into MariaDB with plain drivers, not ferry); its MySQL schema lacks
 * the spatial `address.location` of the original Sakila, so the column is added back and filled with a
 * POINT per address (x = address_id, y = city_id), to exercise the spatial path.
 *
 * Run: `npm run build && node dist/scripts/sample-db.js` (dev server on port 7415; pgloader on PATH).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { startDevServer } from '../src/temporal/dev-server.js';

const DIR = process.env['SAKILA_DIR'] ?? '/tmp/fd-sakila';
const PORT = Number(process.env['FD_SAKILA_PORT'] ?? 7415);
const PG = (db: string) => `postgres://root@127.0.0.1:5432/${db}`;
const MY = (db: string) => `mysql://root@127.0.0.1:3306/${db}`;
const BIN = fileURLToPath(new URL('../../bin/ferry.js', import.meta.url));
const FILES = ['mysql-sakila-schema.sql', 'postgres-sakila-schema.sql', 'postgres-sakila-insert-data-using-copy.sql'];
// Parents before children, so the plain-driver load needs no deferred keys.
const TABLES = ['language', 'country', 'city', 'address', 'actor', 'category', 'staff', 'store', 'film', 'inventory', 'film_actor', 'film_category', 'customer', 'rental', 'payment'];

const sh = (cmd: string, args: string[], input?: string) => execFileSync(cmd, args, { input, encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['pipe', 'pipe', 'pipe'] });
const psql = (db: string, sql: string) => sh('psql', ['-h', '127.0.0.1', '-U', 'root', '-v', 'ON_ERROR_STOP=1', '-qAt', db], sql);
const mysqlCli = (sql: string, db = '') => sh('mysql', ['-h', '127.0.0.1', '-uroot', '--default-character-set=utf8mb4', ...(db ? [db] : [])], sql);

async function loadSource(): Promise<void> {
  psql('postgres', 'DROP DATABASE IF EXISTS fd_sakila_pgsrc WITH (FORCE); CREATE DATABASE fd_sakila_pgsrc;');
  psql('fd_sakila_pgsrc', readFileSync(join(DIR, FILES[1]!), 'utf8') + readFileSync(join(DIR, FILES[2]!), 'utf8'));
  const schema = readFileSync(join(DIR, FILES[0]!), 'utf8').replace(/DROP SCHEMA IF EXISTS sakila;\s*CREATE SCHEMA sakila;\s*USE sakila;/, 'DROP SCHEMA IF EXISTS fd_sakila; CREATE SCHEMA fd_sakila; USE fd_sakila;').replace(/\bsakila\./g, 'fd_sakila.');
  mysqlCli(schema);
  const src = new pg.Client({ connectionString: PG('fd_sakila_pgsrc'), types: { getTypeParser: () => (v: string) => v } });
  await src.connect();
  await src.query(`SET TimeZone = 'UTC'`);
  const my = await mysql.createConnection({ uri: MY('fd_sakila'), multipleStatements: true });
  await my.query(`SET FOREIGN_KEY_CHECKS = 0, time_zone = '+00:00'`);
  for (const t of TABLES) {
    const [cols] = await my.query(`SELECT COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'fd_sakila' AND TABLE_NAME = ?`, [t]);
    const mine = new Set((cols as { c: string }[]).map((r) => r.c));
    const { rows, fields } = await src.query(`SELECT * FROM ${t}`);
    const names = fields.map((f) => f.name).filter((n) => mine.has(n));
    const value = (n: string, v: unknown): unknown => {
      if (v === null) return null;
      if (n === 'special_features') return String(v).replace(/^\{|\}$/g, '').replace(/"/g, ''); // text[] → SET
      if (n === 'active' || n === 'activebool') return v === 't' || v === '1' ? 1 : 0;
      if (n === 'picture') return Buffer.from(String(v).slice(2), 'hex');
      return typeof v === 'string' ? v.replace(/^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?)[+-]\d\d$/, '$1') : v;
    };
    for (let i = 0; i < rows.length; i += 2000) {
      const batch = rows.slice(i, i + 2000).map((r: Record<string, unknown>) => names.map((n) => value(n, r[n])));
      await my.query(`INSERT INTO ${t} (${names.map((n) => `\`${n}\``).join(', ')}) VALUES ?`, [batch]);
    }
  }
  // The original Sakila's spatial column (see the header).
  await my.query(`ALTER TABLE address ADD COLUMN location GEOMETRY NULL AFTER phone;
    UPDATE address SET location = ST_GeomFromText(CONCAT('POINT(', address_id, ' ', city_id, ')'));
    ALTER TABLE address MODIFY location GEOMETRY NOT NULL, ADD SPATIAL KEY idx_location (location)`);
  await my.end();
  await src.end();
}

interface Side {
  tables: Record<string, { rows: number; pk: boolean; indexes: number; fks: number }>;
  views: string[];
  triggers: string[];
  routines: string[];
}

async function pgSide(db: string): Promise<Side> {
  const c = new pg.Client({ connectionString: PG(db) });
  await c.connect();
  try {
    const names = (await c.query(`SELECT relname FROM pg_class WHERE relkind IN ('r', 'p') AND relnamespace = 'public'::regnamespace AND NOT relispartition ORDER BY 1`)).rows.map((r: { relname: string }) => r.relname);
    const tables: Side['tables'] = {};
    for (const t of names) {
      const q = (sql: string) => c.query(sql, [t]).then((r) => Number((r.rows[0] as { n: string }).n));
      tables[t] = {
        rows: Number((await c.query(`SELECT count(*) AS n FROM "${t}"`)).rows[0].n),
        pk: (await q(`SELECT count(*) AS n FROM pg_constraint WHERE conrelid = ('public.' || quote_ident($1))::regclass AND contype = 'p'`)) > 0,
        indexes: await q(`SELECT count(*) AS n FROM pg_index i WHERE indrelid = ('public.' || quote_ident($1))::regclass AND NOT indisprimary`),
        fks: await q(`SELECT count(*) AS n FROM pg_constraint WHERE conrelid = ('public.' || quote_ident($1))::regclass AND contype = 'f'`),
      };
    }
    const list = async (sql: string) => (await c.query(sql)).rows.map((r: { n: string }) => r.n);
    return {
      tables,
      views: await list(`SELECT viewname AS n FROM pg_views WHERE schemaname = 'public' ORDER BY 1`),
      triggers: await list(`SELECT DISTINCT tgname AS n FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT tgisinternal AND c.relnamespace = 'public'::regnamespace ORDER BY 1`),
      routines: await list(`SELECT proname AS n FROM pg_proc WHERE pronamespace = 'public'::regnamespace ORDER BY 1`),
    };
  } finally {
    await c.end();
  }
}

async function mySide(db: string): Promise<Side> {
  const c = await mysql.createConnection({ uri: MY(db) });
  try {
    const q = async (sql: string, p: unknown[] = []) => (await c.query(sql, p))[0] as Record<string, unknown>[];
    const tables: Side['tables'] = {};
    for (const r of await q(`SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY 1`, [db])) {
      const t = String(r['t']);
      const idx = await q(`SELECT DISTINCT INDEX_NAME AS n FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?`, [db, t]);
      tables[t] = {
        rows: Number((await q(`SELECT COUNT(*) AS n FROM \`${t}\``))[0]!['n']),
        pk: idx.some((i) => i['n'] === 'PRIMARY'),
        indexes: idx.filter((i) => i['n'] !== 'PRIMARY').length,
        fks: (await q(`SELECT COUNT(*) AS n FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ? AND TABLE_NAME = ?`, [db, t]))[0]!['n'] as number,
      };
    }
    const names = async (sql: string) => (await q(sql, [db])).map((r) => String(r['n']));
    return {
      tables,
      views: await names(`SELECT TABLE_NAME AS n FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ? ORDER BY 1`),
      triggers: await names(`SELECT TRIGGER_NAME AS n FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ? ORDER BY 1`),
      routines: await names(`SELECT ROUTINE_NAME AS n FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ? ORDER BY 1`),
    };
  } finally {
    await c.end();
  }
}

async function pgTypes(db: string): Promise<Map<string, string>> {
  const c = new pg.Client({ connectionString: PG(db) });
  await c.connect();
  try {
    const r = await c.query(`SELECT c.relname AS t, a.attname AS c, format_type(a.atttypid, a.atttypmod) AS ty FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
      WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped`);
    return new Map(r.rows.map((x: { t: string; c: string; ty: string }) => [`${x.t}.${x.c}`, x.ty]));
  } finally {
    await c.end();
  }
}

function ferry(args: string[], env: NodeJS.ProcessEnv): { code: number; out: string } {
  try {
    return { code: 0, out: execFileSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8', maxBuffer: 64 << 20 }) };
  } catch (e) {
    const err = e as { status?: number; stdout?: string; stderr?: string };
    return { code: err.status ?? -1, out: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

const line = (o: unknown) => JSON.stringify(o);

async function main(): Promise<void> {
  const missing = FILES.filter((f) => !existsSync(join(DIR, f)));
  if (missing.length > 0) {
    console.error(`blocked: ${DIR} lacks ${missing.join(', ')} (the jOOQ sakila repository's files; set SAKILA_DIR)`);
    process.exit(2);
  }
  console.error('loading Sakila into MariaDB fd_sakila …');
  await loadSource();
  for (const db of ['fd_sakila_ferry', 'fd_sakila_pgl']) psql('postgres', `DROP DATABASE IF EXISTS ${db} WITH (FORCE); CREATE DATABASE ${db};`);
  mysqlCli('DROP DATABASE IF EXISTS fd_sakila_back; CREATE DATABASE fd_sakila_back CHARACTER SET utf8mb4;');

  const server = await startDevServer({ port: PORT, uiPort: PORT + 1000, dbFile: join(mkdtempSync(join(tmpdir(), 'fd-sakila-')), 't.db') });
  const env = { ...process.env, TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: 'default', FERRY_TASK_QUEUE: 'fd-sakila' };
  const worker = spawn(process.execPath, [BIN, 'worker'], { env, stdio: 'ignore' });
  try {
    await new Promise((r) => setTimeout(r, 4000));
    const job = join(mkdtempSync(join(tmpdir(), 'fd-sakila-job-')), 'job.yaml');
    writeFileSync(job, `source: ${MY('fd_sakila')}\ntarget: ${PG('fd_sakila_ferry')}\ntables: "*"\nchunkRows: 5000\ntypes: {"address.location": "text"}\n`);
    const noOverride = ferry(['plan', '--source', MY('fd_sakila'), '--target', PG('fd_sakila_ferry'), '--tables', '*', '--json'], env);
    console.log(line({ step: 'plan without a types override for address.location', exit: noOverride.code, error: noOverride.out.trim().split('\n').pop()?.slice(0, 400) }));
    const plan = ferry(['plan', job, '--json'], env);
    const warnings = plan.code === 0 ? (JSON.parse(plan.out.trim().split('\n').pop()!) as { warnings: string[] }).warnings : [plan.out];
    console.log(line({ step: 'ferry plan MySQL→PG', exit: plan.code, warnings }));
    let t0 = Date.now();
    const toPg = ferry(['migrate', job, '--wait', '--json', '--id', 'fd-sakila-to-pg'], env);
    console.log(line({ step: 'ferry migrate MySQL→PG', exit: toPg.code, seconds: (Date.now() - t0) / 1000, report: toPg.out.trim().split('\n').pop()?.slice(0, 4000) }));
    t0 = Date.now();
    let pgl: string;
    try {
      pgl = sh('pgloader', [MY('fd_sakila'), `postgresql://root@127.0.0.1:5432/fd_sakila_pgl`]);
    } catch (e) {
      pgl = `pgloader failed: ${String((e as { stderr?: string }).stderr ?? e)}`;
    }
    console.log(line({ step: 'pgloader MySQL→PG', seconds: (Date.now() - t0) / 1000, summary: pgl.split('\n').filter((l) => /Total import time|errors|ERROR|WARNING/i.test(l)).slice(0, 20) }));
    // pgloader puts the tables in a schema named after the MySQL database.
    psql('fd_sakila_pgl', `DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'fd_sakila') THEN DROP SCHEMA public CASCADE; ALTER SCHEMA fd_sakila RENAME TO public; END IF; END $$;`);
    t0 = Date.now();
    const back = ferry(['migrate', '--source', PG('fd_sakila_ferry'), '--target', MY('fd_sakila_back'), '--tables', '*', '--json', '--wait', '--id', 'fd-sakila-to-my'], env);
    console.log(line({ step: 'ferry migrate PG→MySQL', exit: back.code, seconds: (Date.now() - t0) / 1000, report: back.out.trim().split('\n').pop()?.slice(0, 4000) }));
    // address.location is GEOMETRY on the original and WKT text after the round trip, so it is verified apart.
    const verify = ferry(['verify', '--source', MY('fd_sakila'), '--target', MY('fd_sakila_back'), '--tables', TABLES.filter((t) => t !== 'address').join(','), '--json'], env);
    console.log(line({ step: 'ferry verify original MySQL vs round-tripped MySQL (all tables but address)', exit: verify.code, out: verify.out.trim().split('\n').pop()?.slice(0, 600) }));
    const wkt = mysqlCli(`SELECT COUNT(*) FROM fd_sakila.address a JOIN fd_sakila_back.address b USING (address_id) WHERE ST_AsText(a.location) <> b.location OR a.address <> b.address`).trim().split('\n').pop();
    console.log(line({ step: 'address rows whose WKT or address differ after the round trip', count: Number(wkt) }));

    const sides = { mysql: await mySide('fd_sakila'), ferry_pg: await pgSide('fd_sakila_ferry'), pgloader_pg: await pgSide('fd_sakila_pgl'), ferry_back_mysql: await mySide('fd_sakila_back') };
    console.log('\n| table | ' + Object.keys(sides).map((s) => `${s} rows/pk/idx/fk`).join(' | ') + ' |');
    console.log('|---|' + Object.keys(sides).map(() => '---').join('|') + '|');
    for (const t of Object.keys(sides.mysql.tables)) {
      const cell = (s: Side) => (s.tables[t] ? `${s.tables[t].rows}/${s.tables[t].pk ? 'pk' : '-'}/${s.tables[t].indexes}/${s.tables[t].fks}` : 'missing');
      console.log(`| ${t} | ${Object.values(sides).map(cell).join(' | ')} |`);
    }
    for (const [name, s] of Object.entries(sides)) console.log(line({ side: name, views: s.views, triggers: s.triggers, routines: s.routines }));
    const [ft, pt] = [await pgTypes('fd_sakila_ferry'), await pgTypes('fd_sakila_pgl')];
    console.log('\n| column | ferry | pgloader |\n|---|---|---|');
    for (const [k, v] of [...ft].sort()) if (pt.get(k) !== v) console.log(`| ${k} | ${v} | ${pt.get(k) ?? 'missing'} |`);
  } finally {
    worker.kill('SIGTERM');
    await server.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(2);
});
