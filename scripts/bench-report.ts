/**
 * Results of `npm run bench`: the samples it keeps, the medians and ratios it judges against the
 * issue's targets, and the table it prints and writes to bench-results/<timestamp>.{md,json}.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DiffCheck } from './bench-diff.js';
import { describePhases, type PhaseBreakdown } from './bench-phases.js';

/** Worker peak memory the issue allows, in MB. */
export const WORKER_PEAK_TARGET_MB = 300;
/** `--verify checksum` may add at most this fraction to the run time. */
export const VERIFY_OVERHEAD_TARGET = 1.4;

/** Timings of one thing measured once per round. */
export interface Series {
  name: string;
  /** Seconds of each successful run. */
  seconds: number[];
  /** Peak memory of each run in MB, when measured. */
  peakMb: number[];
  errors: string[];
  /** ferry only: the workflow's own duration (server clock) and the worker's CPU time, per run. */
  workflowSeconds?: number[];
  workerCpuSeconds?: number[];
  /** Why it was not run at all. */
  skipped?: string;
  /** ferry/this the issue asks for (references only). */
  targetRatio?: number;
}

/** Everything measured in one direction. */
export interface DirectionResult {
  id: string;
  label: string;
  ferry: Series;
  ferryChecksum: Series;
  references: Series[];
  /** Diff baseline: reading the source and target tables at once. */
  /** The slower of the two tables read alone: the diff bar's baseline. */
  readOne: Series;
  /** Both tables read at once (for information). */
  readBoth: Series;
  /** `ferry diff` of the identical source and target tables. */
  diff: Series;
  /** `ferry diff` after 100 differences were planted in the target, and what it found. */
  diffPlanted: Series;
  diffFound?: DiffCheck;
  /** Peak RSS of the worker while this direction ran, in MB. */
  workerPeakMb?: number;
  /**
   * The untimed first runs of the direction (seconds): each worker code path and connection pool is
   * cold once per worker process, which a long-running worker fleet pays once, not per job.
   */
  warmUp?: { migrate?: number; diff?: number };
  /** Phases of the last successful ferry run of each verify mode. */
  phases: { none?: PhaseBreakdown; checksum?: PhaseBreakdown };
  /** The direction could not be run at all (e.g. preparing its dataset failed). */
  error?: string;
}

/** One run of `npm run bench`. */
export interface BenchResult {
  startedAt: string;
  rows: number;
  rounds: number;
  machine: Record<string, string>;
  tools: Record<string, string>;
  dataset: string;
  directions: DirectionResult[];
  /** Peak RSS of the worker over the whole run, in MB. */
  workerPeakMb?: number;
  /** RSS of the worker once it polls, before any run: its baseline. */
  workerIdleMb?: number;
  notes: string[];
}

export function newSeries(name: string, targetRatio?: number): Series {
  return { name, seconds: [], peakMb: [], errors: [], ...(targetRatio !== undefined ? { targetRatio } : {}) };
}

