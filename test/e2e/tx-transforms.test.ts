/**
 * Transforms and mapping end to end (compiled CLI, `ferry worker`, dev server on port 7440): a job
 * file with a table rename, schema/database mapping, an excluded column, a column rename, a row
 * filter, a computed column and a TypeScript row transform migrates PostgreSQL → MySQL and MySQL →
 * PostgreSQL; the target holds exactly the rows the rules produce (computed here independently from
 * the source rows); verify exits 0 and sees a planted change; a full sync after source changes keeps
 * the target exact. Bad transform modules are refused before anything is written.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevServer } from '../../src/temporal/dev-server.js';
import { MYSQL_URL, PG_URL, mysqlExec, pgExec } from '../helpers/databases.js';
import { e2eEnv, runCli, startE2eServer, startWorkerProcess, type WorkerProcess } from '../helpers/cli.js';

const PG_SRC = `${PG_URL}?schema=tx_app`;
const PG_DST = `${PG_URL}?schema=tx_archive`;
const MY_SRC = MYSQL_URL.replace(/\/test$/, '/tx_app');
const MY_DST = MYSQL_URL.replace(/\/test$/, '/tx_archive');

let server: DevServer;
let worker: WorkerProcess;
let env: NodeJS.ProcessEnv;
const dir = mkdtempSync(join(tmpdir(), 'ferry-tx-'));

// The transform under test, as a user writes it: TypeScript, loaded by the worker.
writeFileSync(
  join(dir, 'people.ts'),
  `const STOP = new Set(['the', 'a', 'an', 'and', 'of', 'to', 'in', 'is']);
type Row = Record<string, string | null>;
export function shapePerson(row: Row): Row | null {
  const [first, ...rest] = (row.full_name ?? '').trim().split(/\\s+/);
  const tokens: string[] = (row.bio ?? '').toLowerCase().split(/[^\\p{L}\\p{N}]+/u).filter((w) => w !== '' && !STOP.has(w));
  return { ...row, contact_email: row.contact_email === null ? null : row.contact_email.trim().toLowerCase(), first_name: first || null, last_name: rest.join(' ') || null, tokens: JSON.stringify(tokens) };
}
export function shout(row: Row): Row {
  return { ...row, label: row.label === null ? null : row.label.toUpperCase() + '!' };
}
export function explode(row: Row): Row | null {
  if (row.id === '7') throw new Error('boom on purpose');
  return shapePerson(row);
}
`,
);
writeFileSync(join(dir, 'not-a-function.mjs'), `export const shapePerson = 42;\n`);

/** What the rules make of one source person (the test's own reading of the job, not ferry's code). */
function expectedPerson(r: { id: number; full_name: string; email: string | null; bio: string | null; score: string }) {
  const STOP = new Set(['the', 'a', 'an', 'and', 'of', 'to', 'in', 'is']);
  const [first, ...rest] = r.full_name.trim().split(/\s+/);
  const tokens = (r.bio ?? '').toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((w) => w !== '' && !STOP.has(w));
  return JSON.stringify([
    String(r.id),
    r.email === null ? null : r.email.trim().toLowerCase(),
    r.email === null ? null : r.email.split('@')[1]!,
    first || null,
    rest.join(' ') || null,
    JSON.stringify(tokens),
    Number(r.score).toFixed(2),
  ]);
}

const PEOPLE = ['id', 'contact_email', 'email_domain', 'first_name', 'last_name', 'tokens', 'score'];

function jobFile(name: string, source: string, target: string, sql: { domain: string; active: string }, transform = 'shapePerson', module = './people.ts'): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    `name: ${name}
source: ${source}
target: ${target}
chunkRows: 40
parallelism: 2
tables:
  - name: tx_people
    as: people
    exclude: [password_hash]
    rename: { email: contact_email }
    where: "${sql.active}"
    computed:
      email_domain: { sql: "${sql.domain}", type: "varchar(100)" }
    transform:
      module: ${module}
      function: ${transform}
      add: { first_name: text, last_name: text, tokens: json }
      drop: [full_name, bio]
  - name: tx_orders
    as: purchases
    rename: { person_id: buyer }
`,
  );
  return file;
}

async function sourceRows(url: string): Promise<string[]> {
  const sql = 'SELECT id, full_name, email, bio, score FROM tx_people WHERE active ORDER BY id';
  if (url.startsWith('postgres')) {
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    try {
      return (await c.query(sql.replace('tx_people', 'tx_app.tx_people'))).rows.map(expectedPerson);
    } finally {
      await c.end();
    }
  }
  const c = await mysql.createConnection({ uri: MYSQL_URL });
  try {
    const [rows] = await c.query(sql.replace('tx_people', 'tx_app.tx_people').replace('WHERE active', 'WHERE active = 1'));
    return (rows as never[]).map(expectedPerson);
  } finally {
    await c.end();
  }
}

