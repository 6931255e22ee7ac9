/**
 * `ferry worker`: connects to Temporal (environment configuration) and runs one worker until
 * SIGINT/SIGTERM. Credentials for the databases live here, in this process's environment.
 */
import { connectClient, connectWorkerConnection, loadConnectConfig } from './temporal/connection.js';
import { createFerryWorker, taskQueue } from './temporal/ferry-worker.js';
import { ensureSearchAttributes } from './temporal/dev-server.js';
import { capHeapGrowth } from './temporal/worker-heap.js';

/** Runs a worker until the process is asked to stop. */
export async function runWorker(log: (msg: string) => void = console.error): Promise<void> {
  capHeapGrowth();
  const config = await loadConnectConfig();
  await registerSearchAttributes(config.namespace, log);
  const connection = await connectWorkerConnection();
  const { worker, close } = await createFerryWorker({ connection, namespace: config.namespace });
  log(`ferry worker polling task queue "${taskQueue()}" on ${config.connectionOptions.address} (namespace ${config.namespace})`);
  try {
    await worker.run();
  } finally {
    await close();
    await connection.close();
  }
}

// Workflows set ferry's search attributes; a cluster not started by `ferry dev` may lack them.
async function registerSearchAttributes(namespace: string, log: (msg: string) => void): Promise<void> {
  try {
    const client = await connectClient();
    try {
      await ensureSearchAttributes(client.connection, namespace);
    } finally {
      await client.connection.close();
    }
  } catch (e) {
    log(`note: could not register ferry's search attributes (${(e as Error).message}); ask an admin to add FerryJob, FerryTable, FerryKind (Keyword)`);
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'))) {
  runWorker().catch((e: unknown) => {
    console.error((e as Error).message);
    process.exit(2);
  });
}
