/**
 * Runs a local Temporal dev server (`temporal server start-dev`) for `ferry dev`, the demo and the
 * tests. State lives in an SQLite file so workflows survive a restart of the server, and ferry's
 * search attributes are registered at start so the Web UI can filter runs by job, table and kind.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { connect as tcpConnect } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { Connection, isGrpcServiceError } from '@temporalio/client';
import type { OperatorService } from '@temporalio/client';
import { TemporalCliError } from '../errors.js';
import { SEARCH_ATTRIBUTES } from '../shared.js';
import { findTemporalCli, projectRoot } from './cli-binary.js';

/** Options of {@link startDevServer}. */
export interface DevServerOptions {
  /** SQLite file holding the server's state. Default `<projectRoot>/.ferry/temporal.db`. */
  dbFile?: string;
  /** Frontend gRPC port. Default 7233. */
  port?: number;
  /** Web UI port. Default `port + 1000` (8233 for the default port). */
  uiPort?: number;
  /** Where the server's stdout/stderr go. Default `temporal-dev.log` next to `dbFile`. */
  logFile?: string;
  /** How long to wait for the frontend to answer, in ms. Default 60 000. */
  startTimeoutMs?: number;
  /** Receives progress lines (CLI build, start, reuse). Default: discard. */
  log?: (msg: string) => void;
  /** Path of the `temporal` binary. Default: {@link findTemporalCli} (which may build it). */
  cliPath?: string;
  /** Codec server the Web UI calls to show decrypted payloads (`--ui-codec-endpoint`). Default: none. */
  uiCodecEndpoint?: string;
}

/** A running (or reused) dev server. */
export interface DevServer {
  /** gRPC address for clients and workers, e.g. `localhost:7233`. */
  address: string;
  /** Web UI URL, e.g. `http://localhost:8233`. */
  uiUrl: string;
  /** True when a server was already listening on the port and this handle does not own it. */
  reused: boolean;
  /** Stops the server this call started (SIGTERM, then SIGKILL after 10 s); a no-op when reused. */
  stop(): Promise<void>;
}

/** Anything with an operator service: a client `Connection` or a worker `NativeConnection`. */
export interface HasOperatorService {
  readonly operatorService: OperatorService;
}

const HOST = 'localhost';
/** gRPC status ALREADY_EXISTS. */
const GRPC_ALREADY_EXISTS = 6;
/** temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD (the proto package is not a direct dependency). */
const INDEXED_VALUE_TYPE_KEYWORD = 2;
const STDERR_TAIL_LINES = 40;

/**
 * Registers FerryJob, FerryTable and FerryKind (Keyword) on `namespace`, skipping those already
 * present, for clusters ferry did not start itself. Idempotent and safe to race with another caller.
 */
export async function ensureSearchAttributes(connection: HasOperatorService, namespace: string): Promise<void> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const known = new Set([...Object.keys(existing.customAttributes ?? {}), ...Object.keys(existing.systemAttributes ?? {})]);
  const missing = Object.values(SEARCH_ATTRIBUTES).filter((name) => !known.has(name));
  if (missing.length === 0) return;
  try {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((name) => [name, INDEXED_VALUE_TYPE_KEYWORD])),
    });
  } catch (err) {
    // Another process may have added them between our list and add; that is the state we want.
    if (!isAlreadyExists(err)) throw err;
  }
}

function isAlreadyExists(err: unknown): boolean {
  if (isGrpcServiceError(err)) return err.code === GRPC_ALREADY_EXISTS;
  const code = (err as { code?: unknown } | null)?.code;
  return code === GRPC_ALREADY_EXISTS || /already exists/i.test(err instanceof Error ? err.message : String(err));
}

