/**
 * The source side of a reshaped table: its dialect reads through the table's view (renames,
 * computed columns, the row filter), and its rows pass through the job's row transform, so copy,
 * verify, diff, repair and sync all see the rows the target is meant to hold.
 */
import type { Readable } from 'node:stream';
import type { Column } from '../core/column-model.js';
import type { TableMappingFields } from '../core/report.js';
import type { Dialect } from '../dialects/dialect.js';
import { loadTransform } from '../transforms/load-transform.js';
import { RowTransformStream } from '../transforms/transform-stream.js';
import type { ActivityDeps } from './deps.js';
import { dialectFor } from './deps.js';

/** What names a table's source side. */
export interface SourceSide extends TableMappingFields {
  source: string;
  table: string;
}

/** The source dialect, reading `side.table` through its view when the job reshapes it. */
export function sourceFor(deps: ActivityDeps, side: SourceSide): Dialect {
  const d = dialectFor(deps, side.source);
  return side.view ? d.viewing({ [side.table]: side.view }) : d;
}

/** The columns read from the source: the transform's input when there is one, else the target's columns. */
export function sourceColumns(side: SourceSide & { columns: Column[] }): Column[] {
  return side.transform ? side.transform.input : side.columns;
}

/**
 * Source rows as transfer text in the target's columns: `read` is given the columns to read from the
 * (viewed) source, and its stream goes through the row transform when the job has one.
 */
export async function shapedRows(
  side: SourceSide & { columns: Column[]; key: Column[] },
  source: Dialect,
  read: (d: Dialect, columns: Column[]) => Promise<Readable>,
): Promise<Readable> {
  const t = side.transform;
  if (!t) return read(source, side.columns);
  const fn = await loadTransform(t.module, t.function);
  const raw = await read(source, t.input);
  const stage = new RowTransformStream({ fn, fnName: t.function, table: side.table, input: t.input, output: side.columns, key: side.key });
  raw.on('error', (e) => stage.destroy(e));
  // Destroying the shaped stream (on a failed write) releases the source's connection too.
  stage.on('close', () => raw.destroy());
  return raw.pipe(stage);
}

/** The columns verify and diff compare: the target's, less those the job marks unverified. */
export function comparedColumns(side: TableMappingFields & { columns: Column[] }): Column[] {
  const skip = new Set(side.unverified ?? []);
  return skip.size === 0 ? side.columns : side.columns.filter((c) => !skip.has(c.name));
}
