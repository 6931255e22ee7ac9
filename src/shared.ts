/**
 * Names shared by the client, the worker and the workflows. Keeping them in one module means a
 * renamed query or task queue cannot drift apart between the processes that use it.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import { defineSearchAttributeKey } from '@temporalio/common';
import type { MigrationProgress } from './core/report.js';

/** Default task queue; override with FERRY_TASK_QUEUE on worker and client alike. */
export const DEFAULT_TASK_QUEUE = 'ferry';

export const WORKFLOW_MIGRATE = 'migrate';
export const WORKFLOW_COPY_SHARD = 'copyShard';

/** Custom search attributes ferry registers on the namespace (all Keyword). */
export const SEARCH_ATTRIBUTES = {
  job: 'FerryJob',
  table: 'FerryTable',
  kind: 'FerryKind',
} as const;

export const FerryJobKey = defineSearchAttributeKey(SEARCH_ATTRIBUTES.job, 'KEYWORD');
export const FerryTableKey = defineSearchAttributeKey(SEARCH_ATTRIBUTES.table, 'KEYWORD');
export const FerryKindKey = defineSearchAttributeKey(SEARCH_ATTRIBUTES.kind, 'KEYWORD');

/** Query answered by the `migrate` workflow with its live progress. */
export const progressQuery = defineQuery<MigrationProgress>('progress');

/** Signal a `copyShard` child sends its parent after each committed chunk. */
export interface ChunkDone {
  table: string;
  shard: number;
  rows: number;
}
export const chunkDoneSignal = defineSignal<[ChunkDone]>('chunkDone');

/** Web UI address of the local dev server. */
export const DEV_UI_URL = 'http://localhost:8233';
