/**
 * `npm run bench [-- --rows N --rounds K --directions pg-pg,mysql-pg,mysql-mysql,pg-mysql]`: times
 * `ferry migrate` against the native tools in each direction on one dataset, alternating ferry and
 * the reference runs, checks every run's row count, and prints and writes (bench-results/) a table of
 * medians and ratios against the targets of the benchmark issue, with the worker's peak memory.
 *
 * It starts its own Temporal dev server (port 7277 and Web UI 8277 unless --port P, then UI on P + 1;
 * state in a temp dir) and one `ferry worker` process, and installs pgloader and pgcopydb from Debian packages when missing and running as root.
 * Extra flags: --keep-data (reuse a source table that already has N rows), --inline-data (ignore the
 * shared generator scripts).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { projectRoot } from '../src/temporal/cli-binary.js';
import { startDevServer, type DevServer } from '../src/temporal/dev-server.js';
import { DST_DB, SRC_DB, countRows, createDatasets, dropTable, query, type Engine } from './bench-datasets.js';
import { checkDiff, plantDifferences } from './bench-diff.js';
import { phaseBreakdown } from './bench-phases.js';
import { settle } from './bench-settle.js';
import { procCpuSeconds, procStatusKb, run, startWorker, tail, versionOf, which, workerWarnings, type BenchWorker } from './bench-proc.js';
import { direction, installReferenceTools, readBoth, readOneSlower, type Direction } from './bench-reference.js';
import { DEFAULT_PORT, ferryTimeoutMs, options, type Options } from './bench-options.js';
import { details, newSeries, rows as tableRows, textTable, writeResults, type BenchResult, type DirectionResult, type Series } from './bench-report.js';

const TASK_QUEUE = 'ferry-bench';
const ROOT = projectRoot();
const BIN = join(ROOT, 'bin', 'ferry.js');

const log = (msg: string): void => console.error(`[bench] ${msg}`);

class Bench {
  constructor(
    private readonly opts: Options,
    private readonly stamp: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly client: Client,
    private readonly worker: BenchWorker,
  ) {}

  async direction(dir: Direction): Promise<DirectionResult> {
    const result: DirectionResult = {
      id: dir.id,
      label: dir.label,
      ferry: newSeries('ferry migrate --verify none'),
      ferryChecksum: newSeries('ferry migrate --verify checksum'),
      references: dir.references.map((r) => newSeries(r.name, r.targetRatio)),
      readOne: newSeries('read one table (diff baseline: the slower of the two read alone)'),
      readBoth: newSeries('read both tables at once'),
      diff: newSeries('ferry diff (identical tables)'),
      diffPlanted: newSeries('ferry diff (100 planted differences)'),
      phases: {},
    };
    dir.references.forEach((r, i) => {
      const why = r.unavailable();
      if (why) result.references[i]!.skipped = why;
    });
    this.worker.memory.start(dir.id);
    await this.warmUp(dir, result);
    for (let round = 1; round <= this.opts.rounds; round++) {
      // A B A B: each ferry line next to a reference run, so drift (caches, autovacuum) hits both.
      await this.ferry(dir, 'none', round, result.ferry, result);
      await this.reference(dir, 0, result);
      await this.ferry(dir, 'checksum', round, result.ferryChecksum, result);
      for (let i = 1; i < dir.references.length; i++) await this.reference(dir, i, result);
    }
    this.worker.memory.finish();
    const kb = this.worker.memory.byLabel.get(dir.id);
    if (kb !== undefined) result.workerPeakMb = kb / 1024;
    // The diff baseline needs a full target table; make sure the last run left one.
    if ((await countRows(dir.target, DST_DB)) === this.opts.rows) {
      await this.settle();
      for (let round = 1; round <= this.opts.rounds; round++) {
        await this.measure(result.readOne, () => readOneSlower(dir));
        await this.measure(result.readBoth, () => readBoth(dir));
        await this.measure(result.diff, () => this.diff(dir, round));
      }
      log(`${dir.label}: ferry diff ${result.diff.seconds.map((x) => x.toFixed(2)).join(', ')} s; read one ${result.readOne.seconds.map((x) => x.toFixed(2)).join(', ')} s; read both ${result.readBoth.seconds.map((x) => x.toFixed(2)).join(', ')} s`);
      // Last, as it changes the target: every planted difference must be found, and nothing else.
      await this.measure(result.diffPlanted, async () => {
        const planted = await plantDifferences(dir.target, this.opts.rows);
        const r = await this.runDiff(dir, 'planted');
        if (r.code !== 1) throw new Error(`ferry diff of a target with planted differences exited ${r.code} (expected 1): ${tail(`${r.stdout}\n${r.stderr}`, 10)}`);
        result.diffFound = checkDiff(r.stdout, planted);
        return { ms: r.ms };
      });
      const f = result.diffFound;
      log(`${dir.label}: diff with 100 planted differences ${result.diffPlanted.seconds[0]?.toFixed(2) ?? 'failed'} s, found ${f?.found ?? 0} of ${f?.planted ?? 100}${f?.problems.length ? `: ${f.problems.join('; ')}` : ''}`);
    } else {
      result.readOne.skipped = 'no complete target table to read';
      result.readBoth.skipped = 'no complete target table to read';
      result.diff.skipped = 'no complete target table to compare';
      result.diffPlanted.skipped = 'no complete target table to compare';
    }
    return result;
  }

  /**
   * One untimed run of ferry (migrate, then diff) and of each reference before the timed rounds. A
   * worker process compiles its code paths and opens its database pools on its first job; a worker
   * fleet pays that once, not per job, so the medians leave it out and the report shows it apart. The
   * references get their first run too, so both sides start from the same caches.
   */
  private async warmUp(dir: Direction, result: DirectionResult): Promise<void> {
    const migrate = newSeries('warm-up migrate');
    await this.ferry(dir, 'none', 0, migrate, result);
    const diff = newSeries('warm-up diff');
    if (migrate.seconds.length > 0) await this.measure(diff, () => this.diff(dir, 0));
    for (const e of diff.errors) log(`${dir.label} warm-up diff: FAILED: ${e}`);
    for (const ref of dir.references) {
      if (ref.unavailable()) continue;
      await ref.prepare();
      await ref.run().catch((e: unknown) => log(`${dir.label} warm-up ${ref.name}: FAILED: ${(e as Error).message}`));
    }
    result.warmUp = { ...(migrate.seconds[0] !== undefined ? { migrate: migrate.seconds[0] } : {}), ...(diff.seconds[0] !== undefined ? { diff: diff.seconds[0] } : {}) };
    log(`${dir.label} warm-up (untimed): migrate ${migrate.seconds[0]?.toFixed(2) ?? 'failed'} s, diff ${diff.seconds[0]?.toFixed(2) ?? 'failed'} s`);
  }

  private async ferry(dir: Direction, verify: 'none' | 'checksum', round: number, series: Series, result: DirectionResult): Promise<void> {
    if (series.errors.length >= 2) return; // it fails every time; more rounds only cost time
    if (this.worker.proc.exitCode !== null || this.worker.proc.signalCode !== null) {
      throw new Error(`the ferry worker exited:\n${tail(this.worker.output(), 30)}`);
    }
    await dropTable(dir.target, DST_DB);
    await this.settle();
    const id = `bench-${this.stamp}-${dir.id}-${verify}-${round}`;
    const args = ['migrate', '--source', dir.sourceUrl, '--target', dir.targetUrl, '--tables', 'orders', '--on-existing', 'truncate'];
    args.push('--verify', verify, '--wait', '--json', '--id', id);
    const cpuBefore = procCpuSeconds(this.worker.proc.pid!);
    const r = await run(process.execPath, [BIN, ...args], { env: this.env, timeoutMs: ferryTimeoutMs(this.opts.rows) });
    const cpuAfter = procCpuSeconds(this.worker.proc.pid!);
    const out = parseJsonLine(r.stdout);
    const problem =
      r.code !== 0 || out?.status !== 'completed'
        ? `ferry exited ${r.code}${out?.error ? `: ${out.error}` : `: ${tail(`${r.stdout}\n${r.stderr}`, 10)}`}`
        : await this.rowProblem(dir.target, `ferry (${id})`, out.tables?.[0]?.rowsCopied);
    if (problem) {
      series.errors.push(problem);
      log(`${dir.label} ${series.name} round ${round}: FAILED: ${problem}`);
      // A run that timed out may still be copying; stop it so it does not slow the next runs.
      await this.client.workflow.getHandle(id).terminate('bench: run failed or timed out').catch(() => undefined);
      return;
    }
    series.seconds.push(r.ms / 1000);
    (series.workflowSeconds ??= []).push((out?.durationMs ?? 0) / 1000);
    if (cpuBefore !== undefined && cpuAfter !== undefined) (series.workerCpuSeconds ??= []).push(cpuAfter - cpuBefore);
    const phases = await phaseBreakdown(this.client, id).catch((e: unknown) => {
      log(`could not read the history of ${id}: ${(e as Error).message}`);
      return undefined;
    });
    if (phases) result.phases[verify] = phases;
    log(`${dir.label} ${series.name} round ${round}: ${(r.ms / 1000).toFixed(2)} s (workflow ${((out?.durationMs ?? 0) / 1000).toFixed(2)} s)`);
  }

  /** `ferry diff` of the two identical tables; it must find nothing (exit 0). */
  private async diff(dir: Direction, round: number): Promise<{ ms: number }> {
    const r = await this.runDiff(dir, String(round));
    if (r.code !== 0) throw new Error(`ferry diff exited ${r.code}: ${tail(`${r.stdout}\n${r.stderr}`, 10)}`);
    return { ms: r.ms };
  }

  private runDiff(dir: Direction, suffix: string) {
    const id = `bench-${this.stamp}-${dir.id}-diff-${suffix}`;
    const args = ['diff', '--source', dir.sourceUrl, '--target', dir.targetUrl, '--tables', 'orders', '--json', '--id', id];
    return run(process.execPath, [BIN, ...args], { env: this.env, timeoutMs: ferryTimeoutMs(this.opts.rows) });
  }

  private async reference(dir: Direction, i: number, result: DirectionResult): Promise<void> {
    const ref = dir.references[i];
    const series = result.references[i];
    if (!ref || !series || series.skipped || series.errors.length >= 2) return;
    await ref.prepare();
    await this.settle();
    const failuresBefore = series.errors.length;
    await this.measure(series, async () => {
      const t = await ref.run();
      const problem = await this.rowProblem(dir.target, ref.name);
      if (problem) throw new Error(problem);
      return t;
    });
    const outcome = series.errors.length > failuresBefore ? `FAILED: ${series.errors[series.errors.length - 1]}` : `${series.seconds[series.seconds.length - 1]?.toFixed(2)} s`;
    log(`${dir.label} ${ref.name}: ${outcome}`);
  }

  /** Before a timed run: the servers write out what the previous run left (see bench-settle.ts). */
  private async settle(): Promise<void> {
    const s = await settle();
    if (s.innodbDirtyLeft > 0) log(`InnoDB still had ${s.innodbDirtyLeft} dirty pages after ${(s.ms / 1000).toFixed(1)} s; timing the next run anyway`);
  }

  private async measure(series: Series, fn: () => Promise<{ ms: number; peakKb?: number }>): Promise<void> {
    try {
      const t = await fn();
      series.seconds.push(t.ms / 1000);
      if (t.peakKb !== undefined) series.peakMb.push(t.peakKb / 1024);
    } catch (e) {
      series.errors.push((e as Error).message);
    }
  }

  /** The cheap sanity check after every run: the target holds exactly the source's rows. */
  private async rowProblem(engine: Engine, who: string, reported?: number): Promise<string | undefined> {
    const n = await countRows(engine, DST_DB);
    if (n !== this.opts.rows) return `${who}: target ${DST_DB}.orders has ${n} rows, expected ${this.opts.rows}`;
    if (reported !== undefined && reported !== this.opts.rows) return `${who}: reported ${reported} rows copied, expected ${this.opts.rows}`;
    return undefined;
  }
}

