/**
 * The four directions and the native tools ferry is measured against in each, with the targets the
 * benchmark issue sets (ferry's median time / the tool's median time). Each reference has an untimed
 * `prepare` that leaves the target as that tool expects it, and a timed `run`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DST_DB,
  MYSQL_ORDERS_DDL,
  SRC_DB,
  csvPipeline,
  dropTable,
  ferryUrl,
  mysqlConnArgs,
  pgConnArgs,
  psqlArgs,
  query,
  type Engine,
} from './bench-datasets.js';
import { sh, shWithPeak, shq, tail, which, type RunResult } from './bench-proc.js';

/** One timed run of a reference tool. */
export interface ToolRun {
  ms: number;
  /** Peak RSS of the largest process of the run, when /usr/bin/time -v measured it. */
  peakKb?: number;
}

/** A native tool (or pipeline) doing the same job as ferry in one direction. */
export interface Reference {
  name: string;
  /** The ratio ferry/reference the issue asks for; undefined when the comparison is informational. */
  targetRatio?: number;
  /** Debian package that provides the tool when it is not one of the database clients. */
  aptPackage?: string;
  /** Why this tool cannot run here, or undefined when it can. */
  unavailable(): string | undefined;
  /** Untimed: drop or pre-create the target table. */
  prepare(): Promise<void>;
  /** Timed; rejects with the tool's output when it fails. */
  run(): Promise<ToolRun>;
}

export type DirectionId = 'pg-pg' | 'mysql-pg' | 'mysql-mysql' | 'pg-mysql';
export const DIRECTION_IDS: DirectionId[] = ['pg-pg', 'mysql-pg', 'mysql-mysql', 'pg-mysql'];

/** A source → target pair of engines and its references. */
export interface Direction {
  id: DirectionId;
  label: string;
  source: Engine;
  target: Engine;
  sourceUrl: string;
  targetUrl: string;
  references: Reference[];
}

const LABEL: Record<Engine, string> = { pg: 'PG', mysql: 'MySQL' };

/** Builds a direction from its id, e.g. `mysql-pg`. */
export function direction(id: DirectionId): Direction {
  const [source, target] = id.split('-') as [Engine, Engine];
  return {
    id,
    label: `${LABEL[source]}→${LABEL[target]}`,
    source,
    target,
    sourceUrl: ferryUrl(source, SRC_DB),
    targetUrl: ferryUrl(target, DST_DB),
    references: REFERENCES[id],
  };
}

async function timed(script: string, what: string, withPeak = false): Promise<ToolRun> {
  const r: RunResult & { peakKb?: number } = withPeak ? await shWithPeak(script) : await sh(script);
  if (r.code !== 0) throw new Error(`${what} exited ${r.code}: ${tail(`${r.stdout}\n${r.stderr}`, 8)}`);
  return { ms: r.ms, ...(r.peakKb !== undefined ? { peakKb: r.peakKb } : {}) };
}

const needs = (tool: string) => () => (which(tool) ? undefined : `${tool} is not installed`);

const pgDumpPsql: Reference = {
  name: 'pg_dump | psql',
  targetRatio: 1.0,
  unavailable: () => needs('pg_dump')() ?? needs('psql')(),
  prepare: () => dropTable('pg', DST_DB),
  run: () => {
    const dump = ['pg_dump', ...pgConnArgs(), '-t', 'orders', SRC_DB].map(shq).join(' ');
    const load = ['psql', ...psqlArgs(DST_DB)].map(shq).join(' ');
    return timed(`${dump} | ${load} > /dev/null`, 'pg_dump | psql');
  },
};

