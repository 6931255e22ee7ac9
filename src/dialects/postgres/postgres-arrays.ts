/**
 * Arrays and sets arrive as transfer text (a JSON array; a comma list) that COPY cannot read into an
 * array column, so the write path rewrites those fields into PostgreSQL array literals in the worker.
 * Only tables with such columns pay for the row decoding.
 */
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import type { Column } from '../../core/column-model.js';
import { decodeRow, encodeRow } from '../../core/transfer-text.js';

function quoteElement(s: string): string {
  return '"' + s.replace(/[\\"]/g, (c) => '\\' + c) + '"';
}

/**
 * A JSON array (as `array_to_json` writes it) as a PostgreSQL array literal: nested arrays become
 * nested braces, strings and objects quoted elements, numbers keep their digits, `null` is NULL.
 */
export function jsonToPgArray(json: string): string {
  let i = 0;
  let out = '';
  const ws = () => {
    while (i < json.length && /\s/.test(json[i]!)) i++;
  };
  const stringToken = (): string => {
    const start = i++;
    while (json[i] !== '"') i += json[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(json.slice(start, i)) as string;
  };
  // An object or array element of a json[] column: its text, balanced, strings skipped.
  const rawValue = (): string => {
    const start = i;
    let depth = 0;
    do {
      const c = json[i]!;
      if (c === '"') {
        stringToken();
        continue;
      }
      if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') depth--;
      i++;
    } while (depth > 0 && i < json.length);
    return json.slice(start, i);
  };
  const array = () => {
    i++; // '['
    out += '{';
    ws();
    let first = true;
    while (json[i] !== ']') {
      if (!first) out += ',';
      first = false;
      ws();
      const c = json[i];
      if (c === '[') array();
      else if (c === '"') out += quoteElement(stringToken());
      else if (c === '{') out += quoteElement(rawValue());
      else {
        const m = /^[^,\]\s]+/.exec(json.slice(i, i + 400))!;
        i += m[0].length;
        out += m[0] === 'null' ? 'NULL' : m[0];
      }
      ws();
      if (json[i] === ',') i++;
      ws();
    }
    i++;
    out += '}';
  };
  ws();
  if (json[i] !== '[') throw new Error(`expected a JSON array, got ${json.slice(0, 40)}`);
  array();
  return out;
}

/** A set's transfer text (`a,b`; `` for none) as a text[] literal. */
export function setToPgArray(text: string): string {
  return text === '' ? '{}' : '{' + text.split(',').map(quoteElement).join(',') + '}';
}

/** True when writing these columns needs {@link ArrayFieldRewriter}. */
export function needsArrayRewrite(columns: Column[]): boolean {
  return columns.some((c) => c.type.kind === 'array' || c.type.kind === 'set');
}

/** Rewrites array and set fields of transfer text into array literals; other fields pass unchanged. */
export class ArrayFieldRewriter extends Transform {
  private rest = '';
  private readonly decoder = new TextDecoder('utf-8');
  private readonly convert: (((v: string) => string) | null)[];

  constructor(columns: Column[]) {
    super();
    this.convert = columns.map((c) => (c.type.kind === 'array' ? jsonToPgArray : c.type.kind === 'set' ? setToPgArray : null));
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    const lines = (this.rest + this.decoder.decode(chunk, { stream: true })).split('\n');
    this.rest = lines.pop() ?? '';
    try {
      done(null, lines.length > 0 ? Buffer.from(lines.map((l) => this.line(l)).join(''), 'utf8') : undefined);
    } catch (e) {
      done(e as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    const tail = this.rest + this.decoder.decode();
    try {
      done(null, tail.length > 0 ? Buffer.from(this.line(tail), 'utf8') : undefined);
    } catch (e) {
      done(e as Error);
    }
  }

  private line(l: string): string {
    const values = decodeRow(l);
    return encodeRow(values.map((v, i) => (v === null ? null : (this.convert[i]?.(v) ?? v))));
  }
}

/** `data` with array and set fields rewritten when `columns` has any, else `data` itself. */
export function pgWriteInput(columns: Column[], data: Readable): Readable {
  if (!needsArrayRewrite(columns)) return data;
  const out = new ArrayFieldRewriter(columns);
  data.on('error', (e) => out.destroy(e));
  // Input can fail before the COPY starts reading `out` (a missing chunk file fails at once); the
  // failure is kept in `out.errored`, which the COPY checks, so it must not also go unhandled here.
  out.on('error', () => undefined);
  return data.pipe(out);
}
