/**
 * The task queue from the environment. Its own module, free of worker and driver imports, so the CLI
 * can name the queue without loading the worker SDK and the database drivers (process start time is
 * part of every `ferry migrate --wait`).
 */
import { DEFAULT_TASK_QUEUE } from '../shared.js';

/** The task queue from the environment (FERRY_TASK_QUEUE) or the default `ferry`. */
export function taskQueue(): string {
  return process.env['FERRY_TASK_QUEUE'] || DEFAULT_TASK_QUEUE;
}
