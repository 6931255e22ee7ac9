/**
 * Exit codes and output helpers shared by the commands. Exit codes are stable: 0 success/same,
 * 1 differences found (verification failed), 2 error.
 */
import { FerryError } from '../errors.js';

export const EXIT_OK = 0;
export const EXIT_DIFFERENT = 1;
export const EXIT_ERROR = 2;

/** Web UI link of a workflow run (FERRY_UI_URL overrides the local dev server's address). */
export function uiLink(namespace: string, workflowId: string): string {
  const base = (process.env['FERRY_UI_URL'] || 'http://localhost:8233').replace(/\/$/, '');
  return `${base}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

/** Prints an error the way every command does and returns the error exit code. */
export function reportError(e: unknown, json: boolean): number {
  const message = e instanceof FerryError || e instanceof Error ? e.message : String(e);
  if (json) console.log(JSON.stringify({ status: 'error', error: message }));
  else console.error(`ferry: ${message}`);
  return EXIT_ERROR;
}

/** Formats a row count with thousands separators. */
export function fmtRows(n: number): string {
  return n.toLocaleString('en-US');
}
