/**
 * `npm run demo`: the whole of ferry in one command. Creates a demo shop in PostgreSQL, starts a local
 * Temporal dev server (unless TEMPORAL_ADDRESS points at one) and a worker, migrates the shop to
 * MariaDB/MySQL with live progress, verifies it, and prints the report and the Web UI link.
 */
import mysql from 'mysql2/promise';
import { migrateCommand } from '../src/cli/migrate-command.js';
import { connectWorkerConnection, loadConnectConfig } from '../src/temporal/connection.js';
import { startDevServer, type DevServer } from '../src/temporal/dev-server.js';
import { createFerryWorker } from '../src/temporal/ferry-worker.js';
import { createDemoData } from './demo-data.js';

const PG_ADMIN = process.env['FERRY_DEMO_PG'] ?? 'postgres://root@127.0.0.1:5432/postgres';
const MYSQL_ADMIN = process.env['FERRY_DEMO_MYSQL'] ?? 'mysql://root@127.0.0.1:3306/';
const DB = 'ferry_demo';

async function main(): Promise<number> {
  console.error('▸ creating the demo shop in PostgreSQL (customers, products, orders: ~100K rows)…');
  await createDemoData(PG_ADMIN, DB);
  const my = await mysql.createConnection({ uri: MYSQL_ADMIN });
  await my.query(`CREATE DATABASE IF NOT EXISTS \`${DB}\` CHARACTER SET utf8mb4`);
  await my.end();

  let server: DevServer | undefined;
  if (!process.env['TEMPORAL_ADDRESS']) {
    console.error('▸ starting the Temporal dev server (state in .ferry/temporal.db)…');
    server = await startDevServer({ log: (m) => console.error(`  ${m}`) });
    console.error(`  Temporal at ${server.address}, Web UI at ${server.uiUrl}`);
  }
  const { namespace } = await loadConnectConfig();
  const connection = await connectWorkerConnection();
  const { worker, close } = await createFerryWorker({ connection, namespace });
  const running = worker.run();
  console.error('▸ worker running; migrating PostgreSQL → MySQL…');

  const source = new URL(PG_ADMIN);
  source.pathname = `/${DB}`;
  const target = new URL(MYSQL_ADMIN);
  target.pathname = `/${DB}`;
  const code = await migrateCommand(undefined, {
    source: source.toString(),
    target: target.toString(),
    tables: '*',
    onExisting: 'truncate',
    name: 'demo',
    id: `demo-${new Date().toISOString().replace(/[:.]/g, '-')}`,
    wait: true,
  });

  if (server && !server.reused && process.stdin.isTTY && !process.env['CI']) {
    console.error(`\nThe dev server and worker keep running so you can explore the run in the Web UI (${server.uiUrl}). Ctrl+C to stop.`);
    await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
  }
  worker.shutdown();
  await running;
  await close();
  await connection.close();
  await server?.stop();
  return code;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`demo failed: ${(e as Error).message}`);
    process.exit(2);
  },
);
