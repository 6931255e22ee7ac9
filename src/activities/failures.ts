/**
 * Maps ferry errors onto Temporal failures: permanent faults fail fast (non-retryable), everything
 * else is retried by the activity's retry policy.
 */
import { ApplicationFailure } from '@temporalio/common';
import { FerryError } from '../errors.js';
import { scrubError } from './secrets.js';

/** Runs an activity body, converting a permanent FerryError into a non-retryable ApplicationFailure. */
export async function withFailures<T>(context: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw toFailure(e, context);
  }
}

/** The Temporal failure for an error thrown while doing `context` (e.g. `table orders, keys (0, 500]`). */
export function toFailure(e: unknown, context: string): unknown {
  // Before anything reads the message: no password may reach the history or the worker's log.
  scrubError(e);
  if (e instanceof ApplicationFailure) return e;
  if (e instanceof FerryError) {
    const message = context ? `${context}: ${e.message}` : e.message;
    return e.permanent
      ? ApplicationFailure.create({ message, type: e.name, nonRetryable: true, cause: e })
      : ApplicationFailure.create({ message, type: e.name, nonRetryable: false, cause: e });
  }
  if (e instanceof Error && context) {
    return ApplicationFailure.create({ message: `${context}: ${e.message}`, type: e.name, nonRetryable: false, cause: e });
  }
  return e;
}
