/**
 * Process plumbing for `npm run bench`: timed commands and shell pipelines, the database CLIs, the
 * `ferry worker` process and a sampler of its memory. Everything here shells out to the same tools a
 * person would use, so the reference timings are what a user of those tools sees.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Result of one finished command. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  /** Wall clock from spawn to exit. */
  ms: number;
}

/** Options of {@link run}. */
export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Default 30 minutes: a 1M-row reference run takes seconds, so this only catches a hang. */
  timeoutMs?: number;
  /** Written to the command's stdin, which is otherwise closed. */
  input?: string;
}

const OUTPUT_KEEP = 200_000;

/** Runs `cmd args` to completion, timing it from spawn to exit. Never rejects on a non-zero exit. */
export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const proc = spawn(cmd, args, {
      env: opts.env ?? process.env,
      cwd: opts.cwd,
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    // Keep the tail only: pgloader and pgcopydb can be chatty and only the end explains a failure.
    proc.stdout!.on('data', (b: Buffer) => (stdout = (stdout + b.toString()).slice(-OUTPUT_KEEP)));
    proc.stderr!.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-OUTPUT_KEEP)));
    if (opts.input !== undefined) proc.stdin!.end(opts.input);
    const timer = setTimeout(() => proc.kill('SIGKILL'), opts.timeoutMs ?? 30 * 60_000);
    proc.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    proc.once('close', (code, signal) => {
      clearTimeout(timer);
      const ms = performance.now() - started;
      resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr: signal ? `${stderr}\nkilled by ${signal}` : stderr, ms });
    });
  });
}

/** Runs a bash script with `pipefail`, so a failing `pg_dump` in `pg_dump | psql` fails the whole run. */
export function sh(script: string, opts: RunOptions = {}): Promise<RunResult> {
  return run('bash', ['-o', 'pipefail', '-e', '-c', script], opts);
}

