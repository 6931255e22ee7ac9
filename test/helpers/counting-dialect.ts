/**
 * Dialects that count what they are asked for: the row-counting cuts (`chunkEnd`), so a test can tell
 * a range cut by arithmetic from one cut by walking its index; or every read of rows, so a test can
 * tell that a side was not read at all.
 */
import type { Dialect } from '../../src/dialects/dialect.js';

/** `d`, with every other method passed through unchanged. */
export function countingCuts(d: Dialect): { dialect: Dialect; counted: () => number } {
  let n = 0;
  const dialect = new Proxy(d, {
    get(target, prop, receiver) {
      if (prop === 'chunkEnd') {
        return (...args: Parameters<Dialect['chunkEnd']>) => {
          n += 1;
          return target.chunkEnd(...args);
        };
      }
      const v: unknown = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { dialect, counted: () => n };
}

/** `d` itself, its reads of rows (range reads, digests, checksums, counts) counted from now on. */
export function countingReads(d: Dialect): { reads: () => number } {
  let n = 0;
  for (const name of ['readRange', 'digestRange', 'checksumRange', 'checksumParts', 'countRange'] as const) {
    const original = (d[name] as (...a: unknown[]) => unknown).bind(d);
    (d as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
      n += 1;
      return original(...args);
    };
  }
  return { reads: () => n };
}
