#!/usr/bin/env node
// Bundles the compiled CLI (dist/src/client.js) and the packages it loads into dist/ferry-cli.cjs.
// Every `ferry migrate --wait` pays the CLI's start-up: unbundled, Node resolves ~300 files and scans
// each CommonJS package for its exports (the Temporal protos alone are 1.4 MB), ~0.45 s before the
// first line of ours runs. One file skips the resolution and the scans. bin/ferry.js runs the bundle
// when it exists and the unbundled CLI otherwise, so a build without esbuild still works.
// CommonJS, because Node 20 can run a script, but not an ES module, from a V8 code cache
// (src/boot/run-bundle.ts); import.meta.url becomes the bundle's own URL, as it was in the ES module.
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('../dist/src/client.js', import.meta.url));
const outfile = fileURLToPath(new URL('../dist/ferry-cli.cjs', import.meta.url));
const dist = fileURLToPath(new URL('../dist/', import.meta.url));

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

// Not written by esbuild: the output is checked first, so a refused build leaves no bundle for bin/ferry.js to run.
const built = await esbuild.build({
  entryPoints: [entry],
  outfile,
  write: false,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external,
  logLevel: 'warning',
  define: { 'import.meta.url': '__ferryBundleUrl' },
  banner: { js: "var __ferryBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  plugins: [
    {
      name: 'lazy-commands',
      setup(build) {
        build.onResolve({ filter: lazy }, (args) => (args.kind === 'dynamic-import' ? { path: args.path.replace(/^\.\//, './src/'), external: true } : undefined));
      },
    },
  ],
});

// A script compiled from a code cache loses its import() callback in Node 20
// (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING), so the commands kept out of the bundle are imported by
// the loader's function instead (`__ferryImport`, src/boot/run-bundle.ts). Any other import() left in
// the bundle would fail the same way on a cached start: the build refuses it.
const code = built.outputFiles[0].text.replace(/\bawait import\("(\.\/src\/[^"]+)"\)/g, 'await __ferryImport("$1")');
const left = code.match(/[^\w$.]import\(/g);
if (left) throw new Error(`[bundle-cli] ${left.length} import() call(s) left in ${outfile}: keep the module out of the bundle (lazy) or import it statically`);
writeFileSync(outfile, code);
// The ES module bundle of earlier builds, and code caches of earlier bundles (named by size and time).
for (const name of readdirSync(dist)) {
  if (name === 'ferry-cli.js' || /^ferry-cli\.cjs\..*\.v8cache$/.test(name)) rmSync(dist + name, { force: true });
}