async function targetRows(url: string, table: string, columns: string[]): Promise<string[]> {
  const norm = (v: unknown, c: string) => {
    if (v === null) return null;
    if (c === 'tokens') return JSON.stringify(typeof v === 'string' ? JSON.parse(v) : v);
    if (c === 'score') return Number(v).toFixed(2);
    return String(v);
  };
  if (url.startsWith('postgres')) {
    const c = new pg.Client({ connectionString: PG_URL, types: { getTypeParser: () => (v: string) => v } });
    await c.connect();
    try {
      const r = await c.query(`SELECT ${columns.map((x) => `"${x}"`).join(', ')} FROM tx_archive."${table}" ORDER BY 1`);
      return r.rows.map((row: Record<string, unknown>) => JSON.stringify(columns.map((x) => norm(row[x], x))));
    } finally {
      await c.end();
    }
  }
  const c = await mysql.createConnection({ uri: MYSQL_URL });
  try {
    const [rows] = await c.query(`SELECT ${columns.map((x) => `\`${x}\``).join(', ')} FROM tx_archive.\`${table}\` ORDER BY 1`);
    return (rows as Record<string, unknown>[]).map((row) => JSON.stringify(columns.map((x) => norm(row[x], x))));
  } finally {
    await c.end();
  }
}

async function createPgSource(): Promise<void> {
  await pgExec(`DROP SCHEMA IF EXISTS tx_app CASCADE; DROP SCHEMA IF EXISTS tx_archive CASCADE; CREATE SCHEMA tx_app; CREATE SCHEMA tx_archive`);
  await mysqlExec(`DROP DATABASE IF EXISTS tx_archive; CREATE DATABASE tx_archive CHARACTER SET utf8mb4`);
  await pgExec(`CREATE TABLE tx_app.tx_people (id int PRIMARY KEY, full_name text NOT NULL, email text, password_hash text, bio text, active boolean NOT NULL, score numeric(6,2) NOT NULL)`);
  await pgExec(`CREATE TABLE tx_app.tx_orders (id int PRIMARY KEY, person_id int NOT NULL, total numeric(10,2))`);
  await pgExec(
    `INSERT INTO tx_app.tx_people SELECT g, CASE WHEN g % 5 = 0 THEN 'Ada' ELSE 'Ada Mary Lovelace ' || g END,
       CASE WHEN g % 7 = 0 THEN NULL ELSE '  User' || g || '@Example.ORG ' END, 'secret' || g,
       CASE WHEN g % 3 = 0 THEN NULL ELSE 'The analysis of engines, and a note ' || g || ' in Zürich' END, g % 4 <> 0, g / 10.0
     FROM generate_series(1, 300) g`,
  );
  await pgExec(`INSERT INTO tx_app.tx_orders SELECT g, 1 + g % 300, g * 1.5 FROM generate_series(1, 200) g`);
}

async function createMysqlSource(): Promise<void> {
  await pgExec(`DROP SCHEMA IF EXISTS tx_archive CASCADE; CREATE SCHEMA tx_archive`);
  await mysqlExec(
    `DROP DATABASE IF EXISTS tx_app; DROP DATABASE IF EXISTS tx_archive; CREATE DATABASE tx_app CHARACTER SET utf8mb4; CREATE DATABASE tx_archive CHARACTER SET utf8mb4;
     CREATE TABLE tx_app.tx_people (id int PRIMARY KEY, full_name text NOT NULL, email varchar(100), password_hash text, bio text, active tinyint(1) NOT NULL, score decimal(6,2) NOT NULL);
     CREATE TABLE tx_app.tx_orders (id int PRIMARY KEY, person_id int NOT NULL, total decimal(10,2));`,
  );
  const people: string[] = [];
  for (let g = 1; g <= 300; g++) {
    const name = g % 5 === 0 ? 'Ada' : `Ada Mary Lovelace ${g}`;
    const email = g % 7 === 0 ? 'NULL' : `'  User${g}@Example.ORG '`;
    const bio = g % 3 === 0 ? 'NULL' : `'The analysis of engines, and a note ${g} in Zürich'`;
    people.push(`(${g}, '${name}', ${email}, 'secret${g}', ${bio}, ${g % 4 !== 0 ? 1 : 0}, ${(g / 10).toFixed(2)})`);
  }
  await mysqlExec(`INSERT INTO tx_app.tx_people VALUES ${people.join(', ')}`);
  const orders = Array.from({ length: 200 }, (_, i) => `(${i + 1}, ${1 + ((i + 1) % 300)}, ${((i + 1) * 1.5).toFixed(2)})`);
  await mysqlExec(`INSERT INTO tx_app.tx_orders VALUES ${orders.join(', ')}`);
}

