/**
 * Edge-value datasets for the round-trip test, written for it and used nowhere else: only types whose
 * mapping ferry declares lossless in both directions, with values chosen apart from the type matrix
 * (subnormal floats, the largest float4, `\N` and `NULL` as text, bytes that spell COPY escapes,
 * 24:00:00, the Julian/Gregorian gap, the 2038 and 2262 edges, unsigned maxima, empty sets).
 */
import type { DumpSpec } from '../helpers/row-dump.js';

export const PG_RT = [
  `DROP TABLE IF EXISTS fd_rt_pg`,
  `DROP TYPE IF EXISTS fd_rt_tone`,
  `CREATE TYPE fd_rt_tone AS ENUM ('low', 'mid', 'hi', 'ü-umlaut')`,
  `CREATE TABLE fd_rt_pg (id int PRIMARY KEY, s smallint, i integer, b bigint, n numeric(30,8), nz numeric(5,5), r real, d double precision,
    ok boolean, t text, v varchar(7), c char(3), by bytea, dt date, tm time(3), ts timestamp(4), j json, e fd_rt_tone,
    st text[] CHECK (st <@ ARRAY['red','green','blue']::text[]), bt bit(12))`,
  `INSERT INTO fd_rt_pg VALUES
   (1, -1, -1, -1, -0.00000001, -0.99999, 1.17549435e-38, 2.2250738585072014e-308, false, 'Ω≈ç√∫˜µ≤≥÷ 𝄞 𓂀', 'seven77', 'ab ',
    '\\x7f80ff', '1582-10-04', '00:00:00.001', '1969-12-31 23:59:59.9999',
    '{"k": "v", "arr": [0, -1.25e-7, "𝄞"], "nested": {"deep": {"deeper": null}}}', 'ü-umlaut', '{blue,red}', '100000000001'),
   (2, 12345, 1000000007, 4611686018427387904, 1234567890123456789012.12345678, 0.00001, 3.4028235e38, 1e308, true,
    E'line1\\r\\nline2\\u0001\\u007f', '', '   ', '\\x', '2000-02-29', '24:00:00', '2262-04-11 23:47:16.8547', '[]', 'low', '{}', '000000000000'),
   (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
   (4, 0, 0, 0, 0, 0, 1e-40, 5e-324, true, E'\\\\N', 'NULL', E'\\\\N', '\\x5c4e', '0999-12-31', '12:00:00', '1000-01-01 00:00:00',
    '"just a string"', 'mid', '{green}', '111111111111'),
   (5, -32768, 7, -4611686018427387904, -99999999999999999999.99999999, 0.5, -2.5, -0.1, false, repeat(E'\\\\t\\t\\\\\\\\é', 20000), 'x',
    'é', decode(repeat('5c0a0900', 16384), 'hex'), '2038-01-19', '03:14:07.999', '2038-01-19 03:14:08', '{"a": [[[]]]}', 'hi',
    '{red,green,blue}', '010101010101')`,
];

export const PG_RT_SPEC: DumpSpec = {
  table: 'fd_rt_pg',
  key: ['id'],
  columns: {
    id: 'int', s: 'int', i: 'int', b: 'int', n: 'decimal', nz: 'decimal', r: 'float', d: 'float', ok: 'bool', t: 'text', v: 'text',
    c: 'char', by: 'binary', dt: 'date', tm: 'time', ts: 'timestamp', j: 'json', e: 'text', st: 'set', bt: 'bit',
  },
};

export const MY_RT = `SET time_zone = '+00:00'; SET NAMES utf8mb4;
  DROP TABLE IF EXISTS fd_rt_my;
  CREATE TABLE fd_rt_my (id bigint unsigned NOT NULL PRIMARY KEY, ti tinyint, tu tinyint unsigned, sm smallint, mu mediumint unsigned,
    iu int unsigned, bs bigint, de decimal(12,4), fl float, db double, bt bit(3), ch char(10), vc varchar(300), tx mediumtext, bl blob,
    bn binary(3), vb varbinary(16), d date, tm time(2), dt datetime(3), ts timestamp(6) NULL, y year, e enum('x-ray','yankee','zulu'),
    s set('read','write','exec'), j json) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
  INSERT INTO fd_rt_my VALUES
   (18446744073709551615, -1, 255, -32768, 16777215, 4294967295, -1, -12345678.9999, 0.1, 0.3333333333333333, b'101', 'pad',
    REPEAT('x', 300), 'emoji 🦀 and ÿ', 0x00, 0x000000, X'', '1000-01-01', '24:00:00', '1000-01-01 00:00:00.001',
    '1970-01-01 00:00:01', 1999, 'zulu', 'read,exec', '{"z": [100, -0.5], "a": "é"}'),
   (0, 127, 0, 32767, 0, 0, 9223372036854775807, 99999999.9999, -3.0e-38, 1.7976931348623157e308, b'000', '', '', '', '', 0x414243,
    0xffffffffffffffffffffffffffffffff, '9999-12-31', '00:00:00', '9999-12-31 23:59:59.999', '2038-01-19 03:14:07.999999', 2000, 'x-ray', '', '{}'),
   (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
   (9007199254740993, -128, 128, -1, 8388608, 2147483648, -9223372036854775808, 0.0001, 1e-40, 4.9e-324, b'111', '\\\\N', 'NULL', '\\\\N\\t\\\\',
    0x5c4e0a, 0x5c0a00, 0x5c, '2024-12-31', '23:59:59.99', '2000-01-01 00:00:00', '2000-02-29 12:00:00.5', 1901, 'yankee', 'write',
    '[1, "two", {"three": [3]}]')`;

export const MY_RT_SPEC: DumpSpec = {
  table: 'fd_rt_my',
  key: ['id'],
  columns: {
    id: 'int', ti: 'int', tu: 'int', sm: 'int', mu: 'int', iu: 'int', bs: 'int', de: 'decimal', fl: 'float', db: 'float', bt: 'bit',
    ch: 'char', vc: 'text', tx: 'text', bl: 'binary', bn: 'binary', vb: 'binary', d: 'date', tm: 'time', dt: 'timestamp',
    ts: 'timestamp', y: 'int', e: 'text', s: 'set', j: 'json',
  },
};
