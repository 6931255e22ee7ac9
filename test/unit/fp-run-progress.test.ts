/**
 * The progress tally export and import keep from their shard children, the children's one-signal-a-
 * second batching, and the `ferry list` kind filter.
 */
import { describe, expect, it } from 'vitest';
import { ChunkBatcher, addChunks, finishShard, newRunProgress, progressOf, setRowsTotal } from '../../src/core/run-progress.js';
import { listQuery } from '../../src/cli/list-query.js';

const tables = [
  { source: 'a', target: '/x/a', rowsTotal: 1000, shards: 2 },
  { source: 'b', target: '/x/b', rowsTotal: 10, shards: 1 },
];

describe('run progress tally', () => {
  it('starts at zero per table with the planned totals and shards', () => {
    const p = progressOf(newRunProgress(5, tables, 'copying'));
    expect(p).toEqual({
      phase: 'copying',
      startedAtMs: 5,
      tables: [
        { source: 'a', target: '/x/a', rowsDone: 0, rowsTotal: 1000, shardsDone: 0, shardsTotal: 2 },
        { source: 'b', target: '/x/b', rowsDone: 0, rowsTotal: 10, shardsDone: 0, shardsTotal: 1 },
      ],
    });
  });

  it('adds chunk reports per shard, and a shard result replaces them with its exact count', () => {
    const p = newRunProgress(0, tables, 'copying');
    expect(addChunks(p, { table: 'a', shard: 0, rows: 300 })).toBe(true);
    expect(addChunks(p, { table: 'a', shard: 1, rows: 200 })).toBe(true);
    expect(addChunks(p, { table: 'a', shard: 0, rows: 100 })).toBe(true);
    expect(progressOf(p).tables[0]).toMatchObject({ rowsDone: 600, shardsDone: 0 });
    finishShard(p, 0, 0, 450);
    expect(progressOf(p).tables[0]).toMatchObject({ rowsDone: 650, shardsDone: 1 });
    // A signal delivered after the shard's result is not counted twice.
    expect(addChunks(p, { table: 'a', shard: 0, rows: 50 })).toBe(false);
    expect(progressOf(p).tables[0]).toMatchObject({ rowsDone: 650, shardsDone: 1 });
  });

  it('ignores reports of unknown tables or shards', () => {
    const p = newRunProgress(0, tables, 'copying');
    expect(addChunks(p, { table: 'zz', shard: 0, rows: 5 })).toBe(false);
    expect(addChunks(p, { table: 'b', shard: 3, rows: 5 })).toBe(false);
    expect(progressOf(p).tables.map((t) => t.rowsDone)).toEqual([0, 0]);
  });

  it('takes the exact total when the run knows it', () => {
    const p = newRunProgress(0, tables, 'done');
    setRowsTotal(p, 'b', 12);
    expect(progressOf(p).tables[1]!.rowsTotal).toBe(12);
  });

  it('answers with no tables while planning', () => {
    expect(progressOf(newRunProgress(1))).toEqual({ phase: 'planning', startedAtMs: 1, tables: [] });
  });
});

describe('chunk batching of a shard child', () => {
  const chunk = (rows: number, end: string, attempt = 1, worker = 'w1') => ({ rows, end: [end], worker, attempt, last: false });

  it('sends the first chunk at once, then at most one batch a second with everything since', () => {
    const b = new ChunkBatcher('a', 1);
    expect(b.add(chunk(10, 'k10'), 10_000)).toEqual({ table: 'a', shard: 1, rows: 10, end: ['k10'], workers: { w1: 10 }, redone: 0 });
    expect(b.add(chunk(10, 'k20'), 10_300)).toBeUndefined();
    expect(b.add(chunk(10, 'k30', 2, 'w2'), 10_700)).toBeUndefined();
    expect(b.add(chunk(5, 'k35'), 11_000)).toEqual({ table: 'a', shard: 1, rows: 25, end: ['k35'], workers: { w1: 15, w2: 10 }, redone: 10 });
    expect(b.add(chunk(1, 'k36'), 11_999)).toBeUndefined();
  });

  it('sends nothing for the last chunk: the child result carries the totals', () => {
    const b = new ChunkBatcher('a', 0);
    expect(b.add(chunk(10, 'k10'), 0 + 5000)).toBeDefined();
    expect(b.add({ rows: 3, end: null, worker: 'w1', attempt: 1, last: true }, 9000)).toBeUndefined();
  });

  it('never sends more than one batch per interval however many chunks finish', () => {
    const b = new ChunkBatcher('a', 0, 1000);
    let sent = 0;
    let rows = 0;
    for (let ms = 0; ms < 10_000; ms += 10) {
      const s = b.add(chunk(1, `k${ms}`), 1_000_000 + ms);
      if (s) {
        sent++;
        rows += s.rows;
      }
    }
    expect(sent).toBe(10);
    // Everything but the chunks after the last send was reported.
    expect(rows).toBeGreaterThan(900);
  });
});

describe('ferry list kinds', () => {
  it('lists migrate, export and import runs by default', () => {
    expect(listQuery({})).toEqual({ query: "FerryKind IN ('migrate', 'export', 'import')", kinds: ['migrate', 'export', 'import'] });
  });
  it('takes one kind, several, or all, with the job', () => {
    expect(listQuery({ kind: 'export' }).query).toBe("FerryKind = 'export'");
    expect(listQuery({ kind: 'export, import', job: "j'1" }).query).toBe("FerryKind IN ('export', 'import') AND FerryJob = 'j1'");
    expect(listQuery({ kind: 'all' }).kinds).toContain('sync');
  });
  it('refuses an unknown kind by name, with the known ones', () => {
    expect(() => listQuery({ kind: 'export,exprot' })).toThrow(/--kind: unknown kind "exprot"; use one or more of migrate, export, import/);
    expect(() => listQuery({ kind: ',' })).toThrow(/--kind: expected one or more of/);
  });
});
