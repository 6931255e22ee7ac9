/**
 * Generated input for the job-file parser: whatever the YAML or object, parseJobSpec/loadJob either
 * return a valid job or throw a JobSpecError naming a field, never anything else.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { JobSpecError } from '../../src/errors.js';
import { jobSpecSchema, parseJobSpec } from '../../src/job/job-spec.js';
import { loadJob, type JobFlags } from '../../src/job/load-job.js';

const dir = mkdtempSync(join(tmpdir(), 'ferry-fuzz-'));
let n = 0;
const file = (content: string | Uint8Array) => {
  const p = join(dir, `job-${n++}.yaml`);
  writeFileSync(p, content);
  return p;
};

/** Runs `fn`; the only acceptable failure is a JobSpecError with a non-empty message. */
function onlyValidationErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof JobSpecError)) throw new Error(`threw ${(e as Error)?.constructor?.name}: ${String((e as Error)?.message ?? e)}`);
    expect(e.message.length).toBeGreaterThan(0);
  }
}

const KEYS = [...Object.keys(jobSpecSchema.shape), 'tabels', 'chunk_rows', '__proto__', 'constructor', 'toString', '<<', ''];
const url = fc.oneof(
  fc.constantFrom('postgres://root@127.0.0.1/test', 'mysql://u:${PW}@h:3306/db', 'mariadb://h/db', 'postgresql://u:lit@h/db', 'oracle://x', 'postgres://[::1', 'mysql://u@h/db?password=x', ''),
  fc.string(),
  fc.webUrl().map((u) => u.replace(/^https?/, 'postgres')),
);
const scalar = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), url, fc.constant('*'), fc.bigInt().map(String));
const anyValue = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, scalar, fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(fc.constantFrom(...KEYS, 'x', 'orders'), tie('value'), { maxKeys: 4 })),
})).value;
const jobLike = fc.record(
  {
    name: fc.oneof(fc.string(), fc.constantFrom('job-1', 'bad name', '')),
    source: url,
    target: url,
    tables: fc.oneof(fc.constant('*'), fc.array(fc.string(), { maxLength: 4 }), anyValue),
    chunkRows: fc.oneof(fc.integer(), fc.double(), fc.string(), anyValue),
    parallelism: fc.oneof(fc.integer({ min: -5, max: 300 }), anyValue),
    onExisting: fc.oneof(fc.constantFrom('fail', 'truncate', 'append', 'replace', 'Truncate'), anyValue),
    verify: fc.oneof(fc.constantFrom('none', 'count', 'checksum', 'checksums'), anyValue),
    keys: fc.oneof(fc.dictionary(fc.string(), fc.array(fc.string(), { maxLength: 3 })), anyValue),
    extra: anyValue,
  },
  { requiredKeys: [] },
).map((o) => {
  const { extra, ...rest } = o;
  return extra === undefined ? rest : { ...rest, [fc.sample(fc.constantFrom(...KEYS), 1)[0]!]: extra };
});

describe('fuzzing the job-file parser', () => {
  it('found by fuzzing: aliases without anchors and alias bombs are YAML errors, not crashes', () => {
    expect(() => loadJob(file('*!'), {})).toThrow(/not valid YAML/);
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`)].join('\n');
    expect(() => loadJob(file(bomb), {})).toThrow(JobSpecError);
  });

  it('parseJobSpec: arbitrary values never crash it', () => {
    fc.assert(fc.property(anyValue, (v) => onlyValidationErrors(() => parseJobSpec(v))), { numRuns: 2000 });
  });

  it('parseJobSpec: job-shaped objects give a job or a JobSpecError naming a field', () => {
    fc.assert(
      fc.property(jobLike, (raw) => {
        try {
          const job = parseJobSpec(raw);
          expect(job.chunkRows).toBeGreaterThanOrEqual(1);
          expect(job.tables === '*' || job.tables.length > 0).toBe(true);
        } catch (e) {
          if (!(e instanceof JobSpecError)) throw e;
          expect(e.field.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('loadJob: YAML text from generated documents and from raw strings', () => {
    fc.assert(
      fc.property(fc.oneof(jobLike.map((o) => stringify(o)), fc.string(), fc.string({ unit: 'binary' })), (text) =>
        onlyValidationErrors(() => loadJob(file(text), {})),
      ),
      { numRuns: 500 },
    );
  });

  it('loadJob: arbitrary bytes (invalid UTF-8, NULs, BOMs)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => onlyValidationErrors(() => loadJob(file(bytes), {}))),
      { numRuns: 300 },
    );
  });

  it('loadJob: arbitrary flags', () => {
    const flags: fc.Arbitrary<JobFlags> = fc.record(
      {
        source: url,
        target: url,
        tables: fc.oneof(fc.string(), fc.constant('*'), fc.constant('a,,b, c')),
        chunkRows: fc.oneof(fc.string(), fc.nat().map(String), fc.constant('99999999999999999999')),
        parallelism: fc.oneof(fc.string(), fc.nat().map(String)),
        onExisting: fc.string(),
        verify: fc.string(),
        key: fc.array(fc.oneof(fc.string(), fc.constant('t=a,b'), fc.constant('=x'), fc.constant('t=')), { maxLength: 3 }),
        name: fc.string(),
      },
      { requiredKeys: [] },
    );
    fc.assert(fc.property(flags, (f) => onlyValidationErrors(() => loadJob(undefined, f))), { numRuns: 1500 });
  });
});
