/**
 * `ferry dev`: a local Temporal dev server (persistent SQLite under .ferry/, Web UI on :8233) and a
 * worker in this process. With TEMPORAL_ADDRESS set, only the worker runs, against that server.
 */
import { startDevServer } from '../temporal/dev-server.js';
import { runWorker } from '../worker.js';
import { EXIT_OK, reportError } from './output.js';

/** Runs until SIGINT/SIGTERM; returns the exit code. */
export async function devCommand(): Promise<number> {
  try {
    if (process.env['TEMPORAL_ADDRESS']) {
      await runWorker();
      return EXIT_OK;
    }
    const server = await startDevServer({ log: (m) => console.error(m) });
    console.error(`Temporal dev server on ${server.address}; Web UI: ${server.uiUrl}`);
    try {
      await runWorker();
    } finally {
      await server.stop();
    }
    return EXIT_OK;
  } catch (e) {
    return reportError(e, false);
  }
}
