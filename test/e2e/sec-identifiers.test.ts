/**
 * Hostile identifiers and key values in every direction through the real CLI and worker: the job file
 * names the tables (quotes, backticks, spaces, dots, mixed case, non-ASCII), columns include reserved
 * words, text keys hold quotes, backslashes and SQL fragments and are cut into many chunks so those
 * values become range bounds; each target must verify and equal its source row for row, and diff,
 * repair and verify must name and fix differences planted behind hostile keys.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevServer } from '../../src/temporal/dev-server.js';
import { MYSQL_URL, PG_URL, mysqlExec, pgExec } from '../helpers/databases.js';
import { e2eEnv, runCli, startE2eServer, startWorkerProcess, type WorkerProcess } from '../helpers/cli.js';
import { HOSTILE_KEYS, PLANTED, TABLES, T_COMP, T_MIXED, T_TEXT, createMysqlHostile, createPgHostile, dropHostile, dumpHostile, plantDifferences } from './sec-identifier-fixtures.js';

const QUEUE = 'sec-identifiers';
const pgDb = (db: string) => PG_URL.replace(/\/test$/, `/${db}`);
const myDb = (db: string) => MYSQL_URL.replace(/\/test$/, `/${db}`);
const DIRECTIONS = [
  { name: 'pg-to-pg', source: PG_URL, target: pgDb('ferry_sec_id_pp'), db: 'ferry_sec_id_pp', pg: true },
  { name: 'pg-to-mysql', source: PG_URL, target: myDb('ferry_sec_id_pm'), db: 'ferry_sec_id_pm', pg: false },
  { name: 'mysql-to-pg', source: MYSQL_URL, target: pgDb('ferry_sec_id_mp'), db: 'ferry_sec_id_mp', pg: true },
  { name: 'mysql-to-mysql', source: MYSQL_URL, target: myDb('ferry_sec_id_mm'), db: 'ferry_sec_id_mm', pg: false },
];
const dir = mkdtempSync(join(tmpdir(), 'ferry-sec-id-'));
let server: DevServer;
let worker: WorkerProcess;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  await Promise.all([createPgHostile(), createMysqlHostile()]);
  for (const d of DIRECTIONS) {
    if (d.pg) {
      await pgExec(`DROP DATABASE IF EXISTS ${d.db} WITH (FORCE)`);
      await pgExec(`CREATE DATABASE ${d.db}`);
    } else {
      await mysqlExec(`DROP DATABASE IF EXISTS ${d.db}; CREATE DATABASE ${d.db} CHARACTER SET utf8mb4`);
    }
  }
  server = await startE2eServer(7322);
  env = e2eEnv(server, QUEUE);
  worker = await startWorkerProcess(env);
});

afterAll(async () => {
  await worker?.kill('SIGTERM');
  await server?.stop();
  await dropHostile();
  for (const d of DIRECTIONS) {
    if (d.pg) await pgExec(`DROP DATABASE IF EXISTS ${d.db} WITH (FORCE)`);
    else await mysqlExec(`DROP DATABASE IF EXISTS ${d.db}`);
  }
});

/** A job file: JSON is YAML, and it carries any table name without flag-splitting on commas. */
function jobFile(name: string, job: Record<string, unknown>): string {
  const p = join(dir, `${name}.yaml`);
  writeFileSync(p, JSON.stringify(job, null, 2));
  return p;
}

