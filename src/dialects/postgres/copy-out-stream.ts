/**
 * `COPY … TO STDOUT` as a Readable of the rows' bytes, for pg's `client.query(submittable)`.
 *
 * It does what pg-copy-streams' `to()` does (take the connection's socket from pg while the COPY
 * runs, hand it back at CopyDone or an ErrorResponse) but strips the protocol framing in place: each
 * buffer read from the socket has its CopyData headers squeezed out with `copyWithin` and is pushed
 * as one slice. pg-copy-streams allocates a slice per row and concatenates them per read; at 1M rows
 * that was half of the worker's CPU in a PostgreSQL→PostgreSQL copy, most of it garbage collection.
 */
import { Readable } from 'node:stream';
import type { Duplex } from 'node:stream';

/** Backend message types the reader acts on (PostgreSQL protocol, "Message Formats"). */
const COPY_DATA = 0x64; // 'd'
const COPY_DONE = 0x63; // 'c'
const ERROR_RESPONSE = 0x45; // 'E'
/** Messages the server may send between CopyOutResponse and CopyDone; they carry no rows. */
const INTERSPERSED = new Set([0x48 /* H CopyOutResponse */, 0x53 /* S ParameterStatus */, 0x4e /* N Notice */, 0x41 /* A Notification */]);
const HEADER = 5;

/** The part of pg's Connection this stream uses. */
interface PgConnection {
  stream: Duplex;
  query(text: string): void;
}

type DataHandler = (chunk: Buffer) => void;

/** A `COPY … TO STDOUT` query whose rows arrive as a byte stream; `rowCount` is set when it ends. */
export class CopyOutStream extends Readable {
  /** Rows the server reported in CommandComplete. */
  rowCount = 0;
  private connection: PgConnection | undefined;
  private pgHandler: DataHandler | undefined;
  /** Bytes of a header split between two socket reads (fewer than {@link HEADER}). */
  private carry: Buffer | undefined;
  /** Bytes of the current message still to come: row bytes when `inData`, otherwise skipped. */
  private remaining = 0;
  private inData = false;
  private wanted = false;
  private forwarding = false;
  private finished = false;
  private readonly onReadable = () => this.forward();

  constructor(private readonly text: string) {
    super();
  }

  /** Called by pg when the query reaches the connection. */
  submit(connection: PgConnection): void {
    this.connection = connection;
    const socket = connection.stream;
    const handlers = socket.listeners('data') as DataHandler[];
    if (handlers.length !== 1) throw new Error(`COPY TO STDOUT expects pg's one socket reader, found ${handlers.length}`);
    this.pgHandler = handlers[0]!;
    socket.removeListener('data', this.pgHandler);
    socket.pause();
    socket.on('readable', this.onReadable);
    connection.query(this.text);
  }

  override _read(): void {
    this.wanted = true;
    this.forward();
  }

  /** Reads the socket while the consumer wants more (the socket stays paused otherwise: backpressure). */
  private forward(): void {
    if (this.forwarding || !this.wanted || !this.connection || this.finished) return;
    this.forwarding = true;
    const socket = this.connection.stream;
    let chunk: Buffer | null;
    while (this.wanted && !this.finished && (chunk = socket.read() as Buffer | null) !== null) this.parse(chunk);
    this.forwarding = false;
  }

  private parse(input: Buffer): void {
    const buf = this.carry ? Buffer.concat([this.carry, input]) : input;
    this.carry = undefined;
    const n = buf.length;
    let r = 0; // next byte to read
    let w = 0; // end of the row bytes kept so far, at the front of buf
    while (r < n) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, n - r);
        if (this.inData) {
          if (w !== r) buf.copyWithin(w, r, r + take);
          w += take;
        }
        r += take;
        this.remaining -= take;
        continue;
      }
      if (n - r < HEADER) {
        this.carry = Buffer.from(buf.subarray(r));
        break;
      }
      const code = buf[r]!;
      if (code === ERROR_RESPONSE) {
        // pg reads the error and fails the query through handleError.
        this.handBack(buf.subarray(r));
        return;
      }
      const length = buf.readUInt32BE(r + 1) - 4;
      r += HEADER;
      if (code === COPY_DATA) {
        this.inData = true;
        this.remaining = length;
      } else if (INTERSPERSED.has(code)) {
        this.inData = false;
        this.remaining = length;
      } else {
        // CopyDone (or anything that ends the COPY): the rest belongs to pg (CommandComplete, ReadyForQuery).
        if (code !== COPY_DONE) r -= HEADER;
        if (w > 0) this.push(buf.subarray(0, w));
        this.handBack(buf.subarray(r));
        this.push(null);
        return;
      }
    }
    if (w > 0 && !this.push(buf.subarray(0, w))) this.wanted = false;
  }

  /** Gives the socket back to pg with the bytes it has not seen. */
  private handBack(rest: Buffer): void {
    this.finished = true;
    const socket = this.connection!.stream;
    socket.removeListener('readable', this.onReadable);
    socket.on('data', this.pgHandler!);
    if (rest.length > 0) this.pgHandler!(rest);
    // The handler may pause the socket again while it works; resume once it has returned.
    process.nextTick(() => socket.resume());
  }

  /** pg: the server refused or aborted the COPY. */
  handleError(err: Error): void {
    this.destroy(err);
  }

  /** pg: `COPY n`. */
  handleCommandComplete(msg: { text?: string } | undefined): void {
    const match = /COPY (\d+)/.exec(msg?.text ?? '');
    if (match) this.rowCount = Number(match[1]);
  }

  /** pg: the connection is free again. */
  handleReadyForQuery(): void {}
}
