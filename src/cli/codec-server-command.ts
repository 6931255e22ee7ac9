/**
 * `ferry codec-server`: serves the payload codec to the Temporal Web UI (and to `temporal … --codec-endpoint`),
 * so people who may read the data see decrypted inputs, results and failures. Keys come from
 * FERRY_CODEC_KEYS like on the worker; FERRY_CODEC_AUTH, when set, is the bearer token callers need.
 */
import { FerryError } from '../errors.js';
import { startCodecServer } from '../temporal/codec-server.js';
import { CODEC_KEYS_ENV, codecFromEnv } from '../temporal/payload-codec.js';
import { reportError } from './output.js';

/** Flags of `ferry codec-server`. */
export interface CodecServerFlags {
  /** Default 8888. */
  port?: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** CORS origins (repeatable). Default http://localhost:8233. */
  origin?: string[];
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** Runs until SIGINT/SIGTERM; returns the exit code. */
export async function codecServerCommand(flags: CodecServerFlags): Promise<number> {
  try {
    const codec = codecFromEnv();
    if (!codec) throw new FerryError(`${CODEC_KEYS_ENV} is not set; give the codec server the same keys as the workers`);
    const port = flags.port === undefined ? 8888 : Number(flags.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new FerryError(`--port: expected a port number, got "${flags.port}"`);
    const host = flags.host ?? '127.0.0.1';
    const authToken = process.env['FERRY_CODEC_AUTH'] || undefined;
    if (!LOOPBACK.has(host) && authToken === undefined) {
      throw new FerryError(`--host ${host} would let anyone who reaches it decrypt payloads; set FERRY_CODEC_AUTH to a bearer token first`);
    }
    const origins = flags.origin && flags.origin.length > 0 ? flags.origin : ['http://localhost:8233'];
    const server = await startCodecServer({ codec, port, host, origins, ...(authToken ? { authToken } : {}) });
    console.error(
      `ferry codec server on ${server.url} (CORS: ${origins.join(', ')}${authToken ? '; bearer token required' : ''})\n` +
        `Web UI: temporal server start-dev --ui-codec-endpoint ${server.url.replace('127.0.0.1', 'localhost')}`,
    );
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await server.close();
    return 0;
  } catch (e) {
    return reportError(e, false);
  }
}
