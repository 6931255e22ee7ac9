/**
 * Opens the dialect a URL names. The only place that maps an engine to its implementation.
 */
import { engineOf } from '../job/connection-url.js';
import type { Dialect } from './dialect.js';
import { MysqlDialect } from './mysql/mysql-dialect.js';
import { PostgresDialect } from './postgres/postgres-dialect.js';

export type { Dialect } from './dialect.js';

/** Opens a pool for an expanded connection URL. */
export function openDialect(url: string): Dialect {
  return engineOf(url) === 'postgres' ? PostgresDialect.open(url) : MysqlDialect.open(url);
}

/**
 * True when two dialects print every value the same way (same engine), so even json and float
 * columns compare as SQL text and need no canonicalising in the worker.
 */
export function printsAlike(a: Dialect, b: Dialect): boolean {
  return a.engine === b.engine;
}

/**
 * Dialects shared by the activities of one worker, one per distinct URL, so each database gets one
 * pool per worker process however many activities run at once.
 */
export class DialectCache {
  private readonly dialects = new Map<string, Dialect>();

  /** The dialect for an expanded URL, opened on first use. */
  get(url: string): Dialect {
    let d = this.dialects.get(url);
    if (!d) {
      d = openDialect(url);
      this.dialects.set(url, d);
    }
    return d;
  }

  /** Closes every pool (worker shutdown). */
  async closeAll(): Promise<void> {
    const all = [...this.dialects.values()];
    this.dialects.clear();
    await Promise.allSettled(all.map((d) => d.close()));
  }
}
