/**
 * Payload encryption through the compiled CLI and a `ferry worker` process (the way users run it):
 * both get FERRY_CODEC_KEYS; a run and a failing run leave nothing readable in their raw histories
 * (failure messages included), while `ferry migrate --wait` and `ferry status` still show the
 * decrypted report and error; `ferry codec-server` decodes for the Web UI.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevServer } from '../../src/temporal/dev-server.js';
import { ENCODING_ENCRYPTED } from '../../src/temporal/payload-codec.js';
import { PG_URL, pgExec } from '../helpers/databases.js';
import { e2eEnv, runCli, startE2eServer, startWorkerProcess, type WorkerProcess } from '../helpers/cli.js';
import { historyText, jobHistories, payloadsOf, rawClient } from '../helpers/sec-history.js';

const QUEUE = 'sec-codec-cli';
const BIN = fileURLToPath(new URL('../../bin/ferry.js', import.meta.url));
const TABLE = 'sec_codec_cli_items';
const MISSING = 'sec_codec_cli_missing';
const TARGET = PG_URL.replace(/\/test$/, '/ferry_sec_codec_cli');
const KEYS = `cli1:${randomBytes(32).toString('base64')}`;
const ENCRYPTED_B64 = Buffer.from(ENCODING_ENCRYPTED).toString('base64');
let server: DevServer;
let worker: WorkerProcess;
let env: NodeJS.ProcessEnv;
let raw: Client;
let codecServer: ChildProcess | undefined;

beforeAll(async () => {
  await pgExec(`DROP TABLE IF EXISTS ${TABLE}`);
  await pgExec(`CREATE TABLE ${TABLE} (id int PRIMARY KEY, label text NOT NULL)`);
  await pgExec(`INSERT INTO ${TABLE} SELECT g, 'label ' || g FROM generate_series(1, 600) g`);
  await pgExec(`DROP DATABASE IF EXISTS ferry_sec_codec_cli WITH (FORCE)`);
  await pgExec(`CREATE DATABASE ferry_sec_codec_cli`);
  server = await startE2eServer(7325);
  env = e2eEnv(server, QUEUE, { FERRY_CODEC_KEYS: KEYS });
  worker = await startWorkerProcess(env);
  raw = await rawClient(server.address);
});

afterAll(async () => {
  codecServer?.kill('SIGTERM');
  await worker?.kill('SIGTERM');
  await raw?.connection.close();
  await server?.stop();
  await pgExec(`DROP TABLE IF EXISTS ${TABLE}`);
  await pgExec(`DROP DATABASE IF EXISTS ferry_sec_codec_cli WITH (FORCE)`);
});

describe('FERRY_CODEC_KEYS on the CLI and the worker process', () => {
  it('migrates with every payload encrypted, and the CLI still prints the report', async () => {
    const r = await runCli(['migrate', '--source', PG_URL, '--target', TARGET, '--tables', TABLE, '--chunk-rows', '200', '--name', 'sec-codec-cli', '--id', 'sec-codec-cli', '--wait', '--json'], env);
    expect(r.code, `${r.stdout}\n${r.stderr}\n${worker.output().slice(-3000)}`).toBe(0);
    expect(JSON.parse(r.stdout.trim().split('\n').pop()!)).toMatchObject({ status: 'completed', tables: [{ source: TABLE, rowsCopied: 600, verified: true }] });
    for (const h of await jobHistories(raw, 'sec-codec-cli', 2)) {
      for (const p of payloadsOf(h.history)) {
        if (p.path.includes('searchAttributes') || p.path.includes('patch-data')) continue;
        expect(p.metadata['encoding'], `${h.workflowId} ${p.path}`).toBe(ENCRYPTED_B64);
      }
    }
  });

  it('a failing run keeps its message encrypted in history but readable for the user', async () => {
    const r = await runCli(['migrate', '--source', PG_URL, '--target', TARGET, '--tables', MISSING, '--name', 'sec-codec-cli-fail', '--id', 'sec-codec-cli-fail', '--wait', '--json'], env);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout.trim().split('\n').pop()!).error).toMatch(new RegExp(`table "${MISSING}" does not exist`));
    const [h] = await jobHistories(raw, 'sec-codec-cli-fail', 1);
    // The message is not in plaintext; the table's name is, in the ID of the lock taken while
    // planning (workflow IDs stay readable, as the README says).
    expect(historyText(h!.history)).not.toContain('does not exist');
  });

  it('ferry codec-server decodes a history payload for the Web UI origin', async () => {
    codecServer = spawn(process.execPath, [BIN, 'codec-server', '--port', '7326'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    codecServer.stderr!.on('data', (b: Buffer) => (err += b.toString()));
    for (let i = 0; i < 100 && !err.includes('codec server on'); i++) await new Promise((r) => setTimeout(r, 100));
    expect(err).toContain('--ui-codec-endpoint http://localhost:7326');
    const [h] = await jobHistories(raw, 'sec-codec-cli', 1);
    const input = payloadsOf(h!.history).find((p) => p.path.includes('workflowExecutionStartedEventAttributes.input'))!;
    const res = await fetch('http://127.0.0.1:7326/decode', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: 'http://localhost:8233', 'X-Namespace': 'default' },
      body: JSON.stringify({ payloads: [input] }),
    });
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:8233');
    const out = (await res.json()) as { payloads: { data: string }[] };
    expect(Buffer.from(out.payloads[0]!.data, 'base64').toString()).toContain(TABLE);
  });

  it('codec-server refuses to listen beyond this machine without a bearer token', async () => {
    const r = await runCli(['codec-server', '--host', '0.0.0.0', '--port', '7327'], env, 20_000);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/set FERRY_CODEC_AUTH/);
  });
});
