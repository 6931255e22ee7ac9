/**
 * Live progress of a running migration, fed by the workflow's `progress` query: bars with rows,
 * rows/s and ETA per table on a terminal, a line every few seconds otherwise (CI logs).
 */
import cliProgress from 'cli-progress';
import type { WorkflowHandle } from '@temporalio/client';
import type { MigrationProgress, MigrationReport } from '../core/report.js';
import { progressQuery } from '../shared.js';
import { fmtRows } from './output.js';
import { retryingActivities, retryingAnnouncer } from './retrying.js';

/** How often bars on a terminal are redrawn from a fresh progress query. */
const BAR_POLL_MS = 500;
/** How often a log (stderr not a terminal) gets a progress line. */
const LINE_EVERY_MS = 5000;

/**
 * Polls `handle` until `done` resolves, drawing progress to stderr. `endOf` turns the run's result into
 * its end state (given the last polled progress), which saves a last query: a query on a closed run is
 * answered by replaying its whole history on a worker (~0.1 s), after the user's job is already done.
 */
export async function showProgress<R>(
  handle: WorkflowHandle,
  done: Promise<R>,
  endOf?: (result: R, last: MigrationProgress | undefined) => MigrationProgress,
): Promise<void> {
  const tty = process.stderr.isTTY === true;
  // A log gets a line every LINE_EVERY_MS, so polling between lines would only cost the server and the
  // worker a query each (answered by the worker's cached workflow) for nothing shown.
  const pollMs = tty ? BAR_POLL_MS : LINE_EVERY_MS;
  const bars = tty
    ? new cliProgress.MultiBar(
        { format: ' {table} [{bar}] {percentage}% | {value}/{total} rows | {rate} rows/s | ETA {eta_formatted}', hideCursor: true, clearOnComplete: false, stream: process.stderr, etaBuffer: 20 },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  const byTable = new Map<string, cliProgress.SingleBar>();
  const started = Date.now();
  let ended: { result: R } | undefined;
  let finished = false;
  const settled = done.then(
    (result) => {
      ended = { result };
      finished = true;
    },
    () => void (finished = true),
  );
  let lastRetryCheck = 0;
  let polled: MigrationProgress | undefined;
  const announce = retryingAnnouncer();
  while (!finished) {
    // A query in flight when the run ends is not waited for.
    const p = await Promise.race([handle.query(progressQuery).catch(() => undefined), settled]);
    if (finished) break;
    if (p) {
      polled = p;
      if (bars) draw(bars, byTable, p, started);
      else process.stderr.write(line(p, started) + '\n');
    }
    if (Date.now() - lastRetryCheck > 3000) {
      lastRetryCheck = Date.now();
      await reportRetrying(handle, announce, bars);
    }
    // The timer is cleared as soon as the run ends: a pending one would hold the process open.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([settled, new Promise((r) => (timer = setTimeout(r, pollMs)))]);
    clearTimeout(timer);
  }
  const last = ended && endOf ? endOf(ended.result, polled) : await handle.query(progressQuery).catch(() => undefined);
  if (last && bars) draw(bars, byTable, last, started);
  // Logs get the end state too: a run shorter than the line interval would otherwise show nothing.
  else if (last) process.stderr.write(line(last, started) + '\n');
  bars?.stop();
}

/** The end state of a completed migration from its report, with the row estimates last polled. */
export function progressOfReport(report: MigrationReport, last: MigrationProgress | undefined): MigrationProgress {
  return {
    phase: 'done',
    startedAtMs: last?.startedAtMs ?? Date.now(),
    tables: report.tables.map((t) => {
      const polled = last?.tables.find((p) => p.source === t.source && p.target === t.target);
      return {
        source: t.source,
        target: t.target,
        rowsDone: t.rowsCopied,
        // A verified table's exact count, else the plan's estimate as last polled.
        rowsTotal: t.sourceRows > 0 ? t.sourceRows : (polled?.rowsTotal ?? t.rowsCopied),
        shardsDone: polled?.shardsTotal ?? 0,
        shardsTotal: polled?.shardsTotal ?? 0,
      };
    }),
  };
}

const TOTAL = '\u0000total';

function draw(bars: cliProgress.MultiBar, byTable: Map<string, cliProgress.SingleBar>, p: MigrationProgress, started: number): void {
  const secs = Math.max(0.001, (Date.now() - started) / 1000);
  const rows = [...p.tables];
  if (p.tables.length > 1) {
    // A last bar for the whole job, fed by the same query.
    rows.push({
      source: TOTAL,
      target: TOTAL,
      rowsDone: p.tables.reduce((a, t) => a + t.rowsDone, 0),
      rowsTotal: p.tables.reduce((a, t) => a + t.rowsTotal, 0),
      shardsDone: 0,
      shardsTotal: 0,
    });
  }
  for (const t of rows) {
    const total = Math.max(t.rowsTotal, t.rowsDone, 1);
    let bar = byTable.get(t.source);
    if (!bar) {
      bar = bars.create(total, 0, { table: (t.source === TOTAL ? 'total' : t.source).padEnd(18), rate: '0' });
      byTable.set(t.source, bar);
    }
    bar.setTotal(total);
    bar.update(t.rowsDone, { rate: fmtRows(Math.round(t.rowsDone / secs)) });
  }
}

function line(p: MigrationProgress, started: number): string {
  const secs = Math.max(0.001, (Date.now() - started) / 1000);
  const parts = p.tables.map((t) => `${t.source} ${fmtRows(t.rowsDone)}/~${fmtRows(t.rowsTotal)}`);
  const rows = p.tables.reduce((a, t) => a + t.rowsDone, 0);
  return `[${p.phase}] ${parts.join(', ')} (${fmtRows(Math.round(rows / secs))} rows/s)`;
}

/**
 * Prints what is being retried, once per activity and failure (again every few attempts; see
 * retryingAnnouncer): a transient fault never fails the run, so this is how `--wait` tells the user
 * that the host is unreachable.
 */
async function reportRetrying(handle: WorkflowHandle, announce: ReturnType<typeof retryingAnnouncer>, bars: cliProgress.MultiBar | undefined): Promise<void> {
  for (const l of announce(await retryingActivities(handle).catch(() => []))) {
    if (bars) bars.log(`${l}\n`);
    else process.stderr.write(`${l}\n`);
  }
}