const last = (stdout: string) => JSON.parse(stdout.trim().split('\n').pop()!);

beforeAll(async () => {
  server = await startE2eServer(7440);
  env = e2eEnv(server, 'tx-transforms');
  worker = await startWorkerProcess(env);
});

afterAll(async () => {
  await worker?.kill('SIGTERM');
  await server?.stop();
  await pgExec(`DROP SCHEMA IF EXISTS tx_app CASCADE; DROP SCHEMA IF EXISTS tx_archive CASCADE`);
  await mysqlExec(`DROP DATABASE IF EXISTS tx_app; DROP DATABASE IF EXISTS tx_archive`);
});

const DIRECTIONS = [
  { name: 'PostgreSQL → MySQL', id: 'tx-pg-my', source: PG_SRC, target: MY_DST, create: createPgSource, sql: { domain: "split_part(email, '@', 2)", active: 'active' } },
  { name: 'MySQL → PostgreSQL', id: 'tx-my-pg', source: MY_SRC, target: PG_DST, create: createMysqlSource, sql: { domain: "SUBSTRING_INDEX(email, '@', -1)", active: 'active = 1' } },
];

describe.each(DIRECTIONS)('transforms $name', (d) => {
  it('migrates exactly the transformed rows, verifies, and a full sync keeps them after source changes', async () => {
    await d.create();
    const job = jobFile(d.id, d.source, d.target, d.sql);
    const p = await runCli(['plan', job, '--json'], env);
    expect(p.code, p.stdout + p.stderr).toBe(0);
    const planned = last(p.stdout).tables.find((t: { target: string }) => t.target === 'people');
    expect(planned.columns.map((c: { name: string }) => c.name)).toEqual(['id', 'contact_email', 'active', 'score', 'email_domain', 'first_name', 'last_name', 'tokens']);
    const m = await runCli(['migrate', job, '--wait', '--json'], env);
    expect(m.code, `${m.stdout}\n${m.stderr}\n${worker.output().slice(-3000)}`).toBe(0);
    const report = last(m.stdout);
    expect(report.status).toBe('completed');
    const people = report.tables.find((t: { target: string }) => t.target === 'people');
    expect(people).toMatchObject({ source: 'tx_people', verified: true });
    expect(await targetRows(d.target, 'people', PEOPLE)).toEqual(await sourceRows(d.source));
    expect(await targetRows(d.target, 'purchases', ['id', 'buyer'])).toHaveLength(200);

    const v = await runCli(['verify', job, '--json'], env);
    expect(v.code, v.stdout + v.stderr).toBe(0);

    // A planted change in a transformed column is seen.
    if (d.target.startsWith('mysql')) await mysqlExec(`UPDATE tx_archive.people SET last_name = 'Byron' WHERE id = 2`);
    else await pgExec(`UPDATE tx_archive.people SET last_name = 'Byron' WHERE id = 2`);
    const v2 = await runCli(['verify', job, '--json'], env);
    expect(v2.code, v2.stdout + v2.stderr).toBe(1);
    const df = await runCli(['diff', job, '--json'], env);
    expect(df.code, df.stdout + df.stderr).toBe(1);
    const peopleDiff = last(df.stdout).tables.find((t: { table: string }) => t.table === 'people');
    expect(peopleDiff).toMatchObject({ missing: 0, extra: 0, changed: 1, keys: { changed: [{ key: ['2'], columns: ['last_name'] }] } });

    // Source changes: an update, an insert, a row leaving the filter, a delete.
    const exec = d.source.startsWith('postgres') ? (s: string) => pgExec(s) : (s: string) => mysqlExec(s);
    await exec(`UPDATE tx_app.tx_people SET full_name = 'Grace Brewster Hopper', bio = 'Compilers and the bug' WHERE id = 9`);
    await exec(`INSERT INTO tx_app.tx_people VALUES (301, 'Alan Turing', 'Alan@Bletchley.UK', 'x', 'The imitation game', ${d.source.startsWith('postgres') ? 'true' : '1'}, 12.5)`);
    await exec(`UPDATE tx_app.tx_people SET active = ${d.source.startsWith('postgres') ? 'false' : '0'} WHERE id = 10`);
    await exec(`DELETE FROM tx_app.tx_people WHERE id = 11`);
    const s = await runCli(['sync', job, '--mode', 'full', '--json'], env);
    expect(s.code, `${s.stdout}\n${s.stderr}\n${worker.output().slice(-3000)}`).toBe(0);
    expect(await targetRows(d.target, 'people', PEOPLE)).toEqual(await sourceRows(d.source));
    const v3 = await runCli(['verify', job, '--json'], env);
    expect(v3.code, v3.stdout + v3.stderr).toBe(0);
  });
});

