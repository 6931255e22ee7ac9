/**
 * Runs the bundled CLI (dist/ferry-cli.cjs, scripts/bundle-cli.mjs) with a V8 code cache beside it.
 *
 * Every `ferry migrate --wait` pays the CLI's start-up before the workflow starts. Of the bundle's
 * ~0.15 s, V8 spent ~40 ms compiling its 4 MB and more compiling functions as they first ran. The
 * code cache V8 writes after a run holds the bytecode of everything that run compiled, so the next
 * start only deserializes it: `ferry --help` 0.15–0.17 s instead of 0.20–0.21 s, and a 1M-row
 * PostgreSQL → PostgreSQL `migrate --wait` ~0.1 s quicker than from the ES module bundle before
 * (medians of 6 alternating runs on one dev server, 2.06 against 2.17 s).
 * Node 22 has this built in (`module.enableCompileCache`); Node 20 does not.
 *
 * The cache's file name carries the bundle's size and modification time: V8 checks only a source's
 * length, so a rebuilt bundle must never meet the cache of the one before. A process without a usable
 * cache writes one as it exits; a read-only install simply runs without.
 */
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';

/** The code cache file of `bundle` as it is now (size and modification time in the name). */
export function cacheFileFor(bundle: string, size: number, mtimeMs: number): string {
  return `${bundle}.${size}-${Math.round(mtimeMs)}.v8cache`;
}

/** What {@link runBundle} found: whether V8 took the cache, and the file it was looked for in. */
export interface BundleRun {
  cacheFile: string;
  cacheUsed: boolean;
}

/**
 * Runs a CommonJS bundle as Node would `require` it, compiled from its code cache when there is a
 * valid one; otherwise writes the cache when the process exits.
 */
export function runBundle(bundle: string): BundleRun {
  const { size, mtimeMs } = statSync(bundle);
  const cacheFile = cacheFileFor(bundle, size, mtimeMs);
  const source = readFileSync(bundle, 'utf8');
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  // Module.wrap's wrapper on one line, so that stack traces keep the bundle's line numbers, plus the
  // importer of the commands kept out of the bundle (worker, dev): a script compiled from a code
  // cache cannot run import() in Node 20, so the bundle calls this module's instead.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname, __ferryImport) { ${source}\n});`, {
    filename: bundle,
    ...(cachedData ? { cachedData } : {}),
  });
  const cacheUsed = cachedData !== undefined && !script.cachedDataRejected;
  if (!cacheUsed) process.once('exit', () => writeCache(script, cacheFile));
  const wrapper = script.runInThisContext() as BundleWrapper;
  const module = { exports: {} };
  const base = pathToFileURL(bundle);
  const importer = (specifier: string): Promise<unknown> => import(specifier.startsWith('.') ? new URL(specifier, base).href : specifier);
  wrapper.call(module.exports, module.exports, createRequire(bundle), module, bundle, dirname(bundle), importer);
  return { cacheFile, cacheUsed };
}

type BundleWrapper = (exports: object, require: NodeJS.Require, module: object, filename: string, dirname: string, importer: (specifier: string) => Promise<unknown>) => void;

/** Writes the code cache of what this process compiled, atomically: several CLIs may exit at once. */
function writeCache(script: vm.Script, cacheFile: string): void {
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, script.createCachedData());
    renameSync(tmp, cacheFile);
  } catch {
    // A cache is only a speed-up: a read-only install runs as before.
  }
}
