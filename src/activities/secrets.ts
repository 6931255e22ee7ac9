/**
 * Last line of defence for credentials on the worker: every password the worker expands into a
 * connection URL is remembered (in memory only), and any error on its way into a Temporal failure or
 * the worker's log has those values replaced by `***`. ferry's own messages never include a URL's
 * password; this catches a driver or a runtime error (e.g. Node's invalid-URL error, whose `input`
 * property holds the whole URL) that might.
 */
import { SENSITIVE_PARAM } from '../job/connection-url.js';

const secrets = new Set<string>();
/** Shorter values would turn ordinary words of messages into `***` without protecting much. */
const MIN_SECRET_LENGTH = 3;

function add(value: string): void {
  if (value.length < MIN_SECRET_LENGTH) return;
  secrets.add(value);
  try {
    secrets.add(decodeURIComponent(value));
  } catch {
    // not percent-encoded: the raw value is enough
  }
  secrets.add(encodeURIComponent(value));
}

/** Remembers the password and password-like query parameters of an expanded connection URL. */
export function rememberSecrets(expandedUrl: string): void {
  let u: URL;
  try {
    u = new URL(expandedUrl);
  } catch {
    // Unparseable: remember what sits where a password would be.
    const m = /^[a-z][a-z0-9+.-]*:\/\/[^:@/?#]*:([^@/?#]*)@/i.exec(expandedUrl);
    if (m?.[1]) add(m[1]);
    return;
  }
  if (u.password) add(u.password);
  for (const [name, value] of u.searchParams) if (SENSITIVE_PARAM.test(name) && value) add(value);
}

/** `text` with every remembered secret replaced by `***`. */
export function scrubText(text: string): string {
  let out = text;
  // Longest first, so a secret containing another is replaced whole.
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) if (out.includes(s)) out = out.split(s).join('***');
  return out;
}

/**
 * Scrubs an error and its cause chain in place: message, stack and every own string property
 * (driver errors carry `sql`, `sqlMessage`, `input`, …), so both the Temporal failure built from it
 * and the worker's log line show `***` instead of a password. Returns `e`.
 */
export function scrubError<T>(e: T): T {
  if (secrets.size === 0) return e;
  const seen = new Set<unknown>();
  let cur: unknown = e;
  for (let depth = 0; cur !== null && typeof cur === 'object' && !seen.has(cur) && depth < 20; depth++) {
    seen.add(cur);
    const rec = cur as Record<string, unknown>;
    for (const key of new Set([...Object.getOwnPropertyNames(cur), 'message', 'stack'])) {
      const v = rec[key];
      if (typeof v !== 'string') continue;
      const clean = scrubText(v);
      if (clean !== v) {
        try {
          rec[key] = clean;
        } catch {
          // read-only property: nothing we can do, the other fields are still cleaned
        }
      }
    }
    cur = rec['cause'];
  }
  return e;
}

/** Forgets every remembered secret (tests). */
export function forgetSecrets(): void {
  secrets.clear();
}
