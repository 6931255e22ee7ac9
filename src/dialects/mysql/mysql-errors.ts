/**
 * MySQL/MariaDB privilege errors as permanent {@link PermissionDeniedError}s: retrying cannot make a
 * missing grant appear, so the run fails at once with the GRANT that fixes it.
 */
import { PermissionDeniedError } from '../../errors.js';
import { errorCode, type MysqlTarget } from './mysql-connect.js';

const PRIVILEGE_CODES = new Set([
  'ER_TABLEACCESS_DENIED_ERROR',
  'ER_COLUMNACCESS_DENIED_ERROR',
  'ER_SPECIFIC_ACCESS_DENIED_ERROR',
  'ER_PROCACCESS_DENIED_ERROR',
]);

/** A PermissionDeniedError for a privilege error (`CREATE command denied …`), else undefined. */
export function permissionError(err: unknown, target: MysqlTarget, table?: string): PermissionDeniedError | undefined {
  const code = errorCode(err);
  if (code === undefined || !PRIVILEGE_CODES.has(code)) return undefined;
  const detail = (err as { sqlMessage?: string; message?: string }).sqlMessage ?? (err as Error).message;
  // e.g. "CREATE command denied to user 'app'@'10.0.0.7' for table `shop`.`orders`"
  const m = /^(.+?) command denied to user ('[^']*'@'[^']*')/i.exec(detail);
  const fix = m
    ? `run GRANT ${m[1]!.toUpperCase()} ON ${quoteName(target.database)}.* TO ${m[2]} (README "Database privileges" lists what a source and a target need)`
    : 'grant the connecting user the missing privilege (README "Database privileges" lists what a source and a target need)';
  const what = table === undefined ? 'the operation' : `table "${table}"`;
  return new PermissionDeniedError(what, `MySQL at ${target.label}`, detail, fix, { cause: err });
}

function quoteName(name: string): string {
  return '`' + name.replace(/`/g, '``') + '`';
}
