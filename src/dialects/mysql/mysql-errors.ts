/**
 * MySQL/MariaDB errors a retry cannot cure, as permanent errors: privilege errors as
 * {@link PermissionDeniedError}s with the GRANT that fixes them, and statement errors (data,
 * constraint, syntax, collation) with the server's message.
 */
import { FerryError, PermissionDeniedError } from '../../errors.js';
import { errorCode, type MysqlTarget } from './mysql-connect.js';

const PRIVILEGE_CODES = new Set([
  'ER_TABLEACCESS_DENIED_ERROR',
  'ER_COLUMNACCESS_DENIED_ERROR',
  'ER_SPECIFIC_ACCESS_DENIED_ERROR',
  'ER_PROCACCESS_DENIED_ERROR',
  // Also a refused login; only a statement's (with `sql` set) is a missing privilege.
  'ER_DBACCESS_DENIED_ERROR',
]);

/** A PermissionDeniedError for a privilege error (`CREATE command denied …`), else undefined. */
export function permissionError(err: unknown, target: MysqlTarget, table?: string): PermissionDeniedError | undefined {
  const code = errorCode(err);
  if (code === undefined || !PRIVILEGE_CODES.has(code)) return undefined;
  const sql = (err as { sql?: unknown }).sql;
  if (code === 'ER_DBACCESS_DENIED_ERROR' && typeof sql !== 'string') return undefined;
  const detail = (err as { sqlMessage?: string; message?: string }).sqlMessage ?? (err as Error).message;
  const user = /user ('[^']*'@'[^']*')/i.exec(detail)?.[1] ?? "<ferry's user>";
  // e.g. "CREATE command denied to user 'app'@'10.0.0.7' for table `shop`.`orders`"
  const command = /^(.+?) command denied to user/i.exec(detail)?.[1];
  // MySQL answers a CREATE TEMPORARY TABLE without the privilege with "access denied to database".
  const privilege = command?.toUpperCase() ?? (typeof sql === 'string' && /^\s*CREATE\s+TEMPORARY/i.test(sql) ? 'CREATE TEMPORARY TABLES' : undefined);
  const fix = privilege
    ? `run GRANT ${privilege} ON ${quoteName(target.database)}.* TO ${user} (${SEE_README})`
    : `grant the connecting user the missing privilege (${SEE_README})`;
  const what = table === undefined ? 'the operation' : `table "${table}"`;
  return new PermissionDeniedError(what, `MySQL at ${target.label}`, detail, fix, { cause: err });
}

const SEE_README = 'README "Database privileges" lists what a source and a target need';

function quoteName(name: string): string {
  return '`' + name.replace(/`/g, '``') + '`';
}

/** Collation errors, which MySQL files under the catch-all SQLSTATE HY000 with lock timeouts and the like. */
const COLLATION_ERRNOS = new Set([1253, 1267, 1270, 1271]);

/**
 * A permanent FerryError for a statement error that every retry would repeat: data (SQLSTATE 22…),
 * constraint (23…) and syntax or schema (42…) errors, as for PostgreSQL, and collation errors.
 * Anything else (deadlocks, lock wait timeouts, a killed query) is left to the retry policy.
 * The driver error stays the cause, so {@link errorCode} still reads its code.
 */
export function statementError(err: unknown, label: string): FerryError | undefined {
  const e = err as { sqlState?: unknown; errno?: unknown; sqlMessage?: unknown; code?: unknown } | null;
  if (typeof e?.sqlState !== 'string') return undefined;
  if (!/^(22|23|42)/.test(e.sqlState) && !(typeof e.errno === 'number' && COLLATION_ERRNOS.has(e.errno))) return undefined;
  const message = typeof e.sqlMessage === 'string' ? e.sqlMessage : String((err as Error).message);
  return new FerryError(`${label}: ${message} (${String(e.code)}); this is not retried, as it would fail the same way again`, { cause: err });
}
