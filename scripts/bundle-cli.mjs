#!/usr/bin/env node
// Bundles the compiled CLI (dist/src/client.js) and the packages it loads into dist/ferry-cli.js.
// Every `ferry migrate --wait` pays the CLI's start-up: unbundled, Node resolves ~300 files and scans
// each CommonJS package for its exports (the Temporal protos alone are 1.4 MB), ~0.45 s before the
// first line of ours runs. One file skips the resolution and the scans. bin/ferry.js runs the bundle
// when it exists and the unbundled CLI otherwise, so a build without esbuild still works.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('../dist/src/client.js', import.meta.url));
const outfile = fileURLToPath(new URL('../dist/ferry-cli.js', import.meta.url));

// Left as imports: the worker side (native modules, loaded by the worker and dev commands only) and
// the drivers. Client commands must not load them; test/unit/cli-startup-imports.test.ts checks the
// bundle for it, which it can only do while they stay real imports.
const external = ['@temporalio/worker', '@temporalio/workflow', '@temporalio/core-bridge', '@swc/core', 'mysql2', 'pg', 'pg-copy-streams', 'pg-native'];
// Modules of ours that client.ts imports only when their command runs: they stay separate files.
const lazy = /^\.\/(worker|cli\/dev-command|cli\/codec-server-command)\.js$/;

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  console.warn('[bundle-cli] esbuild is not installed: ferry runs unbundled (slower start-up)');
  process.exit(0);
}
if (!existsSync(entry)) throw new Error(`[bundle-cli] ${entry} is missing: run tsc first`);

await esbuild.build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external,
  logLevel: 'warning',
  // CommonJS packages inside an ES module bundle still call require() for Node's built-ins.
  banner: { js: "import { createRequire as __ferryRequire } from 'node:module'; const require = __ferryRequire(import.meta.url);" },
  plugins: [
    {
      name: 'lazy-commands',
      setup(build) {
        build.onResolve({ filter: lazy }, (args) => (args.kind === 'dynamic-import' ? { path: args.path.replace(/^\.\//, './src/'), external: true } : undefined));
      },
    },
  ],
});
