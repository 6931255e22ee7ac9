/**
 * TLS to PostgreSQL from the usual URL parameters, against the local server (ssl = on with its
 * self-signed "snakeoil" certificate for CN=localhost): sslmode keeps libpq's meaning, a certificate
 * the worker cannot trust fails permanently with the fix, and the session really is encrypted.
 */
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { PostgresDialect } from '../../src/dialects/postgres/postgres-dialect.js';
import { ConnectionError } from '../../src/errors.js';
import { PG_URL, pgExec } from '../helpers/databases.js';

const CA = '/etc/ssl/certs/ssl-cert-snakeoil.pem';
const base = new URL(PG_URL);
const serverTls = (await pgExec(`SHOW ssl`)).rows[0]?.ssl === 'on' && existsSync(CA);
const opened: PostgresDialect[] = [];
const open = (host: string, query: string) => {
  const d = PostgresDialect.open(`postgres://${base.username}@${host}:${base.port || 5432}${base.pathname}?${query}`);
  opened.push(d);
  return d;
};

afterAll(async () => {
  for (const d of opened) await d.close();
});

async function encrypted(app: string): Promise<boolean | undefined> {
  const r = await pgExec(`SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.application_name = $1 LIMIT 1`, [app]);
  return r.rows[0]?.ssl as boolean | undefined;
}

describe.skipIf(!serverTls)('PostgreSQL TLS from URL parameters', () => {
  it('sslmode=require encrypts without verifying (libpq semantics)', async () => {
    const d = open('127.0.0.1', 'sslmode=require&application_name=ferry_sec_tls_req');
    expect(await d.listTables()).toBeInstanceOf(Array);
    expect(await encrypted('ferry_sec_tls_req')).toBe(true);
  });

  it('sslmode=verify-full with sslrootcert checks the chain and the host name', async () => {
    const d = open('localhost', `sslmode=verify-full&sslrootcert=${CA}&application_name=ferry_sec_tls_full`);
    expect(await d.listTables()).toBeInstanceOf(Array);
    expect(await encrypted('ferry_sec_tls_full')).toBe(true);
  });

  it('sslmode=disable stays plain', async () => {
    const d = open('127.0.0.1', 'sslmode=disable&application_name=ferry_sec_tls_off');
    await d.listTables();
    expect(await encrypted('ferry_sec_tls_off')).toBe(false);
  });

  it('an untrusted certificate or a wrong host name is a permanent error naming the fix', async () => {
    const untrusted = await open('localhost', 'sslmode=verify-full').listTables().catch((e: unknown) => e);
    expect(untrusted).toBeInstanceOf(ConnectionError);
    expect(untrusted).toMatchObject({ permanent: true });
    expect((untrusted as Error).message).toMatch(/not trusted.*sslrootcert=/);
    const wrongHost = await open('127.0.0.1', `sslmode=verify-full&sslrootcert=${CA}`).listTables().catch((e: unknown) => e);
    expect(wrongHost).toMatchObject({ permanent: true });
    expect((wrongHost as Error).message).toMatch(/host name the certificate lists/);
  });
});
