/**
 * The bad-input matrix through the real CLI and worker. Job mistakes are refused by the client before
 * anything starts; permanent faults fail the run at the first attempt (history: one attempt, marked
 * non-retryable) with a message naming the thing and the fix; an unreachable host is retried, and
 * both `status` and `--wait` say what is failing.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevServer } from '../../src/temporal/dev-server.js';
import { MYSQL_URL, PG_URL, mysqlExec, pgExec } from '../helpers/databases.js';
import { e2eEnv, runCli, startE2eServer, startWorkerProcess, type WorkerProcess } from '../helpers/cli.js';
import { failedActivities, jobHistories, rawClient } from '../helpers/sec-history.js';

const QUEUE = 'sec-bad-input';
const BIN = fileURLToPath(new URL('../../bin/ferry.js', import.meta.url));
const NOCREATE = 'ferry_sec_nocreate';
const PG_DB = 'ferry_sec_bad_pg';
const MY_DB = 'ferry_sec_bad_my';
const pgT = PG_URL.replace(/\/test$/, `/${PG_DB}`);
const myT = MYSQL_URL.replace(/\/test$/, `/${MY_DB}`);
const dir = mkdtempSync(join(tmpdir(), 'ferry-sec-bad-'));
let server: DevServer;
let worker: WorkerProcess;
let env: NodeJS.ProcessEnv;
let client: Client;

beforeAll(async () => {
  await pgExec(`DROP TABLE IF EXISTS sec_bad_items, sec_bad_nokey`);
  await pgExec(`CREATE TABLE sec_bad_items (id int PRIMARY KEY, name text)`);
  await pgExec(`INSERT INTO sec_bad_items SELECT g, 'n' || g FROM generate_series(1, 50) g`);
  await pgExec(`CREATE TABLE sec_bad_nokey (code text, n int)`);
  await pgExec(`INSERT INTO sec_bad_nokey SELECT 'c' || g, g FROM generate_series(1, 30) g`);
  await pgExec(`INSERT INTO sec_bad_nokey VALUES ('c7', 99)`);
  await pgExec(`DROP DATABASE IF EXISTS ${PG_DB} WITH (FORCE)`);
  await pgExec(`CREATE DATABASE ${PG_DB}`);
  const exists = await pgExec(`SELECT 1 FROM pg_roles WHERE rolname = $1`, [NOCREATE]);
  if (exists.rowCount) await pgExec(`DROP OWNED BY ${NOCREATE}; DROP ROLE ${NOCREATE}`);
  await pgExec(`CREATE ROLE ${NOCREATE} LOGIN`);
  const pgm = (await import('pg')).default;
  const c = new pgm.Client({ connectionString: pgT });
  await c.connect();
  await c.query(`REVOKE CREATE ON SCHEMA public FROM PUBLIC; GRANT USAGE ON SCHEMA public TO ${NOCREATE}`);
  await c.end();
  await mysqlExec(`DROP DATABASE IF EXISTS ${MY_DB}; CREATE DATABASE ${MY_DB} CHARACTER SET utf8mb4;
    DROP USER IF EXISTS '${NOCREATE}'@'%'; CREATE USER '${NOCREATE}'@'%' IDENTIFIED BY 'x-nocreate';
    GRANT SELECT, INSERT, DELETE ON ${MY_DB}.* TO '${NOCREATE}'@'%';
    CREATE TABLE ${MY_DB}.sec_bad_items (id int PRIMARY KEY, name text); INSERT INTO ${MY_DB}.sec_bad_items VALUES (1, 'already here');`);
  server = await startE2eServer(7324);
  env = e2eEnv(server, QUEUE);
  worker = await startWorkerProcess(e2eEnv(server, QUEUE, { SEC_NOCREATE_PW: 'x-nocreate' }));
  client = await rawClient(server.address);
});

afterAll(async () => {
  await worker?.kill('SIGTERM');
  await client?.connection.close();
  await server?.stop();
  await pgExec(`DROP TABLE IF EXISTS sec_bad_items, sec_bad_nokey`);
  await pgExec(`DROP DATABASE IF EXISTS ${PG_DB} WITH (FORCE)`);
  await pgExec(`DROP ROLE IF EXISTS ${NOCREATE}`);
  await mysqlExec(`DROP DATABASE IF EXISTS ${MY_DB}; DROP USER IF EXISTS '${NOCREATE}'@'%'`);
});

const file = (name: string, content: string | Buffer) => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};
const lastJson = (stdout: string) => JSON.parse(stdout.trim().split('\n').pop()!) as { status: string; error: string };

describe('job mistakes are refused by the client, before anything starts', () => {
  const good = `source: ${PG_URL}\ntarget: ${pgT}\ntables: [sec_bad_items]\n`;
  it.each([
    ['malformed YAML', 'bad.yaml', `${good}chunkRows: [1, 2\n`, /not valid YAML at line \d+, column \d+: Flow sequence in block collection must .*end with a \]$/],
    ['a misspelt key', 'typo.yaml', `${good}paralelism: 4\n`, /unknown setting "paralelism"; did you mean parallelism\?/],
    ['a wrong type', 'type.yaml', `${good}chunkRows: "lots"\n`, /chunkRows: expected number \(e\.g\. chunkRows: 50000\), got text "lots"/],
    ['tables as one string', 'tables.yaml', `source: ${PG_URL}\ntarget: ${pgT}\ntables: sec_bad_items\n`, /tables: expected a list of table names/],
    ['an unknown scheme', 'scheme.yaml', `source: oracle://db/x\ntarget: ${pgT}\ntables: [a]\n`, /source: unsupported connection URL scheme "oracle:"; use postgres:\/\//],
    ['a misspelt value', 'value.yaml', `${good}onExisting: truncat\n`, /onExisting: expected one of fail, truncate, append, got "truncat"; did you mean truncate\?/],
    ['a literal password', 'pw.yaml', `source: postgres://u:hunter2@h/db\ntarget: ${pgT}\ntables: [a]\n`, /literal password.*\$\{FERRY_PASSWORD\}/],
    ['a file that is not UTF-8', 'latin1.yaml', Buffer.concat([Buffer.from(good), Buffer.from([0x23, 0x20, 0xe9, 0x0a])]), /not valid UTF-8; save it as UTF-8/],
  ])('%s', async (_what, name, content, message) => {
    const r = await runCli(['migrate', file(name, content), '--wait', '--json', '--id', `sec-bad-${name}`], env);
    expect(r.code).toBe(2);
    expect(lastJson(r.stdout)).toMatchObject({ status: 'error', error: expect.stringMatching(message) });
    await expect(client.workflow.getHandle(`sec-bad-${name}`).describe()).rejects.toThrow();
  });
});

/** Runs a job expected to fail permanently and returns its message after checking the history. */
async function failsOnce(id: string, args: string[]): Promise<string> {
  const r = await runCli(['migrate', ...args, '--name', id, '--id', id, '--wait', '--json'], env);
  expect(r.code, r.stdout + r.stderr).toBe(2);
  const out = lastJson(r.stdout);
  expect(out.status).toBe('failed');
  const [h] = await jobHistories(client, id, 1);
  const failed = failedActivities(h!.history);
  expect(failed, JSON.stringify(failed)).toHaveLength(1);
  expect(failed[0]).toMatchObject({ attempt: 1, nonRetryable: true });
  return out.error;
}

