/**
 * Connection URLs: validation on the client (which never connects), `${ENV}` expansion on the worker,
 * and redaction for anything shown to people or written to history.
 */
import { ConnectionUrlError, MissingEnvError } from '../errors.js';
import type { Engine } from '../dialects/dialect.js';

const SCHEMES: Record<string, Engine> = {
  'postgres:': 'postgres',
  'postgresql:': 'postgres',
  'mysql:': 'mysql',
  'mariadb:': 'mysql',
};

const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * Query parameters that carry a credential (`password`, `sslpassword`, `token`, …): they are checked
 * for literals like the URL's password and redacted the same way.
 */
export const SENSITIVE_PARAM = /pass|secret|token|api[-_]?key/i;

/** The engine a URL names. Throws ConnectionUrlError for anything else. */
export function engineOf(url: string): Engine {
  const scheme = /^([a-z][a-z0-9+.-]*:)/i.exec(url)?.[1]?.toLowerCase();
  const engine = scheme ? SCHEMES[scheme] : undefined;
  if (!engine) {
    throw new ConnectionUrlError(
      `unsupported connection URL scheme "${scheme ?? url.slice(0, 12)}"; use postgres://, postgresql://, mysql:// or mariadb://`,
    );
  }
  return engine;
}

/** Parses a URL whose placeholders are not expanded yet, checking its shape without needing the values. */
export function parseConnectionUrl(url: string): URL {
  engineOf(url);
  try {
    return new URL(url.replace(PLACEHOLDER, 'x'));
  } catch (cause) {
    throw new ConnectionUrlError(`malformed connection URL ${redactUrl(url)}; expected scheme://user[:password]@host[:port]/database`, {
      cause,
    });
  }
}

/**
 * True when the URL carries a literal password (not a `${VAR}` placeholder). Such a URL would be
 * written into the workflow history, where everyone with access to the namespace can read it.
 */
export function hasLiteralPassword(url: string): boolean {
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^@/?#]*)@/i.exec(url);
  const userinfo = m?.[1];
  if (userinfo?.includes(':') && userinfo.slice(userinfo.indexOf(':') + 1).replace(PLACEHOLDER, '').length > 0) return true;
  return sensitiveParams(url).some((value) => value.replace(PLACEHOLDER, '').length > 0);
}

/** Values (as written) of the URL's query parameters named like credentials. */
function sensitiveParams(url: string): string[] {
  const q = url.indexOf('?');
  if (q < 0) return [];
  return url
    .slice(q + 1)
    .split('#')[0]!
    .split('&')
    .map((p) => p.split('='))
    .filter(([name, value]) => name !== undefined && SENSITIVE_PARAM.test(name) && value !== undefined && value.length > 0)
    .map(([, value]) => value!);
}

/** Replaces `${NAME}` with the worker's environment; values are URL-encoded so any password works. */
export function expandUrl(url: string, env: NodeJS.ProcessEnv = process.env): string {
  return url.replace(PLACEHOLDER, (_m, name: string) => {
    const value = env[name];
    if (value === undefined) throw new MissingEnvError(name);
    return encodeURIComponent(value);
  });
}

/** The URL with any password replaced by `***`, for logs, messages and summaries. */
export function redactUrl(url: string): string {
  return url
    .replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/?#]*):[^@/?#]*@/i, '$1:***@')
    .replace(/([?&])([^=&#]*)=([^&#]*)/g, (all, sep: string, name: string) => (SENSITIVE_PARAM.test(name) ? `${sep}${name}=***` : all));
}

/** `engine host:port/db` with no credentials, for labels. */
export function describeUrl(url: string): string {
  try {
    const u = parseConnectionUrl(url);
    return `${engineOf(url)} ${u.host}${u.pathname}`;
  } catch {
    return redactUrl(url);
  }
}
