import { describe, expect, it } from 'vitest';
import { JobSpecError } from '../../src/errors.js';
import { parseJobSpec } from '../../src/job/job-spec.js';
import { closest } from '../../src/job/spec-messages.js';

const base = { source: 'postgres://root@127.0.0.1/test', target: 'mysql://root@127.0.0.1/test', tables: ['orders'] };
const err = (raw: unknown) => {
  try {
    parseJobSpec(raw);
  } catch (e) {
    expect(e).toBeInstanceOf(JobSpecError);
    return e as JobSpecError;
  }
  throw new Error('expected a JobSpecError');
};

describe('job-spec messages name the setting and the fix', () => {
  it('suggests the closest known key for a misspelt one', () => {
    expect(err({ ...base, tabels: ['x'] }).message).toMatch(/unknown setting "tabels"; did you mean tables\?/);
    expect(err({ ...base, chunk_rows: 5 }).message).toMatch(/did you mean chunkRows\?/);
    expect(err({ ...base, paralelism: 5 }).message).toMatch(/did you mean parallelism\?/);
    expect(err({ ...base, onexisting: 'fail' }).message).toMatch(/did you mean onExisting\?/);
    // Far from everything: no guess, but the list of settings.
    expect(err({ ...base, colour: 'blue' }).message).toMatch(/unknown setting "colour" \(settings: name, source, target, tables/);
  });
  it('says what type was expected, with an example', () => {
    expect(err({ ...base, chunkRows: '1000' }).message).toMatch(/chunkRows: expected number \(e\.g\. chunkRows: 50000\), got text "1000"; write the number without quotes/);
    expect(err({ ...base, tables: 'orders' })).toMatchObject({ field: 'tables' });
    expect(err({ ...base, tables: 'orders' }).message).toMatch(/expected a list of table names.*got "orders"/);
    expect(err({ ...base, keys: ['id'] }).message).toMatch(/keys: expected object \(a mapping of table to key columns/);
    expect(err({ ...base, source: 5432 }).message).toMatch(/source: expected string \(a connection URL/);
    expect(err(null).message).toMatch(/expected a mapping of settings/);
    expect(err(['a']).message).toMatch(/expected a mapping of settings/);
  });
  it('suggests the closest value of an enum', () => {
    expect(err({ ...base, onExisting: 'truncat' }).message).toMatch(/expected one of fail, truncate, append, got "truncat"; did you mean truncate\?/);
    expect(err({ ...base, verify: 'checksums' }).message).toMatch(/did you mean checksum\?/);
  });
  it('closest() refuses far-fetched guesses', () => {
    expect(closest('xyz', ['tables', 'source'])).toBeUndefined();
    expect(closest('Source', ['tables', 'source'])).toBe('source');
  });
});