describe('permanent faults fail at the first attempt with the fix in the message', () => {
  it('a table that does not exist', async () => {
    const msg = await failsOnce('sec-bad-missing', ['--source', PG_URL, '--target', pgT, '--tables', 'sec_bad_items,sec_bad_nope']);
    expect(msg).toMatch(/table "sec_bad_nope" does not exist in postgres .*check --tables/);
  });

  it('a declared key that is not unique in the source', async () => {
    const msg = await failsOnce('sec-bad-dupkey', ['--source', PG_URL, '--target', pgT, '--tables', 'sec_bad_nokey', '--key', 'sec_bad_nokey=code']);
    expect(msg).toMatch(/the key \(code\) declared for table "sec_bad_nokey" is not unique in the source: \("c7"\) appears 2 times; declare a key/);
  });

  it('a target table that already holds rows', async () => {
    const msg = await failsOnce('sec-bad-notempty', ['--source', PG_URL, '--target', myT, '--tables', 'sec_bad_items']);
    expect(msg).toMatch(/target table "sec_bad_items" already exists and holds rows; pass --on-existing truncate/);
  });

  it('a MariaDB target user without CREATE', async () => {
    const target = myT.replace('//root@', `//${NOCREATE}:\${SEC_NOCREATE_PW}@`);
    await mysqlExec(`DROP TABLE IF EXISTS ${MY_DB}.sec_bad_nokey`);
    const msg = await failsOnce('sec-bad-nocreate-my', ['--source', PG_URL, '--target', target, '--tables', 'sec_bad_nokey', '--key', 'sec_bad_nokey=n']);
    expect(msg).toMatch(/permission denied \(CREATE command denied to user 'ferry_sec_nocreate'@.*; run GRANT CREATE ON `ferry_sec_bad_my`\.\* TO 'ferry_sec_nocreate'@/);
  });

  it('a PostgreSQL target user without CREATE on the schema', async () => {
    const target = pgT.replace('//root@', `//${NOCREATE}@`);
    const msg = await failsOnce('sec-bad-nocreate-pg', ['--source', PG_URL, '--target', target, '--tables', 'sec_bad_items']);
    expect(msg).toMatch(/creating table "sec_bad_items" on postgres .*permission denied \(permission denied for schema public\); run GRANT USAGE, CREATE ON SCHEMA public/);
  });
});

describe('an unreachable host is transient: retried, and the CLI says what is wrong', () => {
  const source = 'postgres://root@127.0.0.1:1/test';

  it('status shows the retrying activity and its last failure', async () => {
    const start = await runCli(['migrate', '--source', source, '--target', pgT, '--tables', 'sec_bad_items', '--id', 'sec-bad-unreachable'], env);
    expect(start.code, start.stderr).toBe(0);
    let s: { status: string; retrying: { activity: string; attempt: number; lastFailure: string }[] } = { status: '', retrying: [] };
    for (let i = 0; i < 100 && !((s.retrying[0]?.attempt ?? 0) >= 3); i++) {
      await new Promise((r) => setTimeout(r, 300));
      s = JSON.parse((await runCli(['status', 'sec-bad-unreachable', '--json'], env)).stdout);
    }
    expect(s.status).toBe('running');
    expect(s.retrying[0]).toMatchObject({ activity: 'planMigration', attempt: expect.any(Number) });
    expect(s.retrying[0]!.attempt).toBeGreaterThanOrEqual(3);
    expect(s.retrying[0]!.lastFailure).toMatch(/^planning: reading table "sec_bad_items" on postgres 127\.0\.0\.1:1\/test: connection lost or refused \(connect ECONNREFUSED 127\.0\.0\.1:1\); will retry$/);
    const text = await runCli(['status', 'sec-bad-unreachable'], env);
    expect(text.stdout).toMatch(/retrying planMigration of sec-bad-unreachable \(attempt \d+\): .*ECONNREFUSED/);
    await client.workflow.getHandle('sec-bad-unreachable').terminate('test done');
  });

  it('--wait prints what is being retried while it waits', async () => {
    const proc = spawn(process.execPath, [BIN, 'migrate', '--source', source, '--target', pgT, '--tables', 'sec_bad_items', '--id', 'sec-bad-unreachable-wait', '--wait'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    proc.stderr.on('data', (b: Buffer) => (err += b.toString()));
    const exited = new Promise<void>((r) => proc.once('exit', () => r()));
    for (let i = 0; i < 150 && !/retrying planMigration/.test(err); i++) await new Promise((r) => setTimeout(r, 200));
    proc.kill('SIGTERM');
    await exited;
    await client.workflow.getHandle('sec-bad-unreachable-wait').terminate('test done');
    expect(err).toMatch(/retrying planMigration of sec-bad-unreachable-wait \(attempt \d+\): planning: .*127\.0\.0\.1:1.*ECONNREFUSED/);
  });

  /** Runs `ferry <args>` until its stderr matches `until` (or ~30 s pass), and `moreMs` longer; then stops it. */
  async function waitingCli(args: string[], until: RegExp, moreMs = 0): Promise<{ stdout: string; stderr: string }> {
    const proc = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    proc.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const exited = new Promise<void>((r) => proc.once('exit', () => r()));
    for (let i = 0; i < 150 && !until.test(stderr); i++) await new Promise((r) => setTimeout(r, 200));
    if (until.test(stderr)) await new Promise((r) => setTimeout(r, moreMs));
    proc.kill('SIGTERM');
    await exited;
    return { stdout, stderr };
  }

  it.each<[string, string[]]>([
    ['verify', []],
    ['diff', []],
    ['repair', []],
    ['sync', ['--mode', 'full']],
  ])('%s prints what is being retried while it waits', async (command, extra) => {
    const id = `sec-bad-unreachable-${command}`;
    const { stderr } = await waitingCli([command, '--source', source, '--target', pgT, '--tables', 'sec_bad_items', '--id', id, ...extra], /retrying planMigration/);
    await client.workflow.getHandle(id).terminate('test done');
    expect(stderr).toMatch(new RegExp(`retrying planMigration of ${id} \\(attempt \\d+\\): planning: .*127\\.0\\.0\\.1:1.*ECONNREFUSED`));
  });

  it('verify --json keeps stdout for the result and says a retry once, not at every look', async () => {
    const id = 'sec-bad-unreachable-verify-json';
    // Attempts 2, 3 and 4 come within ~7 s of the start (backoff 1 s, 2 s, 4 s); the CLI looks every ~2.5 s.
    const { stdout, stderr } = await waitingCli(['verify', '--source', source, '--target', pgT, '--tables', 'sec_bad_items', '--id', id, '--json'], /retrying planMigration/, 6000);
    await client.workflow.getHandle(id).terminate('test done');
    expect(stdout).toBe('');
    const lines = stderr.split('\n').filter((l) => l.startsWith('retrying '));
    expect(lines, stderr).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^retrying planMigration of ${id} \\(attempt \\d+\\): planning: .*ECONNREFUSED`));
  });

  it('migrate --wait also says a retry once, not again for every attempt', async () => {
    const id = 'sec-bad-unreachable-wait-once';
    const { stderr } = await waitingCli(['migrate', '--source', source, '--target', pgT, '--tables', 'sec_bad_items', '--id', id, '--wait'], /retrying planMigration/, 6000);
    await client.workflow.getHandle(id).terminate('test done');
    const lines = stderr.split('\n').filter((l) => l.startsWith('retrying '));
    expect(lines, stderr).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^retrying planMigration of ${id} \\(attempt \\d+\\): planning: .*ECONNREFUSED`));
  });
});
