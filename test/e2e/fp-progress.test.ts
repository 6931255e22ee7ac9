/**
 * Live progress of `ferry export`, `ferry import` and `ferry migrate` through the real CLI, a real `ferry worker`, a
 * dev server and both databases: `--wait` prints the progress lines, `ferry status` answers per table
 * while running and after the end, the shard children signal their parent in batches (never after
 * their last chunk), and `ferry list` shows these runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevServer, type DevServer } from '../../src/temporal/dev-server.js';
import { MYSQL_URL, PG_URL, mysqlExec, pgExec } from '../helpers/databases.js';
import { e2eEnv, runCli, startWorkerProcess, type WorkerProcess } from '../helpers/cli.js';

const EventType = temporal.api.enums.v1.EventType;
const ITEMS = 6000;
const SMALL = 40;
const CHUNK = 250;
const tmp = mkdtempSync(join(tmpdir(), 'fp-progress-e2e-'));
const dir = join(tmp, 'export');
let server: DevServer;
let worker: WorkerProcess;
let env: NodeJS.ProcessEnv;
let client: Client;

interface StatusTable {
  source: string;
  target: string;
  rowsDone: number;
  rowsTotal: number;
  shardsDone: number;
  shardsTotal: number;
  rowsPerSecond: number;
  etaSeconds: number | null;
}
interface Status {
  status: string;
  type: string;
  phase: string | null;
  total: { rowsDone: number; rowsTotal: number };
  tables: StatusTable[];
}

const status = async (id: string): Promise<Status> => {
  const r = await runCli(['status', id, '--json'], env);
  expect(r.code, r.stdout + r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Status;
};
const table = (s: Status, name: string) => s.tables.find((t) => t.source === name)!;

async function dropAll(): Promise<void> {
  await pgExec('DROP TABLE IF EXISTS fp_items, fp_small');
  await mysqlExec('DROP TABLE IF EXISTS fp_items, fp_small');
}

beforeAll(async () => {
  await dropAll();
  await pgExec('CREATE TABLE fp_items (id int PRIMARY KEY, name text NOT NULL, qty int)');
  await pgExec(`INSERT INTO fp_items SELECT g, 'item ' || g, g % 17 FROM generate_series(1, ${ITEMS}) g`);
  await pgExec('CREATE TABLE fp_small (id int PRIMARY KEY, v text)');
  await pgExec(`INSERT INTO fp_small SELECT g, md5(g::text) FROM generate_series(1, ${SMALL}) g`);
  // Statistics give the plan its row estimates (the export's totals until the manifest is written).
  await pgExec('ANALYZE fp_items');
  await pgExec('ANALYZE fp_small');
  server = await startDevServer({ port: 7460, uiPort: 7461, dbFile: join(tmp, 'temporal.db') });
  env = e2eEnv(server, 'fp-progress');
  worker = await startWorkerProcess(env);
  client = new Client({ connection: await Connection.connect({ address: server.address }) });
}, 120_000);

afterAll(async () => {
  await client?.connection.close();
  await worker?.kill('SIGTERM');
  await server?.stop();
  await dropAll();
  rmSync(tmp, { recursive: true, force: true });
});

/** Events of `type` in a workflow's history. */
async function countEvents(workflowId: string, type: keyof typeof EventType): Promise<number> {
  const h = await client.workflow.getHandle(workflowId).fetchHistory();
  return (h.events ?? []).filter((e) => e.eventType === EventType[type]).length;
}