describe.each(DIRECTIONS)('hostile identifiers $name', ({ name, source, target }) => {
  it('migrates, verifies, and equals the source row for row', async () => {
    const file = jobFile(name, { source, target, tables: [T_MIXED, T_COMP, T_TEXT], chunkRows: 7, parallelism: 3, name: `sec-id-${name}` });
    const r = await runCli(['migrate', file, '--wait', '--json', '--id', `sec-id-${name}`], env, 400_000);
    expect(r.code, `${r.stdout}\n${r.stderr}\n${worker.output().slice(-4000)}`).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { status: string; tables: { source: string; verified: boolean; rowsCopied: number }[] };
    expect(out.status).toBe('completed');
    expect(out.tables.map((t) => t.source).sort()).toEqual([T_COMP, T_MIXED, T_TEXT].sort());
    for (const t of out.tables) expect(t.verified, t.source).toBe(true);
    for (const t of TABLES) {
      const [a, b] = await Promise.all([dumpHostile(source, t), dumpHostile(target, t)]);
      expect(b.length, t.name).toBe(a.length);
      expect(b, t.name).toEqual(a);
    }
    // Every hostile key value arrived intact.
    const keys = (await dumpHostile(target, TABLES[1]!)).map((l) => (JSON.parse(l) as string[])[0]);
    for (const k of HOSTILE_KEYS) expect(keys).toContain(k);
  });

  it('diff names the planted differences by their hostile keys, repair fixes them, verify agrees', async () => {
    await plantDifferences(target);
    const file = jobFile(`${name}-compare`, { source, target, tables: [T_TEXT, T_MIXED], chunkRows: 7, parallelism: 3, name: `sec-id-cmp-${name}` });
    const d = await runCli(['diff', file, '--json'], env);
    expect(d.code, `${d.stdout}\n${d.stderr}`).toBe(1);
    const diff = JSON.parse(d.stdout.trim().split('\n').pop()!) as { tables: { table: string; missing: number; extra: number; changed: number; keys: Record<string, unknown[]> }[] };
    const t = diff.tables.find((x) => x.table === T_TEXT)!;
    expect(t).toMatchObject({ missing: 1, extra: 1, changed: 1, keys: { missing: [[PLANTED.missing]], extra: [[PLANTED.extra]], changed: [{ key: [PLANTED.changed], columns: ['v`al'] }] } });
    expect(diff.tables.find((x) => x.table === T_MIXED)).toMatchObject({ missing: 0, extra: 0, changed: 0 });
    const r = await runCli(['repair', file, '--delete-extra', '--json'], env);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const v = await runCli(['verify', file, '--json'], env);
    expect(v.code, `${v.stdout}\n${v.stderr}`).toBe(0);
    expect(await dumpHostile(target, TABLES[1]!)).toEqual(await dumpHostile(source, TABLES[1]!));
  });
});

describe('hostile identifiers after the runs', () => {
  it('kept the secondary index and the foreign key with their odd names on a MySQL target', async () => {
    const idx = (await mysqlExec(
      `SELECT DISTINCT INDEX_NAME AS n FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = 'ferry_sec_id_pm' AND TABLE_NAME = ${mysql.escape(T_MIXED)}`,
    )) as { n: string }[];
    expect(idx.map((i) => i.n)).toContain('sec ix "q"');
    const fk = (await mysqlExec(`SELECT CONSTRAINT_NAME AS n FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = 'ferry_sec_id_pm'`)) as { n: string }[];
    expect(fk.map((f) => f.n)).toContain('sec fk`x');
  });

  it('a re-run with append rewrites each hostile-key range, restoring a row changed on the target', async () => {
    await mysqlExec(`UPDATE ferry_sec_id_pm.\`sec_Text Key ✓\` SET \`v\`\`al\` = -1 WHERE \`key"col\` = 'O\\'Brien'`);
    const file = jobFile('recheck', {
      source: PG_URL,
      target: myDb('ferry_sec_id_pm'),
      tables: [T_TEXT],
      onExisting: 'append',
      chunkRows: 7,
      parallelism: 3,
      name: 'sec-id-recheck',
    });
    // append re-copies every range (delete + load per chunk), so the changed row is restored and verified.
    const r = await runCli(['migrate', file, '--wait', '--json', '--id', 'sec-id-recheck'], env, 300_000);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const keys = await dumpHostile(myDb('ferry_sec_id_pm'), TABLES[1]!);
    expect(keys).toEqual(await dumpHostile(PG_URL, TABLES[1]!));
  });
});
