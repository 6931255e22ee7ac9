/**
 * Settings of `ferry export`, `ferry import` and `ferry verify` with a directory side: a YAML job file
 * and/or flags (flags win), validated on the client with errors naming the setting. An export
 * directory is a path (or a file:// URL); it is resolved here, because workers need it absolute.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { ExportInput, ImportInput, VerifyFilesInput } from '../core/files-report.js';
import { JobSpecError } from '../errors.js';
import { engineOf, hasLiteralPassword, parseConnectionUrl } from './connection-url.js';
import { readJobFile, type JobFlags } from './load-job.js';
import { JOB_DEFAULTS } from './job-spec.js';
import { issueMessage, valueAt } from './spec-messages.js';

/** Flags of export, import and directory verify beyond {@link JobFlags}. */
export interface FilesFlags extends JobFlags {
  to?: string;
  from?: string;
  format?: string;
}

/** True when a side of a job is a directory (a path or file:// URL) rather than a database URL. */
export function isDirectorySide(side: unknown): side is string {
  return typeof side === 'string' && side.length > 0 && (side.startsWith('file://') || !/^[a-z][a-z0-9+.-]*:\/\//i.test(side));
}

/** The absolute path a directory side names. */
export function directoryPath(side: string): string {
  return resolve(side.startsWith('file://') ? fileURLToPath(side) : side);
}

const url = z.string().superRefine((u, ctx) => {
  try {
    parseConnectionUrl(u);
  } catch (e) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: (e as Error).message });
    return;
  }
  if (hasLiteralPassword(u)) ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'contains a literal password, which would be stored in the workflow history; write it as ${FERRY_PASSWORD} and export that variable where the worker runs' });
});
const dir = z.string().min(1, 'must not be empty').refine(isDirectorySide, 'expected a directory path (or file:// URL), not a database URL');
const tables = z.union([z.literal('*'), z.array(z.string().min(1)).min(1, 'list at least one table, or "*"')]);
const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'letters, digits, ".", "_" or "-" (at most 100)');
const parallelism = z.number().int().min(1).max(256).default(JOB_DEFAULTS.parallelism);

const exportSchema = z
  .object({
    name: name.optional(),
    source: url,
    to: dir,
    tables,
    format: z.enum(['csv', 'ndjson']).default('csv'),
    chunkRows: z.number().int().min(1).max(10_000_000).default(JOB_DEFAULTS.chunkRows),
    parallelism,
    keys: z.record(z.string().min(1), z.array(z.string().min(1)).min(1)).default({}),
  })
  .strict();

const importSchema = z
  .object({
    name: name.optional(),
    from: dir,
    target: url,
    tables: tables.default('*'),
    parallelism,
    onExisting: z.enum(['fail', 'truncate', 'append']).default(JOB_DEFAULTS.onExisting),
    verify: z.enum(['none', 'count', 'checksum']).default(JOB_DEFAULTS.verify),
  })
  .strict();

function parse<T extends z.AnyZodObject>(schema: T, raw: Record<string, unknown>): z.infer<T> {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  throw new JobSpecError(issue.path.join('.') || 'job', issueMessage(issue, Object.keys(schema.shape), valueAt(raw, issue.path)));
}

function intFlag(flag: string, value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new JobSpecError(flag, `expected a positive whole number, got "${value}"`);
  return Number(value);
}

function tablesFlag(value: string): string[] | '*' {
  return value.trim() === '*' ? '*' : value.split(',').map((t) => t.trim()).filter((t) => t.length > 0);
}