/** Resolves true when something accepts TCP connections on `host:port`. */
function isListening(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((done) => {
    const socket = tcpConnect({ host, port });
    const finish = (ok: boolean): void => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

/**
 * Starts `temporal server start-dev` with ferry's search attributes and a persistent SQLite file,
 * and resolves once the frontend answers gRPC. When something already listens on the port and
 * speaks Temporal, reuses it (registering the search attributes if needed) instead of failing.
 *
 * @throws TemporalCliError when the CLI is missing, the port is taken by something that is not
 *   Temporal, or the server exits or does not answer within `startTimeoutMs` (message includes
 *   the tail of its stderr).
 */
export async function startDevServer(opts: DevServerOptions = {}): Promise<DevServer> {
  const log = opts.log ?? (() => {});
  const port = opts.port ?? 7233;
  const uiPort = opts.uiPort ?? port + 1000;
  const address = `${HOST}:${port}`;
  const uiUrl = `http://${HOST}:${uiPort}`;
  const timeoutMs = opts.startTimeoutMs ?? 60_000;

  if (await isListening(HOST, port)) {
    await reuseExisting(address, timeoutMs);
    log(`Temporal is already running at ${address}; reusing it (Web UI: ${uiUrl})`);
    return { address, uiUrl, reused: true, stop: async () => {} };
  }

  const cli = opts.cliPath ?? (await findTemporalCli({ log }));
  const dbFile = resolve(opts.dbFile ?? join(projectRoot(), '.ferry', 'temporal.db'));
  const logFile = resolve(opts.logFile ?? join(dirname(dbFile), 'temporal-dev.log'));
  await mkdir(dirname(dbFile), { recursive: true });
  await mkdir(dirname(logFile), { recursive: true });

  const args = [...devServerArgs(dbFile, port, uiPort), ...(opts.uiCodecEndpoint ? ['--ui-codec-endpoint', opts.uiCodecEndpoint] : [])];
  log(`Starting Temporal dev server: ${cli} ${args.join(' ')}`);
  const logStream = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(cli, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const tail: string[] = [];
  const keepTail = (chunk: Buffer): void => {
    logStream.write(chunk);
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      tail.push(line);
      if (tail.length > STDERR_TAIL_LINES) tail.shift();
    }
  };
  child.stdout?.on('data', keepTail);
  child.stderr?.on('data', keepTail);

  let exited: string | undefined;
  const exitedPromise = new Promise<void>((done) => {
    // 'close' rather than 'exit': it waits for stdout/stderr to drain, so the tail holds the last words.
    child.once('close', (code, signal) => {
      exited = signal ? `killed by ${signal}` : `exited with code ${code}`;
      done();
    });
    child.once('error', (err) => {
      exited = `could not start: ${err.message}`;
      done();
    });
  });
  // A dev server outliving its parent would keep the port and the SQLite file locked for the next run.
  const killOnExit = (): void => {
    child.kill('SIGTERM');
  };
  process.once('exit', killOnExit);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    // Memoised: `ferry dev` may call stop from a signal handler and from its finally block.
    (stopping ??= (async () => {
      process.removeListener('exit', killOnExit);
      if (exited === undefined) {
        child.kill('SIGTERM');
        const forced = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exitedPromise;
        clearTimeout(forced);
      }
      await new Promise<void>((done) => logStream.end(done));
    })());

  try {
    await waitUntilReady(port, () => exited, timeoutMs);
  } catch (err) {
    await stop();
    const why = err instanceof Error ? err.message : String(err);
    throw new TemporalCliError(
      `Temporal dev server on ${address} did not start: ${why}\n` +
        `command: ${cli} ${args.join(' ')}\nlast output (full log: ${logFile}):\n${tail.join('\n')}`,
      { cause: err },
    );
  }
  log(`Temporal dev server ready at ${address} (Web UI: ${uiUrl}, state: ${dbFile}, log: ${logFile})`);
  return { address, uiUrl, reused: false, stop };
}

/** The `temporal server start-dev` arguments ferry uses (exported so docs and tests stay in step). */
export function devServerArgs(dbFile: string, port: number, uiPort: number): string[] {
  return [
    'server',
    'start-dev',
    '--db-filename',
    dbFile,
    '--port',
    String(port),
    '--ui-port',
    String(uiPort),
    // start-dev tolerates re-registering attributes already in a persistent db file (checked with CLI v1.5.1).
    ...Object.values(SEARCH_ATTRIBUTES).flatMap((name) => ['--search-attribute', `${name}=Keyword`]),
    ...SERVER_TUNING,
    ...QUICK_COMMITS,
    '--log-level',
    'warn',
  ];
}

/**
 * One task-queue partition: a single-node dev server gains nothing from the default four, and with
 * them a task can wait seconds in a partition no poller is on (measured: 1.3–3.6 s before a chunk starts).
 */
const SINGLE_PARTITION = [
  '--dynamic-config-value',
  'matching.numTaskqueueReadPartitions=1',
  '--dynamic-config-value',
  'matching.numTaskqueueWritePartitions=1',
];

/**
 * SQLite in write-ahead-log mode, synced at checkpoints rather than at every commit: each workflow
 * task and activity result is a commit, and a synced rollback journal made every step of a run wait
 * for the disk (1M rows PostgreSQL→PostgreSQL by hand: 200–250 ms from start to the first copied row
 * before, 120–150 ms after). A crash of ferry or of the server loses nothing; a power cut may lose
 * the last commits of this development server, which is not where production histories live.
 */
const QUICK_COMMITS = ['--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal'];

/**
 * Eager activity execution: the server hands an activity that a workflow task schedules straight back
 * to the worker that completed the task (the SDK asks for it by default), without a trip through the
 * task queue. A cluster turns it on with the same dynamic config key.
 */
const EAGER_ACTIVITIES = ['--dynamic-config-value', 'system.enableActivityEagerExecution=true'];

/**
 * History reads its transfer queue (the tasks that hand workflow and activity tasks to matching) at
 * most 20 times a second per shard by default, and a dev server has one shard for all workflows. Once
 * a burst has used up that rate, every step of every run waits for the next read: 35–50 ms from a
 * task's scheduling to its start instead of 2–10 ms, measured on back-to-back 1,000-row migrations
 * (a whole run 535–600 ms against 182–231 ms with this). A cluster with hundreds of shards rarely
 * meets the limit; one with few shards can raise the same key.
 */
const QUICK_TRANSFERS = ['--dynamic-config-value', 'history.transferProcessorMaxPollRPS=1000'];

/** The dynamic config every dev server ferry or its tests start runs with (the settings above). */
export const SERVER_TUNING = [...SINGLE_PARTITION, ...EAGER_ACTIVITIES, ...QUICK_TRANSFERS];

async function reuseExisting(address: string, timeoutMs: number): Promise<void> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address, connectTimeout: Math.min(timeoutMs, 10_000) });
    // A server still booting accepts TCP before its default namespace exists; wait for it as for our own.
    await waitForNamespace(connection, Date.now() + timeoutMs);
    await ensureSearchAttributes(connection, 'default');
  } catch (err) {
    throw new TemporalCliError(
      `port ${address} is in use but does not answer as a Temporal frontend ` +
        `(${err instanceof Error ? err.message : String(err)}); stop whatever holds it or pick another --port`,
      { cause: err },
    );
  } finally {
    await connection?.close();
  }
}

async function waitForNamespace(connection: Connection, deadline: number, gone: () => string | undefined = () => undefined): Promise<void> {
  for (;;) {
    try {
      await connection.workflowService.describeNamespace({ namespace: 'default' });
      return;
    } catch (err) {
      const why = gone();
      if (why !== undefined) throw new Error(`the server process ${why}`);
      if (Date.now() > deadline) throw err;
      await sleep(250);
    }
  }
}

async function waitUntilReady(port: number, exited: () => string | undefined, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const why = exited();
    if (why !== undefined) throw new Error(`the server process ${why}`);
    if (await isListening(HOST, port, 500)) break;
    if (Date.now() > deadline) throw new Error(`no answer within ${Math.round(timeoutMs / 1000)} s`);
    await sleep(200);
  }
  // The port opens before the default namespace exists; clients and workers need the namespace.
  const connection = await Connection.connect({ address: `${HOST}:${port}`, connectTimeout: Math.max(1000, deadline - Date.now()) });
  try {
    await waitForNamespace(connection, deadline, exited);
    // start-dev registered them already; this is a cheap check that fails loudly if it did not.
    await ensureSearchAttributes(connection, 'default');
  } finally {
    await connection.close();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}
