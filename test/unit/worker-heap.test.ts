import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
// The compiled module (`npm test` builds first): the check runs in a plain node process.
const heapModule = fileURLToPath(new URL('../../dist/src/temporal/worker-heap.js', import.meta.url));

// Each case runs in a fresh process: the flag is process-wide and must not leak into the test runner.
async function capIn(nodeArgs: string[]): Promise<string> {
  const script = `import { capHeapGrowth } from ${JSON.stringify(heapModule)}; console.log(String(capHeapGrowth()));`;
  const r = await run(process.execPath, [...nodeArgs, '--input-type=module', '-e', script], { env: { ...process.env, NODE_OPTIONS: '' } });
  return r.stdout.trim();
}

describe('worker heap growth cap', () => {
  it('sets the cap in a process started without one', async () => {
    expect(await capIn([])).toBe('true');
  });

  it('leaves a --heap-growing-percent given to node alone, in either spelling', async () => {
    expect(await capIn(['--heap-growing-percent=50'])).toBe('false');
    expect(await capIn(['--heap_growing_percent=50'])).toBe('false');
  });
});
