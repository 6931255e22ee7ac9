/**
 * Diff activities: cut a differing range into parts and compare each (see compare-range.ts), and compare one small range row by row, repairing it when
 * asked. Keys leave the worker only as capped samples; rows never do.
 */
import { Readable } from 'node:stream';
import { Context } from '@temporalio/activity';
import { cutRange, type RangeCompare } from '../core/bisect.js';
import type { DiffKeys, LeafResult, RepairOptions } from '../core/compare-report.js';
import type { Column } from '../core/column-model.js';
import { describeRange, type KeyRange, type KeyTuple } from '../core/key-range.js';
import { diffRowSets, keyIndexes, rowKey, type Row } from '../core/row-diff.js';
import { RowDecoder, encodeRow } from '../core/transfer-text.js';
import type { Dialect } from '../dialects/dialect.js';
import type { ActivityDeps } from './deps.js';
import { dialectFor } from './deps.js';
import { withFailures } from './failures.js';
import { compareRangeIn, sqlOnlyChecksum, type CompareRangeInput, type TableRange } from './compare-range.js';
import { comparedColumns, shapedRows, sourceFor } from './source-side.js';
import { targetColumnsOf, targetKeyOf } from './target-side.js';

/** Input of {@link compareParts}. */
export interface ComparePartsInput extends CompareRangeInput {
  /** Whose keys cut the range: the side holding more of its rows. */
  side: 'source' | 'target';
  rowsPerPart: number;
  parts: number;
}

/** Cuts `range` into up to `parts` parts by `side`'s keys and compares each part. */
export async function compareParts(deps: ActivityDeps, input: ComparePartsInput): Promise<RangeCompare[]> {
  const ctx = Context.current();
  return withFailures(`comparing ${input.table} keys ${describeRange(input.range)}`, async () => {
    const cutter = input.side === 'source' ? sourceFor(deps, input) : dialectFor(deps, input.target);
    const table = input.side === 'source' ? input.table : input.targetTable;
    const key = input.side === 'source' ? input.key : targetKeyOf(input);
    const ends: KeyTuple[] = [];
    let lo = input.range.lo;
    // Each cut starts where the previous one ended, so cutting reads the range's keys once.
    for (let i = 1; i < input.parts; i++) {
      const end = await cutter.chunkEnd(table, key, { lo, hi: input.range.hi }, input.rowsPerPart);
      if (end === null) break;
      ends.push(end);
      lo = end;
      ctx.heartbeat({ cut: i });
    }
    const ranges = cutRange(input.range, ends);
    const how = await sqlOnlyChecksum(deps, input);
    if (how && ranges.length > 1) {
      // Every part in one scan of each side instead of one query per part.
      const his = ranges.slice(0, -1).map((r) => r.hi!);
      const { columns, targetColumns, ...form } = how;
      const [s, t] = await Promise.all([
        sourceFor(deps, input).checksumParts({ table: input.table, columns, key: input.key, range: input.range, ...form }, his),
        dialectFor(deps, input.target).checksumParts({ table: input.targetTable, columns: targetColumns, key: targetKeyOf(input), range: input.range, ...form }, his),
      ]);
      const flag = input.rawAlike !== undefined ? { rawAlike: input.rawAlike } : {};
      return ranges.map((range, i) => ({ range, sourceRows: s[i]!.rows, targetRows: t[i]!.rows, match: s[i]!.rows === t[i]!.rows && s[i]!.sum === t[i]!.sum, ...flag }));
    }
    const out: RangeCompare[] = [];
    for (const range of ranges) {
      out.push(await compareRangeIn(deps, { ...input, range }));
      ctx.heartbeat({ compared: out.length });
    }
    return out;
  });
}

/** Input of {@link diffLeaf}. */
export interface DiffLeafInput extends TableRange {
  /** Counts from the compare that chose this leaf; a side with 0 rows is not read. */
  sourceRows: number;
  targetRows: number;
  /** Keys to return per kind (counts are always exact). */
  caps: { missing: number; extra: number; changed: number };
  repair?: RepairOptions;
  /** Rows per transaction when a one-sided range is copied. */
  chunkRows: number;
}

