/**
 * The data converter of ferry's client and workers: Temporal's default unless FERRY_CODEC_KEYS is
 * set, then payloads are encrypted (see payload-codec.ts) and failure messages are moved into an
 * encrypted payload too. Client and worker must agree, so both take it from here.
 */
import { join } from 'node:path';
import type { DataConverter } from '@temporalio/common';
import { projectRoot } from './cli-binary.js';
import { codecFromEnv } from './payload-codec.js';

/** Path of the failure converter module that encodes failure messages (a .cjs file beside the sources). */
export function encryptedFailuresPath(): string {
  // tsc does not copy .cjs files into dist/, so the compiled CLI (unbundled or bundled into
  // dist/ferry-cli.cjs) uses the one in src/, found from the project root.
  return join(projectRoot(), 'src', 'temporal', 'encrypted-failures.cjs');
}

/** The data converter for the environment's FERRY_CODEC_KEYS, or undefined (SDK default) when unset. */
export function ferryDataConverter(env: NodeJS.ProcessEnv = process.env): DataConverter | undefined {
  const codec = codecFromEnv(env);
  return codec ? { payloadCodecs: [codec], failureConverterPath: encryptedFailuresPath() } : undefined;
}