/** The job file (optional) with the flags laid over it. */
function merged(file: string | undefined, flags: FilesFlags, keys: (keyof FilesFlags)[]): Record<string, unknown> {
  const raw: Record<string, unknown> = file ? readJobFile(file) : {};
  for (const k of keys) {
    const v = flags[k];
    if (v === undefined) continue;
    if (k === 'tables') raw['tables'] = tablesFlag(v as string);
    else if (k === 'chunkRows') raw['chunkRows'] = intFlag('--chunk-rows', v as string);
    else if (k === 'parallelism') raw['parallelism'] = intFlag('--parallelism', v as string);
    else if (k === 'key') {
      const out = { ...((raw['keys'] as Record<string, string[]> | undefined) ?? {}) };
      for (const kv of v as string[]) {
        const m = /^([^=]+)=(.+)$/.exec(kv);
        if (!m) throw new JobSpecError('--key', `expected table=col[,col...], got "${kv}"`);
        out[m[1]!.trim()] = m[2]!.split(',').map((c) => c.trim());
      }
      raw['keys'] = out;
    } else raw[k] = v;
  }
  return raw;
}

function dbName(u: string): string {
  const p = parseConnectionUrl(u);
  return `${engineOf(u)}-${p.pathname.replace(/^\//, '') || 'default'}`.replace(/[^A-Za-z0-9._-]/g, '_');
}

/** Validated input of the export workflow. */
export function exportInput(file: string | undefined, flags: FilesFlags): ExportInput {
  const j = parse(exportSchema, merged(file, flags, ['name', 'source', 'to', 'tables', 'format', 'chunkRows', 'parallelism', 'key']));
  return { job: j.name ?? `${dbName(j.source)}-to-files`.slice(0, 100), source: j.source, dir: directoryPath(j.to), tables: j.tables, chunkRows: j.chunkRows, parallelism: j.parallelism, keys: j.keys, format: j.format };
}

/** Validated input of the import workflow. */
export function importInput(file: string | undefined, flags: FilesFlags): ImportInput {
  const j = parse(importSchema, merged(file, flags, ['name', 'from', 'target', 'tables', 'parallelism', 'onExisting', 'verify']));
  return { job: j.name ?? `files-to-${dbName(j.target)}`.slice(0, 100), dir: directoryPath(j.from), target: j.target, tables: j.tables, parallelism: j.parallelism, onExisting: j.onExisting, verify: j.verify };
}

/**
 * The input of a verify whose source or target is a directory, or undefined when both sides are
 * database URLs (then the ordinary verify runs).
 */
export function verifyFilesInput(file: string | undefined, flags: FilesFlags): VerifyFilesInput | undefined {
  const raw = merged(file, flags, ['name', 'source', 'target', 'tables', 'parallelism']);
  const sourceIsDir = isDirectorySide(raw['source']);
  const targetIsDir = isDirectorySide(raw['target']);
  if (!sourceIsDir && !targetIsDir) return undefined;
  for (const side of ['source', 'target'] as const) {
    const v = raw[side];
    // A directory is read on the workers, so the client cannot check it exists; a URL that lost its
    // scheme is what a typo usually looks like, and is refused here rather than as a missing manifest.
    if (typeof v === 'string' && isDirectorySide(v) && !v.startsWith('file://') && /@|^[\w.-]+:\d+(\/|$)/.test(v)) {
      throw new JobSpecError(side, `"${v.replace(/:[^:@/]*@/, ':***@')}" looks like a database URL without its scheme; write postgres://… or mysql://… (or give an export directory)`);
    }
  }
  if (sourceIsDir && targetIsDir) throw new JobSpecError('target', 'both sides are directories; compare an export with a database (postgres://… or mysql://…)');
  const dbSide = sourceIsDir ? 'target' : 'source';
  const schema = z
    .object({ name: name.optional(), source: z.string(), target: z.string(), tables: tables.default('*'), parallelism, chunkRows: z.number().optional(), keys: z.unknown().optional() })
    .extend({ [dbSide]: url })
    .strict();
  const j = parse(schema, raw) as unknown as { name?: string; source: string; target: string; tables: string[] | '*'; parallelism: number };
  const dbUrl = sourceIsDir ? j.target : j.source;
  return {
    job: j.name ?? `files-${dbName(dbUrl)}`.slice(0, 100),
    dir: directoryPath(sourceIsDir ? j.source : j.target),
    url: dbUrl,
    dirSide: sourceIsDir ? 'source' : 'target',
    tables: j.tables,
    parallelism: j.parallelism,
  };
}
