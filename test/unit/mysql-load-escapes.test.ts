import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CopyToLoadDataEscapes, loadDataSql } from '../../src/dialects/mysql/mysql-load.js';

async function rewrite(chunks: Buffer[]): Promise<Buffer> {
  const out: Buffer[] = [];
  const t = Readable.from(chunks, { objectMode: false }).pipe(new CopyToLoadDataEscapes());
  for await (const c of t) out.push(c as Buffer);
  return Buffer.concat(out);
}

/** Every way of cutting `input` into two chunks (and one empty chunk in between) gives `expected`. */
async function expectAllSplits(input: string, expected: Buffer): Promise<void> {
  const buf = Buffer.from(input, 'utf8');
  expect(await rewrite([buf])).toEqual(expected);
  for (let i = 0; i <= buf.length; i++) {
    const got = await rewrite([buf.subarray(0, i), Buffer.alloc(0), buf.subarray(i)]);
    expect(got, `split at ${i}`).toEqual(expected);
  }
}

describe('CopyToLoadDataEscapes', () => {
  it('turns \\f, \\v, \\b into their control bytes and \\Z into Z', async () => {
    await expectAllSplits('a\\fb\\vc\\bd\\Ze\n', Buffer.from('a\fb\vc\bdZe\n'));
  });

  it('leaves the escapes LOAD DATA reads like COPY untouched', async () => {
    const s = 'x\\\\y\\tz\\n\\r\t\\N\n';
    await expectAllSplits(s, Buffer.from(s));
  });

  it('respects backslash parity: an escaped backslash followed by f stays as is', async () => {
    // \\f is a backslash then "f"; \\\f is a backslash then a form feed.
    await expectAllSplits('\\\\f|\\\\\\f|\\\\\\\\v\n', Buffer.from('\\\\f|\\\\\f|\\\\\\\\v\n'));
  });

  it('keeps binary transfer values (\\\\x…) intact', async () => {
    const s = '1\t\\\\x00ff\t\\\\xbeef\n';
    await expectAllSplits(s, Buffer.from(s));
  });

  it('handles multi-byte UTF-8 next to escapes and a chunk per byte', async () => {
    const s = 'é😀\\f😀\\v\n';
    const bytes = [...Buffer.from(s)].map((b) => Buffer.from([b]));
    expect(await rewrite(bytes)).toEqual(Buffer.from('é😀\f😀\v\n'));
  });

  it('passes a chunk without rewrites on unchanged and keeps a trailing lone backslash', async () => {
    expect(await rewrite([Buffer.from('plain\trow\n')])).toEqual(Buffer.from('plain\trow\n'));
    expect(await rewrite([Buffer.from('a\\')])).toEqual(Buffer.from('a\\'));
  });
});

describe('loadDataSql', () => {
  it('loads binary columns through UNHEX and quotes identifiers', () => {
    const sql = loadDataSql('t`x', [
      { name: 'id', type: { kind: 'int', bytes: 8 }, nullable: false, nativeType: 'bigint' },
      { name: 'b`in', type: { kind: 'binary' }, nullable: true, nativeType: 'blob' },
    ]);
    expect(sql).toBe(
      "LOAD DATA LOCAL INFILE 'ferry-stream' INTO TABLE `t``x` CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\\t' " +
        "ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (`id`, @v1) SET `b``in` = UNHEX(SUBSTRING(@v1, 3))",
    );
  });
});
