/**
 * Compares one key range of source and target without moving rows through Temporal: counts and
 * checksums in SQL on both sides. json and float columns (which engines may print differently) are
 * first hashed in SQL as stored text, when a probe of the range's first rows finds that text alike;
 * otherwise, or when that hash differs, they are read from both sides in key order and compared line
 * by line in the worker, canonicalising only the lines whose text differs.
 */
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { Context } from '@temporalio/activity';
import type { RangeCompare } from '../core/bisect.js';
import { sameTransferValue } from '../core/canonical.js';
import type { Column } from '../core/column-model.js';
import { needsWorkerCanonical } from '../core/column-model.js';
import { describeRange, type KeyRange } from '../core/key-range.js';
import { decodeRow } from '../core/transfer-text.js';
import type { Dialect, RangeRequest } from '../dialects/dialect.js';
import type { TableMappingFields } from '../core/report.js';
import { printsAlike } from '../dialects/index.js';
import type { ActivityDeps } from './deps.js';
import { dialectFor } from './deps.js';
import { withFailures } from './failures.js';
import { comparedColumns, sourceFor } from './source-side.js';
import { compareTransformed } from './compare-transformed.js';
import { declaredAlike, targetComparedOf, targetKeyOf } from './target-side.js';
import { digestsMatch } from './range-digest.js';

/** A key range of one table on both sides (with the job's reshaping of the source, if any). */
export interface TableRange extends TableMappingFields {
  source: string;
  target: string;
  table: string;
  targetTable: string;
  columns: Column[];
  key: Column[];
  range: KeyRange;
  /** The target's own columns where they are declared otherwise (see `TablePlan.targetColumns`). */
  targetColumns?: Column[];
}

/** Input of {@link compareRange}. */
export interface CompareRangeInput extends TableRange {
  /**
   * The compare starts a bisection, whose leaves compare rows canonically: a json/float text hash
   * that differs is then reported as a difference at once instead of settled by a second, canonical
   * pass over the whole range (verify, which has no leaves, always settles it).
   */
  bisecting?: boolean;
  /** Known from the range this one was cut from (see `RangeCompare.rawAlike`): no probe is run. */
  rawAlike?: boolean;
}

/** Counts and compares one range (see the module comment). */
export async function compareRange(deps: ActivityDeps, input: CompareRangeInput): Promise<RangeCompare> {
  return withFailures(`comparing ${input.table} keys ${describeRange(input.range)}`, () => compareRangeIn(deps, input));
}

/**
 * What each side's SQL is built from: the compared columns (in the same order on both sides, each
 * side's own types) and key, and which columns only the worker can compare.
 */
interface Sides {
  source: { table: string; columns: Column[]; key: Column[] };
  target: { table: string; columns: Column[]; key: Column[] };
  /** Indexes of compared columns of a kind the worker canonicalises on either side (json, float, array). */
  worker: number[];
}

function sidesOf(input: TableRange): Sides {
  const columns = comparedColumns(input);
  const theirs = targetComparedOf(input);
  const worker = columns.flatMap((c, i) => (needsWorkerCanonical(c.type) || needsWorkerCanonical(theirs[i]!.type) ? [i] : []));
  return { source: { table: input.table, columns, key: input.key }, target: { table: input.targetTable, columns: theirs, key: targetKeyOf(input) }, worker };
}

/**
 * A side's checksum request. Without `wholeRow` the worker's columns are left out on both sides by
 * the same list, also where only one side's type is one the worker canonicalises.
 */
function sideRequest(s: Sides, which: 'source' | 'target', range: KeyRange, wholeRow: boolean): RangeRequest {
  const side = s[which];
  const columns = wholeRow || s.worker.length === 0 ? side.columns : side.columns.filter((_, i) => !s.worker.includes(i));
  return { table: side.table, columns, key: side.key, range, wholeRow };
}

