/**
 * Command-line wiring of `ferry export` and `ferry import` (the commands live in files-commands.ts).
 * `ferry verify` takes a directory as either side (see compare-commands.ts).
 */
import { Option, type Command } from 'commander';
import { exportCommand, importCommand, type FilesRunFlags } from './files-commands.js';

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** Adds export and import to the program. */
export function addFilesCommands(program: Command): void {
  program
    .command('export')
    .description('write tables to a directory: per table its schema, one gzip file per chunk (CSV or NDJSON) and a manifest with counts and checksums')
    .argument('[job-file]', 'YAML job file (source, to, tables, format, chunkRows, parallelism, keys); flags override it')
    .option('--source <url>', 'source URL: postgres://… or mysql://… (write secrets as ${ENV})')
    .option('--to <dir>', 'export directory, as the workers see it (a re-run into it keeps the chunks already written)')
    .option('--tables <list>', 'comma-separated table names, or * for every base table')
    .addOption(new Option('--format <format>', 'chunk file format (default csv)').choices(['csv', 'ndjson']))
    .option('--chunk-rows <n>', 'rows per chunk file (default 500000)')
    .option('--parallelism <n>', 'shards written at once (default 4)')
    .option('--key <table=cols>', 'key for a table without a primary key (repeatable)', collect)
    .option('--name <name>', 'job name (default derived from the database)')
    .option('--id <workflowId>', 'workflow ID (default export-<job name>)')
    .option('--wait', 'follow the run and exit with its result')
    .option('--json', 'print one JSON object as the result')
    .action(async (file: string | undefined, flags: FilesRunFlags) => {
      process.exitCode = await exportCommand(file, flags);
    });

  program
    .command('import')
    .description('load an export directory into a database: tables with mapped types, the chunks through the bulk paths, indexes and foreign keys, then verify against the manifest')
    .argument('[job-file]', 'YAML job file (from, target, tables, parallelism, onExisting, verify); flags override it')
    .option('--from <dir>', 'export directory written by ferry export, as the workers see it')
    .option('--target <url>', 'target URL: postgres://… or mysql://…')
    .option('--tables <list>', 'tables of the export to load (default: all)')
    .option('--parallelism <n>', 'shards loaded at once (default 4)')
    .addOption(new Option('--on-existing <mode>', 'target table already has rows (default fail)').choices(['fail', 'truncate', 'append']))
    .addOption(new Option('--verify <mode>', 'verification against the manifest after the load (default checksum)').choices(['none', 'count', 'checksum']))
    .option('--name <name>', 'job name (default derived from the database)')
    .option('--id <workflowId>', 'workflow ID (default import-<job name>)')
    .option('--wait', 'follow the run and exit with its result')
    .option('--json', 'print one JSON object as the result')
    .action(async (file: string | undefined, flags: FilesRunFlags) => {
      process.exitCode = await importCommand(file, flags);
    });
}
