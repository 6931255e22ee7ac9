/**
 * MySQL reads encode rows straight from mysql2's row packets (mysql-read.ts `encodeFromPackets`):
 * the bytes must equal what the Buffer-per-value path writes, for every length encoding, NULL, the
 * escapes and multi-byte text, and against the real MariaDB the packet path must be the one taken.
 */
import { EventEmitter } from 'node:events';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENCODED, LineEncoder, encodeFromPackets } from '../../src/dialects/mysql/mysql-read.js';
import { MYSQL_URL } from '../helpers/databases.js';

// A text-protocol row as the server sends it: each value length-coded, NULL as 0xFB.
function rowPacket(values: (Buffer | null)[]): Buffer {
  const parts: Buffer[] = [];
  for (const v of values) {
    if (v === null) parts.push(Buffer.from([0xfb]));
    else if (v.length < 0xfb) parts.push(Buffer.from([v.length]), v);
    else if (v.length < 0x10000) parts.push(Buffer.from([0xfc, v.length & 0xff, v.length >> 8]), v);
    else if (v.length < 0x1000000) parts.push(Buffer.from([0xfd, v.length & 0xff, (v.length >> 8) & 0xff, v.length >> 16]), v);
    else {
      const len = Buffer.alloc(9);
      len[0] = 0xfe;
      len.writeUInt32LE(v.length, 1);
      parts.push(len, v);
    }
  }
  return Buffer.concat(parts);
}

function viaArrays(rows: (Buffer | null)[][]): Buffer {
  const e = new LineEncoder(1 << 30);
  for (const r of rows) e.add(r);
  return e.flush() ?? Buffer.alloc(0);
}

function viaPackets(rows: (Buffer | null)[][]): Buffer {
  const e = new LineEncoder(1 << 30);
  for (const r of rows) {
    // Surrounding bytes, as in mysql2's shared read buffer: only [start, end) belongs to the row.
    const body = rowPacket(r);
    const buf = Buffer.concat([Buffer.from('junk'), body, Buffer.from('more')]);
    e.addPacket(buf, 4, 4 + body.length, r.length);
  }
  return e.flush() ?? Buffer.alloc(0);
}

describe('MySQL rows encoded from packets', () => {
  it('writes exactly what the Buffer-per-value path writes', () => {
    const rows: (Buffer | null)[][] = [
      [Buffer.from('1'), null, Buffer.from(''), Buffer.from('\\N')],
      [Buffer.from('tab\there\nnew\rline\\back'), Buffer.from('ünïcødé ✓ 😀'), null, Buffer.from('x')],
      [Buffer.alloc(300, 0x61), Buffer.alloc(70_000, 0x5c), Buffer.from('\t'.repeat(251)), null],
      [Buffer.alloc(0x1000000 + 5, 0x0a), Buffer.from('end'), Buffer.from('0'), Buffer.from('-')],
    ];
    expect(viaPackets(rows).equals(viaArrays(rows))).toBe(true);
  });

  it('refuses a packet whose value runs past its end, naming the column', () => {
    const body = rowPacket([Buffer.from('abc'), Buffer.from('defg')]);
    expect(() => new LineEncoder().addPacket(body, 0, body.length - 1, 2)).toThrow(/column 2 runs past the packet/);
  });

  it('falls back to the parser mysql2 built when a packet is not shaped as expected', () => {
    // mysql2's Query starts with an empty parser slot and fills it once the columns are described.
    const query = new (class extends EventEmitter {
      _rowParser: unknown = null;
    })();
    const e = new LineEncoder();
    encodeFromPackets(query, e);
    const own = { next: () => ['from', 'mysql2'] };
    (query as unknown as { _rowParser: unknown })._rowParser = own;
    const parser = (query as unknown as { _rowParser: { next(p: unknown, f: unknown, o: unknown): unknown } })._rowParser;
    expect(parser.next({ buffer: 'not a buffer', offset: 0, end: 0 }, [{}], {})).toEqual(['from', 'mysql2']);
    const body = rowPacket([Buffer.from('a'), null]);
    expect(parser.next({ buffer: body, offset: 0, end: body.length }, [{}, {}], {})).toBe(ENCODED);
    expect(e.flush()?.toString()).toBe('a\t\\N\n');
  });
});

describe('against MariaDB', () => {
  let conn: mysql.Connection;
  beforeAll(async () => {
    conn = await mysql.createConnection({ uri: MYSQL_URL, charset: 'utf8mb4' });
  });
  afterAll(async () => {
    await conn.end();
  });

  it('takes the packet path for every row and writes what the array path writes', async () => {
    const sql =
      "SELECT seq, IF(seq % 3 = 0, NULL, CONCAT('v\\t', seq, '\\\\', REPEAT('é', seq % 300))), REPEAT('x', seq * 40) FROM seq_1_to_2000";
    const core = (conn as unknown as { connection: { query(o: object): EventEmitter } }).connection;
    const read = (packets: boolean) =>
      new Promise<{ text: Buffer; encoded: number; arrays: number }>((done, fail) => {
        const e = new LineEncoder(1 << 30);
        let encoded = 0;
        let arrays = 0;
        const q = core.query({ sql, rowsAsArray: true, typeCast: false });
        if (packets) encodeFromPackets(q, e);
        q.on('result', (row: unknown) => {
          if (row === ENCODED) encoded++;
          else {
            arrays++;
            e.add(row as (Buffer | null)[]);
          }
        });
        q.on('error', fail);
        q.on('end', () => done({ text: e.flush() ?? Buffer.alloc(0), encoded, arrays }));
      });
    const fast = await read(true);
    const plain = await read(false);
    expect(fast).toMatchObject({ encoded: 2000, arrays: 0 });
    expect(plain).toMatchObject({ encoded: 0, arrays: 2000 });
    expect(fast.text.equals(plain.text)).toBe(true);
  });
});
