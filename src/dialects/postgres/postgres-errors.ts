/**
 * Turns driver errors into ferry errors that say where, what and whether a retry can help.
 */
import { ConnectionError, FerryError, PermissionDeniedError } from '../../errors.js';
import { tlsError } from '../tls-errors.js';

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
  const tls = tlsError(e, label, 'sslrootcert');
  if (tls) return tls;
  if (code === '28P01' || code === '28000') {
    return new ConnectionError(`${label} refused the login (${msg}); check the user and the password variable in the URL`, true, { cause: e });
  }
  if (code === '3D000') {
    return new ConnectionError(`${label}: ${msg}; create the database or fix the URL`, true, { cause: e });
  }
  if (code === '42501') return new PermissionDeniedError(what, label, msg, pgGrantFix(msg, what), { cause: e });
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

const SEE_README = 'README "Database privileges" lists what a source and a target need';

/** The GRANT (or ownership change) that fixes a PostgreSQL "permission denied" message. */
function pgGrantFix(msg: string, what: string): string {
  const schema = /permission denied for schema (\S+)/.exec(msg)?.[1];
  if (schema) {
    const priv = /^creating|^truncat/.test(what) ? 'USAGE, CREATE' : 'USAGE';
    return `run GRANT ${priv} ON SCHEMA ${schema} TO <ferry's user> (${SEE_README})`;
  }
  const owner = /must be owner of (?:table|relation) (\S+)/.exec(msg)?.[1];
  if (owner) return `indexes and foreign keys need the table's owner: ALTER TABLE ${owner} OWNER TO <ferry's user> (${SEE_README})`;
  const table = /permission denied for (?:table|relation) (\S+)/.exec(msg)?.[1];
  if (table) return `grant the connecting user the privilege on ${table}, e.g. GRANT SELECT ON ${table} TO <ferry's user> on a source (${SEE_README})`;
  const tempDb = /permission denied to create temporary tables in database "?([^"\s]+)"?/.exec(msg)?.[1];
  if (tempDb) return `repair and sync stage rows in a temporary table: run GRANT TEMPORARY ON DATABASE ${tempDb} TO <ferry's user> (${SEE_README})`;
  if (/permission denied for database/.test(msg)) return `run GRANT CONNECT ON DATABASE … TO <ferry's user> (${SEE_README})`;
  return `grant the connecting user the missing privilege (${SEE_README})`;
}