/** {@link compareRange} without the failure mapping, for activities that compare several ranges. */
export async function compareRangeIn(deps: ActivityDeps, input: CompareRangeInput): Promise<RangeCompare> {
  const source = sourceFor(deps, input);
  const target = dialectFor(deps, input.target);
  // What a JS transform makes of the source exists only in the worker, so those rows are compared there.
  if (input.transform) return compareTransformed(source, target, input);
  // Same engine and declared types: json and floats print alike, so the whole row is hashed in SQL and nothing is read.
  const same = await sameEngineForm(source, target, input);
  const alike = same !== null;
  const sides = sidesOf(input);
  const req = (which: 'source' | 'target', wholeRow: boolean) => ({ ...sideRequest(sides, which, input.range, wholeRow), ...(same?.peerHash ? { peerHash: same.peerHash } : {}) });
  const checksums = (wholeRow: boolean) => Promise.all([source.checksumRange(req('source', wholeRow)), target.checksumRange(req('target', wholeRow))]);
  const worker = alike ? [] : sides.worker;
  const rawAlike = worker.length > 0 ? (input.rawAlike ?? (await rawTextAlike(source, target, input, sides))) : undefined;
  const flag = rawAlike !== undefined ? { rawAlike } : {};
  // Equal digests settle a range without a hash per row (see range-digest.ts). A same-engine peer hash
  // is cheaper still, and json/float text stored unalike is compared in the worker in any case.
  if (!same?.peerHash && (worker.length === 0 || rawAlike)) {
    const digested = await digestsMatch(source, target, {
      table: input.table,
      targetTable: input.targetTable,
      columns: sides.source.columns,
      key: input.key,
      targetColumns: sides.target.columns,
      targetKey: sides.target.key,
      range: input.range,
      wholeRow: alike || rawAlike === true,
      asPrinted: alike,
      viewed: input.view !== undefined,
    });
    if (digested) return { range: input.range, sourceRows: digested.rows, targetRows: digested.rows, match: true, ...flag };
  }
  if (rawAlike) {
    // Equal text is an equal value: when the json/float text hashes equal too, nothing is read.
    const [s, t] = await checksums(true);
    const match = s.rows === t.rows && s.sum === t.sum;
    if (match || input.bisecting) return { range: input.range, sourceRows: s.rows, targetRows: t.rows, match, ...flag };
  }
  const [s, t] = await checksums(alike);
  let match = s.rows === t.rows && s.sum === t.sum;
  // Equal SQL checksums mean equal keys in equal order, so line i is the same row on both sides.
  if (match && worker.length > 0 && s.rows > 0) {
    match = await sameValues(source, target, sides, input.range);
  }
  return { range: input.range, sourceRows: s.rows, targetRows: t.rows, match, ...flag };
}

/**
 * How to checksum ranges of this table in SQL alone, or null when rows must be read to tell (a JS
 * transform, or json/float columns across engines whose stored text is not alike). `wholeRow` hashes
 * json/float as stored text (equal hashes then mean equal values; unequal ones are left to the
 * row-by-row comparison of the leaves). `columns` and `targetColumns` are what each side hashes.
 */
export async function sqlOnlyChecksum(
  deps: ActivityDeps,
  input: CompareRangeInput,
): Promise<{ wholeRow: boolean; peerHash?: string; columns: Column[]; targetColumns: Column[] } | null> {
  if (input.transform) return null;
  const sides = sidesOf(input);
  const hashed = (wholeRow: boolean) => ({
    columns: sideRequest(sides, 'source', input.range, wholeRow).columns,
    targetColumns: sideRequest(sides, 'target', input.range, wholeRow).columns,
  });
  const same = await sameEngineForm(sourceFor(deps, input), dialectFor(deps, input.target), input);
  if (same) return { ...same, ...hashed(true) };
  if (sides.worker.length === 0) return { wholeRow: false, ...hashed(false) };
  return input.rawAlike ? { wholeRow: true, ...hashed(true) } : null;
}

/**
 * For two databases of one engine whose compared columns are declared alike: hash whole rows, with the
 * first peer hash the source prefers that the target offers too (see `RangeRequest.peerHash`). Null
 * across engines, and for a target declared otherwise (equal values may then hash differently: a uuid
 * and its text, a timestamp and a timestamptz), which is compared in canonical text instead.
 */
async function sameEngineForm(source: Dialect, target: Dialect, input: TableRange): Promise<{ wholeRow: true; peerHash?: string } | null> {
  if (!printsAlike(source, target) || !declaredAlike(input)) return null;
  const [mine, theirs] = await Promise.all([source.peerHashes(), target.peerHashes()]);
  const peerHash = mine.find((h) => theirs.includes(h));
  return peerHash ? { wholeRow: true, peerHash } : { wholeRow: true };
}

