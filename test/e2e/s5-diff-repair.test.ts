/**
 * verify, diff and repair through the compiled CLI, a `ferry worker` process, a dev server (port 7311)
 * and both databases, PostgreSQL → MySQL and MySQL → PostgreSQL: tables ferry migrated show no
 * difference; inserts, updates and deletes planted in the target (integer and text keys) are reported
 * exactly; repair fixes them (extra rows only with --delete-extra) and verify then exits 0.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TableDiff } from '../../src/core/compare-report.js';
import type { DevServer } from '../../src/temporal/dev-server.js';
import { MYSQL_URL, PG_URL, mysqlExec, pgExec } from '../helpers/databases.js';
import { e2eEnv, runCli, startE2eServer, startWorkerProcess, type WorkerProcess } from '../helpers/cli.js';
import { dump, type DumpSpec } from '../helpers/row-dump.js';

const QUEUE = 's5-diff';
const ROWS = 5000;
let server: DevServer;
let worker: WorkerProcess;
let env: NodeJS.ProcessEnv;

const SPECS: DumpSpec[] = [
  { table: 's5_items', key: ['id'], columns: { id: 'int', name: 'text', price: 'decimal', at: 'timestamp', doc: 'json', flag: 'bool', ratio: 'float', raw: 'binary', day: 'text' } },
  { table: 's5_tags', key: ['name'], columns: { name: 'text', n: 'int', note: 'text' } },
];
const TAGS = `('a', 1, 'x'), ('B', 2, 'x'), ('é', 3, NULL), ('😀', 4, 'emoji'), ('Z', 5, ''), ('a b', 6, 'x'), ('ab', 7, 'x'), ('Ab', 8, 'x')`;

async function createSources(): Promise<void> {
  await pgExec(`DROP TABLE IF EXISTS s5_items, s5_tags`);
  await pgExec(`CREATE TABLE s5_items (id bigint PRIMARY KEY, name text NOT NULL, price numeric(10,2), at timestamptz(6), doc jsonb, flag boolean, ratio double precision, raw bytea, day date)`);
  await pgExec(`INSERT INTO s5_items SELECT g, 'item ' || g || ' ✓', (g * 37 % 10000) / 100.0, timestamptz '2024-01-01 00:00:00+00' + g * interval '1.000001 second',
    CASE WHEN g % 7 = 0 THEN NULL ELSE jsonb_build_object('g', g, 'tags', jsonb_build_array('a', g % 3)) END, g % 2 = 0,
    CASE WHEN g % 5 = 0 THEN NULL ELSE g / 3.0 END, CASE WHEN g % 4 = 0 THEN NULL ELSE decode(lpad(to_hex(g), 6, '0'), 'hex') END, date '2000-01-01' + g
    FROM generate_series(1, ${ROWS}) g`);
  await pgExec(`CREATE TABLE s5_tags (name varchar(40) PRIMARY KEY, n int NOT NULL, note text)`);
  await pgExec(`INSERT INTO s5_tags VALUES ${TAGS}`);
  await pgExec(`INSERT INTO s5_tags SELECT 'tag ' || g, g, 'note ' || g FROM generate_series(1, 300) g`);
  await pgExec(`ANALYZE s5_items; ANALYZE s5_tags`);
  await mysqlExec(`SET time_zone = '+00:00'; SET SESSION max_recursive_iterations = 100000;
    DROP TABLE IF EXISTS s5_items, s5_tags;
    CREATE TABLE s5_items (id bigint PRIMARY KEY, name text NOT NULL, price decimal(10,2), at timestamp(6) NULL, doc json, flag boolean, ratio double, raw blob, day date) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
    INSERT INTO s5_items WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < ${ROWS})
      SELECT g, CONCAT('item ', g, ' ✓'), (g * 37 % 10000) / 100.0, TIMESTAMP('2024-01-01') + INTERVAL g SECOND + INTERVAL g MICROSECOND,
      CASE WHEN g % 7 = 0 THEN NULL ELSE JSON_OBJECT('g', g, 'tags', JSON_ARRAY('a', g % 3)) END, g % 2 = 0,
      CASE WHEN g % 5 = 0 THEN NULL ELSE g / 3.0e0 END, CASE WHEN g % 4 = 0 THEN NULL ELSE UNHEX(LPAD(HEX(g), 6, '0')) END, DATE('2000-01-01') + INTERVAL g DAY FROM s;
    CREATE TABLE s5_tags (name varchar(40) PRIMARY KEY, n int NOT NULL, note text) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
    INSERT INTO s5_tags VALUES ${TAGS};
    INSERT INTO s5_tags WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < 300) SELECT CONCAT('tag ', g), g, CONCAT('note ', g) FROM s;
    ANALYZE TABLE s5_items, s5_tags;`);
}

/**
 * The same planted differences, written in each target engine's SQL. Row 1235 gets the same JSON
 * written differently (key order, spacing): not a difference. Rows 2222 and 3333 differ only in a json
 * or float column, which the SQL checksum leaves to the worker.
 */