/** Like {@link run} but rejects with the command and its output unless it exits 0. */
export async function mustRun(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.code}:\n${tail(r.stderr || r.stdout)}`);
  return r;
}

/** The last `lines` non-empty lines of some output, for error messages. */
export function tail(text: string, lines = 15): string {
  return text
    .split('\n')
    .filter((l) => l.trim())
    .slice(-lines)
    .join('\n');
}

/** Single-quotes a string for bash. */
export function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Absolute path of an executable on PATH, or undefined. */
export function which(name: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** First line of `cmd --version`-style output, for the report. */
export function versionOf(cmd: string, args = ['--version']): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  const text = `${r.stdout ?? ''}\n${r.stderr ?? ''}`;
  return text.split('\n').find((l) => l.trim() && !/ INFO /.test(l))?.trim() ?? 'unknown';
}

/** Whether GNU time (`/usr/bin/time -v`) is there to measure a pipeline's peak memory. */
const timeV = (() => {
  try {
    accessSync('/usr/bin/time', constants.X_OK);
    return spawnSync('/usr/bin/time', ['-v', 'true']).status === 0;
  } catch {
    return false;
  }
})();

/**
 * Runs a bash pipeline under `/usr/bin/time -v` when present and returns its peak RSS (kB) too. The
 * pipeline runs in its own bash so the figure is the largest single process in it (GNU time reports
 * the maximum over the waited-for children).
 */
export async function shWithPeak(script: string, opts: RunOptions = {}): Promise<RunResult & { peakKb?: number }> {
  if (!timeV) return sh(script, opts);
  const r = await run('/usr/bin/time', ['-v', 'bash', '-o', 'pipefail', '-e', '-c', script], opts);
  const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
  return m ? { ...r, peakKb: Number(m[1]) } : r;
}

/** Reads one `kB` field of /proc/<pid>/status (VmRSS, VmHWM); undefined once the process is gone. */
export function procStatusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;

/** User + system CPU seconds a process has used so far (/proc/<pid>/stat); undefined once it is gone. */
export function procCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may itself hold spaces and parentheses: state is [0], utime [11], stime [12].
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / CLK_TCK;
  } catch {
    return undefined;
  }
}

/**
 * Tracks a process's peak memory per labelled interval (one per direction) and overall: samples VmRSS
 * every 200 ms and, at each interval's end, reads VmHWM and resets it through /proc/<pid>/clear_refs
 * (Linux ≥ 4.0; needs the same user or root). Without the reset the per-interval figure is the sampled
 * maximum only, since VmHWM would still hold an earlier interval's peak.
 */
export class PeakMemory {
  private current: string | undefined;
  private currentMax = 0;
  private overall = 0;
  private resettable = false;
  private readonly timer: NodeJS.Timeout;
  /** Peak RSS in kB per label, in the order the labels were started. */
  readonly byLabel = new Map<string, number>();

  constructor(private readonly pid: number) {
    this.timer = setInterval(() => this.sample(), 200);
    this.timer.unref();
    this.resettable = this.resetHwm();
  }

  /** Starts attributing memory to `label` (ending the previous label's interval). */
  start(label: string): void {
    this.finish();
    this.current = label;
    this.currentMax = 0;
  }

  /** Ends the current interval. */
  finish(): void {
    this.sample();
    const hwm = procStatusKb(this.pid, 'VmHWM') ?? 0;
    this.overall = Math.max(this.overall, hwm);
    if (this.current !== undefined) {
      const peak = this.resettable ? Math.max(this.currentMax, hwm) : this.currentMax;
      this.byLabel.set(this.current, Math.max(this.byLabel.get(this.current) ?? 0, peak));
    }
    this.current = undefined;
    if (this.resettable) this.resettable = this.resetHwm();
  }

  /** Peak RSS in kB over the whole run (VmHWM before each reset, and every sample). */
  peakKb(): number {
    this.sample();
    return Math.max(this.overall, procStatusKb(this.pid, 'VmHWM') ?? 0);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private sample(): void {
    const rss = procStatusKb(this.pid, 'VmRSS');
    if (rss === undefined) return;
    this.currentMax = Math.max(this.currentMax, rss);
    this.overall = Math.max(this.overall, rss);
  }

  private resetHwm(): boolean {
    try {
      writeFileSync(`/proc/${this.pid}/clear_refs`, '5');
      return true;
    } catch {
      return false;
    }
  }
}

/** A running `ferry worker` process. */
export interface BenchWorker {
  proc: ChildProcess;
  memory: PeakMemory;
  /** Everything it printed so far. */
  output(): string;
  /** SIGTERM, then SIGKILL after 15 s; resolves when it has exited. */
  stop(): Promise<void>;
}

/** Starts `node bin/ferry.js worker` and resolves once it polls its task queue. */
export async function startWorker(bin: string, env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<BenchWorker> {
  const proc = spawn(process.execPath, [bin, 'worker'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (b: Buffer): void => {
    out = (out + b.toString()).slice(-5_000_000);
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  const exited = new Promise<void>((done) => proc.once('exit', () => done()));
  const deadline = Date.now() + timeoutMs;
  while (!out.includes('polling task queue')) {
    if (proc.exitCode !== null || proc.signalCode !== null || Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`ferry worker did not start polling within ${timeoutMs / 1000} s:\n${tail(out, 40)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const memory = new PeakMemory(proc.pid!);
  return {
    proc,
    memory,
    output: () => out,
    stop: async () => {
      memory.stop();
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        const forced = setTimeout(() => proc.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(forced);
      }
    },
  };
}

/** Distinct warnings and errors in the worker's log (ANSI colours and ids stripped), as report notes. */
export function workerWarnings(output: string): string[] {
  const counts = new Map<string, number>();
  // eslint-disable-next-line no-control-regex
  for (const line of output.replace(/\x1b\[[0-9;]*m/g, '').split('\n')) {
    const m = /\b(WARN|ERROR)\b\s*(.*)/.exec(line);
    if (!m) continue;
    const what = `${m[1]} ${m[2]!.replace(/[0-9a-f]{8}-[0-9a-f-]{27}\S*/g, '<id>').replace(/\s\w+=.*$/, '').slice(0, 160)}`;
    counts.set(what, (counts.get(what) ?? 0) + 1);
  }
  return [...counts].map(([what, n]) => `worker log: ${n}× ${what}`);
}
