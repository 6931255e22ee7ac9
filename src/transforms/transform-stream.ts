/**
 * The row-transform stage of a copy: transfer text in (the source view's columns), transfer text out
 * (the target's columns). Rows are handled in the batches the source stream delivers; a batch whose
 * transform returns promises is awaited as a whole, keeping row order.
 */
import { Transform, type TransformCallback } from 'node:stream';
import type { Column } from '../core/column-model.js';
import { decodeRow, encodeRow } from '../core/transfer-text.js';
import { TransformFailedError } from '../errors.js';
import type { RowTransform, TransformRow } from './load-transform.js';

/** What a {@link RowTransformStream} needs to know. */
export interface TransformStage {
  fn: RowTransform;
  /** Name of the function, for messages. */
  fnName: string;
  table: string;
  /** Columns of each incoming row, in order. */
  input: Column[];
  /** Columns of each outgoing row, in order. */
  output: Column[];
  key: Column[];
}

/** Applies a row transform to a transfer-text stream (see the module comment). */
export class RowTransformStream extends Transform {
  private rest = '';
  private readonly decoder = new TextDecoder('utf-8');
  private readonly inNames: string[];
  private readonly outNames: string[];
  private readonly keyAt: number[];
  /** Rows that came in and went out (a transform may leave rows out). */
  rowsIn = 0;
  rowsOut = 0;

  constructor(private readonly stage: TransformStage) {
    super();
    this.inNames = stage.input.map((c) => c.name);
    this.outNames = stage.output.map((c) => c.name);
    this.keyAt = stage.key.map((k) => this.inNames.indexOf(k.name));
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    const text = this.rest + this.decoder.decode(chunk, { stream: true });
    const lines = text.split('\n');
    this.rest = lines.pop() ?? '';
    this.batch(lines, done);
  }

  override _flush(done: TransformCallback): void {
    const tail = this.rest + this.decoder.decode();
    this.batch(tail.length > 0 ? [tail] : [], done);
  }

  private batch(lines: string[], done: TransformCallback): void {
    const rows: (string | null)[][] = [];
    const results: ReturnType<RowTransform>[] = [];
    let pending = false;
    try {
      for (const line of lines) {
        const values = decodeRow(line);
        const row: TransformRow = {};
        for (let i = 0; i < this.inNames.length; i++) row[this.inNames[i]!] = values[i] ?? null;
        rows.push(values);
        const r = this.call(row, values);
        if (r instanceof Promise) pending = true;
        results.push(r);
      }
    } catch (e) {
      done(e as Error);
      return;
    }
    const finish = (outs: (TransformRow | null | undefined)[]) => {
      let text = '';
      for (let i = 0; i < outs.length; i++) {
        const out = outs[i];
        if (out === null || out === undefined) continue;
        text += encodeRow(this.outputValues(out, rows[i]!));
        this.rowsOut++;
      }
      this.rowsIn += outs.length;
      if (text.length > 0) this.push(Buffer.from(text, 'utf8'));
    };
    if (!pending) {
      try {
        finish(results as (TransformRow | null | undefined)[]);
        done();
      } catch (e) {
        done(e as Error);
      }
      return;
    }
    Promise.all(results.map((r, i) => Promise.resolve(r).catch((e: unknown) => this.fail(rows[i]!, reason(e)))))
      .then((outs) => {
        finish(outs);
        done();
      })
      .catch((e: unknown) => done(e as Error));
  }

  private call(row: TransformRow, values: (string | null)[]): ReturnType<RowTransform> {
    try {
      return this.stage.fn(row, { table: this.stage.table });
    } catch (e) {
      return this.fail(values, reason(e));
    }
  }

  /** The output row's values in target column order, checked. */
  private outputValues(out: TransformRow, values: (string | null)[]): (string | null)[] {
    if (typeof out !== 'object' || Array.isArray(out)) this.fail(values, `returned ${Array.isArray(out) ? 'an array' : typeof out}; return an object of column values, or null to leave the row out`);
    const result = this.outNames.map((name) => {
      const v = (out as Record<string, unknown>)[name];
      if (v === undefined) this.fail(values, `returned no value for column "${name}" (return null for NULL)`);
      return toTransfer(v, () => this.fail(values, `returned a ${typeof v} for column "${name}"; return a string, number, boolean, object (as JSON) or null`));
    });
    for (let i = 0; i < this.stage.key.length; i++) {
      const name = this.stage.key[i]!.name;
      const before = values[this.keyAt[i]!] ?? null;
      const after = result[this.outNames.indexOf(name)] ?? null;
      if (before !== after) this.fail(values, `changed key column "${name}" from ${String(before)} to ${String(after)}; a transform must keep key values (rows are copied and compared by key ranges)`);
    }
    return result;
  }

  private fail(values: (string | null)[], why: string): never {
    throw new TransformFailedError(this.stage.table, this.stage.fnName, this.keyAt.map((i) => values[i] ?? null), why);
  }
}

function reason(e: unknown): string {
  if (e instanceof TransformFailedError) throw e;
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/** A value a transform returned, in transfer form. */
function toTransfer(v: unknown, bad: () => never): string | null {
  if (v === null) return null;
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
    case 'bigint':
      return String(v);
    case 'boolean':
      return v ? '1' : '0';
    case 'object':
      return JSON.stringify(v);
    default:
      return bad();
  }
}
