import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cacheFileFor } from '../../src/boot/run-bundle.js';

const run = promisify(execFile);
// The compiled loader, as bin/ferry.js runs it (`npm test` builds first).
const loader = pathToFileURL(fileURLToPath(new URL('../../dist/src/boot/run-bundle.js', import.meta.url))).href;

/** A CommonJS bundle like dist/ferry-cli.cjs: requires a built-in and imports an ES module beside it. */
function bundleSource(word: string): string {
  return `const { sep } = require('node:path');
__ferryImport('./beside.mjs').then((m) => console.log(JSON.stringify({ word: '${word}', sep, beside: m.value, file: __filename })));
`;
}

describe('runBundle (the CLI bundle from a V8 code cache)', () => {
  let dir: string;
  let bundle: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-bundle-'));
    bundle = join(dir, 'cli.cjs');
    await writeFile(join(dir, 'beside.mjs'), 'export const value = 42;\n');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Runs the bundle in a new process; returns what it printed and whether it ran from a cache. */
  async function start(): Promise<{ out: { word: string; sep: string; beside: number; file: string }; cacheUsed: boolean; stderr: string }> {
    const code = `const r = (await import(${JSON.stringify(loader)})).runBundle(${JSON.stringify(bundle)}); process.on('exit', () => console.log(JSON.stringify(r)));`;
    const { stdout, stderr } = await run(process.execPath, ['--input-type=module', '-e', code]);
    const [first, second] = stdout.trim().split('\n');
    return { out: JSON.parse(first!), cacheUsed: (JSON.parse(second!) as { cacheUsed: boolean }).cacheUsed, stderr };
  }

  it('writes a cache on the first run and runs from it on the next, with require, import() and __filename as in Node', async () => {
    await writeFile(bundle, bundleSource('alpha'));
    const first = await start();
    expect(first.cacheUsed).toBe(false);
    expect(first.out).toEqual({ word: 'alpha', sep: '/', beside: 42, file: bundle });
    expect(first.stderr).toBe('');
    expect((await readdir(dir)).filter((f) => f.endsWith('.v8cache'))).toHaveLength(1);
    const second = await start();
    // Node 20 loses a cached script's import() callback: the bundle's imports must work all the same.
    expect(second.cacheUsed).toBe(true);
    expect(second.out).toEqual(first.out);
  });

  it('never runs a rebuilt bundle of the same length from the cache of the one before', async () => {
    await writeFile(bundle, bundleSource('alpha'));
    await start();
    // V8 itself would accept the old cache: it checks only the source's length.
    await writeFile(bundle, bundleSource('omega'));
    const later = new Date(Date.now() + 5000);
    await utimes(bundle, later, later);
    const rebuilt = await start();
    expect(rebuilt.cacheUsed).toBe(false);
    expect(rebuilt.out.word).toBe('omega');
  });

  it('runs a bundle whose cache is damaged by compiling it, and writes a good cache again', async () => {
    await writeFile(bundle, bundleSource('alpha'));
    await start();
    const [cache] = (await readdir(dir)).filter((f) => f.endsWith('.v8cache'));
    await writeFile(join(dir, cache!), Buffer.from('not a code cache'));
    const damaged = await start();
    expect(damaged.cacheUsed).toBe(false);
    expect(damaged.out.word).toBe('alpha');
    expect((await start()).cacheUsed).toBe(true);
  });

  it('names the cache by the bundle size and modification time', () => {
    expect(cacheFileFor('/x/ferry-cli.cjs', 100, 1234.6)).toBe('/x/ferry-cli.cjs.100-1235.v8cache');
    expect(cacheFileFor('/x/ferry-cli.cjs', 100, 1234.6)).not.toBe(cacheFileFor('/x/ferry-cli.cjs', 100, 1300));
    expect(cacheFileFor('/x/ferry-cli.cjs', 100, 1234.6)).not.toBe(cacheFileFor('/x/ferry-cli.cjs', 101, 1234.6));
  });
});
