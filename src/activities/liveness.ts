/**
 * Heartbeats for activities whose work is a few long SQL statements: a checksum of a large range is one
 * statement, which can outlast the activity's heartbeat timeout (a minute) on a big table, and a timed-out
 * attempt would be retried into the same timeout for ever.
 */
import { Context } from '@temporalio/activity';

/** How often a running statement is reported alive; the SDK sends at most one heartbeat per throttle interval anyway. */
const EVERY_MS = 10_000;

/**
 * Runs `fn` inside an activity, heartbeating every `everyMs` until it settles. Only for activities
 * that do not resume from heartbeat details: these heartbeats carry none.
 */
export async function whileAlive<T>(fn: () => Promise<T>, everyMs = EVERY_MS): Promise<T> {
  const ctx = Context.current();
  const timer = setInterval(() => ctx.heartbeat(), everyMs);
  try {
    return await fn();
  } finally {
    clearInterval(timer);
  }
}
