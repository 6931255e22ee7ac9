/**
 * A dialect that counts the row-counting cuts (`chunkEnd`) it is asked for, so a test can tell a range
 * cut by arithmetic from one cut by walking its index.
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
