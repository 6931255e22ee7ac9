/**
 * kill -9 of the only worker in the middle of a copy, then a new worker: the run completes, verified,
 * and the target equals the source row for row.
 */
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevServer } from '../../src/temporal/dev-server.js';
import { MYSQL_URL, PG_URL, mysqlExec, pgExec } from '../helpers/databases.js';
import { e2eEnv, runCli, startE2eServer, startWorkerProcess, type WorkerProcess } from '../helpers/cli.js';
import { dump, type DumpSpec } from '../helpers/row-dump.js';

// Enough rows that the copy is still running after the status polls below (a CLI start each) see
// the first 20,000: with 150,000 a fast machine could finish the copy before a chunk was caught in flight.
const ROWS = 400_000;
const QUEUE = 'e2e-crash';
const TARGET = MYSQL_URL.replace(/\/test$/, '/ferry_e2e_crash');
const SPEC: DumpSpec = { table: 'e2e_crash', key: ['id'], columns: { id: 'int', body: 'text', amount: 'decimal', at: 'timestamp', doc: 'json' } };
let server: DevServer;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  await pgExec(`DROP TABLE IF EXISTS e2e_crash`);
  await pgExec(`CREATE TABLE e2e_crash (id bigint PRIMARY KEY, body text, amount numeric(12,2), at timestamp(6), doc jsonb)`);
  await pgExec(`INSERT INTO e2e_crash SELECT g, repeat('x', g % 50) || ' row ' || g, g / 100.0, timestamp '2024-01-01' + g * interval '1.000001 second',
    jsonb_build_object('g', g) FROM generate_series(1, ${ROWS}) g`);
  await pgExec(`ANALYZE e2e_crash`);
  await mysqlExec(`DROP DATABASE IF EXISTS ferry_e2e_crash; CREATE DATABASE ferry_e2e_crash CHARACTER SET utf8mb4`);
  server = await startE2eServer(7266);
});

afterAll(async () => {
  for (const w of workers) await w.kill('SIGKILL');
  await server?.stop();
  await pgExec(`DROP TABLE IF EXISTS e2e_crash`);
});

async function status(
  env: NodeJS.ProcessEnv,
  id: string,
): Promise<{ status: string; tables: { rowsDone: number }[]; report?: { tables: { rowsRedone: number; verified: boolean; rowsCopied: number }[] } }> {
  const r = await runCli(['status', id, '--json'], env);
  return JSON.parse(r.stdout);
}

describe('a worker killed with SIGKILL mid-copy', () => {
  it('is replaced by a new worker and the run completes with the target equal to the source', async () => {
    const env = e2eEnv(server, QUEUE);
    workers.push(await startWorkerProcess(env));
    const start = await runCli(
      ['migrate', '--source', PG_URL, '--target', TARGET, '--tables', 'e2e_crash', '--chunk-rows', '5000', '--parallelism', '2', '--id', 'e2e-crash'],
      env,
    );
    expect(start.code, start.stderr).toBe(0);

    // Wait until some chunks have committed, then kill the worker without any chance to clean up.
    let done = 0;
    for (let i = 0; i < 600 && done < 20_000; i++) {
      await new Promise((r) => setTimeout(r, 100));
      done = (await status(env, 'e2e-crash')).tables[0]?.rowsDone ?? 0;
    }
    expect(done).toBeGreaterThanOrEqual(20_000);
    expect(done).toBeLessThan(ROWS);
    // Kill while a chunk is being copied, so there is work in flight to lose.
    const client = new Client({ connection: await Connection.connect({ address: server.address }) });
    const inFlight = async () => {
      for (const id of ['e2e-crash/e2e_crash/0', 'e2e-crash/e2e_crash/1']) {
        const d = await client.workflow.getHandle(id).describe().catch(() => undefined);
        if (d?.raw.pendingActivities?.some((a) => a.state === temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED)) return true;
      }
      return false;
    };
    // The worker is frozen while it is looked at, so a chunk seen in flight cannot complete before
    // the kill (otherwise it could finish between the look and the signal, and nothing be redone).
    let caught = false;
    for (let i = 0; i < 200 && !caught; i++) {
      workers[0]!.proc.kill('SIGSTOP');
      caught = await inFlight();
      if (!caught) {
        workers[0]!.proc.kill('SIGCONT');
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    expect(caught).toBe(true);
    await workers[0]!.kill('SIGKILL');
    await client.connection.close();

    workers.push(await startWorkerProcess(env));
    const waited = await runCli(['migrate', '--source', PG_URL, '--target', TARGET, '--tables', 'e2e_crash', '--id', 'e2e-crash', '--wait', '--json'], env).catch(
      (e: unknown) => ({ code: -1, stdout: '', stderr: String(e) }),
    );
    // The second start is refused (same workflow ID, still running): the ID is the job's lock.
    expect(waited.code).toBe(2);
    expect(waited.stdout).toContain('already running');

    let s = await status(env, 'e2e-crash');
    for (let i = 0; i < 900 && s.status === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 200));
      s = await status(env, 'e2e-crash');
    }
    expect(s.status, workers[1]!.output()).toBe('completed');
    expect(s.tables[0]?.rowsDone).toBe(ROWS);
    // Work redone after the crash is at most the chunks that were in flight: one per shard (2 × 5000).
    const t = s.report!.tables[0]!;
    expect(t).toMatchObject({ rowsCopied: ROWS, verified: true });
    console.log(`redone after kill -9: ${t.rowsRedone} rows`);
    expect(t.rowsRedone).toBeGreaterThan(0);
    expect(t.rowsRedone).toBeLessThanOrEqual(2 * 5000);
    const [a, b] = await Promise.all([dump(PG_URL, SPEC), dump(TARGET, SPEC)]);
    expect(b.length).toBe(ROWS);
    expect(b).toEqual(a);
  });
});
