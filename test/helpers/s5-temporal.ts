/**
 * A real local dev server on a fixed port (tests of issue 5 use ports 7310–7319) with ferry's search
 * attributes, for workflow tests that need their own port.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { FerryJobKey, FerryKindKey, FerryStatusKey, FerryTableKey } from '../../src/shared.js';
import { findTemporalCli } from '../../src/temporal/cli-binary.js';

/** Starts an in-memory dev server on `port` with ferry's search attributes registered. */
export async function startTestEnvOnPort(port: number): Promise<TestWorkflowEnvironment> {
  const path = await findTemporalCli({ install: false });
  return TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path }, port, searchAttributes: [FerryJobKey, FerryTableKey, FerryKindKey, FerryStatusKey] },
  });
}
