import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const hook = fileURLToPath(new URL('../helpers/refuse-heavy-imports.mjs', import.meta.url));

describe('CLI start-up', () => {
  // Every `ferry migrate --wait` pays the CLI's start-up; the worker SDK and the drivers add ~0.4 s,
  // the workflow SDK 33 ms.
  it('loads neither the worker or workflow SDK nor a database driver for client commands', async () => {
    for (const args of [['--help'], ['migrate', '--help'], ['export', '--help'], ['diff', '--help'], ['schedule', '--help']]) {
      const r = await run(process.execPath, ['--import', hook, 'bin/ferry.js', ...args], { cwd: root, env: { ...process.env, FERRY_IMPORT_HOOK_LOADED: '' } });
      expect(r.stdout, args.join(' ')).toMatch(/Usage: ferry/);
    }
  });

  it('the guard itself refuses a driver import', async () => {
    const bad = run(process.execPath, ['--import', hook, '--input-type=module', '-e', "await import('mysql2/promise')"], { cwd: root, env: { ...process.env, FERRY_IMPORT_HOOK_LOADED: '' } });
    await expect(bad).rejects.toMatchObject({ stderr: expect.stringContaining('client start-up imported mysql2/promise') });
  });
});
