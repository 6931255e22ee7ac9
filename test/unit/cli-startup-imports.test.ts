import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const hook = fileURLToPath(new URL('../helpers/refuse-heavy-imports.mjs', import.meta.url));
const COMMANDS = [['--help'], ['migrate', '--help'], ['export', '--help'], ['diff', '--help'], ['schedule', '--help']];

/** Runs bin/ferry.js under the hook that refuses the worker SDK, the drivers and `refuseAlso`. */
function ferry(args: string[], env: Record<string, string> = {}) {
  return run(process.execPath, ['--import', hook, 'bin/ferry.js', ...args], { cwd: root, env: { ...process.env, FERRY_IMPORT_HOOK_LOADED: '', ...env } });
}

describe('CLI start-up', () => {
  // Every `ferry migrate --wait` pays the CLI's start-up; the worker SDK and the drivers add ~0.4 s,
  // the workflow SDK 33 ms.
  it('loads neither the worker or workflow SDK nor a database driver for client commands', async () => {
    for (const args of COMMANDS) {
      const r = await ferry(args, { FERRY_UNBUNDLED: '1' });
      expect(r.stdout, args.join(' ')).toMatch(/Usage: ferry/);
    }
  });

  // The build bundles the CLI (scripts/bundle-cli.mjs): ~0.2 s less per command than resolving
  // ~300 files. The bundle imports no package it holds, and still none of the heavy ones.
  it('runs the bundle, which loads the client SDK and commander from itself', async () => {
    for (const args of COMMANDS) {
      const r = await ferry(args, { FERRY_REFUSE_ALSO: '@temporalio/client,@temporalio/common,@temporalio/proto,commander,yaml,zod' });
      expect(r.stdout, args.join(' ')).toMatch(/Usage: ferry/);
    }
  });

  it('the guard itself refuses a driver import, and what FERRY_REFUSE_ALSO names', async () => {
    const env = { ...process.env, FERRY_IMPORT_HOOK_LOADED: '' };
    const bad = run(process.execPath, ['--import', hook, '--input-type=module', '-e', "await import('mysql2/promise')"], { cwd: root, env });
    await expect(bad).rejects.toMatchObject({ stderr: expect.stringContaining('client start-up imported mysql2/promise') });
    const unbundled = ferry(['--help'], { FERRY_UNBUNDLED: '1', FERRY_REFUSE_ALSO: 'commander' });
    await expect(unbundled).rejects.toMatchObject({ stderr: expect.stringContaining('client start-up imported commander') });
  });
});
