#!/usr/bin/env node
// The CLI is compiled to dist/ by `npm install` (prepare script) or `npm run build`, and bundled into
// dist/ferry-cli.cjs for a quicker start (scripts/bundle-cli.mjs), which runs from a V8 code cache
// (src/boot/run-bundle.ts). Without a bundle, or with one older than the compiled sources (a bare
// `tsc` since), it runs unbundled.
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
const bundle = fileURLToPath(new URL('../dist/ferry-cli.cjs', import.meta.url));
const entry = fileURLToPath(new URL('../dist/src/client.js', import.meta.url));
if (!existsSync(entry)) {
  console.error('ferry is not built yet: run `npm run build` in ' + fileURLToPath(new URL('..', import.meta.url)));
  process.exit(2);
}
const fresh = existsSync(bundle) && statSync(bundle).mtimeMs >= statSync(entry).mtimeMs;
if (process.argv.length === 3 && process.argv[2] === 'worker') {
  // `ferry worker` takes no options, so it skips the CLI: the bundle holds a second copy of the Temporal
  // client and its protobuf reflection, which stayed resident (~30 MB) for the worker's whole life.
  const { runWorker } = await import('../dist/src/worker.js');
  await runWorker().catch((e) => {
    console.error(`ferry: ${e.message}`);
    process.exitCode = 2;
  });
} else if (fresh && !process.env.FERRY_UNBUNDLED) (await import('../dist/src/boot/run-bundle.js')).runBundle(bundle);
else await import(entry);
