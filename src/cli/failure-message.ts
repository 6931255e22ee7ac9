/**
 * The message a user should read from a failed workflow: ferry's own ApplicationFailure text, found
 * under the SDK's wrappers (WorkflowFailedError → ChildWorkflowFailure → ActivityFailure → …).
 */
import { ApplicationFailure } from '@temporalio/common';

/** The deepest ApplicationFailure message in the cause chain, else the outermost message. */
export function failureMessage(e: unknown): string {
  let found: string | undefined;
  let cur: unknown = e;
  for (let depth = 0; cur instanceof Error && depth < 20; depth++) {
    if (cur instanceof ApplicationFailure && cur.message) found = cur.message;
    cur = cur.cause;
  }
  return found ?? (e instanceof Error ? e.message : String(e));
}
