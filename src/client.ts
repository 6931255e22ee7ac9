/**
 * The `ferry` command line. Thin: each command lives in src/cli/. The worker, dev and codec-server
 * commands are imported when run: they load the worker SDK and the database drivers, which would
 * otherwise add a few hundred milliseconds to the start of every client command.
 */
import { Command, Option } from 'commander';
import { cancelCommand } from './cli/cancel-command.js';
import type { CodecServerFlags } from './cli/codec-server-command.js';
import { listCommand } from './cli/list-command.js';
import { migrateCommand, type MigrateFlags } from './cli/migrate-command.js';
import { addFilesCommands } from './cli/files-cli.js';
import { planCommand } from './cli/plan-command.js';
import { statusCommand } from './cli/status-command.js';
import { addSyncCommands } from './cli/sync-commands.js';

const program = new Command('ferry')
  .description('Migrate and sync PostgreSQL and MySQL/MariaDB tables as durable Temporal workflows')
  .showHelpAfterError();

const collect = (v: string, prev: string[] = []) => [...prev, v];

program
  .command('migrate')
  .description('copy tables (schema, data, indexes, foreign keys) from source to target and verify them')
  .argument('[job-file]', 'YAML job file; flags override its settings')
  .option('--source <url>', 'source URL: postgres://… or mysql://… (write secrets as ${ENV})')
  .option('--target <url>', 'target URL')
  .option('--tables <list>', 'comma-separated table names, or * for every base table')
  .option('--chunk-rows <n>', 'rows per copy transaction (default 500000)')
  .option('--parallelism <n>', 'shards copied at once (default 4)')
  .addOption(new Option('--on-existing <mode>', 'target table already has rows (default fail)').choices(['fail', 'truncate', 'append']))
  .addOption(new Option('--verify <mode>', 'verification after the copy (default checksum)').choices(['none', 'count', 'checksum']))
  .option('--key <table=cols>', 'key for a table without a primary key (repeatable)', collect)
  .option('--name <name>', 'job name (default derived from the databases)')
  .option('--id <workflowId>', 'workflow ID (default migrate-<job name>)')
  .option('--resume <workflowId>', 'continue a cancelled or failed run from its completed shards and chunk cursors')
  .option('--max-rows-per-second <n>', 'limit the copy rate of the whole job')
  .option('--wait', 'follow the run with live progress and exit with its result')
  .option('--json', 'print one JSON object as the result')
  .action(async (file: string | undefined, flags: MigrateFlags) => {
    process.exitCode = await migrateCommand(file, flags);
  });

program
  .command('status')
  .description('show the state and progress of a migrate, export or import run (rows, rows/s, ETA per table)')
  .argument('<workflowId>')
  .option('--json', 'print JSON')
  .action(async (id: string, flags: { json?: boolean }) => {
    process.exitCode = await statusCommand(id, flags);
  });

program
  .command('cancel')
  .description('stop a running migration cleanly (running chunks roll back); resume it with migrate --resume')
  .argument('<workflowId>')
  .option('--json', 'print JSON')
  .option('--no-wait', 'return once cancellation is requested')
  .action(async (id: string, flags: { json?: boolean; wait?: boolean }) => {
    process.exitCode = await cancelCommand(id, { ...(flags.json ? { json: true } : {}), noWait: flags.wait === false });
  });

program
  .command('list')
  .description('recent ferry runs and their state')
  .option('--job <name>', 'only runs of this job')
  .option('--kind <kinds>', 'comma-separated kinds: migrate, export, import, sync, verify, diff, repair, plan, or all (default migrate,export,import)')
  .option('--limit <n>', 'how many (default 20)')
  .option('--json', 'print JSON')
  .action(async (flags: { json?: boolean; limit?: string; job?: string; kind?: string }) => {
    process.exitCode = await listCommand(flags);
  });

program
  .command('worker')
  .description('run a worker (database credentials come from this process environment)')
  .action(async () => {
    const { runWorker } = await import('./worker.js');
    await runWorker();
  });

program
  .command('dev')
  .description('start a local Temporal dev server (Web UI on :8233) and a worker')
  .action(async () => {
    const { devCommand } = await import('./cli/dev-command.js');
    process.exitCode = await devCommand();
  });

program
  .command('codec-server')
  .description('serve the payload codec (FERRY_CODEC_KEYS) so the Temporal Web UI can decrypt; see --ui-codec-endpoint')
  .option('--port <n>', 'port (default 8888)')
  .option('--host <addr>', 'interface (default 127.0.0.1; others need FERRY_CODEC_AUTH)')
  .option('--origin <url>', 'Web UI origin allowed by CORS (repeatable; default http://localhost:8233)', collect)
  .action(async (flags: CodecServerFlags) => {
    const { codecServerCommand } = await import('./cli/codec-server-command.js');
    process.exitCode = await codecServerCommand(flags);
  });

program
  .command('plan')
  .description('show what migrate would do (DDL, type mapping, row estimates, shards, warnings) without writing anything')
  .argument('[job-file]', 'YAML job file; flags override its settings')
  .option('--source <url>', 'source URL')
  .option('--target <url>', 'target URL')
  .option('--tables <list>', 'comma-separated table names, or * for every base table')
  .option('--chunk-rows <n>', 'rows per copy transaction (default 500000)')
  .option('--parallelism <n>', 'shards copied at once (default 4)')
  .option('--key <table=cols>', 'key for a table without a primary key (repeatable)', collect)
  .option('--name <name>', 'job name')
  .option('--id <workflowId>', 'workflow ID of the plan run')
  .option('--json', 'print one JSON object')
  .action(async (file: string | undefined, flags: MigrateFlags) => {
    process.exitCode = await planCommand(file, flags);
  });

addSyncCommands(program);
addFilesCommands(program);

program.parseAsync().catch((e: unknown) => {
  console.error(`ferry: ${(e as Error).message}`);
  process.exitCode = 2;
});