const PLANT = {
  mysql: `USE ferry_s5_pm; SET time_zone = '+00:00';
    DELETE FROM s5_items WHERE id IN (17, 2501, 4999);
    INSERT INTO s5_items (id, name) VALUES (-5, 'extra low'), (100000, 'extra high');
    UPDATE s5_items SET name = 'changed' WHERE id = 100;
    UPDATE s5_items SET price = price + 1, doc = JSON_OBJECT('g', 0) WHERE id = 3000;
    UPDATE s5_items SET at = at + INTERVAL 1 MICROSECOND WHERE id = 4000;
    UPDATE s5_items SET doc = '{"g": 0}' WHERE id = 2222;
    UPDATE s5_items SET ratio = ratio + 1 WHERE id = 3333;
    UPDATE s5_items SET doc = '{"tags":["a",2],"g":1235}' WHERE id = 1235;
    DELETE FROM s5_tags WHERE name IN ('é', 'tag 7');
    INSERT INTO s5_tags VALUES ('b', 0, NULL), ('a ', 0, NULL);
    UPDATE s5_tags SET n = 20 WHERE name = 'B';
    UPDATE s5_tags SET note = NULL WHERE name = '😀';`,
  postgres: `DELETE FROM s5_items WHERE id IN (17, 2501, 4999);
    INSERT INTO s5_items (id, name) VALUES (-5, 'extra low'), (100000, 'extra high');
    UPDATE s5_items SET name = 'changed' WHERE id = 100;
    UPDATE s5_items SET price = price + 1, doc = '{"g": 0}' WHERE id = 3000;
    UPDATE s5_items SET at = at + interval '1 microsecond' WHERE id = 4000;
    UPDATE s5_items SET doc = '{"g": 0}' WHERE id = 2222;
    UPDATE s5_items SET ratio = ratio + 1 WHERE id = 3333;
    UPDATE s5_items SET doc = '{"tags":["a",2],"g":1235}' WHERE id = 1235;
    DELETE FROM s5_tags WHERE name IN ('é', 'tag 7');
    INSERT INTO s5_tags VALUES ('b', 0, NULL), ('a ', 0, NULL);
    UPDATE s5_tags SET n = 20 WHERE name = 'B';
    UPDATE s5_tags SET note = NULL WHERE name = '😀';`,
};

const EXPECTED: Record<string, Omit<TableDiff, 'table' | 'truncated'>> = {
  s5_items: {
    missing: 3, extra: 2, changed: 5,
    keys: {
      missing: [['17'], ['2501'], ['4999']],
      extra: [['-5'], ['100000']],
      changed: [
        { key: ['100'], columns: ['name'] },
        { key: ['2222'], columns: ['doc'] },
        { key: ['3000'], columns: ['price', 'doc'] },
        { key: ['3333'], columns: ['ratio'] },
        { key: ['4000'], columns: ['at'] },
      ],
    },
  },
  // Byte order: 'B' < 'a ' < 'b' < 'tag 7' < 'é' < '😀'; case and trailing spaces make different keys.
  s5_tags: {
    missing: 2, extra: 2, changed: 2,
    keys: { missing: [['tag 7'], ['é']], extra: [['a '], ['b']], changed: [{ key: ['B'], columns: ['n'] }, { key: ['😀'], columns: ['note'] }] },
  },
};

