/**
 * Human messages for job-spec validation issues: every message names the setting, what was expected,
 * what was found and, for a misspelt key or value, the closest valid one ("did you mean tables?").
 * Pure: no Temporal, no drivers.
 */
import type { ZodIssue } from 'zod';

/** Edit distance (insert, delete, substitute, swap of neighbours) between two short strings. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** Folds case and `_`/`-` so `chunk_rows`, `chunk-rows` and `ChunkRows` all compare equal to `chunkRows`. */
function fold(s: string): string {
  return s.toLowerCase().replace(/[-_\s]/g, '');
}

/**
 * The known word closest to `word`, or undefined when none is close enough to be a plausible typo
 * (distance at most a third of the word's length, and at least 1 allowed).
 */
export function closest(word: string, known: readonly string[]): string | undefined {
  const w = fold(word);
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const dist = editDistance(w, fold(k));
    if (dist < bestDistance) {
      best = k;
      bestDistance = dist;
    }
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(w.length / 3)) ? best : undefined;
}

function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

/** What a setting holds, for "expected …, got …" (YAML terms: list, mapping, text). */
function kindOf(received: string): string {
  return ({ array: 'a list', object: 'a mapping', string: 'text', undefined: 'nothing' } as Record<string, string>)[received] ?? received;
}

/** Examples shown with a type error, per top-level setting. */
const EXAMPLES: Record<string, string> = {
  tables: 'a list of table names, e.g. tables: [orders, customers], or tables: "*"',
  keys: 'a mapping of table to key columns, e.g. keys: { audit_log: [event_id] }',
  chunkRows: 'e.g. chunkRows: 50000',
  parallelism: 'e.g. parallelism: 4',
  source: 'a connection URL, e.g. source: postgres://user:${PGPASSWORD}@host:5432/db',
  target: 'a connection URL, e.g. target: mysql://user:${MYSQL_PASSWORD}@host:3306/db',
};

/**
 * The message for one zod issue. `knownKeys` are the settings of the object the issue is about (the
 * job's top-level keys) for "did you mean"; `value` is the raw input the issue's path points into.
 */
export function issueMessage(issue: ZodIssue, knownKeys: readonly string[], value: unknown): string {
  const top = String(issue.path[0] ?? '');
  const example = issue.path.length === 1 ? EXAMPLES[top] : undefined;
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys
        .map((k) => {
          const guess = closest(k, knownKeys);
          return `unknown setting "${k}"${guess ? `; did you mean ${guess}?` : ''}`;
        })
        .join('; ') + ` (settings: ${knownKeys.join(', ')})`;
    case 'invalid_type': {
      const expected = `${issue.expected}${example ? ` (${example})` : ''}`;
      if (issue.received === 'undefined') return `is required: expected ${expected}`;
      const scalar = issue.received === 'string' || issue.received === 'number' || issue.received === 'boolean';
      const hint = issue.expected === 'number' && issue.received === 'string' ? '; write the number without quotes' : '';
      return `expected ${expected}, got ${kindOf(issue.received)}${scalar ? ` ${shown(value)}` : ''}${hint}`;
    }
    case 'invalid_union':
      return `expected ${example ?? 'another kind of value'}, got ${shown(value)}`;
    case 'invalid_enum_value': {
      const options = issue.options.map(String);
      const guess = typeof value === 'string' ? closest(value, options) : undefined;
      return `expected one of ${options.join(', ')}, got ${shown(value)}${guess ? `; did you mean ${guess}?` : ''}`;
    }
    case 'invalid_literal':
      return `expected ${JSON.stringify(issue.expected)}, got ${shown(value)}`;
    default:
      return issue.message;
  }
}

/** The value at `path` inside `root` (undefined when the path leaves the input). */
export function valueAt(root: unknown, path: readonly (string | number)[]): unknown {
  let cur: unknown = root;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object' || !Object.prototype.hasOwnProperty.call(cur, p)) return undefined;
    cur = (cur as Record<string | number, unknown>)[p];
  }
  return cur;
}
