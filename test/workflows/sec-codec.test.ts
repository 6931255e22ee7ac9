/**
 * Payload encryption end to end: client and worker with FERRY_CODEC_KEYS, a real migration and a
 * failing one; the raw histories (read without the codec) hold only encrypted payloads, failure
 * messages included, and `ferry codec-server` decodes them for the Web UI.
 */
import { randomBytes } from 'node:crypto';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failureMessage } from '../../src/cli/failure-message.js';
import { toInput } from '../../src/cli/migrate-command.js';
import { parseJobSpec } from '../../src/job/job-spec.js';
import { FerryJobKey, WORKFLOW_MIGRATE } from '../../src/shared.js';
import { startCodecServer, type CodecServer } from '../../src/temporal/codec-server.js';
import { connectClient } from '../../src/temporal/connection.js';
import type { DevServer } from '../../src/temporal/dev-server.js';
import { createFerryWorker, type FerryWorker } from '../../src/temporal/ferry-worker.js';
import { codecFromEnv, ENCODING_ENCRYPTED } from '../../src/temporal/payload-codec.js';
import { PG_URL, pgExec } from '../helpers/databases.js';
import { startE2eServer } from '../helpers/cli.js';
import { historyText, jobHistories, payloadsOf, rawClient } from '../helpers/sec-history.js';

const QUEUE = 'sec-codec';
const TABLE = 'sec_codec_items';
const MISSING = 'sec_codec_missing_table';
const TARGET = PG_URL.replace(/\/test$/, '/ferry_sec_codec');
const ENCRYPTED_B64 = Buffer.from(ENCODING_ENCRYPTED).toString('base64');
const saved = { ...process.env };

let server: DevServer;
let connection: NativeConnection;
let fw: FerryWorker;
let running: Promise<void>;
let client: Client;
let raw: Client;
let codecServer: CodecServer;

beforeAll(async () => {
  await pgExec(`DROP TABLE IF EXISTS ${TABLE}`);
  await pgExec(`CREATE TABLE ${TABLE} (id int PRIMARY KEY, label text NOT NULL)`);
  await pgExec(`INSERT INTO ${TABLE} SELECT g, 'label ' || g FROM generate_series(1, 900) g`);
  await pgExec(`DROP DATABASE IF EXISTS ferry_sec_codec`);
  await pgExec(`CREATE DATABASE ferry_sec_codec`);
  server = await startE2eServer(7321);
  process.env['FERRY_CODEC_KEYS'] = `k2026:${randomBytes(32).toString('base64')}`;
  process.env['TEMPORAL_ADDRESS'] = server.address;
  process.env['TEMPORAL_NAMESPACE'] = 'default';
  connection = await NativeConnection.connect({ address: server.address });
  fw = await createFerryWorker({ connection, namespace: 'default', taskQueue: QUEUE, workerName: 'sec-codec-worker' });
  running = fw.worker.run();
  client = await connectClient();
  raw = await rawClient(server.address);
  codecServer = await startCodecServer({ codec: codecFromEnv()!, port: 0 });
});

afterAll(async () => {
  fw?.worker.shutdown();
  await running;
  await fw?.close();
  await connection?.close();
  await client?.connection.close();
  await raw?.connection.close();
  await codecServer?.close();
  await server?.stop();
  process.env = saved;
  await pgExec(`DROP TABLE IF EXISTS ${TABLE}`);
  await pgExec(`DROP DATABASE IF EXISTS ferry_sec_codec WITH (FORCE)`);
});

const start = (job: string, tables: string[]) =>
  client.workflow.start(WORKFLOW_MIGRATE, {
    taskQueue: QUEUE,
    workflowId: job,
    typedSearchAttributes: [{ key: FerryJobKey, value: job }],
    args: [toInput(parseJobSpec({ name: job, source: PG_URL, target: TARGET, tables, chunkRows: 300, parallelism: 2, onExisting: 'truncate' }))],
  });

async function decodeViaServer(p: { metadata: Record<string, string>; data?: string }): Promise<string> {
  const r = await fetch(`${codecServer.url}/decode`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ payloads: [p] }) });
  expect(r.status).toBe(200);
  const out = (await r.json()) as { payloads: { data: string }[] };
  return Buffer.from(out.payloads[0]!.data, 'base64').toString('utf8');
}

describe('payload encryption (FERRY_CODEC_KEYS on client and worker)', () => {
  it('a migration works and every payload in its histories is encrypted; the codec server decodes them', async () => {
    const handle = await start('sec-codec-ok', [TABLE]);
    const report = (await handle.result()) as { status: string; tables: { rowsCopied: number }[] };
    expect(report.status).toBe('completed');
    expect(report.tables[0]?.rowsCopied).toBe(900);

    const histories = await jobHistories(raw, 'sec-codec-ok', 3);
    expect(histories.length).toBeGreaterThanOrEqual(3);
    let checked = 0;
    for (const h of histories) {
      for (const p of payloadsOf(h.history)) {
        // Search attributes are indexed by the server and cannot be encrypted (documented); patch markers
        // are the SDK's own bookkeeping (a patch id), written by the core without the codec.
        if (p.path.includes('searchAttributes') || p.path.includes('patch-data')) continue;
        expect(p.metadata['encoding'], `${h.workflowId} ${p.path}`).toBe(ENCRYPTED_B64);
        expect(Buffer.from(p.data ?? '', 'base64').toString('latin1')).not.toContain(TABLE);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(10);

    const parent = histories.find((h) => h.workflowId === 'sec-codec-ok')!;
    const input = payloadsOf(parent.history).find((p) => p.path.includes('workflowExecutionStartedEventAttributes.input'))!;
    expect(await decodeViaServer(input)).toContain(TABLE);
  });

  it('a failing run keeps even its failure message encrypted, and the client still reads it', async () => {
    const handle = await start('sec-codec-fail', [MISSING]);
    const err = await handle.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect(failureMessage(err)).toMatch(new RegExp(`table "${MISSING}" does not exist`));

    const [h] = await jobHistories(raw, 'sec-codec-fail', 1);
    const text = historyText(h!.history);
    // The failure's message is nowhere in plaintext. (The table's name may be: the lock on it, taken
    // while planning, is a workflow ID, and IDs stay readable, as the README says.)
    expect(text).not.toContain('does not exist');
    expect(text).toContain('Encoded failure');
    const failure = payloadsOf(h!.history).find((p) => p.path.includes('encodedAttributes'))!;
    const decoded = JSON.parse(await decodeViaServer(failure)) as { message: string };
    expect(decoded.message).toContain(`table "${MISSING}" does not exist`);
  });
});
