/**
 * Builds a JobSpec from a YAML job file and/or command-line flags (flags win), with errors that name
 * the file, line or flag at fault.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { JobSpecError } from '../errors.js';
import { parseJobSpec, type JobSpec } from './job-spec.js';

/** Job settings as the CLI flags carry them (all optional; strings as typed). */
export interface JobFlags {
  source?: string;
  target?: string;
  tables?: string;
  chunkRows?: string;
  parallelism?: string;
  onExisting?: string;
  verify?: string;
  key?: string[];
  name?: string;
}

/** Reads and parses a YAML job file into a plain object (not yet validated). */
export function readJobFile(path: string): Record<string, unknown> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (cause) {
    throw new JobSpecError('', `cannot read job file ${path}: ${(cause as Error).message}`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new JobSpecError('', `job file ${path} is not valid UTF-8; save it as UTF-8`);
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const err = doc.errors[0];
  if (err) {
    const where = err.linePos?.[0] ? ` at line ${err.linePos[0].line}, column ${err.linePos[0].col}` : '';
    // The parser's first line repeats the position (and ends with ':' before its code frame).
    const what = err.message.split('\n')[0]!.replace(/\s*at line \d+, column \d+:?\s*$/, '');
    throw new JobSpecError('', `job file ${path} is not valid YAML${where}: ${what}`);
  }
  let value: unknown;
  try {
    // toJS resolves aliases: an alias without its anchor, or an alias bomb, only fails here.
    value = doc.toJS();
  } catch (e) {
    throw new JobSpecError('', `job file ${path} is not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new JobSpecError('', `job file ${path} must be a YAML mapping of settings (source:, target:, tables:, …)`);
  }
  return value as Record<string, unknown>;
}

/** Merges a job file (optional) with flags and validates the result. */
export function loadJob(file: string | undefined, flags: JobFlags): JobSpec {
  const raw: Record<string, unknown> = file ? readJobFile(file) : {};
  if (file) resolveTransformModules(raw, dirname(resolve(file)));
  if (flags.name !== undefined) raw.name = flags.name;
  if (flags.source !== undefined) raw.source = flags.source;
  if (flags.target !== undefined) raw.target = flags.target;
  if (flags.tables !== undefined) raw.tables = withFileMappings(parseTablesFlag(flags.tables), raw.tables);
  if (flags.chunkRows !== undefined) raw.chunkRows = parseIntFlag('--chunk-rows', flags.chunkRows);
  if (flags.parallelism !== undefined) raw.parallelism = parseIntFlag('--parallelism', flags.parallelism);
  if (flags.onExisting !== undefined) raw.onExisting = flags.onExisting;
  if (flags.verify !== undefined) raw.verify = flags.verify;
  if (flags.key && flags.key.length > 0) {
    const keys = { ...((raw.keys as Record<string, string[]> | undefined) ?? {}) };
    for (const k of flags.key) {
      const m = /^([^=]+)=(.+)$/.exec(k);
      if (!m) throw new JobSpecError('--key', `expected table=col[,col...], got "${k}"`);
      keys[m[1]!.trim()] = m[2]!.split(',').map((c) => c.trim());
    }
    raw.keys = keys;
  }
  return parseJobSpec(raw);
}

/**
 * A transform module named relative to the job file is found next to it, wherever the client runs;
 * the absolute path is what the workers load (so they need the module at the same path).
 */
function resolveTransformModules(raw: Record<string, unknown>, base: string): void {
  if (!Array.isArray(raw.tables)) return;
  for (const t of raw.tables as unknown[]) {
    const transform = (t as { transform?: { module?: unknown } } | null)?.transform;
    if (transform && typeof transform.module === 'string' && !isAbsolute(transform.module)) transform.module = resolve(base, transform.module);
  }
}

/** `--tables` picks tables; those the job file maps keep their mapping. */
function withFileMappings(names: string[] | '*', fromFile: unknown): unknown {
  if (names === '*' || !Array.isArray(fromFile)) return names;
  const mapped = new Map<string, unknown>();
  for (const t of fromFile as unknown[]) if (t && typeof t === 'object' && typeof (t as { name?: unknown }).name === 'string') mapped.set((t as { name: string }).name, t);
  return names.map((n) => mapped.get(n) ?? n);
}

function parseTablesFlag(value: string): string[] | '*' {
  if (value.trim() === '*') return '*';
  return value
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t.length > 0);
}

function parseIntFlag(flag: string, value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new JobSpecError(flag, `expected a positive whole number, got "${value}"`);
  return Number(value);
}
