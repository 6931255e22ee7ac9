import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JobSpecError } from '../../src/errors.js';
import { expandUrl, hasLiteralPassword, redactUrl, engineOf } from '../../src/job/connection-url.js';
import { parseJobSpec } from '../../src/job/job-spec.js';
import { loadJob } from '../../src/job/load-job.js';

const base = { source: 'postgres://root@127.0.0.1/test', target: 'mysql://root@127.0.0.1/test', tables: ['orders'] };
const dir = mkdtempSync(join(tmpdir(), 'ferry-job-'));
const file = (name: string, content: string | Buffer) => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};
const fieldOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(JobSpecError);
    return { field: (e as JobSpecError).field, message: (e as Error).message };
  }
  throw new Error('expected a JobSpecError');
};

describe('job spec', () => {
  it('fills the documented defaults', () => {
    expect(parseJobSpec(base)).toEqual({ ...base, chunkRows: 500000, parallelism: 4, onExisting: 'fail', verify: 'checksum', keys: {} });
  });
  it('names the field and what was expected', () => {
    expect(fieldOf(() => parseJobSpec({ ...base, chunkRows: 'many' }))).toMatchObject({ field: 'chunkRows', message: expect.stringContaining('expected number') });
    expect(fieldOf(() => parseJobSpec({ ...base, onExisting: 'replace' }))).toMatchObject({ field: 'onExisting' });
    expect(fieldOf(() => parseJobSpec({ ...base, tabels: ['x'] }))).toMatchObject({ message: expect.stringContaining('unknown setting "tabels"') });
    expect(fieldOf(() => parseJobSpec({ target: base.target, tables: '*' }))).toMatchObject({ field: 'source', message: expect.stringContaining('required') });
    expect(fieldOf(() => parseJobSpec({ ...base, source: 'oracle://x/y' }))).toMatchObject({ field: 'source', message: expect.stringContaining('postgres://') });
  });
  it('refuses literal passwords but accepts ${ENV} placeholders', () => {
    expect(fieldOf(() => parseJobSpec({ ...base, source: 'postgres://u:hunter2@h/db' }))).toMatchObject({ field: 'source', message: expect.stringContaining('${') });
    expect(parseJobSpec({ ...base, source: 'postgres://u:${PGPASS}@h/db' }).source).toBe('postgres://u:${PGPASS}@h/db');
  });
  it('merges a YAML file with flags, flags winning', () => {
    const p = file('job.yaml', `source: ${base.source}\ntarget: ${base.target}\ntables: [a, b]\nparallelism: 2\n`);
    const job = loadJob(p, { tables: '*', chunkRows: '1000', key: ['a=x,y'] });
    expect(job).toMatchObject({ tables: '*', parallelism: 2, chunkRows: 1000, keys: { a: ['x', 'y'] } });
  });
  it('explains malformed YAML, non-UTF-8 files and bad flags', () => {
    expect(fieldOf(() => loadJob(file('bad.yaml', 'source: [unclosed\n'), {})).message).toMatch(/not valid YAML at line/);
    expect(fieldOf(() => loadJob(file('latin1.yaml', Buffer.from([0x73, 0x3a, 0x20, 0xe9, 0x0a])), {})).message).toMatch(/not valid UTF-8/);
    expect(fieldOf(() => loadJob(file('list.yaml', '- a\n- b\n'), {})).message).toMatch(/mapping/);
    expect(fieldOf(() => loadJob(undefined, { ...base, tables: 'a', chunkRows: '-3' }))).toMatchObject({ field: '--chunk-rows' });
    expect(fieldOf(() => loadJob(undefined, { ...base, tables: 'a', key: ['nokey'] }))).toMatchObject({ field: '--key' });
  });
});

describe('connection URLs', () => {
  it('expands placeholders on the worker, URL-encoding the values', () => {
    expect(expandUrl('mysql://u:${P}@h/db', { P: 'p@ss:w/rd' })).toBe('mysql://u:p%40ss%3Aw%2Frd@h/db');
    expect(() => expandUrl('mysql://u:${NOPE}@h/db', {})).toThrow(/NOPE is not set on the worker/);
  });
  it('redacts passwords and knows the engines', () => {
    expect(redactUrl('postgres://u:secret@h:5432/db')).toBe('postgres://u:***@h:5432/db');
    expect(hasLiteralPassword('mysql://root@h/db')).toBe(false);
    expect(engineOf('mariadb://h/db')).toBe('mysql');
    expect(engineOf('postgresql://h/db')).toBe('postgres');
  });
});