const pgcopydb: Reference = {
  name: 'pgcopydb clone',
  aptPackage: 'pgcopydb',
  unavailable: needs('pgcopydb'),
  prepare: () => dropTable('pg', DST_DB),
  run: async () => {
    // A fresh work directory each time: pgcopydb refuses one holding a previous run's state.
    const dir = mkdtempSync(join(tmpdir(), 'ferry-bench-pgcopydb-'));
    try {
      writeFileSync(join(dir, 'filters.ini'), '[include-only-table]\npublic.orders\n');
      const args = ['pgcopydb', 'clone', '--source', ferryUrl('pg', SRC_DB), '--target', ferryUrl('pg', DST_DB)];
      args.push('--table-jobs', '2', '--index-jobs', '2', '--filters', join(dir, 'filters.ini'), '--dir', join(dir, 'work'), '--no-owner', '--no-acl');
      return await timed(args.map(shq).join(' '), 'pgcopydb clone');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

const pgloader: Reference = {
  name: 'pgloader',
  aptPackage: 'pgloader',
  targetRatio: 0.6,
  unavailable: needs('pgloader'),
  prepare: () => dropTable('pg', DST_DB),
  run: async () => {
    // A load file, to take only `orders` and to land it in `public` rather than a schema named after
    // the MySQL database (pgloader's default for MySQL sources).
    const dir = mkdtempSync(join(tmpdir(), 'ferry-bench-pgloader-'));
    try {
      const file = join(dir, 'orders.load');
      writeFileSync(
        file,
        `LOAD DATABASE\n  FROM ${ferryUrl('mysql', SRC_DB)}\n  INTO ${ferryUrl('pg', DST_DB).replace(/^postgres:/, 'postgresql:')}\n` +
          `WITH include drop, create tables, create indexes, reset sequences\n` +
          `INCLUDING ONLY TABLE NAMES MATCHING 'orders'\nALTER SCHEMA '${SRC_DB}' RENAME TO 'public';\n`,
      );
      // pgloader logs to stdout and exits 0 even when rows were rejected; the row count check catches that.
      return await timed(`pgloader ${shq(file)}`, 'pgloader', true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

const mysqldumpMysql: Reference = {
  name: 'mysqldump | mysql',
  targetRatio: 1.0,
  unavailable: () => needs('mysqldump')() ?? needs('mysql')(),
  prepare: () => dropTable('mysql', DST_DB),
  run: () => {
    const dump = ['mysqldump', ...mysqlConnArgs(), SRC_DB, 'orders'].map(shq).join(' ');
    const load = ['mysql', ...mysqlConnArgs(), DST_DB].map(shq).join(' ');
    return timed(`${dump} | ${load}`, 'mysqldump | mysql');
  },
};

const csvLoadData: Reference = {
  name: 'psql \\copy csv | LOAD DATA',
  targetRatio: 1.0,
  unavailable: () => needs('psql')() ?? needs('mysql')(),
  prepare: async () => {
    await dropTable('mysql', DST_DB);
    await query('mysql', DST_DB, MYSQL_ORDERS_DDL);
  },
  run: () => timed(csvPipeline(SRC_DB, DST_DB), 'psql \\copy | mysql LOAD DATA'),
};

const REFERENCES: Record<DirectionId, Reference[]> = {
  'pg-pg': [pgDumpPsql, pgcopydb],
  'mysql-pg': [pgloader],
  'mysql-mysql': [mysqldumpMysql],
  'pg-mysql': [csvLoadData],
};

/** Shell command that reads all of `orders` in a database and throws the rows away. */
function readTableCommand(engine: Engine, db: string): string {
  return engine === 'pg'
    ? ['psql', ...psqlArgs(db), '-c', '\\copy orders to /dev/null'].map(shq).join(' ')
    : `${['mysql', ...mysqlConnArgs(), '--quick', '-N', '-B', db, '-e', 'select * from orders'].map(shq).join(' ')} > /dev/null`;
}

/**
 * The diff bar's baseline: each table read alone, one after the other; the slower of the two reads
 * (the issue's bar is 3× the time to read one of the tables).
 */
export async function readOneSlower(dir: Direction): Promise<ToolRun> {
  const source = await timed(readTableCommand(dir.source, SRC_DB), 'reading the source table');
  const target = await timed(readTableCommand(dir.target, DST_DB), 'reading the target table');
  return { ms: Math.max(source.ms, target.ms) };
}

/** Reading the source and the target table at once, as a diff would (for information). */
export function readBoth(dir: Direction): Promise<ToolRun> {
  const script = `${readTableCommand(dir.source, SRC_DB)} & a=$!; ${readTableCommand(dir.target, DST_DB)} & b=$!; wait $a; wait $b`;
  return timed(script, 'reading both tables');
}

/** apt-get installs the tools (pgloader, pgcopydb) the chosen directions need and lack, when running as root. */
export function installReferenceTools(dirs: Direction[], notes: string[], log: (msg: string) => void): void {
  const missing = [...new Set(dirs.flatMap((d) => d.references.filter((r) => r.aptPackage && r.unavailable()).map((r) => r.aptPackage!)))];
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    notes.push(`${missing.join(', ')} not installed and not running as root: skipped (apt-get install -y ${missing.join(' ')})`);
    log(notes[notes.length - 1]!);
    return;
  }
  log(`installing ${missing.join(', ')} (apt-get)…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update'], { stdio: ['ignore', 'ignore', 'inherit'], env });
  const install = update.status === 0 ? spawnSync('apt-get', ['install', '-y', ...missing], { stdio: ['ignore', 'ignore', 'inherit'], env }) : update;
  if (install.status !== 0) notes.push(`apt-get install ${missing.join(' ')} failed (exit ${install.status}); those references are skipped`);
}