describe('incremental sync of a reshaped table', () => {
  it('brings new and updated rows through the view and the transform, by the renamed watermark', async () => {
    await createPgSource();
    await pgExec(`CREATE TABLE tx_app.tx_events (id int PRIMARY KEY, name text, kind text NOT NULL, changed timestamptz(6) NOT NULL)`);
    await pgExec(`INSERT INTO tx_app.tx_events SELECT g, 'event ' || g, CASE WHEN g % 3 = 0 THEN 'noise' ELSE 'signal' END, timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second' FROM generate_series(1, 120) g`);
    const file = join(dir, 'tx-events.yaml');
    writeFileSync(
      file,
      `name: tx-events
source: ${PG_SRC}
target: ${MY_DST}
chunkRows: 25
mode: incremental
watermark: updated_at
overlap: 5s
tables:
  - name: tx_events
    as: signals
    rename: { name: label, changed: updated_at }
    where: "kind = 'signal'"
    computed:
      label_length: { sql: "length(name)", type: int }
    transform: { module: ./people.ts, function: shout }
`,
    );
    const expected = async () =>
      (await pgExec(`SELECT id, name, length(name) AS n FROM tx_app.tx_events WHERE kind = 'signal' ORDER BY id`)).rows.map((r) =>
        JSON.stringify([String(r.id), `${(r.name as string).toUpperCase()}!`, String(r.n)]),
      );
    const first = await runCli(['sync', file, '--json'], env);
    expect(first.code, `${first.stdout}\n${first.stderr}\n${worker.output().slice(-3000)}`).toBe(0);
    expect(await targetRows(MY_DST, 'signals', ['id', 'label', 'label_length'])).toEqual(await expected());
    await pgExec(`UPDATE tx_app.tx_events SET name = 'renamed', changed = timestamptz '2024-02-01 00:00:00+00' WHERE id IN (4, 5)`);
    await pgExec(`INSERT INTO tx_app.tx_events VALUES (500, 'late arrival', 'signal', timestamptz '2024-02-01 00:00:01+00'), (501, 'filtered', 'noise', timestamptz '2024-02-01 00:00:02+00')`);
    const second = await runCli(['sync', file, '--json'], env);
    expect(second.code, second.stdout + second.stderr).toBe(0);
    // 3 changed signal rows, plus the 4 signal rows of the 5 s overlap behind the last mark (ids 115–119).
    expect(last(second.stdout)).toMatchObject({ pass: 'incremental', tables: [{ table: 'signals', rowsUpserted: 7 }] });
    expect(await targetRows(MY_DST, 'signals', ['id', 'label', 'label_length'])).toEqual(await expected());
  });
});

describe('bad transforms', () => {
  it('refuses a missing module or a missing export before creating anything, and names the key of a row that throws', async () => {
    await createPgSource();
    const missing = await runCli(['migrate', jobFile('tx-bad1', PG_SRC, MY_DST, DIRECTIONS[0]!.sql, 'shapePerson', './nowhere.ts'), '--wait', '--json'], env);
    expect(missing.code).toBe(2);
    expect(missing.stdout + missing.stderr).toMatch(/nowhere\.ts.*does not exist/);
    const notFn = await runCli(['migrate', jobFile('tx-bad2', PG_SRC, MY_DST, DIRECTIONS[0]!.sql, 'shapePerson', './not-a-function.mjs'), '--wait', '--json'], env);
    expect(notFn.code).toBe(2);
    expect(notFn.stdout + notFn.stderr).toMatch(/does not export a function named \\?"shapePerson/);
    const tables = (await mysqlExec(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'tx_archive'`)) as unknown[];
    expect(tables).toHaveLength(0);
    const throws = await runCli(['migrate', jobFile('tx-bad3', PG_SRC, MY_DST, DIRECTIONS[0]!.sql, 'explode'), '--wait', '--json'], env);
    expect(throws.code).toBe(2);
    expect(throws.stdout + throws.stderr).toMatch(/transform explode failed on table tx_people at key \(7\): Error: boom on purpose/);
  });
});
