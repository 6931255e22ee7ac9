/**
 * Settings of export, import and verify with a directory side: validated on the client, each mistake
 * named by its setting; directories made absolute; verify recognises a directory on either side.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JobSpecError } from '../../src/errors.js';
import { exportInput, importInput, isDirectorySide, verifyFilesInput } from '../../src/job/files-job.js';

const PG = 'postgres://root@127.0.0.1:5432/shop';
const MY = 'mysql://app:${PW}@10.0.0.5:3306/shop';

describe('export and import settings', () => {
  it('fills the defaults and makes the directory absolute', () => {
    const e = exportInput(undefined, { source: PG, to: 'out/dir', tables: 'a, b' });
    expect(e).toMatchObject({ source: PG, tables: ['a', 'b'], format: 'csv', chunkRows: 500_000, parallelism: 4, keys: {}, job: 'postgres-shop-to-files' });
    expect(e.dir).toBe(`${process.cwd()}/out/dir`);
    expect(exportInput(undefined, { source: PG, to: 'file:///data/x', tables: '*', format: 'ndjson', chunkRows: '10', key: ['t=a,b'] })).toMatchObject({ dir: '/data/x', format: 'ndjson', chunkRows: 10, keys: { t: ['a', 'b'] } });
    expect(importInput(undefined, { from: '/data/x', target: MY })).toMatchObject({ dir: '/data/x', target: MY, tables: '*', onExisting: 'fail', verify: 'checksum', job: 'files-to-mysql-shop' });
  });

  it('reads a YAML job file, flags winning over it, and names a misspelt key', () => {
    const d = mkdtempSync(join(tmpdir(), 'fx-job-'));
    writeFileSync(join(d, 'export.yaml'), `source: ${PG}\nto: /data/shop\ntables: [orders]\nformat: ndjson\nchunkRows: 500\n`);
    expect(exportInput(join(d, 'export.yaml'), { chunkRows: '700' })).toMatchObject({ dir: '/data/shop', tables: ['orders'], format: 'ndjson', chunkRows: 700 });
    writeFileSync(join(d, 'import.yaml'), `from: /data/shop\ntarget: ${MY}\nonExisitng: truncate\n`);
    expect(() => importInput(join(d, 'import.yaml'), {})).toThrow(/onExisting/);
  });

  it.each([
    [() => exportInput(undefined, { source: PG, tables: 'a' }), /^to: /],
    [() => exportInput(undefined, { source: PG, to: 'mysql://h/db', tables: 'a' }), /to: expected a directory path/],
    [() => exportInput(undefined, { source: 'oracle://h/db', to: '/x', tables: 'a' }), /source: unsupported connection URL scheme/],
    [() => exportInput(undefined, { source: 'postgres://u:secret@h/db', to: '/x', tables: 'a' }), /source: contains a literal password/],
    [() => exportInput(undefined, { source: PG, to: '/x', tables: 'a', format: 'xml' }), /format: /],
    [() => exportInput(undefined, { source: PG, to: '/x', tables: 'a', chunkRows: 'many' }), /--chunk-rows: expected a positive whole number/],
    [() => importInput(undefined, { from: '/x', target: MY, onExisting: 'merge' }), /onExisting: /],
    [() => importInput(undefined, { target: MY }), /^from: /],
  ])('refuses a bad setting, naming it (%#)', (run, message) => {
    expect(run).toThrow(JobSpecError);
    expect(run).toThrow(message);
  });
});

describe('verify with a directory side', () => {
  it('refuses a database URL that lost its scheme instead of reading it as a directory, hiding its password', () => {
    expect(() => verifyFilesInput(undefined, { source: 'app:hunter2@db.local:3306/shop', target: PG })).toThrow(/source: "app:\*\*\*@db.local:3306\/shop" looks like a database URL without its scheme/);
    expect(() => verifyFilesInput(undefined, { source: PG, target: '127.0.0.1:5432/test' })).toThrow(/target: .* looks like a database URL/);
  });

  it('tells directories from database URLs', () => {
    expect(isDirectorySide('/data/x')).toBe(true);
    expect(isDirectorySide('./x')).toBe(true);
    expect(isDirectorySide('file:///x')).toBe(true);
    expect(isDirectorySide(PG)).toBe(false);
    expect(isDirectorySide('oracle://h/db')).toBe(false);
    expect(isDirectorySide(undefined)).toBe(false);
  });

  it('is used only when one side is a directory, and keeps which side it was', () => {
    expect(verifyFilesInput(undefined, { source: PG, target: MY })).toBeUndefined();
    expect(verifyFilesInput(undefined, { source: PG, target: '/data/x' })).toMatchObject({ url: PG, dir: '/data/x', dirSide: 'target', tables: '*' });
    expect(verifyFilesInput(undefined, { source: '/data/x', target: MY, tables: 'a' })).toMatchObject({ url: MY, dir: '/data/x', dirSide: 'source', tables: ['a'] });
    expect(() => verifyFilesInput(undefined, { source: '/a', target: '/b' })).toThrow(/both sides are directories/);
    expect(() => verifyFilesInput(undefined, { source: '/a', target: 'oracle://h/db' })).toThrow(/target: unsupported connection URL scheme/);
  });
});