export function median(xs: number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** One line of the results table. */
export interface Row {
  direction: string;
  ferry: string;
  ferryS: string;
  reference: string;
  referenceS: string;
  ratio: string;
  target: string;
  result: string;
  workerMb: string;
}

const COLUMNS: [keyof Row, string][] = [
  ['direction', 'direction'],
  ['ferry', 'ferry'],
  ['ferryS', 'median s'],
  ['reference', 'reference'],
  ['referenceS', 'median s'],
  ['ratio', 'ferry/ref'],
  ['target', 'target'],
  ['result', 'result'],
  ['workerMb', 'worker peak MB'],
];

const fmtS = (s: number | undefined): string => (s === undefined ? '—' : s.toFixed(2));

/** Median, or why there is none (skipped, or the first error). */
function shown(series: Series): string {
  if (series.skipped) return 'skipped';
  const m = median(series.seconds);
  if (m === undefined) return series.errors.length ? 'failed' : '—';
  return series.errors.length ? `${fmtS(m)} (${series.errors.length} failed)` : fmtS(m);
}

function judge(ferry: Series, ref: Series, target: number | undefined): Pick<Row, 'ratio' | 'target' | 'result'> {
  const f = median(ferry.seconds);
  const r = median(ref.seconds);
  if (f === undefined || r === undefined || r === 0 || ferry.errors.length || ref.errors.length) {
    return { ratio: '—', target: target === undefined ? '(info)' : `≤${target.toFixed(2)}`, result: 'n/a' };
  }
  const ratio = f / r;
  if (target === undefined) return { ratio: ratio.toFixed(2), target: '(info)', result: '' };
  return { ratio: ratio.toFixed(2), target: `≤${target.toFixed(2)}`, result: ratio <= target ? 'pass' : 'MISS' };
}

/** A diff of identical tables within 3× the time to read one of them (the slower one, read alone). */
const DIFF_TARGET = 3;

/** The table: per direction, ferry against each reference, the verify overhead and the diff baseline. */
export function rows(result: BenchResult): Row[] {
  const out: Row[] = [];
  for (const d of result.directions) {
    const mem = d.workerPeakMb === undefined ? '—' : d.workerPeakMb.toFixed(0);
    if (d.error) {
      out.push({ direction: d.label, ferry: `error: ${d.error.split('\n')[0]}`, ferryS: '', reference: '', referenceS: '', ratio: '', target: '', result: 'n/a', workerMb: mem });
      continue;
    }
    for (const ref of d.references) {
      out.push({ direction: d.label, ferry: 'migrate --verify none', ferryS: shown(d.ferry), reference: ref.name, referenceS: shown(ref), ...judge(d.ferry, ref, ref.skipped ? undefined : ref.targetRatio), workerMb: mem });
    }
    out.push({ direction: d.label, ferry: 'migrate --verify checksum', ferryS: shown(d.ferryChecksum), reference: 'ferry --verify none', referenceS: shown(d.ferry), ...judge(d.ferryChecksum, d.ferry, VERIFY_OVERHEAD_TARGET), workerMb: mem });
    out.push({ direction: d.label, ferry: 'diff (identical tables)', ferryS: shown(d.diff), reference: 'read one table', referenceS: shown(d.readOne), ...judge(d.diff, d.readOne, DIFF_TARGET), workerMb: mem });
    out.push({ direction: d.label, ferry: 'diff (identical tables)', ferryS: shown(d.diff), reference: 'read both at once', referenceS: shown(d.readBoth), ...judge(d.diff, d.readBoth, undefined), workerMb: mem });
    if (!d.diffPlanted.skipped) {
      const f = d.diffFound;
      out.push({
        direction: d.label,
        ferry: `diff (100 planted; found ${f ? `${f.found}/${f.planted}` : '—'})`,
        ferryS: shown(d.diffPlanted),
        reference: 'read one table',
        referenceS: shown(d.readOne),
        ratio: judge(d.diffPlanted, d.readOne, undefined).ratio,
        target: 'all found',
        result: f && !d.diffPlanted.errors.length ? (f.problems.length === 0 ? 'pass' : 'MISS') : 'n/a',
        workerMb: mem,
      });
    }
  }
  const peak = result.workerPeakMb;
  out.push({
    direction: 'all',
    ferry: 'worker peak memory',
    ferryS: '',
    reference: '',
    referenceS: '',
    ratio: '',
    target: `≤${WORKER_PEAK_TARGET_MB} MB`,
    ...(result.workerIdleMb !== undefined ? { reference: 'idle after start', referenceS: `${result.workerIdleMb.toFixed(0)} MB` } : {}),
    result: peak === undefined ? 'n/a' : peak <= WORKER_PEAK_TARGET_MB ? 'pass' : 'MISS',
    workerMb: peak === undefined ? '—' : peak.toFixed(0),
  });
  return out;
}

/** Fixed-width text table for the terminal. */
export function textTable(table: Row[]): string {
  const widths = COLUMNS.map(([k, h]) => Math.max(h.length, ...table.map((r) => r[k].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(COLUMNS.map(([, h]) => h)), line(widths.map((w) => '-'.repeat(w))), ...table.map((r) => line(COLUMNS.map(([k]) => r[k])))].join('\n');
}

function markdownTable(table: Row[]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [
    `| ${COLUMNS.map(([, h]) => h).join(' | ')} |`,
    `|${COLUMNS.map(() => '---').join('|')}|`,
    ...table.map((r) => `| ${COLUMNS.map(([k]) => esc(r[k])).join(' | ')} |`),
  ].join('\n');
}

/** Per-direction detail lines: phases, every sample, reference memory, errors. */
export function details(result: BenchResult): string[] {
  const lines: string[] = [];
  for (const d of result.directions) {
    lines.push(`${d.label}:`);
    if (d.error) lines.push(`  error: ${d.error}`);
    for (const s of [d.ferry, d.ferryChecksum, ...d.references, d.readOne, d.readBoth, d.diff, d.diffPlanted]) {
      const samples = s.seconds.map((x) => x.toFixed(2)).join(', ') || '—';
      const mem = s.peakMb.length ? `; peak ${Math.max(...s.peakMb).toFixed(0)} MB` : '';
      const wf = s.workflowSeconds?.length ? `; workflow ${s.workflowSeconds.map((x) => x.toFixed(2)).join(', ')} s` : '';
      const cpu = s.workerCpuSeconds?.length ? `; worker CPU ${s.workerCpuSeconds.map((x) => x.toFixed(2)).join(', ')} s` : '';
      lines.push(`  ${s.name}: ${s.skipped ? `skipped (${s.skipped})` : `${samples} s${wf}${cpu}${mem}`}`);
      for (const e of [...new Set(s.errors)]) lines.push(`    failed: ${e.replace(/\n/g, '\n      ')}`);
    }
    for (const p of d.diffFound?.problems ?? []) lines.push(`  diff with planted differences: ${p}`);
    if (d.warmUp) {
      const w = d.warmUp;
      lines.push(`  untimed warm-up (first runs on this worker, not in the medians): migrate ${w.migrate?.toFixed(2) ?? 'failed'} s, diff ${w.diff?.toFixed(2) ?? 'failed'} s`);
    }
    if (d.phases.none) lines.push(`  ferry --verify none phases: ${describePhases(d.phases.none)}`);
    if (d.phases.checksum) lines.push(`  ferry --verify checksum phases: ${describePhases(d.phases.checksum)}`);
  }
  return lines;
}

/** Writes bench-results/<stamp>.md and .json and returns their paths. */
export function writeResults(dir: string, stamp: string, result: BenchResult): { md: string; json: string } {
  mkdirSync(dir, { recursive: true });
  const json = join(dir, `${stamp}.json`);
  const md = join(dir, `${stamp}.md`);
  writeFileSync(json, `${JSON.stringify({ ...result, table: rows(result) }, null, 2)}\n`);
  const body = [
    `# ferry benchmark ${result.startedAt}`,
    '',
    `${result.rows.toLocaleString('en-US')} rows of \`orders\` (${result.dataset}), ${result.rounds} round(s), runs alternating ferry and reference; medians in seconds, wall clock from spawn to exit.`,
    '',
    markdownTable(rows(result)),
    '',
    '## Machine and tools',
    '',
    ...Object.entries({ ...result.machine, ...result.tools }).map(([k, v]) => `- ${k}: ${v}`),
    '',
    '## Details',
    '',
    '```',
    ...details(result),
    '```',
    ...(result.notes.length ? ['', '## Notes', '', ...result.notes.map((n) => `- ${n}`)] : []),
    '',
  ];
  writeFileSync(md, body.join('\n'));
  return { md, json };
}
