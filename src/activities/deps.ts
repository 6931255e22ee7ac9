/**
 * What the activities need from the worker: database pools and the environment that fills `${ENV}`
 * placeholders. Injected so tests can give their own.
 */
import type { Dialect } from '../dialects/dialect.js';
import type { DialectCache } from '../dialects/index.js';
import { expandUrl } from '../job/connection-url.js';
import { rememberSecrets } from './secrets.js';

/** Dependencies of {@link createActivities}. */
export interface ActivityDeps {
  dialects: DialectCache;
  /** Environment for `${ENV}` placeholders; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Name this worker reports in results (default: hostname:pid). */
  workerName?: string;
}

/** The dialect behind a URL that still holds its placeholders. */
export function dialectFor(deps: ActivityDeps, url: string): Dialect {
  const expanded = expandUrl(url, deps.env ?? process.env);
  rememberSecrets(expanded);
  return deps.dialects.get(expanded);
}
