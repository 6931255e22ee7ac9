/**
 * Lets both database servers write out what the previous run left in memory before the next timed
 * run starts. A 1M-row load leaves ~200 MB of dirty pages that the servers flush in the background
 * for seconds afterwards, on the same two cores and disk, so without this a run could pay for the
 * one before it: MySQL→MySQL `--verify checksum`, each run right after `mysqldump | mysql`, took 6.6,
 * 8.7 and 8.4 s without it and 6.3, 6.8 and 6.9 s with it (2026-12-07, 1M rows). Untimed.
 */
import { query } from './bench-datasets.js';
import { mustRun } from './bench-proc.js';

/** Longest wait for InnoDB's dirty pages to be written; a server still busy after it is left to be. */
const INNODB_WAIT_MS = 60_000;

/** What {@link settle} did, for the log. */
export interface Settled {
  ms: number;
  /** InnoDB pages still dirty when the wait ended (0 when all were written). */
  innodbDirtyLeft: number;
}

/** A PostgreSQL checkpoint, InnoDB's dirty pages written, then the kernel's (`sync`). */
export async function settle(): Promise<Settled> {
  const started = Date.now();
  const [, innodbDirtyLeft] = await Promise.all([query('pg', 'postgres', 'CHECKPOINT'), flushInnodb()]);
  await mustRun('sync', []);
  return { ms: Date.now() - started, innodbDirtyLeft };
}

/**
 * Asks InnoDB to keep no dirty pages, waits until it has written them, and puts its setting back.
 * Returns the pages still dirty at the end.
 */
async function flushInnodb(): Promise<number> {
  const dirty = async () => Number((await query('mysql', '', `SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_pages_dirty'`)).split('\t')[1] ?? 0);
  if ((await dirty()) === 0) return 0;
  const before = await query('mysql', '', 'SELECT @@GLOBAL.innodb_max_dirty_pages_pct');
  await query('mysql', '', 'SET GLOBAL innodb_max_dirty_pages_pct = 0');
  try {
    const deadline = Date.now() + INNODB_WAIT_MS;
    let left = await dirty();
    while (left > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      left = await dirty();
    }
    return left;
  } finally {
    await query('mysql', '', `SET GLOBAL innodb_max_dirty_pages_pct = ${Number(before)}`);
  }
}
