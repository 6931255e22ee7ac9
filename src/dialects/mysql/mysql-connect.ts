/**
 * Connection handling for MySQL/MariaDB: URL parsing, the mysql2 pool with ferry's session settings,
 * and the mapping of driver errors onto ConnectionError (permanent or transient).
 */
import { poolSize } from '../pool-size.js';
import mysql from 'mysql2/promise';
import type { Pool } from 'mysql2/promise';
import { ConnectionError, ConnectionUrlError } from '../../errors.js';
import { tlsError } from '../tls-errors.js';
import { mysqlTls } from './mysql-tls.js';

/** Where a URL points, without credentials. */
export interface MysqlTarget {
  /** `mysql://host:port/db` (scheme kept as given: mysql or mariadb). */
  label: string;
  host: string;
  database: string;
}

/** Parses a `mysql://` or `mariadb://` URL; the message never repeats the URL (it may hold a password). */
export function parseMysqlUrl(url: string): MysqlTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ConnectionUrlError('MySQL connection URL cannot be parsed; expected mysql://user:password@host:3306/database');
  }
  const scheme = u.protocol.replace(/:$/, '');
  if (scheme !== 'mysql' && scheme !== 'mariadb') {
    throw new ConnectionUrlError(`URL scheme ${scheme}: is not MySQL; use mysql:// or mariadb://`);
  }
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (!database || database.includes('/')) {
    throw new ConnectionUrlError(`MySQL URL for host ${u.hostname} names no database; append /<database> to it`);
  }
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1') || 'localhost';
  const port = u.port || '3306';
  return { label: `${scheme}://${u.hostname || 'localhost'}:${port}/${database}`, host, database };
}

/**
 * Session settings every pooled connection runs first: UTC so TIMESTAMP columns read and write the UTC
 * wall clock; NO_AUTO_VALUE_ON_ZERO so a loaded 0 in an AUTO_INCREMENT column stays 0; and no
 * NO_BACKSLASH_ESCAPES / PAD_CHAR_TO_FULL_LENGTH / ANSI_QUOTES, which would change how ferry's SQL
 * literals, CHAR values and quotes are read.
 */
const SESSION_SETUP =
  "SET SESSION time_zone = '+00:00', SESSION sql_mode = CONCAT_WS(',', NULLIF(TRIM(BOTH ',' FROM " +
  "REPLACE(REPLACE(REPLACE(CONCAT(',', @@SESSION.sql_mode, ','), ',NO_BACKSLASH_ESCAPES,', ','), " +
  "',PAD_CHAR_TO_FULL_LENGTH,', ','), ',ANSI_QUOTES,', ',')), ''), 'NO_AUTO_VALUE_ON_ZERO')";

/** A mysql2 promise pool for the URL with ferry's driver options and session settings. */
export function createMysqlPool(url: string): Pool {
  const tls = mysqlTls(url);
  const pool = mysql.createPool({
    uri: tls.url,
    ...(tls.ssl ? { ssl: tls.ssl } : {}),
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
    charset: 'utf8mb4',
    timezone: 'Z',
    connectTimeout: 10_000,
    waitForConnections: true,
    connectionLimit: poolSize(),
    enableKeepAlive: true,
  });
  // 'connection' fires before the new connection is handed out, so this runs before any ferry query.
  pool.pool.on('connection', (conn) => {
    conn.query(SESSION_SETUP, (err: unknown) => {
      if (err) conn.destroy();
    });
  });
  return pool;
}

const PERMANENT_CODES: Record<string, string> = {
  ER_ACCESS_DENIED_ERROR: 'the server refused the user name or password; fix the credentials in the connection URL',
  ER_DBACCESS_DENIED_ERROR: 'the user may not access this database; GRANT it access or use another user',
  ER_BAD_DB_ERROR: 'the database does not exist; create it or fix the database name in the connection URL',
  ER_ACCESS_DENIED_NO_PASSWORD_ERROR: 'the server requires a password; add it to the connection URL',
  ER_NOT_SUPPORTED_AUTH_MODE: 'the server uses an authentication method mysql2 cannot speak; change the user plugin',
  ENOTFOUND: 'the host name does not resolve; fix the host in the connection URL',
  HANDSHAKE_SSL_ERROR: 'TLS handshake failed; check the ssl settings in the connection URL',
};

const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_TOO_MANY_USER_CONNECTIONS',
  'ER_SERVER_SHUTDOWN',
  'ER_CONNECTION_KILLED',
]);

/** The driver error's code (`ER_…` or a Node errno name), if any, also when ferry wrapped the error. */
export function errorCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | null;
  const code = e?.code ?? e?.cause?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * A ConnectionError for errors that concern the connection itself (credentials, database, network),
 * or undefined for any other error (SQL errors pass through unchanged).
 */
export function connectionError(err: unknown, target: MysqlTarget): ConnectionError | undefined {
  if (err instanceof ConnectionError) return err;
  const code = errorCode(err);
  if (code === undefined) return undefined;
  const where = `MySQL at ${target.label}`;
  const tls = tlsError(err, where, 'ssl-ca');
  if (tls) return tls;
  const fix = PERMANENT_CODES[code];
  if (fix !== undefined) return new ConnectionError(`cannot connect to ${where}: ${fix} (${code})`, true, { cause: err });
  if (TRANSIENT_CODES.has(code)) {
    return new ConnectionError(
      `cannot reach ${where} (${code}); check that the server is running and reachable from the worker`,
      false,
      { cause: err },
    );
  }
  return undefined;
}
