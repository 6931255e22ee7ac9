/**
 * Loading a job's row transform on the worker: an ES module, CommonJS module or single-file
 * TypeScript module (compiled with SWC, which the Temporal worker already ships) that exports a
 * function taking one row and returning the row to write.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TransformModuleError } from '../errors.js';

/** A row as a transform sees it: column name → value in transfer form (see dialects/dialect.ts), or null. */
export type TransformRow = Record<string, string | null>;

/** What a transform is told besides the row. */
export interface TransformContext {
  /** The source table the row comes from. */
  table: string;
}

/**
 * A row transform: returns the row to write (every target column, values as strings in transfer
 * form or null), or null/undefined to leave the row out. It may be async. It must not change key
 * columns, and must give the same output for the same input wherever verify is to compare it.
 */
export type RowTransform = (row: TransformRow, context: TransformContext) => TransformRow | null | undefined | Promise<TransformRow | null | undefined>;

const loaded = new Map<string, Promise<RowTransform>>();

/** Loads (once per module version) the exported function `fn` of `module`, or throws TransformModuleError. */
export function loadTransform(module: string, fn: string): Promise<RowTransform> {
  if (!isAbsolute(module)) {
    return Promise.reject(new TransformModuleError(module, 'the path must be absolute on the worker (a path in a job file is resolved against the job file\'s folder)'));
  }
  let mtime: number;
  try {
    mtime = statSync(module).mtimeMs;
  } catch {
    return Promise.reject(new TransformModuleError(module, `does not exist on worker ${hostname()}; put the module at that path on every worker, or fix transform.module in the job`));
  }
  const id = `${module}\0${mtime}\0${fn}`;
  let p = loaded.get(id);
  if (!p) {
    p = importFunction(module, mtime, fn);
    loaded.set(id, p);
    p.catch(() => loaded.delete(id));
  }
  return p;
}

async function importFunction(module: string, mtime: number, fn: string): Promise<RowTransform> {
  let mod: Record<string, unknown>;
  try {
    const file = /\.(m|c)?ts$/.test(module) ? await compileTypeScript(module, mtime) : module;
    // The version in the URL makes an edited module load anew instead of from Node's module cache.
    mod = (await import(`${pathToFileURL(file).href}?v=${mtime}`)) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof TransformModuleError) throw e;
    throw new TransformModuleError(module, `cannot be loaded: ${(e as Error).message.split('\n')[0]}`, { cause: e });
  }
  const fromDefault = (mod['default'] as Record<string, unknown> | undefined)?.[fn];
  const f = mod[fn] ?? fromDefault;
  if (typeof f !== 'function') {
    const exported = Object.keys(mod).filter((k) => typeof mod[k] === 'function');
    throw new TransformModuleError(module, `does not export a function named "${fn}"${exported.length > 0 ? ` (it exports ${exported.join(', ')})` : ''}; fix transform.function in the job`);
  }
  return f as RowTransform;
}

/** Compiles a TypeScript module to an ES module in the temp folder and returns its path. */
async function compileTypeScript(module: string, mtime: number): Promise<string> {
  const swc = await import('@swc/core');
  const out = await swc.transformFile(module, {
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'es6' },
    sourceMaps: 'inline',
  });
  const dir = join(tmpdir(), 'ferry-transforms');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${createHash('sha256').update(`${module}\0${mtime}`).digest('hex').slice(0, 16)}.mjs`);
  if (!existsSync(file)) writeFileSync(file, out.code);
  return file;
}