/** Rows a probe window hashes before a whole range is hashed with json/float text as stored. */
const PROBE_ROWS = 1000;
/** Windows tried when a window's rows differ in more than their json/float text. */
const PROBE_WINDOWS = 3;

/**
 * Whether json/float columns of this range are likely stored as the same text on both sides, judged
 * from its first rows: true after ferry copied PostgreSQL json into MySQL (MySQL keeps the text it
 * was given); false when one side reformats (MySQL JSON whitespace or key order into jsonb), so such
 * ranges go straight to the worker comparison instead of paying for a hash that cannot match. A
 * window whose other columns differ too (rows missing, extra or changed) says nothing about
 * formatting, so the next window is tried; when none decides, the stored text is hashed.
 */
async function rawTextAlike(source: Dialect, target: Dialect, input: TableRange, sides: Sides): Promise<boolean> {
  let lo = input.range.lo;
  try {
    for (let i = 0; i < PROBE_WINDOWS; i++) {
      const end = await source.chunkEnd(input.table, input.key, { lo, hi: input.range.hi }, PROBE_ROWS);
      // The rest holds no more than a window: hashing all of it is as cheap as probing it.
      if (end === null) return true;
      const window = { lo, hi: end };
      const sums = (wholeRow: boolean) =>
        Promise.all([source.checksumRange(sideRequest(sides, 'source', window, wholeRow)), target.checksumRange(sideRequest(sides, 'target', window, wholeRow))]);
      const [s, t] = await sums(true);
      if (s.rows === t.rows && s.sum === t.sum) return true;
      const [u, v] = await sums(false);
      if (u.rows === v.rows && u.sum === v.sum) return false;
      lo = end;
    }
    return true;
  } catch {
    // Only a shortcut: the comparison proper runs next and reports a real failure itself.
    return false;
  }
}

/** Whether the worker's columns hold the same values on both sides, line by line in key order. */
async function sameValues(source: Dialect, target: Dialect, sides: Sides, range: KeyRange): Promise<boolean> {
  const mine = sides.worker.map((i) => sides.source.columns[i]!);
  const theirs = sides.worker.map((i) => sides.target.columns[i]!);
  const [a, b] = await Promise.all([
    source.readRange({ table: sides.source.table, columns: mine, key: sides.source.key, range }),
    target.readRange({ table: sides.target.table, columns: theirs, key: sides.target.key, range }),
  ]);
  const left = new Lines(a);
  const right = new Lines(b);
  const ctx = Context.current();
  let n = 0;
  try {
    for (;;) {
      const x = left.take() ?? (await left.fill());
      const y = right.take() ?? (await right.fill());
      if (x === null || y === null) return x === y;
      if (x !== y && !sameCanonical(mine, theirs, x, y)) return false;
      if (++n % 50_000 === 0) ctx.heartbeat({ compared: n });
    }
  } finally {
    a.destroy();
    b.destroy();
  }
}

function sameCanonical(mine: Column[], theirs: Column[], x: string, y: string): boolean {
  const u = decodeRow(x);
  const v = decodeRow(y);
  return u.length === v.length && u.every((value, i) => sameTransferValue(mine[i]!.type, theirs[i]!.type, value, v[i] ?? null));
}

/** Lines of a transfer-text stream, taken synchronously while buffered. */
class Lines {
  private lines: string[] = [];
  private at = 0;
  private rest = '';
  private ended = false;
  private readonly decoder = new StringDecoder('utf8');
  private readonly chunks: AsyncIterator<Buffer>;
  constructor(stream: Readable) {
    this.chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }
  /** The next buffered line, or undefined when the buffer is empty (then call {@link fill}). */
  take(): string | undefined {
    return this.at < this.lines.length ? this.lines[this.at++] : undefined;
  }
  /** Reads until a line is available and returns it, or null at the end of the stream. */
  async fill(): Promise<string | null> {
    for (;;) {
      const line = this.take();
      if (line !== undefined) return line;
      if (this.ended) return null;
      const next = await this.chunks.next();
      let text: string;
      if (next.done) {
        this.ended = true;
        text = this.rest + this.decoder.end();
        this.rest = '';
        this.lines = text.length > 0 ? [text] : [];
      } else {
        text = this.rest + this.decoder.write(next.value);
        this.lines = text.split('\n');
        this.rest = this.lines.pop() ?? '';
      }
      this.at = 0;
    }
  }
}
