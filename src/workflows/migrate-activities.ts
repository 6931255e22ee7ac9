/**
 * Activity proxies used by the `migrate` workflow, with their timeouts and retry policy.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { FerryActivities } from '../activities/index.js';

const retry = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' };

/** Planning and schema activities: short, retried with backoff; permanent faults are non-retryable. */
export const acts = proxyActivities<FerryActivities>({ startToCloseTimeout: '1 hour', retry });

/** Verification reads whole ranges and heartbeats while it does. */
export const verifyActs = proxyActivities<FerryActivities>({ startToCloseTimeout: '1 hour', heartbeatTimeout: '1 minute', retry });
