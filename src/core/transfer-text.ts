/**
 * Encoding and decoding of transfer text (PostgreSQL COPY text format; see dialects/dialect.ts).
 * Pure functions so they are unit-tested without a database.
 */
import { Transform, type TransformCallback } from 'node:stream';

const NEEDS_ESCAPE = /[\\\t\n\r]/;
const ESCAPE_ALL = /[\\\t\n\r]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** One value in transfer text: `\N` for null, otherwise escaped. */
export function encodeField(value: string | null): string {
  if (value === null) return '\\N';
  return NEEDS_ESCAPE.test(value) ? value.replace(ESCAPE_ALL, (c) => ESCAPES[c]!) : value;
}

/** One row in transfer text, including the trailing LF. */
export function encodeRow(values: readonly (string | null)[]): string {
  let line = '';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) line += '\t';
    line += encodeField(values[i] ?? null);
  }
  return line + '\n';
}

const UNESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' };

/** Decodes one line (without its LF) into values; `\N` becomes null. */
export function decodeRow(line: string): (string | null)[] {
  return line.split('\t').map(decodeField);
}

/** Decodes one field of transfer text. */
export function decodeField(field: string): string | null {
  if (field === '\\N') return null;
  if (!field.includes('\\')) return field;
  let out = '';
  for (let i = 0; i < field.length; i++) {
    const c = field[i]!;
    if (c !== '\\' || i + 1 >= field.length) {
      out += c;
      continue;
    }
    const n = field[++i]!;
    out += UNESCAPES[n] ?? n;
  }
  return out;
}

/** Splits a byte stream of transfer text into decoded rows (object mode). */
export class RowDecoder extends Transform {
  private rest = '';
  private readonly decoder = new TextDecoder('utf-8', { fatal: false });
  constructor() {
    super({ readableObjectMode: true });
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    const text = this.rest + this.decoder.decode(chunk, { stream: true });
    const lines = text.split('\n');
    this.rest = lines.pop() ?? '';
    for (const line of lines) this.push(decodeRow(line));
    done();
  }
  override _flush(done: TransformCallback): void {
    const tail = this.rest + this.decoder.decode();
    if (tail.length > 0) this.push(decodeRow(tail));
    done();
  }
}
