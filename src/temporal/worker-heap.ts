/**
 * Heap growth of a worker process. V8 sizes the heap for the machine (up to 4 GB on a large one) and
 * lets garbage pile up between full collections by growing the old generation by up to 4× its live
 * size each time. A worker's live data is small and steady while what it allocates per chunk is
 * large and short-lived (rows on their way through), so its resident memory crept up job after job:
 * a sequence of 28 jobs (migrate, verify, diff in all four directions, 1M rows) peaked at 331 MB with
 * V8's default and at 275 MB with growth capped at 20% per collection.
 *
 * The price is CPU: full collections run more often, and the worker spent about 0.9 s instead of
 * 0.45 s per 1M rows copied (50% cost the same; 100% saved neither CPU nor memory). The databases
 * dominate a copy, so wall-clock times in the bench did not change measurably. Capping only while the
 * process is large was tried: from 240 MB resident it cost the same CPU (a process that has been that
 * large stays so, as freed memory is not handed back), and from 270 MB the sequence peaked at 329 MB.
 */
import v8 from 'node:v8';

/** Growth of the heap limit per full collection, as a percentage of what survived it. */
export const HEAP_GROWING_PERCENT = 20;

/**
 * Caps V8's heap growth for this process (and the workflow threads it starts later). V8 reads the
 * flag at each full collection, so setting it after start-up takes effect. A `--heap-growing-percent`
 * given to node on the command line wins (node refuses it in NODE_OPTIONS). Returns whether it set the cap.
 */
export function capHeapGrowth(execArgv: string[] = process.execArgv): boolean {
  if (execArgv.some((a) => /^--heap[-_]growing[-_]percent\b/.test(a))) return false;
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  return true;
}
