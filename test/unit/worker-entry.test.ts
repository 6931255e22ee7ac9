import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const guard = fileURLToPath(new URL('../helpers/refuse-cli-bundle.mjs', import.meta.url));

/** Runs bin/ferry.js with the CLI bundle refused, against a Temporal address nothing listens on. */
function ferry(args: string[]) {
  const env = { ...process.env, TEMPORAL_ADDRESS: '127.0.0.1:1', FERRY_UNBUNDLED: '' };
  return run(process.execPath, ['--import', guard, 'bin/ferry.js', ...args], { cwd: root, env, timeout: 60_000 });
}

describe('ferry worker start-up', () => {
  // The CLI bundle's own Temporal client stayed resident in every worker: ~30 MB of its peak.
  it('runs the worker without loading the CLI bundle, and names an unreachable server', async () => {
    const r = ferry(['worker']);
    await expect(r).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/^ferry: cannot connect to Temporal at 127\.0\.0\.1:1/m) });
    await expect(r).rejects.not.toMatchObject({ stderr: expect.stringContaining('CLI bundle was compiled') });
  });

  it('the guard refuses the bundle that every other command runs', async () => {
    await expect(ferry(['--help'])).rejects.toMatchObject({ stderr: expect.stringContaining('the CLI bundle was compiled') });
  });
});
