#!/usr/bin/env node
// The CLI is compiled to dist/ by `npm install` (prepare script) or `npm run build`.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
const entry = fileURLToPath(new URL('../dist/src/client.js', import.meta.url));
if (!existsSync(entry)) {
  console.error('ferry is not built yet: run `npm run build` in ' + fileURLToPath(new URL('..', import.meta.url)));
  process.exit(2);
}
await import(entry);