interface FerryJson {
  status?: string;
  error?: string;
  durationMs?: number;
  tables?: { rowsCopied?: number }[];
}

function parseJsonLine(stdout: string): FerryJson | undefined {
  const line = stdout.trim().split('\n').pop();
  try {
    return line ? (JSON.parse(line) as FerryJson) : undefined;
  } catch {
    return undefined;
  }
}

async function describeMachine(): Promise<{ machine: Record<string, string>; tools: Record<string, string> }> {
  const git = spawnSync('git', ['-C', ROOT, 'describe', '--always', '--dirty'], { encoding: 'utf8' });
  const serverVersion = (engine: Engine) => query(engine, engine === 'pg' ? 'postgres' : '', 'SELECT version()').catch(() => 'unknown');
  const tools: Record<string, string> = {
    ferry: `${git.stdout.trim() || 'unknown'} (git describe)`,
    PostgreSQL: await serverVersion('pg'),
    MariaDB: await serverVersion('mysql'),
  };
  for (const [name, args] of [['pg_dump', ['--version']], ['mysqldump', ['--version']], ['pgloader', ['--version']], ['pgcopydb', ['--version']]] as const) {
    tools[name] = which(name) ? versionOf(name, [...args]) : 'not installed';
  }
  return {
    machine: { cpus: `${cpus().length} × ${cpus()[0]?.model ?? '?'}`, memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`, kernel: release(), node: process.version, 'load average at start / end': loadavg()[0]!.toFixed(2) },
    tools,
  };
}

async function main(): Promise<number> {
  const opts = options();
  const started = new Date();
  const stamp = started.toISOString().replace(/[:.]/g, '-').replace(/-\d{3}Z$/, 'Z');
  const notes: string[] = ['before every timed run, untimed: a PostgreSQL CHECKPOINT, InnoDB dirty pages written, sync (scripts/bench-settle.ts)'];
  const dirs = opts.directions.map(direction);
  log(`${opts.rows.toLocaleString('en-US')} rows, ${opts.rounds} round(s), directions ${opts.directions.join(', ')}`);

  installReferenceTools(dirs, notes, log);
  const engines = [...new Set(dirs.map((d) => d.source))];
  log(`creating ${SRC_DB}.orders on ${engines.join(' and ')}…`);
  const dataset = await createDatasets({ projectRoot: ROOT, rows: opts.rows, engines, inline: opts.inlineData, keep: opts.keepData, log });

  const stateDir = mkdtempSync(join(tmpdir(), 'ferry-bench-temporal-'));
  let server: DevServer | undefined;
  let worker: BenchWorker | undefined;
  let connection: Connection | undefined;
  const result: BenchResult = { startedAt: started.toISOString(), rows: opts.rows, rounds: opts.rounds, ...(await describeMachine()), dataset, directions: [], notes };
  try {
    const uiPort = opts.port === DEFAULT_PORT ? DEFAULT_PORT + 1000 : opts.port + 1;
    server = await startDevServer({ port: opts.port, uiPort, dbFile: join(stateDir, 'temporal.db'), log });
    if (server.reused) notes.push(`a Temporal server was already listening on ${opts.port}; it was reused`);
    const env: NodeJS.ProcessEnv = { ...process.env, TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: 'default', FERRY_TASK_QUEUE: TASK_QUEUE };
    delete env['TEMPORAL_PROFILE'];
    worker = await startWorker(BIN, env);
    result.workerIdleMb = (procStatusKb(worker.proc.pid!, 'VmRSS') ?? 0) / 1024;
    log(`worker ${worker.proc.pid} polling ${TASK_QUEUE} on ${server.address} (Web UI ${server.uiUrl})`);
    connection = await Connection.connect({ address: server.address });
    const bench = new Bench(opts, stamp, env, new Client({ connection, namespace: 'default' }), worker);
    for (const dir of dirs) {
      log(`── ${dir.label} ──`);
      try {
        result.directions.push(await bench.direction(dir));
      } catch (e) {
        worker.memory.finish();
        const r: DirectionResult = {
          id: dir.id,
          label: dir.label,
          ferry: newSeries('ferry'),
          ferryChecksum: newSeries('ferry checksum'),
          references: [],
          readOne: newSeries('read one'),
          readBoth: newSeries('read both'),
          diff: newSeries('diff'),
          diffPlanted: newSeries('diff planted'),
          phases: {},
          error: (e as Error).message,
        };
        result.directions.push(r);
        log(`${dir.label} aborted: ${r.error}`);
        if (worker.proc.exitCode !== null || worker.proc.signalCode !== null) break;
      }
    }
    result.workerPeakMb = worker.memory.peakKb() / 1024;
    // Other work on the machine (a test suite, a build) skews every number; say how busy it was.
    result.machine['load average at start / end'] = `${result.machine['load average at start / end']} / ${loadavg()[0]!.toFixed(2)}`;
  } finally {
    await connection?.close().catch(() => undefined);
    await worker?.stop();
    await server?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }

  notes.push(...workerWarnings(worker?.output() ?? ''));
  const table = tableRows(result);
  console.log(`\nferry benchmark: ${opts.rows.toLocaleString('en-US')} rows, ${opts.rounds} round(s), medians of wall-clock seconds; 1-min load average at start / end ${result.machine['load average at start / end']}\n`);
  console.log(textTable(table));
  console.log(`\n${details(result).join('\n')}`);
  if (notes.length) console.log(`\nnotes:\n${notes.map((n) => `  - ${n}`).join('\n')}`);
  const out = writeResults(join(ROOT, 'bench-results'), stamp, result);
  const workerLog = join(ROOT, 'bench-results', `${stamp}-worker.log`);
  writeFileSync(workerLog, worker?.output() ?? '');
  console.log(`\nwritten: ${out.md}, ${out.json}, ${workerLog}`);
  // Slow is a result, not an error; a broken ferry run (or a direction that could not run) is one.
  const broken = result.directions.some((d) => d.error || d.ferry.errors.length || d.ferryChecksum.errors.length || d.diffPlanted.errors.length || d.diffFound?.problems.length);
  return broken ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`bench failed: ${(e as Error).stack ?? String(e)}`);
    process.exit(2);
  },
);
