/**
 * The job: what to copy from where to where, validated with zod so every mistake names its field.
 * Pure: no Temporal, no drivers.
 */
import { z } from 'zod';
import { JobSpecError } from '../errors.js';
import { hasLiteralPassword, parseConnectionUrl } from './connection-url.js';
import { isOverlapSpec } from '../core/watermark.js';
import { issueMessage, valueAt } from './spec-messages.js';

const tableName = z.string().min(1, 'must not be empty');
const columnName = z.string().min(1, 'must not be empty');
const typeName = z.string().min(1, 'must not be empty');

/** A table with reshaping rules (see TableMapping in core/table-mapping.ts). */
const tableMapping = z
  .object({
    name: tableName,
    as: tableName.optional(),
    include: z.array(columnName).min(1, 'list at least one column, or leave include out').optional(),
    exclude: z.array(columnName).optional(),
    rename: z.record(columnName, columnName).optional(),
    where: z.string().min(1, 'must not be empty').optional(),
    computed: z
      .record(columnName, z.object({ sql: z.string().min(1, 'must not be empty'), type: typeName, verify: z.boolean().optional() }).strict())
      .optional(),
    transform: z
      .object({
        module: z.string().min(1, 'must not be empty'),
        function: z.string().regex(/^[A-Za-z_$][\w$]*$/, 'expected the name of an exported function').default('transform'),
        add: z.record(columnName, typeName).optional(),
        drop: z.array(columnName).optional(),
        unverified: z.array(columnName).optional(),
      })
      .strict()
      .optional(),
    types: z.record(columnName, typeName).optional(),
  })
  .strict();

const connectionUrl = z.string().superRefine((url, ctx) => {
  try {
    parseConnectionUrl(url);
  } catch (e) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: (e as Error).message });
    return;
  }
  if (hasLiteralPassword(url)) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      message:
        'contains a literal password, which would be stored in the workflow history; write it as ${FERRY_PASSWORD} ' +
        '(any variable name) and export that variable where the worker runs',
    });
  }
});

/** Defaults (stated in TSDoc of {@link JobSpec}). */
export const JOB_DEFAULTS = {
  // Measured on 2 cores, 1M rows (README "Performance"): each chunk costs Temporal a workflow round
  // trip and history events the server must write (server CPU 0.65 s per run at 100K-row chunks, 0.45 s
  // at 250K). A table is cut into at most one shard per chunk, so 500K rows a chunk copy a 1M-row table
  // in 2 streams, not 4: on 2 cores shared with both databases, 2 streams took less CPU (7.2–7.6 s
  // against 8.0–8.6 s per run) and less time in every direction (PG→PG 4.4–4.8 s against 4.9–5.2 s,
  // MySQL→PG 3.7–4.8 against 3.9–5.2, PG→MySQL 4.5–4.9 against 5.1–5.5, MySQL→MySQL alike), and at
  // 10M rows PG→PG 500K-row chunks copied in 23.3–25.4 s against 25.6–27.7 s. 500K rows is still only
  // 2–4 s of copying, which is all a retry after a lost worker redoes.
  chunkRows: 500_000,
  // Shards copied at once: tables of 2M rows or more get 4, which keeps larger database servers busy.
  parallelism: 4,
  onExisting: 'fail',
  verify: 'checksum',
} as const;

export const jobSpecSchema = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'letters, digits, ".", "_" or "-" (at most 100)')
      .optional(),
    source: connectionUrl,
    target: connectionUrl,
    tables: z
      .union([z.literal('*'), z.array(z.union([tableName, tableMapping])).min(1, 'list at least one table, or "*"')])
      .superRefine((tables, ctx) => {
        if (tables === '*') return;
        const seen = new Set<string>();
        for (const t of tables) {
          const name = typeof t === 'string' ? t : t.name;
          if (seen.has(name)) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `table "${name}" is listed twice` });
          seen.add(name);
        }
        const targets = new Set<string>();
        for (const t of tables) {
          const target = typeof t === 'string' ? t : (t.as ?? t.name);
          if (targets.has(target)) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `two tables would be written to the target table "${target}"` });
          targets.add(target);
        }
      }),
    chunkRows: z.number().int().min(1).max(10_000_000).default(JOB_DEFAULTS.chunkRows),
    parallelism: z.number().int().min(1).max(256).default(JOB_DEFAULTS.parallelism),
    onExisting: z.enum(['fail', 'truncate', 'append']).default(JOB_DEFAULTS.onExisting),
    verify: z.enum(['none', 'count', 'checksum']).default(JOB_DEFAULTS.verify),
    keys: z.record(tableName, z.array(z.string().min(1)).min(1)).default({}),
    /** Target column types chosen by the user, `{ "table.column": "jsonb" }` (checked again in planning). */
    types: z.record(z.string().regex(/^[^.]+\.[^.]+$/, 'expected "table.column"'), z.string().min(1, 'must not be empty')).optional(),
    /** What to do with a value the target cannot hold, per `"table.column"` (default error). */
    onLossy: z.record(z.string().regex(/^[^.]+\.[^.]+$/, 'expected "table.column"'), z.enum(['error', 'null', 'replace'])).optional(),
    /** sync: `incremental` (by watermark) or `full` (diff and repair). */
    mode: z.enum(['incremental', 'full']).optional(),
    /** sync: the column whose value grows when a row changes (same name in every table). */
    watermark: z.string().min(1, 'must not be empty').optional(),
    /** sync: how far behind the last high-water mark the next window starts. */
    overlap: z.string().refine(isOverlapSpec, 'expected a duration such as 90s, 5m, 2h or 1d, or a number for numeric watermarks').optional(),
    /** sync: every N-th incremental run is a full pass. */
    fullEvery: z.number().int().min(1).optional(),
  })
  .strict();

/**
 * A validated job.
 * - `tables`: names in the source schema/database, or `"*"` for every base table. An entry may be a
 *   mapping `{ name, as, include, exclude, rename, where, computed, transform, types }` that reshapes
 *   the table on its way (see core/table-mapping.ts); the schema or database on each side is the one
 *   its URL names.
 * - `chunkRows` (default 500 000): rows per copy transaction.
 * - `parallelism` (default 4): shards copied at once.
 * - `onExisting` (default `fail`): what to do when a target table already holds rows.
 * - `verify` (default `checksum`): `none`, `count`, or counts plus checksums per shard.
 * - `keys`: a key for tables without a primary key, `{ table: [col, ...] }`.
 * - `types`: target column types overriding the mapping, `{ "table.column": "jsonb" }`.
 * - `onLossy`: per `"table.column"`, `error` (default), `null` or `replace` for values the target cannot hold.
 * - `mode`, `watermark`, `overlap` (default 5m), `fullEvery`: settings of `ferry sync` and its schedules.
 */
export type JobSpec = z.infer<typeof jobSpecSchema>;

/** Validates raw job settings (from YAML or flags), throwing JobSpecError naming the first bad field. */
export function parseJobSpec(raw: unknown): JobSpec {
  const result = jobSpecSchema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.join('.');
  if (issue.path.length === 0 && issue.code === 'invalid_type') {
    throw new JobSpecError('job', `expected a mapping of settings (source:, target:, tables:, …), got ${issue.received}`);
  }
  throw new JobSpecError(field || 'job', issueMessage(issue, Object.keys(jobSpecSchema.shape), valueAt(raw, issue.path)));
}
