/**
 * Names shared by the client, the worker and the workflows. Keeping them in one module means a
 * renamed query or task queue cannot drift apart between the processes that use it.
 */
import { defineSearchAttributeKey, type QueryDefinition, type SignalDefinition } from '@temporalio/common';
import type { KeyTuple } from './core/key-range.js';
import type { MigrationProgress, ResumeAnswer } from './core/report.js';

/** Default task queue; override with FERRY_TASK_QUEUE on worker and client alike. */
export const DEFAULT_TASK_QUEUE = 'ferry';

export const WORKFLOW_MIGRATE = 'migrate';
export const WORKFLOW_COPY_SHARD = 'copyShard';
export const WORKFLOW_PLAN = 'plan';
/** The child that holds a target table's write lock while a run writes it (workflows/table-lock.ts). */
export const WORKFLOW_TABLE_LOCK = 'tableLock';

/** Custom search attributes ferry registers on the namespace (all Keyword). */
export const SEARCH_ATTRIBUTES = {
  job: 'FerryJob',
  table: 'FerryTable',
  kind: 'FerryKind',
  status: 'FerryStatus',
} as const;

export const FerryJobKey = defineSearchAttributeKey(SEARCH_ATTRIBUTES.job, 'KEYWORD');
export const FerryTableKey = defineSearchAttributeKey(SEARCH_ATTRIBUTES.table, 'KEYWORD');
export const FerryKindKey = defineSearchAttributeKey(SEARCH_ATTRIBUTES.kind, 'KEYWORD');
/** Phase of a run (planning, copying, …, completed, failed), so runs can be listed by state. */
export const FerryStatusKey = defineSearchAttributeKey(SEARCH_ATTRIBUTES.status, 'KEYWORD');

// The definitions are the plain objects @temporalio/workflow's defineQuery/defineSignal return, built
// here so the CLI does not load the workflow SDK (33 ms of every command's start) for two names.
function defineQuery<Ret>(name: string): QueryDefinition<Ret> {
  return { type: 'query', name } as QueryDefinition<Ret>;
}
function defineSignal<Args extends unknown[]>(name: string): SignalDefinition<Args> {
  return { type: 'signal', name } as SignalDefinition<Args>;
}

/** Query answered by the `migrate` workflow with its live progress. */
export const progressQuery = defineQuery<MigrationProgress>('progress');

/** Query answered by `migrate` (also on a closed run, by replay) with what `--resume` needs. */
export const resumeStateQuery = defineQuery<ResumeAnswer>('resumeState');

/**
 * Signal a `copyShard` child sends its parent with the chunks committed since its last signal (at
 * most one a second, so the parent's history grows with time, not with the number of chunks).
 */
export interface ChunkDone {
  table: string;
  shard: number;
  /** Rows committed since the previous signal. */
  rows: number;
  /** The shard's cursor after those chunks: a resumed run starts after it. */
  end: KeyTuple | null;
  /** Rows per worker since the previous signal. */
  workers: Record<string, number>;
  /** Rows since the previous signal whose chunk needed more than one attempt. */
  redone: number;
}
export const chunkDoneSignal = defineSignal<[ChunkDone]>('chunkDone');

/** Web UI address of the local dev server. */
export const DEV_UI_URL = 'http://localhost:8233';
