/**
 * No secret in Temporal: a PostgreSQL role and a MariaDB user whose password is a unique marker, URLs
 * with ${VAR} placeholders filled only in the worker's environment, and then every history of the job
 * (parent, shard children, continued runs) and the worker's whole output searched for the marker.
 * A run with a wrong password must fail fast without repeating the password it tried.
 */
import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevServer } from '../../src/temporal/dev-server.js';
import { MYSQL_URL, PG_URL, mysqlExec, pgExec } from '../helpers/databases.js';
import { e2eEnv, runCli, startE2eServer, startWorkerProcess, type WorkerProcess } from '../helpers/cli.js';
import { dump, type DumpSpec } from '../helpers/row-dump.js';
import { failedActivities, historyText, jobHistories, rawClient } from '../helpers/sec-history.js';

const QUEUE = 'sec-secrets';
const MARKER = `ferry-marker-${randomBytes(8).toString('hex')}`;
const WRONG = `ferry-wrong-${randomBytes(8).toString('hex')}`;
const USER = 'ferry_sec_app';
const DB = 'ferry_sec_secrets';
const SPEC: DumpSpec = { table: 'sec_secret', key: ['id'], columns: { id: 'int', body: 'text', at: 'timestamp' } };
const pgHost = new URL(PG_URL);
const myHost = new URL(MYSQL_URL);
// Placeholders only: the client (and so Temporal) never sees a password. sslmode=require: TLS end to end.
const SOURCE = `postgres://${USER}:\${SEC_PG_PW}@${pgHost.host}/test?sslmode=require`;
const TARGET = `mysql://${USER}:\${SEC_MY_PW}@${myHost.host}/${DB}`;
const TARGET_WRONG = `mysql://${USER}:\${SEC_MY_WRONG}@${myHost.host}/${DB}`;

let server: DevServer;
let worker: WorkerProcess;
let cliEnv: NodeJS.ProcessEnv;
let client: Client;

beforeAll(async () => {
  await pgExec(`DROP TABLE IF EXISTS sec_secret`);
  await pgExec(`DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${USER}') THEN EXECUTE 'DROP OWNED BY ${USER}'; DROP ROLE ${USER}; END IF; END $$`);
  await pgExec(`CREATE ROLE ${USER} LOGIN PASSWORD '${MARKER}'`);
  await pgExec(`CREATE TABLE sec_secret (id bigint PRIMARY KEY, body text NOT NULL, at timestamp(6))`);
  await pgExec(`INSERT INTO sec_secret SELECT g, 'row ' || g, timestamp '2024-01-01' + g * interval '1 minute' FROM generate_series(1, 2400) g`);
  await pgExec(`ANALYZE sec_secret`);
  await pgExec(`GRANT SELECT ON sec_secret TO ${USER}`);
  await mysqlExec(
    `DROP DATABASE IF EXISTS ${DB}; CREATE DATABASE ${DB} CHARACTER SET utf8mb4; DROP USER IF EXISTS '${USER}'@'%';
     CREATE USER '${USER}'@'%' IDENTIFIED BY '${MARKER}'; GRANT ALL ON ${DB}.* TO '${USER}'@'%';`,
  );
  server = await startE2eServer(7320);
  cliEnv = e2eEnv(server, QUEUE);
  for (const k of ['SEC_PG_PW', 'SEC_MY_PW', 'SEC_MY_WRONG']) delete cliEnv[k];
  worker = await startWorkerProcess(e2eEnv(server, QUEUE, { SEC_PG_PW: MARKER, SEC_MY_PW: MARKER, SEC_MY_WRONG: WRONG }));
  client = await rawClient(server.address);
});

afterAll(async () => {
  await worker?.kill('SIGTERM');
  await client?.connection.close();
  await server?.stop();
  await pgExec(`DROP TABLE IF EXISTS sec_secret`);
  await pgExec(`DROP OWNED BY ${USER}`).catch(() => undefined);
  await pgExec(`DROP ROLE IF EXISTS ${USER}`);
  await mysqlExec(`DROP DATABASE IF EXISTS ${DB}; DROP USER IF EXISTS '${USER}'@'%'`);
});

describe('secrets never reach Temporal or the logs', () => {
  it('the client refuses a literal password before anything starts', async () => {
    const r = await runCli(['migrate', '--source', `postgres://${USER}:${MARKER}@${pgHost.host}/test`, '--target', TARGET, '--tables', 'sec_secret'], cliEnv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/literal password/);
    expect(r.stderr + r.stdout).not.toContain(MARKER);
  });

  it('a migration with ${VAR} passwords leaves no trace of the password in any history or in the worker output', async () => {
    const r = await runCli(
      ['migrate', '--source', SOURCE, '--target', TARGET, '--tables', 'sec_secret', '--chunk-rows', '400', '--parallelism', '3', '--name', 'sec-secret-job', '--id', 'sec-secret', '--wait', '--json'],
      cliEnv,
    );
    expect(r.code, `${r.stdout}\n${r.stderr}\n${worker.output()}`).toBe(0);
    expect(await dump(TARGET.replace('${SEC_MY_PW}', MARKER), SPEC)).toEqual(await dump(PG_URL, SPEC));

    const histories = await jobHistories(client, 'sec-secret-job', 4);
    // The parent and one child per shard (3 shards of 800 rows).
    expect(histories.map((h) => h.workflowId).sort()).toEqual(expect.arrayContaining(['sec-secret', 'sec-secret/sec_secret/0', 'sec-secret/sec_secret/2']));
    let all = '';
    for (const h of histories) all += historyText(h.history);
    // Positive control: the decoded payloads are searchable (the placeholder and the table are there) …
    expect(all).toContain('${SEC_MY_PW}');
    expect(all).toContain('sec_secret');
    // … and the password is nowhere, neither raw nor URL-encoded.
    expect(all).not.toContain(MARKER);
    expect(r.stdout + r.stderr).not.toContain(MARKER);
    expect(worker.output()).not.toContain(MARKER);
    const status = await runCli(['status', 'sec-secret', '--json'], cliEnv);
    expect(status.stdout).not.toContain(MARKER);
  });

  it('a wrong password fails at once (not retried) and is repeated nowhere', async () => {
    const r = await runCli(
      ['migrate', '--source', SOURCE, '--target', TARGET_WRONG, '--tables', 'sec_secret', '--name', 'sec-wrong-job', '--id', 'sec-wrong', '--wait', '--json'],
      cliEnv,
    );
    expect(r.code, r.stdout + r.stderr).toBe(2);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { status: string; error: string };
    expect(out.status).toBe('failed');
    expect(out.error).toMatch(/refused the user name or password; fix the credentials/);
    expect(out.error).toContain(`${myHost.hostname}`);
    const [h] = await jobHistories(client, 'sec-wrong-job', 1);
    const text = historyText(h!.history);
    expect(text).not.toContain(WRONG);
    expect(text).not.toContain(MARKER);
    expect(worker.output()).not.toContain(WRONG);
    expect(r.stdout + r.stderr).not.toContain(WRONG);
    // Permanent: one attempt, marked non-retryable.
    const failed = failedActivities(h!.history);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ attempt: 1, nonRetryable: true, message: expect.stringMatching(/refused the user name or password/) });
  });
});
