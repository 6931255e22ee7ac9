#!/usr/bin/env node
// The CLI is compiled to dist/ by `npm install` (prepare script) or `npm run build`, and bundled into
// dist/ferry-cli.js for a quicker start (scripts/bundle-cli.mjs). Without a bundle, or with one older
// than the compiled sources (a bare `tsc` since), it runs unbundled.
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
const bundle = fileURLToPath(new URL('../dist/ferry-cli.js', import.meta.url));
const entry = fileURLToPath(new URL('../dist/src/client.js', import.meta.url));
if (!existsSync(entry)) {
  console.error('ferry is not built yet: run `npm run build` in ' + fileURLToPath(new URL('..', import.meta.url)));
  process.exit(2);
}
const fresh = existsSync(bundle) && statSync(bundle).mtimeMs >= statSync(entry).mtimeMs;
await import(fresh && !process.env.FERRY_UNBUNDLED ? bundle : entry);
