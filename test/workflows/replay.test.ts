/**
 * Determinism guard: histories recorded from earlier versions of the workflows must replay against
 * the current bundle. A change that would break running workflows fails here, not in production.
 * Record the current version's with `FERRY_RECORD_HISTORIES=1 npx vitest run test/workflows/migrate.test.ts`
 * (files named by day, next to those of earlier versions).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { workflowsPath } from '../../src/temporal/ferry-worker.js';

const dir = fileURLToPath(new URL('./histories/', import.meta.url));
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

describe('recorded histories replay against the current workflow code', () => {
  it('has recorded histories of both workflow types', () => {
    expect(files.some((f) => f.startsWith('migrate'))).toBe(true);
    expect(files.some((f) => f.startsWith('copyShard'))).toBe(true);
  });
  it.each(files)('%s', async (file) => {
    const { workflowId, history } = JSON.parse(readFileSync(dir + file, 'utf8')) as { workflowId: string; history: unknown };
    await Worker.runReplayHistory({ workflowsPath: workflowsPath() }, history, workflowId);
  });
});
