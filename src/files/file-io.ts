/**
 * Small file helpers for export directories: JSON read and atomic write, and the sha256 of a file.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { Transform, type TransformCallback } from 'node:stream';

/** Parsed JSON of a file, or undefined when it does not exist. Other read or parse errors throw. */
export async function readJsonIfExists(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  return JSON.parse(text);
}

/** A temporary name next to `path`, unique per process and call, so two attempts never share one. */
export function tempPath(path: string): string {
  return `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
}

/** Writes `data` to a temporary file, syncs it to disk and renames it over `path`: readers see all or nothing. */
export async function writeFileAtomic(path: string, data: string): Promise<void> {
  const tmp = tempPath(path);
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
}

/** Flushes a written file to disk (before it is renamed into place). */
export async function syncFile(path: string): Promise<void> {
  const fh = await open(path, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Removes a file if it exists. */
export async function removeIfExists(path: string): Promise<void> {
  await rm(path, { force: true });
}

/** sha256 (hex) and size of a file's bytes, or undefined when it does not exist. */
export async function hashFile(path: string): Promise<{ sha256: string; bytes: number } | undefined> {
  const tap = new HashTap();
  try {
    for await (const chunk of createReadStream(path).pipe(tap)) void chunk;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  return { sha256: tap.digest(), bytes: tap.bytes };
}

/** Passes bytes through unchanged while hashing them (sha256) and counting them. */
export class HashTap extends Transform {
  bytes = 0;
  private readonly hash = createHash('sha256');
  private hex: string | undefined;
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    this.hash.update(chunk);
    done(null, chunk);
  }
  /** The sha256 of everything that passed (call once the input has ended). */
  digest(): string {
    this.hex ??= this.hash.digest('hex');
    return this.hex;
  }
}
