/**
 * Target-table locks made of workflow-ID uniqueness: a writer (migrate, sync, repair) starts one tiny
 * `tableLock` child per target table with the ID `lock:<server>/<database>/<table>`. Temporal refuses
 * a second running workflow with the same ID, so a second writer of the same table cannot start its
 * lock; it asks who holds the lock and fails non-retryably, naming that workflow. No external lock
 * service is involved, and a lock cannot outlive its holder: ParentClosePolicy TERMINATE ends it when
 * the parent closes for any reason (completed, failed, terminated, continued as new).
 */
import {
  ApplicationFailure,
  type ChildWorkflowHandle,
  ParentClosePolicy,
  WorkflowIdReusePolicy,
  condition,
  defineSignal,
  getExternalWorkflowHandle,
  proxyActivities,
  setHandler,
  sleep,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { FerryActivities } from '../activities/index.js';
import { tableLockId } from '../core/lock-id.js';
import { FerryKindKey, FerryTableKey } from '../shared.js';

/** Signal that ends a `tableLock` workflow (its holder is done with the table). */
export const releaseLockSignal = defineSignal('release');

/** Input of the `tableLock` workflow. */
export interface TableLockInput {
  /** Workflow ID of the writer holding the lock. */
  holder: string;
  table: string;
}

const { lockHolder } = proxyActivities<FerryActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumAttempts: 5 },
});

/** Holds a table lock until released (or until its parent closes). */
export async function tableLock(_input: TableLockInput): Promise<void> {
  let released = false;
  setHandler(releaseLockSignal, () => void (released = true));
  await condition(() => released);
}

/** Locks held by one writer. */
export interface TableLocks {
  ids: string[];
  /** Ends every lock and waits until each has closed. */
  release(): Promise<void>;
}

/**
 * Takes the lock of every target table (in name order), or fails with a non-retryable
 * `TableLockedError` naming the workflow that holds one, after giving back those already taken.
 * A lock still held by an earlier run of this workflow (ended by a continue-as-new) is waited for.
 */
export async function acquireTableLocks(target: string, tables: string[]): Promise<TableLocks> {
  const me = workflowInfo().workflowId;
  const ids: string[] = [];
  const children = new Map<string, ChildWorkflowHandle<typeof tableLock>>();
  // Waits for the locks to close, so the table is free the moment the writer returns.
  const release = async () => {
    await Promise.all(
      [...children.values()].map(async (child) => {
        await child.signal(releaseLockSignal);
        await child.result();
      }),
    );
  };
  // All locks at once: a job of hundreds of tables must not spend a workflow round trip per table.
  const take = async (table: string): Promise<void> => {
    const id = tableLockId(target, table);
    for (let attempt = 0; ; attempt++) {
      try {
        const child = await startChild(tableLock, {
          workflowId: id,
          args: [{ holder: me, table }],
          parentClosePolicy: ParentClosePolicy.TERMINATE,
          workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
          staticSummary: `lock on ${table}, held by ${me}`,
          typedSearchAttributes: [
            { key: FerryTableKey, value: table },
            { key: FerryKindKey, value: 'tableLock' },
          ],
        });
        ids.push(id);
        children.set(id, child);
        return;
      } catch (e) {
        if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
        const holder = await lockHolder({ lockId: id });
        if (attempt < 30 && (holder === null || !holder.open || holder.workflowId === me)) {
          // A lock whose holder has closed, or that an earlier run of this workflow took (before a
          // continue-as-new), is stale: end it. Then, as for a lock that just closed, try again.
          if (holder !== null) await getExternalWorkflowHandle(id).signal(releaseLockSignal).catch(() => undefined);
          await sleep('1 second');
          continue;
        }
        throw ApplicationFailure.create({
          type: 'TableLockedError',
          nonRetryable: true,
          message:
            `target table ${table} is being written by workflow ${holder?.workflowId ?? '(unknown)'} (lock ${id}); ` +
            `wait for it to finish or cancel it, then run this again`,
        });
      }
    }
  };
  const outcomes = await Promise.allSettled([...new Set(tables)].sort().map(take));
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failed) {
    // Give back the locks that were taken before reporting the one that was not.
    await release();
    throw failed.reason;
  }
  return { ids, release };
}
