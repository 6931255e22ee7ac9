import { afterEach, describe, expect, it } from 'vitest';
import { toFailure } from '../../src/activities/failures.js';
import { forgetSecrets, rememberSecrets, scrubError, scrubText } from '../../src/activities/secrets.js';
import { ConnectionError } from '../../src/errors.js';
import { hasLiteralPassword, redactUrl } from '../../src/job/connection-url.js';
import { wrapPgError } from '../../src/dialects/postgres/postgres-errors.js';
import { inspect } from 'node:util';

afterEach(() => forgetSecrets());

describe('credentials in URLs', () => {
  it('counts a password query parameter as a literal password', () => {
    expect(hasLiteralPassword('postgres://u@h/db?password=hunter2')).toBe(true);
    expect(hasLiteralPassword('postgres://u@h/db?sslpassword=x&sslmode=require')).toBe(true);
    expect(hasLiteralPassword('postgres://u@h/db?password=${PGPASS}')).toBe(false);
    expect(hasLiteralPassword('postgres://u@h/db?sslmode=require&application_name=ferry')).toBe(false);
  });
  it('redacts passwords in the user info and in query parameters', () => {
    expect(redactUrl('postgres://u:s3cret@h/db?sslmode=require&password=s3cret&token=t')).toBe('postgres://u:***@h/db?sslmode=require&password=***&token=***');
  });
});

describe('secret scrubbing on the worker', () => {
  it('replaces remembered passwords (raw and URL-encoded) in text', () => {
    rememberSecrets('mysql://u:p%40ss%2Fw0rd@h:3306/db?sslpassword=keypass');
    expect(scrubText('login p@ss/w0rd failed; url mysql://u:p%40ss%2Fw0rd@h; key keypass')).toBe('login *** failed; url mysql://u:***@h; key ***');
  });
  it('cleans an error chain in place, including driver properties such as input and sql', () => {
    rememberSecrets('postgres://u:marker-123@h/db');
    const inner = Object.assign(new TypeError('Invalid URL'), { input: 'postgres://u:marker-123@h/db' });
    const outer = new ConnectionError('cannot connect with marker-123', true, { cause: inner });
    scrubError(outer);
    expect(inspect(outer, { depth: 5 })).not.toContain('marker-123');
    expect(outer.message).toBe('cannot connect with ***');
  });
  it('is applied before an error becomes a Temporal failure', () => {
    rememberSecrets('postgres://u:marker-456@h/db');
    const f = toFailure(new Error('driver said marker-456'), 'planning') as Error;
    expect(f.message).toBe('planning: driver said ***');
    expect(inspect(f, { depth: 8 })).not.toContain('marker-456');
  });
  it('makes a login refusal permanent and keeps TLS certificate problems permanent with the fix', () => {
    const login = wrapPgError(Object.assign(new Error('password authentication failed for user "app"'), { code: '28P01' }), 'postgres h/db', 'listing tables');
    expect(login).toMatchObject({ permanent: true });
    const cert = wrapPgError(Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }), 'postgres h/db', 'listing tables');
    expect(cert).toMatchObject({ permanent: true });
    expect(cert.message).toMatch(/sslrootcert=/);
  });
});
