/**
 * CSV per RFC 4180 for chunk files: fields separated by `,`, records ended by CRLF, a field quoted with
 * `"` when it holds `,` `"` CR or LF (a quote inside doubled). NULL and the empty string stay apart the
 * way PostgreSQL's CSV mode keeps them: NULL is an unquoted empty field, '' is `""`. Values are in
 * transfer form (see dialects/dialect.ts), so binary is `\x` + hex. Pure, so it is unit-tested alone.
 */

const NEEDS_QUOTES = /[",\r\n]/;

/** One value as a CSV field. */
export function encodeCsvField(value: string | null): string {
  if (value === null) return '';
  if (value === '') return '""';
  return NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** One record, including its CRLF. */
export function encodeCsvRow(values: readonly (string | null)[]): string {
  let line = '';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) line += ',';
    line += encodeCsvField(values[i] ?? null);
  }
  return line + '\r\n';
}

/** Thrown by {@link CsvParser} for text that is not RFC 4180 CSV; `record` is 1-based (the header is record 1). */
export class CsvSyntaxError extends Error {
  constructor(
    readonly record: number,
    message: string,
  ) {
    super(`record ${record}: ${message}`);
  }
}

const START = 0; // at the start of a field
const BARE = 1; // inside an unquoted field
const QUOTED = 2; // inside a quoted field
const QUOTE = 3; // a quote inside a quoted field: the end of the field, or the first of a doubled pair
const CR = 4; // after a CR that ends a record

/**
 * A streaming CSV parser: feed text in pieces of any size (a quoted field may span pieces and lines)
 * and receive whole records, unquoted empty fields as null.
 */
export class CsvParser {
  private state = START;
  private field = '';
  private quoted = false;
  private row: (string | null)[] = [];
  private records = 0;
  /** True when nothing of the current record has been read (so the end of input ends cleanly). */
  private fresh = true;

  /** Parses `text`, calling `emit` for every record it completes. */
  push(text: string, emit: (row: (string | null)[]) => void): void {
    const n = text.length;
    let i = 0;
    while (i < n) {
      const c = text.charCodeAt(i);
      this.fresh = false;
      switch (this.state) {
        case START:
          if (c === 0x22) {
            this.state = QUOTED;
            this.quoted = true;
            i++;
            continue;
          }
          this.state = BARE;
          continue; // read it as part of a bare field
        case BARE: {
          // Copy the run of ordinary characters in one slice.
          let j = i;
          while (j < n) {
            const d = text.charCodeAt(j);
            if (d === 0x2c || d === 0x0d || d === 0x0a || d === 0x22) break;
            j++;
          }
          if (j > i) this.field += text.slice(i, j);
          i = j;
          if (i >= n) continue;
          const d = text.charCodeAt(i++);
          if (d === 0x22) throw new CsvSyntaxError(this.records + 1, 'a quote (") inside an unquoted field');
          this.endOfField(d, emit);
          continue;
        }
        case QUOTED: {
          const j = text.indexOf('"', i);
          if (j < 0) {
            this.field += text.slice(i);
            i = n;
            continue;
          }
          this.field += text.slice(i, j);
          i = j + 1;
          this.state = QUOTE;
          continue;
        }
        case QUOTE:
          i++;
          if (c === 0x22) {
            this.field += '"';
            this.state = QUOTED;
            continue;
          }
          if (c !== 0x2c && c !== 0x0d && c !== 0x0a) throw new CsvSyntaxError(this.records + 1, 'a character after the closing quote of a field');
          this.endOfField(c, emit);
          continue;
        case CR:
          i++;
          if (c !== 0x0a) throw new CsvSyntaxError(this.records + 1, 'a CR not followed by LF outside quotes');
          this.endRecord(emit);
          continue;
      }
    }
  }

  /** Ends the input: a last record without its line break is still emitted; an open quote is an error. */
  end(emit: (row: (string | null)[]) => void): void {
    if (this.state === QUOTED) throw new CsvSyntaxError(this.records + 1, 'the file ends inside a quoted field');
    if (this.state === CR) throw new CsvSyntaxError(this.records + 1, 'the file ends after a CR without LF');
    if (this.fresh) return;
    this.endRecord(emit);
  }

  /** Records emitted so far. */
  get count(): number {
    return this.records;
  }

  private endOfField(c: number, emit: (row: (string | null)[]) => void): void {
    if (c === 0x2c) {
      this.takeField();
      this.state = START;
    } else if (c === 0x0d) {
      this.state = CR;
    } else {
      this.endRecord(emit);
    }
  }

  private takeField(): void {
    this.row.push(this.quoted || this.field !== '' ? this.field : null);
    this.field = '';
    this.quoted = false;
  }

  private endRecord(emit: (row: (string | null)[]) => void): void {
    this.takeField();
    const row = this.row;
    this.row = [];
    this.state = START;
    this.fresh = true;
    this.records++;
    emit(row);
  }
}
