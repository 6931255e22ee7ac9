/**
 * End-to-end harness: a dev server on its own port, worker processes started with `ferry worker`, and
 * CLI runs through bin/ferry.js (the compiled CLI, as a user runs it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDevServer, type DevServer } from '../../src/temporal/dev-server.js';

const BIN = fileURLToPath(new URL('../../bin/ferry.js', import.meta.url));

/** A dev server for one test file, with a persistent db in a temp dir. */
export async function startE2eServer(port: number): Promise<DevServer> {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-e2e-'));
  return startDevServer({ port, uiPort: port + 1000, dbFile: join(dir, 'temporal.db') });
}

/** Environment pointing CLI and worker at the test server and task queue. */
export function e2eEnv(server: DevServer, taskQueue: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: 'default', FERRY_TASK_QUEUE: taskQueue, ...extra };
}

/** A `ferry worker` process; its output is kept for failure messages. */
export interface WorkerProcess {
  proc: ChildProcess;
  output: () => string;
  /** SIGKILL (a crash) or SIGTERM (graceful), then wait for exit. */
  kill: (signal?: NodeJS.Signals) => Promise<void>;
}

/** Starts `ferry worker` and waits until it polls. */
export async function startWorkerProcess(env: NodeJS.ProcessEnv): Promise<WorkerProcess> {
  const proc = spawn(process.execPath, [BIN, 'worker'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const deadline = Date.now() + 60_000;
  while (!out.includes('polling task queue')) {
    if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`worker did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    proc,
    output: () => out,
    kill: async (signal = 'SIGTERM') => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      await exited;
    },
  };
}

/** Result of a CLI run. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `ferry <args>` to completion. */
export function runCli(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 300_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    proc.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`ferry ${args.join(' ')} timed out\n${stdout}\n${stderr}`));
    }, timeoutMs);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}
