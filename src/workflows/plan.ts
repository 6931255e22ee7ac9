/**
 * `plan`: one activity that introspects the source and returns what a migration would do. A
 * workflow, not a client call, because only workers connect to databases.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { FerryActivities } from '../activities/index.js';
import type { MigrateInput, PlanPreview } from '../core/report.js';

const { previewMigration } = proxyActivities<FerryActivities>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 5 },
});

/** Returns the plan preview of a job; writes nothing. */
export async function plan(input: MigrateInput): Promise<PlanPreview> {
  return previewMigration(input);
}
