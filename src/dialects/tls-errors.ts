/**
 * TLS failures to a database, shared by both dialects: a certificate the worker does not trust or a
 * server without TLS will not change on retry, so they are permanent with the URL setting to fix.
 */
import { ConnectionError } from '../errors.js';

/** Node/OpenSSL codes of a certificate the client refuses. */
const CERT_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * A permanent ConnectionError for a TLS problem reaching `where`, or undefined for anything else.
 * `caParam` is how the URL names the CA file on this engine (`sslrootcert` / `ssl-ca`).
 */
export function tlsError(err: unknown, where: string, caParam: string): ConnectionError | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : String(err);
  if (typeof code === 'string' && CERT_CODES.has(code)) {
    const fix =
      code === 'ERR_TLS_CERT_ALTNAME_INVALID'
        ? 'connect by a host name the certificate lists, or lower the check to verify-ca / VERIFY_CA'
        : `give the CA that signed it with ${caParam}=<file on the worker>, or lower the check (sslmode=require / ssl-mode=REQUIRED encrypts without verifying)`;
    return new ConnectionError(`TLS to ${where}: the server certificate is not trusted (${code}: ${message}); ${fix}`, true, { cause: err });
  }
  if (code === 'HANDSHAKE_NO_SSL_SUPPORT' || /server does not support SSL/i.test(message)) {
    return new ConnectionError(
      `TLS to ${where}: the server does not offer TLS; enable TLS on the server or remove the ssl mode from the URL`,
      true,
      { cause: err },
    );
  }
  return undefined;
}