/** Runs SQL on the PostgreSQL target database (pgExec talks to the source database `test`). */
async function pgTargetExec(sql: string, db = 'ferry_s5_mp'): Promise<void> {
  const c = new pg.Client({ connectionString: PG_URL.replace(/\/test$/, `/${db}`) });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

const last = (stdout: string) => JSON.parse(stdout.trim().split('\n').pop()!);
const byTable = (out: { tables: TableDiff[] }) => Object.fromEntries(out.tables.map((t) => [t.table, t]));

const DIRECTIONS = [
  { name: 'pg-to-mysql', source: PG_URL, target: MYSQL_URL.replace(/\/test$/, '/ferry_s5_pm'), db: 'ferry_s5_pm', plant: (sql: string) => mysqlExec(sql), engine: 'mysql' as const },
  { name: 'mysql-to-pg', source: MYSQL_URL, target: PG_URL.replace(/\/test$/, '/ferry_s5_mp'), db: 'ferry_s5_mp', plant: (sql: string) => pgTargetExec(sql), engine: 'postgres' as const },
  // Same engine: checksums use PostgreSQL's record hash on both sides instead of md5 of canonical text.
  { name: 'pg-to-pg', source: PG_URL, target: PG_URL.replace(/\/test$/, '/ferry_s5_pp'), db: 'ferry_s5_pp', plant: (sql: string) => pgTargetExec(sql, 'ferry_s5_pp'), engine: 'postgres' as const },
];

beforeAll(async () => {
  await createSources();
  await mysqlExec(`DROP DATABASE IF EXISTS ferry_s5_pm; CREATE DATABASE ferry_s5_pm CHARACTER SET utf8mb4`);
  await pgExec(`DROP DATABASE IF EXISTS ferry_s5_mp WITH (FORCE)`);
  await pgExec(`CREATE DATABASE ferry_s5_mp`);
  await pgExec(`DROP DATABASE IF EXISTS ferry_s5_pp WITH (FORCE)`);
  await pgExec(`CREATE DATABASE ferry_s5_pp`);
  server = await startE2eServer(7311);
  env = e2eEnv(server, QUEUE);
  worker = await startWorkerProcess(env);
});

afterAll(async () => {
  await worker?.kill('SIGTERM');
  await server?.stop();
  await pgExec(`DROP TABLE IF EXISTS s5_items, s5_tags`);
  await mysqlExec(`DROP TABLE IF EXISTS s5_items, s5_tags; DROP DATABASE IF EXISTS ferry_s5_pm`);
  await pgExec(`DROP DATABASE IF EXISTS ferry_s5_mp WITH (FORCE)`);
  await pgExec(`DROP DATABASE IF EXISTS ferry_s5_pp WITH (FORCE)`);
});

describe.each(DIRECTIONS)('verify, diff and repair $name', ({ name, source, target, plant, engine }) => {
  // Two shards of 2,500 rows: the bisection cuts them before comparing rows.
  const job = ['--source', source, '--target', target, '--tables', 's5_items,s5_tags', '--chunk-rows', '1000', '--parallelism', '2', '--name', `s5-${name}`];
  const cli = async (args: string[]) => {
    const r = await runCli([...args, ...job, '--json'], env);
    if (r.code === 2) throw new Error(`ferry ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}\n${worker.output().slice(-3000)}`);
    return { code: r.code, out: last(r.stdout) };
  };

  it('finds no difference in tables ferry migrated', async () => {
    expect((await cli(['migrate', '--wait'])).code).toBe(0);
    const v = await cli(['verify']);
    expect(v.code).toBe(0);
    expect(v.out).toMatchObject({ status: 'same', tables: [{ table: 's5_items', sourceRows: ROWS, targetRows: ROWS, verified: true }, { table: 's5_tags', verified: true }] });
    const d = await cli(['diff']);
    expect(d.code).toBe(0);
    expect(d.out.tables.map((t: TableDiff) => [t.missing, t.extra, t.changed])).toEqual([[0, 0, 0], [0, 0, 0]]);
  });

  it('diff reports exactly the planted inserts, updates and deletes', async () => {
    await plant(PLANT[engine]);
    expect((await cli(['verify'])).code).toBe(1);
    const d = await cli(['diff']);
    expect(d.code).toBe(1);
    expect(d.out.status).toBe('different');
    const t = byTable(d.out);
    for (const table of ['s5_items', 's5_tags']) expect(t[table], table).toEqual({ table, truncated: false, ...EXPECTED[table] });
    // The leaves were found by bisection, not by reading everything.
    expect(d.out.stats.leaves).toBeLessThan(12);
    const capped = await cli(['diff', '--max-keys', '1']);
    expect(byTable(capped.out)['s5_items']).toMatchObject({ missing: 3, changed: 5, truncated: true, keys: { missing: [['17']], extra: [['-5']] } });
  });

  it('repair --dry-run writes nothing; repair fixes missing and changed rows and keeps extras without --delete-extra', async () => {
    const dry = await cli(['repair', '--dry-run']);
    expect(dry.code).toBe(1);
    expect(byTable(dry.out)['s5_items']).toMatchObject({ missing: 3, repaired: { inserted: 0, updated: 0, deleted: 0 } });
    expect(byTable((await cli(['diff'])).out)['s5_items']).toMatchObject({ missing: 3, extra: 2, changed: 5 });

    const r = await cli(['repair']);
    expect(r.code).toBe(1); // extra rows remain
    expect(byTable(r.out)['s5_items']).toMatchObject({ repaired: { inserted: 3, updated: 5, deleted: 0 } });
    const after = byTable((await cli(['diff'])).out);
    expect(after['s5_items']).toMatchObject({ missing: 0, changed: 0, extra: 2 });
    expect(after['s5_tags']).toMatchObject({ missing: 0, changed: 0, extra: 2, keys: { extra: [['a '], ['b']] } });
  });

  it('repair --delete-extra removes the extra rows; verify then exits 0 and the tables match row for row', async () => {
    const r = await cli(['repair', '--delete-extra']);
    expect(r.code).toBe(0);
    expect(byTable(r.out)['s5_tags']).toMatchObject({ extra: 2, repaired: { deleted: 2 } });
    const v = await cli(['verify']);
    expect(v.code).toBe(0);
    expect(v.out.status).toBe('same');
    for (const spec of SPECS) expect(await dump(target, spec), spec.table).toEqual(await dump(source, spec));
  });
});

describe('errors', () => {
  it('exit 2 with the table named when a table is missing', async () => {
    const missing = await runCli(['verify', '--source', PG_URL, '--target', PG_URL.replace(/\/test$/, '/ferry_s5_mp'), '--tables', 's5_nope', '--name', 's5-nope', '--json'], env);
    expect(missing.code).toBe(2);
    expect(last(missing.stdout).error).toMatch(/s5_nope/);
  });
});
