/**
 * Turns driver errors into ferry errors that say where, what and whether a retry can help.
 */
import { ConnectionError, FerryError } from '../../errors.js';

interface PgLikeError {
  code?: string;
  message?: string;
}

const TRANSIENT_NET = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'EAI_AGAIN']);

/** Classifies an error thrown while doing `what` against `label`. FerryErrors pass through unchanged. */
export function wrapPgError(e: unknown, label: string, what: string): Error {
  if (e instanceof FerryError) return e;
  const err = e as PgLikeError;
  const code = err.code ?? '';
  const msg = err.message ?? String(e);
  if (code === '28P01' || code === '28000') {
    return new ConnectionError(`${label} refused the login (${msg}); check the user and the password variable in the URL`, true, { cause: e });
  }
  if (code === '3D000') {
    return new ConnectionError(`${label}: ${msg}; create the database or fix the URL`, true, { cause: e });
  }
  if (code === '42501') {
    return new FerryError(`${what} on ${label}: permission denied (${msg}); grant the privilege to the connecting user`, { cause: e });
  }
  if (code === 'ENOTFOUND') {
    return new ConnectionError(`${label}: host not found (${msg}); check the host name in the URL`, true, { cause: e });
  }
  if (TRANSIENT_NET.has(code) || code.startsWith('08') || code === '57P01' || code === '57P03' || /terminat|Connection terminated|timeout/i.test(msg)) {
    return new ConnectionError(`${what} on ${label}: connection lost or refused (${msg}); will retry`, false, { cause: e });
  }
  if (code.startsWith('22') || code.startsWith('23') || code.startsWith('42')) {
    // Data, constraint and syntax errors do not go away on retry.
    return new FerryError(`${what} on ${label} failed: ${msg}`, { cause: e });
  }
  const wrapped = new Error(`${what} on ${label} failed: ${msg}`, { cause: e });
  return wrapped;
}
