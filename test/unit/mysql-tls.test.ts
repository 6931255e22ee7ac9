import { describe, expect, it } from 'vitest';
import { ConnectionUrlError } from '../../src/errors.js';
import { mysqlTls } from '../../src/dialects/mysql/mysql-tls.js';

const files: Record<string, string> = { '/etc/ca.pem': 'CA', '/etc/c.pem': 'CERT', '/etc/k.pem': 'KEY' };
const read = (p: string) => {
  const f = files[p];
  if (f === undefined) throw Object.assign(new Error(`ENOENT: no such file or directory, open '${p}'`), { code: 'ENOENT' });
  return Buffer.from(f);
};
const tls = (q: string) => mysqlTls(`mysql://u:p%40ss@db.example:3306/shop${q}`, read);

describe('MySQL TLS from URL parameters', () => {
  it('leaves a URL without TLS parameters untouched', () => {
    expect(tls('')).toEqual({ url: 'mysql://u:p%40ss@db.example:3306/shop', ssl: undefined });
    expect(tls('?connectTimeout=5').ssl).toBeUndefined();
  });
  it('DISABLED and PREFERRED connect without TLS (mysql2 cannot fall back), and strip the parameters', () => {
    expect(tls('?ssl-mode=DISABLED')).toEqual({ url: 'mysql://u:p%40ss@db.example:3306/shop', ssl: undefined });
    expect(tls('?ssl-mode=preferred&charset=utf8mb4')).toEqual({ url: 'mysql://u:p%40ss@db.example:3306/shop?charset=utf8mb4', ssl: undefined });
  });
  it('REQUIRED encrypts without verifying', () => {
    expect(tls('?ssl-mode=REQUIRED').ssl).toEqual({ rejectUnauthorized: false });
    expect(tls('?sslmode=require').ssl).toEqual({ rejectUnauthorized: false });
  });
  it('VERIFY_CA checks the chain against ssl-ca; VERIFY_IDENTITY also the host name', () => {
    expect(tls('?ssl-mode=VERIFY_CA&ssl-ca=/etc/ca.pem')).toEqual({
      url: 'mysql://u:p%40ss@db.example:3306/shop',
      ssl: { ca: Buffer.from('CA'), rejectUnauthorized: true, verifyIdentity: false },
    });
    expect(tls('?ssl-mode=VERIFY_IDENTITY&ssl-ca=/etc/ca.pem&ssl-cert=/etc/c.pem&ssl-key=/etc/k.pem').ssl).toEqual({
      ca: Buffer.from('CA'),
      cert: Buffer.from('CERT'),
      key: Buffer.from('KEY'),
      rejectUnauthorized: true,
      verifyIdentity: true,
    });
    // Without a CA file the system's trusted CAs apply.
    expect(tls('?ssl_mode=verify_identity').ssl).toEqual({ rejectUnauthorized: true, verifyIdentity: true });
  });
  it('a CA with PREFERRED, REQUIRED or no mode means VERIFY_CA, as in the mysql client', () => {
    for (const q of ['?ssl-ca=/etc/ca.pem', '?ssl-mode=REQUIRED&ssl-ca=/etc/ca.pem', '?ssl-mode=PREFERRED&ssl-ca=/etc/ca.pem']) {
      expect(tls(q).ssl, q).toEqual({ ca: Buffer.from('CA'), rejectUnauthorized: true, verifyIdentity: false });
    }
  });
  it('accepts PostgreSQL-style names', () => {
    expect(tls('?sslmode=verify-full&sslrootcert=/etc/ca.pem').ssl).toEqual({ ca: Buffer.from('CA'), rejectUnauthorized: true, verifyIdentity: true });
  });
  it('names a bad mode or an unreadable file, without the password', () => {
    expect(() => tls('?ssl-mode=STRICT')).toThrow(ConnectionUrlError);
    expect(() => tls('?ssl-mode=STRICT')).toThrow(/ssl-mode=STRICT is not a MySQL TLS mode; use DISABLED, PREFERRED, REQUIRED/);
    expect(() => tls('?ssl-mode=VERIFY_CA&ssl-ca=/missing.pem')).toThrow(/ssl-ca file \/missing.pem cannot be read on the worker/);
    try {
      tls('?ssl-mode=VERIFY_CA&ssl-ca=/missing.pem');
    } catch (e) {
      expect((e as Error).message).not.toContain('p%40ss');
    }
  });
});
