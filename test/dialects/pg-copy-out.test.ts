import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CopyOutStream } from '../../src/dialects/postgres/copy-out-stream.js';
import { copyOut, inCopyTransaction } from '../../src/dialects/postgres/postgres-copy.js';
import { PG_URL, pgExec } from '../helpers/databases.js';

// The COPY TO STDOUT reader strips the protocol framing in place. Its bytes are checked against
// pg-copy-streams' reader on the same queries: rows that span many socket reads, headers split
// between reads, notices between rows, errors mid-stream, and a consumer slower than the server.
const client = new pg.Client({ connectionString: PG_URL });
const TABLE = 'ferry_copy_out';

async function collect(stream: NodeJS.ReadableStream, delayEvery = 0): Promise<Buffer> {
  const parts: Buffer[] = [];
  let n = 0;
  await pipeline(
    stream,
    new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _enc, done) {
        parts.push(Buffer.from(chunk));
        n += 1;
        if (delayEvery > 0 && n % delayEvery === 0) setTimeout(done, 1);
        else done();
      },
    }),
  );
  return Buffer.concat(parts);
}

function ours(sql: string): CopyOutStream {
  return client.query(new CopyOutStream(sql) as CopyOutStream & pg.Submittable);
}

async function reference(sql: string): Promise<Buffer> {
  return collect(client.query(copyStreams.to(sql)));
}

beforeAll(async () => {
  await client.connect();
  await pgExec(`DROP TABLE IF EXISTS ${TABLE}`);
  await pgExec(`CREATE TABLE ${TABLE} (id int PRIMARY KEY, body text, j jsonb)`);
  // Lengths from 0 bytes to 300 KB, so rows end at every offset of the socket's reads.
  await pgExec(
    `INSERT INTO ${TABLE} SELECT g, repeat(md5(g::text), (g * 7919) % 9600 / (CASE WHEN g % 50 = 0 THEN 1 ELSE 400 END)),
       jsonb_build_object('g', g, 'tab', E'a\\tb', 'nl', E'x\\ny') FROM generate_series(1, 3000) g`,
  );
  await pgExec(`INSERT INTO ${TABLE} VALUES (0, NULL, NULL), (-1, E'back\\\\slash', '[]')`);
  await pgExec(
    `CREATE OR REPLACE FUNCTION ${TABLE}_noisy(i int) RETURNS int LANGUAGE plpgsql AS $$
       BEGIN IF i % 97 = 0 THEN RAISE NOTICE 'row % of the noisy copy', i; END IF; RETURN i; END $$`,
  );
});

afterAll(async () => {
  await pgExec(`DROP TABLE IF EXISTS ${TABLE}`);
  await pgExec(`DROP FUNCTION IF EXISTS ${TABLE}_noisy(int)`);
  await client.end();
});