describe('export and import progress', () => {
  it('export --wait prints progress lines, and status reports the rows per table after the end', async () => {
    const r = await runCli(['export', '--source', PG_URL, '--tables', 'fp_items,fp_small', '--to', dir, '--chunk-rows', String(CHUNK), '--parallelism', '2', '--wait', '--id', 'fp-export'], env);
    expect(r.code, `${r.stdout}\n${r.stderr}\n${worker.output()}`).toBe(0);
    // Not a terminal: a line per few seconds and the end state, as for migrate.
    expect(r.stderr).toMatch(/^\[done\] fp_items 6,000\/~6,000, fp_small 40\/~40 \([\d,]+ rows\/s\)$/m);
    expect(r.stdout).toMatch(/exported to/);

    const s = await status('fp-export');
    expect(s).toMatchObject({ status: 'completed', type: 'exportTables', phase: 'done', total: { rowsDone: ITEMS + SMALL, rowsTotal: ITEMS + SMALL } });
    const items = table(s, 'fp_items');
    expect(items).toMatchObject({ rowsDone: ITEMS, rowsTotal: ITEMS, etaSeconds: null });
    expect(items.target).toBe(join(dir, 'fp_items'));
    expect(items.shardsTotal).toBeGreaterThan(0);
    expect(items.shardsDone).toBe(items.shardsTotal);
    expect(items.rowsPerSecond).toBeGreaterThan(0);
    expect(table(s, 'fp_small')).toMatchObject({ rowsDone: SMALL, rowsTotal: SMALL });

    const text = await runCli(['status', 'fp-export'], env);
    expect(text.stdout).toMatch(/^fp-export \(exportTables\): completed \(done\)$/m);
    expect(text.stdout).toMatch(/fp_items → .*fp_items: 6,000 \/ ~6,000 rows, [\d,]+ rows\/s, shards (\d+)\/\1/);
  });

  it('shard children signal their parent in batches, never after their last chunk', async () => {
    const shards = table(await status('fp-export'), 'fp_items').shardsTotal;
    let sent = 0;
    for (let shard = 0; shard < shards; shard++) {
      const id = `fp-export/fp_items/${shard}`;
      const chunks = await countEvents(id, 'EVENT_TYPE_ACTIVITY_TASK_COMPLETED');
      const signals = await countEvents(id, 'EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED');
      expect(chunks).toBeGreaterThan(0);
      // At most one per chunk but the last, and one a second at most.
      expect(signals).toBeLessThanOrEqual(chunks - 1);
      sent += signals;
    }
    // fp_items has 24 chunks over its shards: at least one shard had more than one and signalled.
    expect(sent).toBeGreaterThan(0);
    expect(await countEvents('fp-export', 'EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED')).toBe(sent);
  });

  it('status answers while an export runs, with rows that only grow, up to the exact counts', async () => {
    const r = await runCli(['export', '--source', PG_URL, '--tables', 'fp_items,fp_small', '--to', join(tmp, 'second'), '--chunk-rows', '100', '--parallelism', '1', '--json', '--id', 'fp-export-live'], env);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const seen: Status[] = [];
    for (let i = 0; i < 200; i++) {
      const s = await status('fp-export-live');
      seen.push(s);
      if (s.status !== 'running') break;
    }
    const end = seen[seen.length - 1]!;
    expect(end).toMatchObject({ status: 'completed', phase: 'done', total: { rowsDone: ITEMS + SMALL, rowsTotal: ITEMS + SMALL } });
    const done = seen.map((s) => s.total.rowsDone);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    const copying = seen.filter((x) => x.status === 'running' && x.phase === 'copying');
    for (const s of copying) {
      expect(s.type).toBe('exportTables');
      expect(table(s, 'fp_items').rowsTotal).toBeGreaterThan(0);
      expect(table(s, 'fp_items').rowsDone).toBeLessThanOrEqual(ITEMS);
    }
    // 60 chunks one after another take seconds: some answers came from the children's chunk signals,
    // with rows counted before the shard holding them had finished.
    expect(copying.some((s) => table(s, 'fp_items').rowsDone > 0 && table(s, 'fp_items').shardsDone < table(s, 'fp_items').shardsTotal)).toBe(true);
  });

  it('import --wait prints progress lines against the manifest counts; status reports them', async () => {
    const r = await runCli(['import', '--from', dir, '--target', MYSQL_URL, '--parallelism', '2', '--wait', '--id', 'fp-import'], env);
    expect(r.code, `${r.stdout}\n${r.stderr}\n${worker.output()}`).toBe(0);
    expect(r.stderr).toMatch(/^\[done\] fp_items 6,000\/~6,000, fp_small 40\/~40 \([\d,]+ rows\/s\)$/m);
    const s = await status('fp-import');
    expect(s).toMatchObject({ status: 'completed', type: 'importFiles', phase: 'done', total: { rowsDone: ITEMS + SMALL, rowsTotal: ITEMS + SMALL } });
    const items = table(s, 'fp_items');
    expect(items).toMatchObject({ target: 'fp_items', rowsDone: ITEMS, rowsTotal: ITEMS });
    expect(items.shardsDone).toBe(items.shardsTotal);
    const rows = (await mysqlExec('SELECT COUNT(*) AS n FROM fp_items')) as { n: number }[];
    expect(Number(rows[0]!.n)).toBe(ITEMS);
  });

  it('migrate --wait ends with the end state from its report, exact counts once verified', async () => {
    const r = await runCli(
      ['migrate', '--source', PG_URL, '--target', MYSQL_URL, '--tables', 'fp_items,fp_small', '--on-existing', 'truncate', '--chunk-rows', '1000', '--wait', '--id', 'fp-migrate'],
      env,
    );
    expect(r.code, `${r.stdout}\n${r.stderr}\n${worker.output()}`).toBe(0);
    expect(r.stderr).toMatch(/^\[done\] fp_items 6,000\/~6,000, fp_small 40\/~40 \([\d,]+ rows\/s\)$/m);
    expect(r.stdout).toMatch(/fp_items → fp_items\s+6,000\s+6,000\s+6,000\s+yes/);
  });

  it('list shows export and import runs with their kind and final phase', async () => {
    const all = JSON.parse((await runCli(['list', '--json'], env)).stdout) as { workflowId: string; kind: string; phase: string }[];
    expect(all.find((w) => w.workflowId === 'fp-export')).toMatchObject({ kind: 'export', phase: 'completed' });
    expect(all.find((w) => w.workflowId === 'fp-import')).toMatchObject({ kind: 'import', phase: 'completed' });
    const imports = JSON.parse((await runCli(['list', '--kind', 'import', '--json'], env)).stdout) as { workflowId: string; kind: string }[];
    expect(imports.map((w) => w.workflowId)).toEqual(['fp-import']);
    const bad = await runCli(['list', '--kind', 'exprot'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--kind: unknown kind "exprot"/);
  });
});
