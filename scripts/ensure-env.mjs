#!/usr/bin/env node
/**
 * Makes sure what the tests, the demo and the bench need is present, before they run:
 *   (a) PostgreSQL on 127.0.0.1:5432 and MariaDB/MySQL on 127.0.0.1:3306 — started when down and we are
 *       root on a Debian-style machine (pg_ctlcluster, /usr/sbin/mariadbd); FERRY_SKIP_DB_START=1 skips
 *       this step for people who manage their databases themselves;
 *   (b) the Temporal CLI — on PATH, or <root>/.tools/bin/temporal, or built there with `go install`.
 * Plain ESM so it runs before (and without) the TypeScript build; the CLI lookup mirrors
 * src/temporal/cli-binary.ts, which cannot be imported from here without building first.
 * Quiet when everything is already there; exits 1 with a message saying what to do otherwise.
 */
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, dirname, join } from 'node:path';
// Imported rather than global: the lint config declares only process/console/URL for plain .mjs files.
import { clearInterval, setInterval } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const CLI_VERSION = 'v1.5.1'; // later tags carry a go.mod replace directive that `go install` refuses
const CLI_PACKAGE = 'github.com/temporalio/cli/cmd/temporal';
const GOBIN = join(ROOT, '.tools', 'bin');
const DB_WAIT_MS = 60_000;

const say = (msg) => console.log(`[ensure-env] ${msg}`);
const fail = (msg) => {
  console.error(`[ensure-env] ${msg}`);
  process.exit(1);
};

function probe(port, host = '127.0.0.1', timeoutMs = 1000) {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function isExecutable(path) {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** Runs a command, echoing its output, and returns its exit status. */
function run(cmd, args, env = process.env) {
  say(`$ ${cmd} ${args.join(' ')}`);
  const res = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], env, cwd: ROOT });
  if (res.error) say(`  could not run ${cmd}: ${res.error.message}`);
  return res.status ?? 1;
}

const DATABASES = [
  {
    name: 'PostgreSQL',
    port: 5432,
    canStart: () => existsSync('/etc/postgresql') && onPath('pg_ctlcluster') !== undefined,
    start() {
      // Highest installed major version with a "main" cluster, i.e. what `ls /etc/postgresql` names on a
      // single-version machine.
      const versions = readdirSync('/etc/postgresql')
        .filter((v) => existsSync(join('/etc/postgresql', v, 'main')))
        .sort((a, b) => Number(b) - Number(a));
      if (versions.length === 0) return say('no cluster under /etc/postgresql/*/main');
      // A fresh container has no socket directory; pg refuses to start without it.
      ensureRunDir('/var/run/postgresql', 'postgres');
      run('pg_ctlcluster', ['--skip-systemctl-redirect', versions[0], 'main', 'start']);
    },
    howTo: 'start PostgreSQL on 127.0.0.1:5432 (e.g. `sudo pg_ctlcluster <version> main start`)',
  },
  {
    name: 'MariaDB',
    port: 3306,
    canStart: () => isExecutable('/usr/sbin/mariadbd') && onPath('start-stop-daemon') !== undefined,
    start() {
      ensureRunDir('/run/mysqld', 'mysql');
      run('start-stop-daemon', ['--start', '--oknodo', '--background', '--exec', '/usr/sbin/mariadbd']);
    },
    howTo: 'start MariaDB/MySQL on 127.0.0.1:3306 (e.g. `sudo service mariadb start`)',
  },
];

function ensureRunDir(dir, owner) {
  if (existsSync(dir)) return;
  mkdirSync(dir, { recursive: true });
  spawnSync('chown', [`${owner}:${owner}`, dir], { stdio: 'ignore' });
}

async function waitFor(port, ms) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await probe(port)) return true;
    await sleep(500);
  }
  return false;
}

async function ensureDatabases() {
  if (process.env.FERRY_SKIP_DB_START === '1') return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const problems = [];
  for (const db of DATABASES) {
    if (await probe(db.port)) continue;
    if (!isRoot || !db.canStart()) {
      problems.push(`${db.name} is not listening on 127.0.0.1:${db.port}: ${db.howTo}`);
      continue;
    }
    say(`${db.name} is not listening on 127.0.0.1:${db.port}; starting it`);
    db.start();
    if (await waitFor(db.port, DB_WAIT_MS)) say(`${db.name} is up`);
    else problems.push(`${db.name} did not come up on 127.0.0.1:${db.port} within ${DB_WAIT_MS / 1000} s: ${db.howTo}`);
  }
  if (problems.length > 0) {
    fail(`${problems.join('\n')}\n(set FERRY_SKIP_DB_START=1 to skip this check if you manage the databases yourself)`);
  }
}

function findGo() {
  const go = onPath('go');
  if (go) return go;
  return isExecutable('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined;
}

function goInstall(go) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(go, ['install', `${CLI_PACKAGE}@${CLI_VERSION}`], {
      cwd: ROOT,
      env: { ...process.env, GOBIN, GOFLAGS: '' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    // Compilation is silent for minutes; show that it is still working.
    const ticker = setInterval(() => say(`still building (${Math.round((Date.now() - started) / 1000)} s)...`), 20_000);
    child.on('error', (err) => {
      clearInterval(ticker);
      say(`could not run ${go}: ${err.message}`);
      resolve(1);
    });
    child.on('close', (code) => {
      clearInterval(ticker);
      resolve(code ?? 1);
    });
  });
}

async function ensureTemporalCli() {
  if (onPath('temporal')) return;
  const local = join(GOBIN, 'temporal');
  if (isExecutable(local)) return;
  const command = `GOBIN=${GOBIN} go install ${CLI_PACKAGE}@${CLI_VERSION}`;
  const howTo = `install Go >= 1.22 (https://go.dev/dl/) and run:\n  ${command}\nor put a \`temporal\` binary on PATH`;
  const go = findGo();
  if (!go) fail(`the Temporal CLI is not on PATH nor at ${local}, and Go is not installed; ${howTo}`);
  say(`Temporal CLI not found; building it with ${go} (takes a few minutes):\n  ${command}`);
  mkdirSync(GOBIN, { recursive: true });
  const code = await goInstall(go);
  if (code !== 0 || !isExecutable(local)) fail(`building the Temporal CLI failed (exit ${code}); ${howTo}`);
  say(`Temporal CLI built at ${local}`);
}

await ensureDatabases();
await ensureTemporalCli();
