/**
 * The data converter of ferry's client and workers: Temporal's default unless FERRY_CODEC_KEYS is
 * set, then payloads are encrypted (see payload-codec.ts) and failure messages are moved into an
 * encrypted payload too. Client and worker must agree, so both take it from here.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DataConverter } from '@temporalio/common';
import { codecFromEnv } from './payload-codec.js';

/** Path of the failure converter module that encodes failure messages (a .cjs file beside the sources). */
export function encryptedFailuresPath(): string {
  const here = fileURLToPath(import.meta.url);
  // tsc does not copy .cjs files into dist/, so the compiled CLI uses the one in src/.
  const dir = here.endsWith('.ts') ? dirname(here) : resolve(dirname(here), '../../../src/temporal');
  return join(dir, 'encrypted-failures.cjs');
}

/** The data converter for the environment's FERRY_CODEC_KEYS, or undefined (SDK default) when unset. */
export function ferryDataConverter(env: NodeJS.ProcessEnv = process.env): DataConverter | undefined {
  const codec = codecFromEnv(env);
  return codec ? { payloadCodecs: [codec], failureConverterPath: encryptedFailuresPath() } : undefined;
}