/** Compares one range row by row (or streams one side when the other is empty), repairing it when asked. */
export async function diffLeaf(deps: ActivityDeps, input: DiffLeafInput): Promise<LeafResult> {
  return withFailures(`diffing ${input.table} keys ${describeRange(input.range)}`, async () => {
    const source = sourceFor(deps, input);
    const target = dialectFor(deps, input.target);
    const fromSource = (columns: Column[], range: KeyRange) =>
      shapedRows({ ...input, columns }, source, (d, cols) => d.readRange({ table: input.table, columns: cols, key: input.key, range }));
    const write = input.repair !== undefined && !input.repair.dryRun;
    const result: LeafResult = { missing: 0, extra: 0, changed: 0, keys: { missing: [], extra: [], changed: [] }, repaired: { inserted: 0, updated: 0, deleted: 0 } };
    if (input.targetRows === 0 && input.sourceRows > 0) {
      // A transform may leave rows out, so its keys are read through it (with every column it writes).
      const keyStream = input.transform ? fromSource(input.columns, input.range) : source.readRange({ table: input.table, columns: input.key, key: input.key, range: input.range });
      result.missing = await sampleKeys(await keyStream, input.transform ? input.columns : input.key, input.key, result.keys.missing, input.caps.missing);
      if (write) result.repaired.inserted = await copyRange(source, target, input, fromSource);
      return result;
    }
    const targetKey = targetKeyOf(input);
    if (input.sourceRows === 0 && input.targetRows > 0) {
      const keys = await target.readRange({ table: input.targetTable, columns: targetKey, key: targetKey, range: input.range });
      result.extra = await sampleKeys(keys, targetKey, targetKey, result.keys.extra, input.caps.extra);
      if (write && input.repair?.deleteExtra) {
        // Every target row of the range is extra: an empty range write deletes them in one statement.
        result.repaired.deleted = result.extra;
        await target.writeRange({ table: input.targetTable, columns: input.columns, key: input.key, range: input.range }, Readable.from([]));
      }
      return result;
    }
    const [s, t] = await Promise.all([
      collectRows(fromSource(input.columns, input.range)),
      readRows(target, { table: input.targetTable, columns: targetColumnsOf(input), key: targetKey, range: input.range }),
    ]);
    const d = diffRowSets(input.columns, input.key, s, t, comparedColumns(input), targetColumnsOf(input));
    Object.assign(result, { missing: d.missing.length, extra: d.extra.length, changed: d.changed.length });
    result.keys = capKeys(d, input.caps);
    if (write) {
      if (d.upsert.length > 0) await target.upsertRows({ table: input.targetTable, columns: input.columns, key: input.key }, encodeRows(d.upsert));
      result.repaired.inserted = d.missing.length;
      result.repaired.updated = d.changed.length;
      if (input.repair?.deleteExtra && d.extra.length > 0) result.repaired.deleted = await target.deleteKeys(input.targetTable, input.key, d.extra);
    }
    return result;
  });
}

function capKeys(d: DiffKeys, caps: DiffLeafInput['caps']): DiffKeys {
  return { missing: d.missing.slice(0, caps.missing), extra: d.extra.slice(0, caps.extra), changed: d.changed.slice(0, caps.changed) };
}

/** Reads every row of a range as decoded transfer text, heartbeating as it goes. */
export async function readRows(d: Dialect, req: { table: string; columns: Column[]; key: Column[]; range: KeyRange }): Promise<Row[]> {
  return collectRows(d.readRange(req));
}

async function collectRows(opened: Promise<Readable>): Promise<Row[]> {
  const ctx = Context.current();
  const stream = await opened;
  const rows = stream.pipe(new RowDecoder());
  stream.on('error', (e) => rows.destroy(e));
  const out: Row[] = [];
  for await (const values of rows as AsyncIterable<Row>) {
    out.push(values);
    if (out.length % 10_000 === 0) ctx.heartbeat({ rows: out.length });
  }
  return out;
}

/** Counts the rows of a stream of `columns` and keeps the first `cap` keys in `into`. */
async function sampleKeys(stream: Readable, columns: Column[], key: Column[], into: KeyTuple[], cap: number): Promise<number> {
  const ctx = Context.current();
  const idx = keyIndexes(columns, key);
  const rows = stream.pipe(new RowDecoder());
  stream.on('error', (e) => rows.destroy(e));
  let n = 0;
  for await (const values of rows as AsyncIterable<Row>) {
    if (into.length < cap) into.push(rowKey(columns, idx, values));
    if (++n % 50_000 === 0) ctx.heartbeat({ keys: n });
  }
  return n;
}

/** Copies a range the target lacks entirely, chunk by chunk with the migration's write path. */
async function copyRange(source: Dialect, target: Dialect, input: DiffLeafInput, read: (columns: Column[], range: KeyRange) => Promise<Readable>): Promise<number> {
  const ctx = Context.current();
  let lo = input.range.lo;
  let copied = 0;
  for (;;) {
    const end = await source.chunkEnd(input.table, input.key, { lo, hi: input.range.hi }, input.chunkRows);
    const chunk = { lo, hi: end ?? input.range.hi };
    const data = await read(input.columns, chunk);
    copied += await target.writeRange({ table: input.targetTable, columns: input.columns, key: input.key, range: chunk }, data);
    ctx.heartbeat({ copied });
    if (end === null || (input.range.hi !== null && JSON.stringify(end) === JSON.stringify(input.range.hi))) return copied;
    lo = end;
  }
}

/** Rows as a transfer-text stream, in pieces so a large leaf is not one giant string. */
export function encodeRows(rows: Row[]): Readable {
  return Readable.from(
    (function* () {
      for (let i = 0; i < rows.length; i += 1000) yield Buffer.from(rows.slice(i, i + 1000).map(encodeRow).join(''), 'utf8');
    })(),
  );
}
