/**
 * Comparing a range of a table the job transforms in JavaScript: the source rows go through the same
 * transform as the copy did, and the result is compared row by row, in key order, with the target's
 * rows in checksum form. Columns the job marks unverified are left out on both sides.
 */
import type { Readable } from 'node:stream';
import { Context } from '@temporalio/activity';
import type { RangeCompare } from '../core/bisect.js';
import { sameTransferValue } from '../core/canonical.js';
import { RowDecoder } from '../core/transfer-text.js';
import type { Dialect } from '../dialects/dialect.js';
import type { TableRange } from './compare-range.js';
import { comparedColumns, shapedRows } from './source-side.js';
import { targetComparedOf, targetKeyOf } from './target-side.js';

type Values = (string | null)[];

/** Counts both sides of `input.range` and compares their rows (see the module comment). */
export async function compareTransformed(source: Dialect, target: Dialect, input: TableRange): Promise<RangeCompare> {
  const columns = comparedColumns(input);
  const at = columns.map((c) => input.columns.findIndex((x) => x.name === c.name));
  const a = await shapedRows(input, source, (d, cols) => d.readRange({ table: input.table, columns: cols, key: input.key, range: input.range }));
  const theirs = targetComparedOf(input);
  const b = await target.readRange({ table: input.targetTable, columns: theirs, key: targetKeyOf(input), range: input.range });
  const left = rowsOf(a);
  const right = rowsOf(b);
  const ctx = Context.current();
  let sourceRows = 0;
  let targetRows = 0;
  let match = true;
  try {
    for (;;) {
      const [x, y] = await Promise.all([left.next(), right.next()]);
      if (!x.done) sourceRows++;
      if (!y.done) targetRows++;
      if (x.done && y.done) break;
      if (match && (x.done || y.done || !sameRow(columns, theirs, at.map((i) => x.value[i] ?? null), y.value))) match = false;
      if ((sourceRows + targetRows) % 50_000 === 0) ctx.heartbeat({ compared: sourceRows });
    }
  } finally {
    a.destroy();
    b.destroy();
  }
  return { range: input.range, sourceRows, targetRows, match: match && sourceRows === targetRows };
}

function rowsOf(stream: Readable): AsyncIterator<Values> {
  const rows = stream.pipe(new RowDecoder());
  stream.on('error', (e) => rows.destroy(e));
  return (rows as AsyncIterable<Values>)[Symbol.asyncIterator]();
}

function sameRow(mine: TableRange['columns'], theirs: TableRange['columns'], x: Values, y: Values): boolean {
  for (let i = 0; i < mine.length; i++) {
    if (!sameTransferValue(mine[i]!.type, theirs[i]!.type, x[i] ?? null, y[i] ?? null)) return false;
  }
  return true;
}
