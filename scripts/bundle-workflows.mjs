#!/usr/bin/env node
// Prebundles the compiled workflows (dist/src/workflows) into dist/workflow-bundle.js at build time,
// so a worker loads one file instead of running webpack at start-up (seconds and ~100 MB saved).
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';

const workflowsPath = fileURLToPath(new URL('../dist/src/workflows/index.js', import.meta.url));
const out = fileURLToPath(new URL('../dist/workflow-bundle.js', import.meta.url));
const { code } = await bundleWorkflowCode({ workflowsPath, logger: { log() {}, info() {}, warn: console.warn, error: console.error, debug() {}, trace() {} } });
await writeFile(out, code);