describe('CopyOutStream (COPY … TO STDOUT)', () => {
  it('yields the same bytes as pg-copy-streams for rows of every size, and the row count', async () => {
    const sql = `COPY (SELECT * FROM ${TABLE} ORDER BY id) TO STDOUT`;
    const expected = await reference(sql);
    expect(expected.length).toBeGreaterThan(5_000_000);
    const stream = ours(sql);
    const got = await collect(stream);
    expect(got.length).toBe(expected.length);
    expect(got.equals(expected)).toBe(true);
    expect(stream.rowCount).toBe(3002);
    // The connection is pg's again and answers the next query.
    expect((await client.query('SELECT 41 + 1 AS n')).rows[0]).toEqual({ n: 42 });
  });

  it('keeps the rows whole under a slow consumer (the socket is paused, not buffered)', async () => {
    const sql = `COPY (SELECT id, body FROM ${TABLE} WHERE id % 3 = 0 ORDER BY id) TO STDOUT WITH (FORMAT csv)`;
    const expected = await reference(sql);
    const got = await collect(ours(sql), 5);
    expect(got.equals(expected)).toBe(true);
  });

  it('skips notices sent between rows', async () => {
    const notices: string[] = [];
    const onNotice = (n: { message?: string }) => notices.push(n.message ?? '');
    client.on('notice', onNotice);
    try {
      const sql = `COPY (SELECT ${TABLE}_noisy(g), g * 2 FROM generate_series(1, 2000) g) TO STDOUT`;
      const got = await collect(ours(sql));
      const lines = got.toString('utf8').trimEnd().split('\n');
      expect(lines).toHaveLength(2000);
      expect(lines[96]).toBe('97\t194');
      expect(got.includes('noisy copy')).toBe(false);
    } finally {
      client.off('notice', onNotice);
    }
  });

  it('fails with the server error raised mid-stream and leaves the connection usable', async () => {
    const sql = `COPY (SELECT 1 / (g - 1500), repeat('x', 200) FROM generate_series(1, 3000) g) TO STDOUT`;
    await expect(collect(ours(sql))).rejects.toThrow(/division by zero/);
    expect((await client.query('SELECT 1 AS one')).rows[0]).toEqual({ one: 1 });
  });

  it('fails on a bad query before any row', async () => {
    await expect(collect(ours(`COPY (SELECT * FROM ${TABLE}_missing) TO STDOUT`))).rejects.toThrow(/does not exist/);
    expect((await client.query('SELECT 2 AS two')).rows[0]).toEqual({ two: 2 });
  });

  it('through copyOut: a reader that stops early releases its connection to the pool', async () => {
    const pool = new pg.Pool({ connectionString: PG_URL, max: 1 });
    try {
      const stream = await copyOut(pool, `COPY (SELECT * FROM ${TABLE} ORDER BY id) TO STDOUT`);
      await new Promise<void>((resolve) => stream.once('data', () => resolve()));
      stream.destroy();
      // With max 1, this waits forever unless the torn-down connection was given back (and dropped).
      const r = await pool.query(`SELECT count(*)::int AS n FROM ${TABLE}`);
      expect(r.rows[0]).toEqual({ n: 3002 });
      const again = await collect(await copyOut(pool, `COPY (SELECT id FROM ${TABLE} WHERE id < 10 ORDER BY id) TO STDOUT`));
      expect(again.toString()).toBe(['-1', ...Array.from({ length: 10 }, (_, i) => String(i))].join('\n') + '\n');
    } finally {
      await pool.end();
    }
  });

  it('through copyOut: a backend terminated mid-stream fails the stream and raises no unhandled error', async () => {
    // As when a worker's source database restarts, or an administrator ends its session, while a
    // chunk is being read: the reader may be waiting (paused), reading, or already torn down.
    const pool = new pg.Pool({ connectionString: PG_URL, max: 2 });
    pool.on('error', () => undefined);
    const sql = `COPY (SELECT g, repeat('ferry kill probe ', 20) FROM generate_series(1, 5000000) g) TO STDOUT`;
    const terminate = () =>
      pgExec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'COPY (SELECT g, repeat(''ferry kill probe%' AND pid <> pg_backend_pid()`);
    try {
      for (const mode of ['paused', 'reading', 'stopped', 'paused', 'reading', 'stopped']) {
        const stream = await copyOut(pool, sql);
        const failed = new Promise<Error | undefined>((resolve) => {
          stream.once('error', (e: Error) => resolve(e));
          stream.once('close', () => resolve(undefined));
        });
        await new Promise<void>((resolve) => stream.once('data', () => resolve()));
        if (mode === 'paused') stream.pause();
        if (mode === 'stopped') stream.destroy();
        if (mode === 'reading') stream.resume();
        await terminate();
        if (mode === 'paused') setTimeout(() => stream.resume(), 50);
        const err = await failed;
        if (mode !== 'stopped') expect(String(err), mode).toMatch(/terminat/);
      }
      // The pool still works: the terminated connections were dropped, not handed out again.
      expect((await pool.query('SELECT 3 AS three')).rows[0]).toEqual({ three: 3 });
    } finally {
      await pool.end();
    }
  });

  it('inCopyTransaction: a backend terminated between statements fails the write and raises no unhandled error', async () => {
    const pool = new pg.Pool({ connectionString: PG_URL, max: 1 });
    pool.on('error', () => undefined);
    try {
      const write = inCopyTransaction(pool, Readable.from(['1\tx\n']), async (c, copyIn) => {
        await pgExec(`SELECT pg_terminate_backend(${(c as unknown as { processID: number }).processID})`);
        // The FATAL message and the closed socket arrive while no statement is running.
        await new Promise((r) => setTimeout(r, 200));
        return copyIn(`COPY ${TABLE} (id, body) FROM STDIN`);
      });
      await expect(write).rejects.toThrow(/terminat|not queryable/);
      // With max 1, this waits forever unless the dead connection was dropped.
      expect((await pool.query('SELECT 4 AS four')).rows[0]).toEqual({ four: 4 });
    } finally {
      await pool.end();
    }
  });
});
