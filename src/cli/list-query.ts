/**
 * The visibility query of `ferry list`: which workflow kinds (the FerryKind search attribute) and job.
 */
import { JobSpecError } from '../errors.js';
import { SEARCH_ATTRIBUTES } from '../shared.js';

/** Kinds of the runs a user starts (listed by default: the ones that move rows and show progress first). */
export const RUN_KINDS = ['migrate', 'export', 'import', 'sync', 'verify', 'diff', 'repair', 'plan'] as const;
/** Kinds of the child workflows those runs start. */
export const CHILD_KINDS = ['copyShard', 'exportShard', 'importShard', 'tableLock'] as const;
/** What `ferry list` shows without `--kind`. */
export const DEFAULT_LIST_KINDS = ['migrate', 'export', 'import'];

/**
 * Builds the list query from `--kind` (comma-separated kinds, or `all` for every run kind) and `--job`.
 * An unknown kind is refused by name with the known ones, rather than silently listing nothing.
 */
export function listQuery(flags: { kind?: string; job?: string }): { query: string; kinds: string[] } {
  const known: readonly string[] = [...RUN_KINDS, ...CHILD_KINDS];
  const asked = flags.kind === undefined ? DEFAULT_LIST_KINDS : flags.kind.trim() === 'all' ? [...RUN_KINDS] : flags.kind.split(',').map((k) => k.trim()).filter((k) => k !== '');
  if (asked.length === 0) throw new JobSpecError('--kind', `expected one or more of ${known.join(', ')} (comma-separated) or all`);
  for (const k of asked) {
    if (!known.includes(k)) throw new JobSpecError('--kind', `unknown kind "${k}"; use one or more of ${known.join(', ')} (comma-separated) or all`);
  }
  const kinds = [...new Set(asked)];
  const clauses = [kinds.length === 1 ? `${SEARCH_ATTRIBUTES.kind} = '${kinds[0]}'` : `${SEARCH_ATTRIBUTES.kind} IN (${kinds.map((k) => `'${k}'`).join(', ')})`];
  if (flags.job) clauses.push(`${SEARCH_ATTRIBUTES.job} = '${flags.job.replace(/'/g, '')}'`);
  return { query: clauses.join(' AND '), kinds };
}
