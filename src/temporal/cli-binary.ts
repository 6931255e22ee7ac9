/**
 * Locates the Temporal CLI (`temporal`), which `ferry dev` and the tests use to run a local dev server.
 * The only way ferry ever obtains it is `go install` from source at a pinned tag: no binary is
 * downloaded, so nothing unsigned lands on the machine behind the user's back.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import { constants } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TemporalCliError } from '../errors.js';

/**
 * The CLI tag ferry builds. Later tags carry a `replace` directive in their go.mod, which
 * `go install pkg@version` refuses, so the version stays pinned here.
 */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';

/** The Go package path of the CLI's main package. */
export const TEMPORAL_CLI_PACKAGE = 'github.com/temporalio/cli/cmd/temporal';

/** Where Go is usually unpacked when it is installed from go.dev/dl but not put on PATH. */
const FALLBACK_GO = '/usr/local/go/bin/go';

const EXE = process.platform === 'win32' ? '.exe' : '';

/** Options of {@link findTemporalCli}. */
export interface FindTemporalCliOptions {
  /** Build the CLI with `go install` when it is not found. Default true. */
  install?: boolean;
  /** Receives progress lines (search result, build output). Default: discard. */
  log?: (msg: string) => void;
  /** ferry's project root (holds package.json and .tools/). Default {@link projectRoot}(); tests override it. */
  root?: string;
  /**
   * The `go` binary to build with. Default: `go` on PATH, else /usr/local/go/bin/go.
   * `null` means "no Go available" (lets tests exercise the error path on a machine that has Go).
   */
  goPath?: string | null;
}

let cachedRoot: string | undefined;

/**
 * The directory holding ferry's package.json. Found by walking up from this module, because the
 * module runs both from src/temporal/ (vitest) and from dist/src/temporal/ (after the build).
 */
export function projectRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name === 'ferry') {
          cachedRoot = dir;
          return dir;
        }
      } catch {
        // An unreadable package.json on the way up is not ours; keep walking.
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new TemporalCliError(`cannot find ferry's package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/** Path of the CLI that `go install` puts under the project (`<root>/.tools/bin/temporal`). */
export function localCliPath(root: string = projectRoot()): string {
  return join(root, '.tools', 'bin', `temporal${EXE}`);
}

/** The exact shell command a user can run to build the CLI by hand. */
export function installCommand(root: string = projectRoot()): string {
  return `GOBIN=${join(root, '.tools', 'bin')} go install ${TEMPORAL_CLI_PACKAGE}@${TEMPORAL_CLI_VERSION}`;
}

async function isExecutableFile(path: string): Promise<boolean> {
  try {
    // statSync rejects directories named like the binary (e.g. a checkout called "temporal" on PATH).
    if (!statSync(path).isFile()) return false;
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** First executable called `name` on PATH, or undefined. */
export async function findOnPath(name: string, pathVar: string | undefined = process.env['PATH']): Promise<string | undefined> {
  for (const dir of (pathVar ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, `${name}${EXE}`);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

async function findGo(goPath: string | null | undefined): Promise<string | undefined> {
  if (goPath === null) return undefined;
  if (goPath !== undefined) return (await isExecutableFile(goPath)) ? goPath : undefined;
  return (await findOnPath('go')) ?? ((await isExecutableFile(FALLBACK_GO)) ? FALLBACK_GO : undefined);
}

/**
 * Returns the path of the Temporal CLI: `temporal` on PATH, else `<root>/.tools/bin/temporal`, else
 * (unless `install` is false) builds it there with `go install …@v1.5.1`, which takes a few minutes.
 *
 * @throws TemporalCliError when the CLI is absent and cannot be built (no Go, install disabled, or
 *   the build failed); the message says how to install it by hand.
 */
export async function findTemporalCli(opts: FindTemporalCliOptions = {}): Promise<string> {
  const log = opts.log ?? (() => {});
  const root = opts.root ?? projectRoot();

  const onPath = await findOnPath('temporal');
  if (onPath) return onPath;
  const local = localCliPath(root);
  if (await isExecutableFile(local)) return local;

  const howTo =
    `install Go >= 1.22 (https://go.dev/dl/) and run:\n  ${installCommand(root)}\n` +
    `or put a \`temporal\` binary (Temporal CLI ${TEMPORAL_CLI_VERSION} or later) on PATH`;
  if (opts.install === false) {
    throw new TemporalCliError(`the Temporal CLI (temporal) is not on PATH nor at ${local}; ${howTo}`);
  }
  const go = await findGo(opts.goPath);
  if (!go) {
    throw new TemporalCliError(`the Temporal CLI (temporal) is not on PATH nor at ${local}, and Go is not installed; ${howTo}`);
  }

  log(`Temporal CLI not found; building ${TEMPORAL_CLI_PACKAGE}@${TEMPORAL_CLI_VERSION} with ${go} (takes a few minutes)...`);
  await mkdir(dirname(local), { recursive: true });
  await runGoInstall(go, root, log);
  if (!(await isExecutableFile(local))) {
    throw new TemporalCliError(`go install finished but ${local} does not exist; ${howTo}`);
  }
  log(`Temporal CLI built at ${local}`);
  return local;
}

function runGoInstall(go: string, root: string, log: (msg: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tail: string[] = [];
    const child = spawn(go, ['install', `${TEMPORAL_CLI_PACKAGE}@${TEMPORAL_CLI_VERSION}`], {
      cwd: root,
      // GOFLAGS from the user's shell (e.g. -mod=vendor) would break a module-mode install of a foreign package.
      env: { ...process.env, GOBIN: join(root, '.tools', 'bin'), GOFLAGS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const onData = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        tail.push(line);
        if (tail.length > 30) tail.shift();
        log(`  ${line}`);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    // Compiling prints nothing for minutes; a heartbeat line tells the user it is not stuck.
    const ticker = setInterval(() => log(`  still building (${Math.round((Date.now() - started) / 1000)} s)...`), 20_000);
    child.on('error', (err) => {
      clearInterval(ticker);
      reject(new TemporalCliError(`cannot run ${go}: ${err.message}`, { cause: err }));
    });
    child.on('close', (code, signal) => {
      clearInterval(ticker);
      if (code === 0) resolve();
      else
        reject(
          new TemporalCliError(
            `go install ${TEMPORAL_CLI_PACKAGE}@${TEMPORAL_CLI_VERSION} failed (${signal ?? `exit ${code}`}):\n${tail.join('\n')}`,
          ),
        );
    });
  });
}
