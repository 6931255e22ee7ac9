/**
 * A real local Temporal dev server for tests (the CLI built by scripts/ensure-env.mjs; nothing is
 * downloaded) and a worker running ferry's workflows with real or wrapped activities.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities, type FerryActivities } from '../../src/activities/index.js';
import { DialectCache } from '../../src/dialects/index.js';
import { FerryJobKey, FerryKindKey, FerryStatusKey, FerryTableKey } from '../../src/shared.js';
import { findTemporalCli } from '../../src/temporal/cli-binary.js';
import { SERVER_TUNING } from '../../src/temporal/dev-server.js';
import { workflowsPath } from '../../src/temporal/ferry-worker.js';

/**
 * Starts an in-memory dev server with ferry's search attributes registered, on FERRY_TEST_TEMPORAL_PORT
 * when set (so runs on a shared machine stay in their own port range), else on a free port.
 */
export async function startTestEnv(): Promise<TestWorkflowEnvironment> {
  const path = await findTemporalCli({ install: false });
  const port = process.env['FERRY_TEST_TEMPORAL_PORT'];
  return TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path }, ...(port ? { port: Number(port) } : {}), searchAttributes: [FerryJobKey, FerryTableKey, FerryKindKey, FerryStatusKey], extraArgs: SERVER_TUNING },
  });
}

/** A worker on its own task queue; `wrap` may replace activities to inject faults. */
export async function startTestWorker(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  wrap: (real: FerryActivities) => Partial<FerryActivities> = () => ({}),
): Promise<{ worker: Worker; running: Promise<void>; stop: () => Promise<void> }> {
  const dialects = new DialectCache();
  const real = createActivities({ dialects, workerName: 'test-worker' });
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowsPath: workflowsPath(),
    activities: { ...real, ...wrap(real) },
  });
  const running = worker.run();
  return {
    worker,
    running,
    stop: async () => {
      worker.shutdown();
      await running;
      await dialects.closeAll();
    },
  };
}
