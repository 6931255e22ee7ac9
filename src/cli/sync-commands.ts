/**
 * Command-line wiring of verify, diff, repair, sync and schedule (the commands live in
 * compare-commands.ts and schedule-command.ts). Each takes a job file and/or the job flags of migrate.
 */
import { Option, type Command } from 'commander';
import { diffCommand, syncCommand, verifyCommand, type DiffFlags } from './compare-commands.js';
import { scheduleActionCommand, scheduleCreateCommand, scheduleDescribeCommand, scheduleListCommand, type ScheduleCreateFlags } from './schedule-command.js';
import type { JobRunFlags, SyncFlags } from './job-run.js';

const collect = (v: string, prev: string[] = []) => [...prev, v];

function jobOptions(cmd: Command, idDefault: string): Command {
  return cmd
    .argument('[job-file]', 'YAML job file; flags override its settings')
    .option('--source <url>', 'source URL: postgres://… or mysql://… (write secrets as ${ENV})')
    .option('--target <url>', 'target URL')
    .option('--tables <list>', 'comma-separated table names, or * for every base table')
    .option('--chunk-rows <n>', 'rows per range and per write transaction (default 500000)')
    .option('--parallelism <n>', 'ranges compared or written at once (default 4)')
    .option('--key <table=cols>', 'key for a table without a primary key (repeatable)', collect)
    .option('--name <name>', 'job name (default derived from the databases)')
    .option('--id <workflowId>', `workflow ID (default ${idDefault})`)
    .option('--json', 'print one JSON object as the result');
}

function syncOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--mode <mode>', 'incremental (by watermark) or full (diff, then repair deleting extras)').choices(['incremental', 'full']))
    .option('--watermark <column>', 'column that grows when a row changes (e.g. updated_at); needed for incremental')
    .option('--overlap <span>', 'how far behind the last high-water mark to start: 5m (default), 90s, 1h, or a number for numeric watermarks')
    .option('--full-every <n>', 'make every n-th incremental run a full pass (catches deletes)');
}

/** Adds verify, diff, repair, sync and schedule to the program. */
export function addSyncCommands(program: Command): void {
  jobOptions(program.command('verify').description('compare row counts and checksums per key range on both sides (exit 0 same, 1 different, 2 error)'), 'verify-<job name>').action(
    async (file: string | undefined, flags: JobRunFlags) => {
      process.exitCode = await verifyCommand(file, flags);
    },
  );

  jobOptions(program.command('diff').description('list the keys of missing, extra and changed rows (exit 0 same, 1 different, 2 error)'), 'diff-<job name>')
    .option('--max-keys <n>', 'keys listed per kind and table (default 100); counts are always exact')
    .action(async (file: string | undefined, flags: DiffFlags) => {
      process.exitCode = await diffCommand(file, flags, 'diff');
    });

  jobOptions(program.command('repair').description('insert missing rows and update changed ones in the target (extra rows with --delete-extra)'), 'repair-<job name>')
    .option('--dry-run', 'report what would be written, write nothing')
    .option('--delete-extra', 'also delete target rows the source does not have')
    .option('--max-keys <n>', 'keys listed per kind and table (default 100)')
    .action(async (file: string | undefined, flags: DiffFlags) => {
      process.exitCode = await diffCommand(file, flags, 'repair');
    });

  syncOptions(jobOptions(program.command('sync').description('bring the target up to date: rows past the watermark as upserts, or a full diff and repair'), 'sync-<job name>')).action(
    async (file: string | undefined, flags: SyncFlags) => {
      process.exitCode = await syncCommand(file, flags);
    },
  );

  const schedule = program.command('schedule').description('run a sync on a Temporal Schedule');
  syncOptions(jobOptions(schedule.command('create').description('create a schedule running `ferry sync` with these settings'), 'schedule ID (required)'))
    .option('--every <span>', 'interval: 30s, 15m, 1h, 1d')
    .option('--cron <expr>', 'cron expression (UTC), e.g. "*/15 * * * *"')
    .option('--overlap-policy <policy>', 'when a run is still going: skip (default), buffer-one, buffer-all, cancel-other, terminate-other, allow-all')
    .option('--paused', 'create it paused')
    .option('--note <text>', 'note shown with the schedule')
    .action(async (file: string | undefined, flags: ScheduleCreateFlags) => {
      process.exitCode = await scheduleCreateCommand(file, flags);
    });
  schedule
    .command('list')
    .description('schedules that run ferry syncs')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }) => {
      process.exitCode = await scheduleListCommand(flags);
    });
  schedule
    .command('describe')
    .description('a schedule with its recent and next runs')
    .argument('<id>')
    .option('--json', 'print JSON')
    .action(async (id: string, flags: { json?: boolean }) => {
      process.exitCode = await scheduleDescribeCommand(id, flags);
    });
  for (const action of ['pause', 'resume', 'trigger', 'delete'] as const) {
    const what = { pause: 'stop taking scheduled runs', resume: 'take scheduled runs again', trigger: 'start a run now (overlap policy applies)', delete: 'delete the schedule (runs in progress finish)' }[action];
    const cmd = schedule.command(action).description(what).argument('<id>').option('--json', 'print JSON');
    if (action === 'pause' || action === 'resume') cmd.option('--note <text>', 'note shown with the schedule');
    cmd.action(async (id: string, flags: { json?: boolean; note?: string }) => {
      process.exitCode = await scheduleActionCommand(action, id, flags);
    });
  }
}
