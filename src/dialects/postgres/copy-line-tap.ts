/**
 * Shows each row of a `COPY … TO STDOUT` text stream to a {@link RowTap} on its way through, as the
 * line of COPY text it is. The bytes pass on unchanged, in the buffers they came in.
 */
import { Transform, type TransformCallback } from 'node:stream';
import type { RowTap } from '../dialect.js';

const LF = 0x0a;

/** A pass-through stream that calls `tap.line` for every complete line. */
export class CopyLineTap extends Transform {
  /** The start of a line the previous buffer ended in the middle of. */
  private partial: Buffer | undefined;

  constructor(private readonly tap: RowTap) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    let start = 0;
    let nl = chunk.indexOf(LF);
    if (this.partial !== undefined && nl >= 0) {
      const line = Buffer.concat([this.partial, chunk.subarray(0, nl)]);
      this.partial = undefined;
      this.tap.line(line, 0, line.length);
      start = nl + 1;
      nl = chunk.indexOf(LF, start);
    }
    while (nl >= 0) {
      this.tap.line(chunk, start, nl);
      start = nl + 1;
      nl = chunk.indexOf(LF, start);
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      this.partial = this.partial === undefined ? Buffer.from(rest) : Buffer.concat([this.partial, rest]);
    }
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    // COPY ends every row with a newline: a rest here is a row cut off, which the load rejects too.
    done(this.partial === undefined ? null : new Error('COPY text ended inside a row'));
  }
}
