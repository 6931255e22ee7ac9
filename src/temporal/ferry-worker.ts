/**
 * Builds a ferry worker: workflows bundled from src/workflows, activities bound to one set of
 * database pools that are closed when the worker stops.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker, type NativeConnection } from '@temporalio/worker';
import { createActivities } from '../activities/index.js';
import { DialectCache } from '../dialects/index.js';
import { ferryDataConverter } from './data-converter.js';
import { taskQueue } from './task-queue.js';

export { taskQueue } from './task-queue.js';

/** Options of {@link createFerryWorker}. */
export interface FerryWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  /** Default: FERRY_TASK_QUEUE or `ferry`. */
  taskQueue?: string;
  /** Activities run at once by this worker (default FERRY_MAX_ACTIVITIES or 8). */
  maxConcurrentActivities?: number;
  /** Name reported in chunk results (default hostname:pid). */
  workerName?: string;
}

/**
 * The prebundled workflows written by `npm run build` (dist/workflow-bundle.js), when running compiled
 * code; undefined under vitest, where the worker bundles the TypeScript sources itself.
 */
export function prebuiltBundle(): string | undefined {
  const self = fileURLToPath(import.meta.url);
  if (self.endsWith('.ts')) return undefined;
  const path = fileURLToPath(new URL('../../workflow-bundle.js', import.meta.url));
  return existsSync(path) ? path : undefined;
}

/** Path of the workflows entry, `.ts` under vitest and `.js` once compiled. */
export function workflowsPath(): string {
  const self = fileURLToPath(import.meta.url);
  const ext = self.endsWith('.ts') ? '.ts' : '.js';
  return fileURLToPath(new URL(`../workflows/index${ext}`, import.meta.url));
}

/** A worker plus the pools its activities use; call `close()` after `run()` resolves. */
export interface FerryWorker {
  worker: Worker;
  close(): Promise<void>;
}

/** Creates a worker on the ferry task queue with ferry's workflows and activities. */
export async function createFerryWorker(opts: FerryWorkerOptions): Promise<FerryWorker> {
  const dialects = new DialectCache();
  // Read before any pool opens: a malformed FERRY_CODEC_KEYS stops the worker at once.
  const dataConverter = ferryDataConverter();
  // The prebuilt bundle has the default failure converter baked in; with encryption on, workflows must
  // be bundled with the encrypting one (data-converter.ts) or workflow failures would stay readable.
  const bundle = dataConverter ? undefined : prebuiltBundle();
  const worker = await Worker.create({
    ...(dataConverter ? { dataConverter } : {}),
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue ?? taskQueue(),
    ...(bundle ? { workflowBundle: { codePath: bundle } } : { workflowsPath: workflowsPath() }),
    activities: createActivities({ dialects, ...(opts.workerName ? { workerName: opts.workerName } : {}) }),
    maxConcurrentActivityTaskExecutions: opts.maxConcurrentActivities ?? Number(process.env['FERRY_MAX_ACTIVITIES'] || 8),
    // Cancellation must reach running copy activities promptly so their transactions roll back.
    shutdownGraceTime: '10 seconds',
  });
  return { worker, close: () => dialects.closeAll() };
}
