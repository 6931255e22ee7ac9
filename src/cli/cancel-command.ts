/**
 * `ferry cancel <workflowId>`: asks a run to stop. Running chunks are cancelled through their
 * heartbeats and roll back, so no chunk is left half-written; `ferry migrate --resume` continues later.
 */
import { connectClient } from '../temporal/connection.js';
import { EXIT_OK, reportError } from './output.js';

/** Requests cancellation and, unless `noWait`, waits until the run has stopped. */
export async function cancelCommand(workflowId: string, flags: { json?: boolean; noWait?: boolean }): Promise<number> {
  const json = flags.json === true;
  try {
    const client = await connectClient();
    try {
      const handle = client.workflow.getHandle(workflowId);
      await handle.cancel();
      let status = (await handle.describe()).status.name;
      for (let i = 0; !flags.noWait && status === 'RUNNING' && i < 600; i++) {
        await new Promise((r) => setTimeout(r, 200));
        status = (await handle.describe()).status.name;
      }
      const state = status.toLowerCase();
      if (json) console.log(JSON.stringify({ workflowId, status: state }));
      else console.log(`${workflowId}: ${state}; continue it with: npx ferry migrate --resume ${workflowId}`);
      return EXIT_OK;
    } finally {
      await client.connection.close();
    }
  } catch (e) {
    return reportError(e, json);
  }
}
