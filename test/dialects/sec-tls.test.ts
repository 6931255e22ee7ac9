/**
 * TLS to the databases from the usual URL parameters, against the local servers. PostgreSQL (ssl = on
 * with its self-signed "snakeoil" certificate for CN=localhost): sslmode keeps libpq's meaning, a
 * certificate the worker cannot trust fails permanently with the fix, and the session really is
 * encrypted. MariaDB (no TLS here): plain modes connect, REQUIRED fails permanently with the fix.
 */
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { MysqlDialect } from '../../src/dialects/mysql/mysql-dialect.js';
import { PostgresDialect } from '../../src/dialects/postgres/postgres-dialect.js';
import { ConnectionError, ConnectionUrlError } from '../../src/errors.js';
import { MYSQL_URL, PG_URL, mysqlExec, pgExec } from '../helpers/databases.js';

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

describe('MySQL/MariaDB TLS from URL parameters', () => {
  const my = new URL(MYSQL_URL);
  const url = (query: string) => `mysql://${my.username}@${my.host}${my.pathname}?${query}`;
  const serverHasTls = async () => ((await mysqlExec(`SHOW VARIABLES LIKE 'have_ssl'`)) as { Value: string }[])[0]?.Value === 'YES';

  it('ssl-mode=DISABLED and PREFERRED connect in plain text', async () => {
    for (const q of ['ssl-mode=DISABLED', 'ssl-mode=PREFERRED']) {
      const d = MysqlDialect.open(url(q));
      try {
        expect(await d.listTables()).toBeInstanceOf(Array);
      } finally {
        await d.close();
      }
    }
  });

  it('ssl-mode=REQUIRED against a server without TLS is a permanent error naming the fix', async () => {
    if (await serverHasTls()) return; // this server offers TLS: nothing to refuse
    const d = MysqlDialect.open(url('ssl-mode=REQUIRED'));
    try {
      const e = await d.listTables().catch((err: unknown) => err);
      expect(e).toBeInstanceOf(ConnectionError);
      expect(e).toMatchObject({ permanent: true });
      expect((e as Error).message).toMatch(/does not offer TLS; enable TLS on the server or remove the ssl mode/);
    } finally {
      await d.close();
    }
  });

  it('a CA file the worker cannot read is refused when the pool opens', () => {
    expect(() => MysqlDialect.open(url('ssl-mode=VERIFY_CA&ssl-ca=/nonexistent/ca.pem'))).toThrow(ConnectionUrlError);
  });
});
