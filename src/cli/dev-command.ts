/**
 * `ferry dev`: a local Temporal dev server (persistent SQLite under .ferry/, Web UI on :8233) and a
 * worker in this process. With TEMPORAL_ADDRESS set, only the worker runs, against that server.
 */
import { startCodecServer, type CodecServer } from '../temporal/codec-server.js';
import { startDevServer } from '../temporal/dev-server.js';
import { codecFromEnv } from '../temporal/payload-codec.js';
import { runWorker } from '../worker.js';
import { EXIT_OK, reportError } from './output.js';

/** Runs until SIGINT/SIGTERM; returns the exit code. */
export async function devCommand(): Promise<number> {
  try {
    if (process.env['TEMPORAL_ADDRESS']) {
      await runWorker();
      return EXIT_OK;
    }
    // With payload encryption on, the Web UI gets a codec server so it shows decrypted payloads.
    const codec = await startDevCodecServer();
    try {
      const server = await startDevServer({ log: (m) => console.error(m), ...(codec ? { uiCodecEndpoint: codec.endpoint } : {}) });
      console.error(`Temporal dev server on ${server.address}; Web UI: ${server.uiUrl}${codec ? ` (decrypting through ${codec.endpoint})` : ''}`);
      try {
        await runWorker();
      } finally {
        await server.stop();
      }
    } finally {
      await codec?.server.close();
    }
    return EXIT_OK;
  } catch (e) {
    return reportError(e, false);
  }
}

/** The codec server for the local Web UI (port FERRY_CODEC_PORT, default 8888) when FERRY_CODEC_KEYS is set. */
async function startDevCodecServer(): Promise<{ server: CodecServer; endpoint: string } | undefined> {
  const codec = codecFromEnv();
  if (!codec) return undefined;
  const port = Number(process.env['FERRY_CODEC_PORT'] || 8888);
  // Loopback only and no bearer token: the local Web UI cannot send one.
  const server = await startCodecServer({ codec, port, origins: ['http://localhost:8233'] });
  return { server, endpoint: `http://localhost:${port}` };
}
