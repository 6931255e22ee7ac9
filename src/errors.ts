/**
 * ferry's error classes. Each carries the context a user needs to fix the problem; activities turn
 * the permanent ones into non-retryable ApplicationFailures (see activities/failures.ts).
 */

/** Base class: every ferry error says what went wrong and how to fix it. */
export class FerryError extends Error {
  /** True when retrying cannot help (bad input, missing object, wrong credentials). */
  readonly permanent: boolean = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Thrown when a job file or job flags fail validation. `field` is the dotted path of the bad setting. */
export class JobSpecError extends FerryError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(field ? `${field}: ${message}` : message);
  }
}

/** Thrown when a connection URL cannot be parsed or names an engine ferry does not support. */
export class ConnectionUrlError extends FerryError {}

/** Thrown when a `${NAME}` placeholder in a connection URL has no value in the worker's environment. */
export class MissingEnvError extends FerryError {
  constructor(readonly variable: string) {
    super(`environment variable ${variable} is not set on the worker; export it before starting \`ferry worker\``);
  }
}

/** Thrown when a table named in a job does not exist on the source. */
export class MissingTableError extends FerryError {
  constructor(
    readonly table: string,
    where: string,
  ) {
    super(`table "${table}" does not exist in ${where}; check --tables (use * for every table)`);
  }
}

/** Thrown when a table has no primary key and no unique not-null key to split and compare it by. */
export class NoKeyError extends FerryError {
  constructor(readonly table: string) {
    super(
      `table "${table}" has no primary key or unique not-null key; name one with --key ${table}=col[,col...] ` +
        `(or keys: { ${table}: [col] } in the job file)`,
    );
  }
}

/**
 * Thrown when a column's type has no mapping to the target engine. `reason` (optional) says why and
 * what to do instead of the generic advice.
 */
export class UnmappableTypeError extends FerryError {
  constructor(
    readonly table: string,
    readonly column: string,
    readonly type: string,
    reason?: string,
  ) {
    super(
      reason
        ? `column ${table}.${column} has type ${type}: ${reason}`
        : `column ${table}.${column} has type ${type}, which ferry cannot map yet; exclude the table, change the column type, ` +
            `or give the target type in the job (types: { "${table}.${column}": "<type>" })`,
    );
  }
}

/** Thrown when the target table exists with rows and the job says `onExisting: fail`. */
export class TargetNotEmptyError extends FerryError {
  constructor(readonly table: string) {
    super(
      `target table "${table}" already exists and holds rows; pass --on-existing truncate to replace them ` +
        `or --on-existing append to add to them`,
    );
  }
}

/** Thrown when a database refuses the credentials or the connection. `permanent` is false for network faults. */
export class ConnectionError extends FerryError {
  override readonly permanent: boolean;
  constructor(message: string, permanent: boolean, options?: { cause?: unknown }) {
    super(message, options);
    this.permanent = permanent;
  }
}

/**
 * Thrown when the database refuses an operation for lack of a privilege (e.g. a target user without
 * CREATE). Permanent: the grant has to change first. `what` is the operation, `where` the database.
 */
export class PermissionDeniedError extends FerryError {
  constructor(
    readonly what: string,
    readonly where: string,
    readonly detail: string,
    readonly fix: string,
    options?: { cause?: unknown },
  ) {
    super(`${what} on ${where}: permission denied (${detail}); ${fix}`, options);
  }
}

/**
 * Thrown in planning when a key declared for a table (`--key` / `keys:`) does not identify its rows:
 * `value` repeats `count` times, or (when `count` is 1) a key column is NULL. Ranges by such a key would
 * copy rows twice or lose them.
 */
export class KeyNotUniqueError extends FerryError {
  constructor(
    readonly table: string,
    readonly key: string[],
    readonly value: (string | null)[],
    readonly count: number,
  ) {
    const shown = value.map((v) => (v === null ? 'NULL' : JSON.stringify(v))).join(', ');
    const cols = key.join(', ');
    super(
      count > 1
        ? `the key (${cols}) declared for table "${table}" is not unique in the source: (${shown}) appears ${count} times; ` +
            `declare a key whose values are unique (add columns to it) or give the table a primary key`
        : `the key (${cols}) declared for table "${table}" has NULL in a row (${shown}); a key column must be NOT NULL ` +
            `in every row, so declare other columns or fill the NULLs`,
    );
  }
}

/** Thrown when FERRY_CODEC_KEYS is malformed, or an encrypted payload cannot be decrypted with any key. */
export class CodecError extends FerryError {}

/** Thrown when the Temporal CLI is needed and neither found nor buildable. */
export class TemporalCliError extends FerryError {}

/**
 * Thrown when a chunk holds a value the target cannot store (NaN into MySQL, NUL into PostgreSQL text,
 * a MySQL zero date, a date outside the target's range) and the job's `onLossy` for the column is `error`.
 */
export class LossyValueError extends FerryError {
  constructor(
    readonly table: string,
    readonly column: string,
    readonly key: (string | null)[],
    what: string,
  ) {
    super(
      `column ${table}.${column} holds ${what} at key (${key.join(', ')}), which the target cannot hold; ` +
        `fix the value in the source, or choose what to write in the job: onLossy: {"${table}.${column}": "null"} or "replace"`,
    );
  }
}

/**
 * Thrown in planning when a job's transform module cannot be loaded on the worker or does not export
 * the named function; no table is created and no row moves.
 */
export class TransformModuleError extends FerryError {
  constructor(
    readonly module: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`transform module ${module}: ${message}`, options);
  }
}

/** Thrown when a row transform throws or returns something that is not a row; names the table and the row's key. */
export class TransformFailedError extends FerryError {
  constructor(
    readonly table: string,
    readonly fn: string,
    readonly key: (string | null)[],
    reason: string,
  ) {
    super(`transform ${fn} failed on table ${table} at key (${key.map((k) => (k === null ? 'NULL' : k)).join(', ')}): ${reason}`);
  }
}

/**
 * Thrown when an export directory's manifest.json is missing, unreadable or not a ferry manifest, or
 * the directory holds another export than the one being written. `path` is the file at fault.
 */
export class ManifestError extends FerryError {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
  }
}

/**
 * Thrown when a chunk file of an export is missing, truncated or damaged (its bytes, rows or content
 * differ from the manifest). The fix is always the same: re-run the export into the same directory,
 * which keeps the good chunks and rewrites this one.
 */
export class ChunkFileError extends FerryError {
  constructor(
    readonly path: string,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(
      `chunk file ${path} ${problem}; nothing of this chunk was loaded. Re-run \`ferry export\` with the same --to directory ` +
        `(it keeps the good chunks and rewrites this one), or copy the file again from the export`,
      options,
    );
  }
}
