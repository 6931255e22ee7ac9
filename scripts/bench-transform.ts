/**
 * `npm run bench:transform [-- --rows N --rounds K]`: the cost of a JavaScript row transform. Times
 * `ferry migrate --wait` of one table with and without a simple transform (trim and lower-case a text
 * column, add a word count), alternating the two, PostgreSQL → PostgreSQL and PostgreSQL → MySQL, and
 * prints the median copy speed with the transform as a share of the speed without it (target ≥ 50%).
 *
 * It starts its own dev server (port 7450) and one `ferry worker`, and uses schema/database
 * `txb_src`/`txb_dst` of the test servers (dropped at the end).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { projectRoot } from '../src/temporal/cli-binary.js';
import { startDevServer } from '../src/temporal/dev-server.js';
import { run } from './bench-proc.js';

const PG = process.env['FERRY_TEST_PG'] ?? 'postgres://root@127.0.0.1:5432/test';
const MY = process.env['FERRY_TEST_MYSQL'] ?? 'mysql://root@127.0.0.1:3306/test';
const BIN = join(projectRoot(), 'bin', 'ferry.js');
const log = (m: string) => console.error(`[bench:transform] ${m}`);

const { values } = parseArgs({ options: { rows: { type: 'string', default: '500000' }, rounds: { type: 'string', default: '3' } } });
const ROWS = Number(values.rows);
const ROUNDS = Number(values.rounds);

async function psql(sql: string): Promise<void> {
  const r = await run('psql', [PG.replace(/\?.*$/, ''), '-v', 'ON_ERROR_STOP=1', '-qc', sql]);
  if (r.code !== 0) throw new Error(`psql failed: ${r.stderr}`);
}
async function mysqlSql(sql: string): Promise<void> {
  const r = await run('mysql', ['-h127.0.0.1', '-uroot', '-e', sql]);
  if (r.code !== 0) throw new Error(`mysql failed: ${r.stderr}`);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-bench-tx-'));
  log(`creating ${ROWS} rows in txb_src.orders (PostgreSQL)`);
  await psql(`DROP SCHEMA IF EXISTS txb_src CASCADE; DROP SCHEMA IF EXISTS txb_dst CASCADE; CREATE SCHEMA txb_src; CREATE SCHEMA txb_dst;
    CREATE TABLE txb_src.orders (id bigint PRIMARY KEY, customer text NOT NULL, note text, amount numeric(12,2) NOT NULL, created_at timestamptz NOT NULL);
    INSERT INTO txb_src.orders SELECT g, '  Customer ' || (g % 9973) || ' ', CASE WHEN g % 5 = 0 THEN NULL ELSE 'Order note number ' || g || ' with some words in it' END,
      (g % 100000) / 100.0, timestamptz '2024-01-01' + g * interval '1 second' FROM generate_series(1, ${ROWS}) g; ANALYZE txb_src.orders`);
  await mysqlSql('DROP DATABASE IF EXISTS txb_dst; CREATE DATABASE txb_dst CHARACTER SET utf8mb4');
  writeFileSync(
    join(dir, 'normalise.mjs'),
    `export function normalise(row) {
  row.customer = row.customer.trim().toLowerCase();
  row.words = row.note === null ? null : String(row.note.split(' ').length);
  return row;
}
`,
  );
  const job = (name: string, target: string, transform: boolean) => {
    const file = join(dir, `${name}.yaml`);
    const table = transform
      ? `  - name: orders\n    transform: { module: ${join(dir, 'normalise.mjs')}, function: normalise, add: { words: int } }\n`
      : `  - orders\n`;
    writeFileSync(file, `name: ${name}\nsource: ${PG}?schema=txb_src\ntarget: ${target}\nonExisting: truncate\nverify: none\ntables:\n${table}`);
    return file;
  };
  const server = await startDevServer({ port: 7450, uiPort: 8450, dbFile: join(dir, 'temporal.db') });
  const env = { ...process.env, TEMPORAL_ADDRESS: server.address, FERRY_TASK_QUEUE: 'ferry-bench-transform' };
  const worker = spawn(process.execPath, [BIN, 'worker'], { env, stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 4000));
  const targets = [
    { label: 'PG→PG', url: `${PG}?schema=txb_dst` },
    { label: 'PG→MySQL', url: MY.replace(/\/test$/, '/txb_dst') },
  ];
  const lines: string[] = [];
  try {
    for (const t of targets) {
      const times: Record<'plain' | 'transform', number[]> = { plain: [], transform: [] };
      for (let round = 0; round < ROUNDS; round++) {
        for (const kind of ['plain', 'transform'] as const) {
          // Each run gets its own target table name so the two shapes never meet.
          const name = `txb-${t.label === 'PG→PG' ? 'pg' : 'my'}-${kind}`;
          const started = process.hrtime.bigint();
          const r = await run(process.execPath, [BIN, 'migrate', job(name, t.url, kind === 'transform'), '--wait', '--json', '--id', `${name}-${round}`], { env });
          const secs = Number(process.hrtime.bigint() - started) / 1e9;
          if (r.code !== 0) throw new Error(`${name} failed: ${r.stdout}\n${r.stderr}`);
          const copied = JSON.parse(r.stdout.trim().split('\n').pop()!).tables[0].rowsCopied as number;
          if (copied !== ROWS) throw new Error(`${name} copied ${copied} rows, expected ${ROWS}`);
          times[kind].push(secs);
          log(`${t.label} ${kind} round ${round + 1}: ${secs.toFixed(2)} s (load ${loadavg()[0]!.toFixed(1)})`);
          // The next run of the other shape drops nothing, so clear the table it wrote.
          if (t.label === 'PG→PG') await psql('DROP TABLE IF EXISTS txb_dst.orders');
          else await mysqlSql('DROP TABLE IF EXISTS txb_dst.orders');
        }
      }
      const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
      const share = med(times.plain) / med(times.transform);
      lines.push(
        `| ${t.label} | ${med(times.plain).toFixed(2)} s | ${med(times.transform).toFixed(2)} s | ${(share * 100).toFixed(0)}% | ≥ 50% ${share >= 0.5 ? 'met' : 'missed'} |`,
      );
    }
  } finally {
    worker.kill('SIGTERM');
    await server.stop();
    await psql('DROP SCHEMA IF EXISTS txb_src CASCADE; DROP SCHEMA IF EXISTS txb_dst CASCADE');
    await mysqlSql('DROP DATABASE IF EXISTS txb_dst');
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\n${ROWS} rows, ${ROUNDS} round(s), medians of \`ferry migrate --wait\` (start to exit, verify off)\n`);
  console.log('| direction | no transform | JS transform | speed with transform | target |');
  console.log('|---|---|---|---|---|');
  for (const l of lines) console.log(l);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
