/**
 * TLS to MySQL/MariaDB from the URL parameters the mysql client uses: `ssl-mode`
 * (DISABLED, PREFERRED, REQUIRED, VERIFY_CA, VERIFY_IDENTITY), `ssl-ca`, `ssl-cert` and `ssl-key`
 * (files on the worker). Underscore spellings (`ssl_mode`) and PostgreSQL's names (`sslmode=require`,
 * `sslrootcert`, `sslcert`, `sslkey`) are accepted too, so one habit works for both engines.
 */
import { readFileSync } from 'node:fs';
import type { SslOptions } from 'mysql2';
import { ConnectionUrlError } from '../../errors.js';

/** The URL without ferry's TLS parameters (mysql2 would warn about them) and mysql2's `ssl` option. */
export interface MysqlTls {
  url: string;
  /** Undefined: no TLS. */
  ssl: SslOptions | undefined;
}

type Mode = 'DISABLED' | 'PREFERRED' | 'REQUIRED' | 'VERIFY_CA' | 'VERIFY_IDENTITY';

const MODES: Record<string, Mode> = {
  disabled: 'DISABLED',
  disable: 'DISABLED',
  preferred: 'PREFERRED',
  prefer: 'PREFERRED',
  allow: 'PREFERRED',
  required: 'REQUIRED',
  require: 'REQUIRED',
  verify_ca: 'VERIFY_CA',
  verify_identity: 'VERIFY_IDENTITY',
  verify_full: 'VERIFY_IDENTITY',
};

const PARAMS = {
  mode: ['ssl-mode', 'ssl_mode', 'sslmode'],
  ca: ['ssl-ca', 'ssl_ca', 'sslca', 'sslrootcert'],
  cert: ['ssl-cert', 'ssl_cert', 'sslcert'],
  key: ['ssl-key', 'ssl_key', 'sslkey'],
};

/**
 * Reads the TLS parameters of an expanded `mysql://` URL. Without `ssl-mode` or with PREFERRED there
 * is no TLS unless a CA is given (mysql2 cannot fall back from TLS to plain, so PREFERRED means plain);
 * a CA given with PREFERRED or REQUIRED means VERIFY_CA, as in the mysql client. Throws
 * ConnectionUrlError for an unknown mode or a file the worker cannot read.
 */
export function mysqlTls(url: string, readFile: (path: string) => Buffer = readFileSync): MysqlTls {
  const u = new URL(url);
  const take = (names: string[]): string | undefined => {
    let value: string | undefined;
    for (const n of names) {
      const v = u.searchParams.get(n);
      if (v !== null) value = v;
      u.searchParams.delete(n);
    }
    return value;
  };
  const modeText = take(PARAMS.mode);
  const caPath = take(PARAMS.ca);
  const certPath = take(PARAMS.cert);
  const keyPath = take(PARAMS.key);
  const stripped = u.toString();
  if (modeText === undefined && caPath === undefined && certPath === undefined && keyPath === undefined) return { url, ssl: undefined };

  let mode: Mode = 'PREFERRED';
  if (modeText !== undefined) {
    const m = MODES[modeText.trim().toLowerCase().replace(/-/g, '_')];
    if (!m) {
      throw new ConnectionUrlError(
        `ssl-mode=${modeText} is not a MySQL TLS mode; use DISABLED, PREFERRED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY`,
      );
    }
    mode = m;
  }
  if (caPath !== undefined && (mode === 'PREFERRED' || mode === 'REQUIRED')) mode = 'VERIFY_CA';
  if (mode === 'DISABLED' || mode === 'PREFERRED') return { url: stripped, ssl: undefined };

  const file = (param: string, path: string | undefined): Buffer | undefined => {
    if (path === undefined) return undefined;
    try {
      return readFile(path);
    } catch (cause) {
      throw new ConnectionUrlError(`${param} file ${path} cannot be read on the worker (${(cause as Error).message}); fix the path in the URL`, { cause });
    }
  };
  const ssl: SslOptions = {};
  const ca = file('ssl-ca', caPath);
  const cert = file('ssl-cert', certPath);
  const key = file('ssl-key', keyPath);
  if (ca) ssl.ca = ca;
  if (cert) ssl.cert = cert;
  if (key) ssl.key = key;
  if (mode === 'REQUIRED') {
    // Encrypted but unverified, as the mysql client's REQUIRED.
    ssl.rejectUnauthorized = false;
  } else {
    // VERIFY_CA checks the chain only; VERIFY_IDENTITY also that the certificate names the host.
    ssl.rejectUnauthorized = true;
    ssl.verifyIdentity = mode === 'VERIFY_IDENTITY';
  }
  return { url: stripped, ssl };
}
