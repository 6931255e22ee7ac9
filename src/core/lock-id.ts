/**
 * Workflow IDs of target-table locks. Pure string work (no URL class) so workflow code can call it.
 * The ID names the target server, database (and PostgreSQL schema) and table, never credentials, so
 * two jobs writing the same table compute the same ID whatever user or URL spelling they use.
 */

const DEFAULT_PORTS: Record<string, string> = { postgres: '5432', mysql: '3306' };

/** `lock:<engine>://<host>:<port>/<database>[/<schema>]/<table>` for a connection URL and a table. */
export function tableLockId(targetUrl: string, table: string): string {
  const m = /^([a-z][a-z0-9+.-]*):\/\/(?:[^@/?#]*@)?([^/?#]*)(?:\/([^?#]*))?(?:\?([^#]*))?/i.exec(targetUrl);
  if (!m) return `lock:${targetUrl.replace(/\/\/[^@/]*@/, '//')}/${table}`;
  const scheme = m[1]!.toLowerCase();
  const engine = scheme.startsWith('postgres') ? 'postgres' : scheme === 'mariadb' || scheme === 'mysql' ? 'mysql' : scheme;
  let host = m[2]!.toLowerCase() || 'localhost';
  if (!/:\d+$/.test(host) && DEFAULT_PORTS[engine]) host += `:${DEFAULT_PORTS[engine]}`;
  const db = decodeURIComponent(m[3] ?? '');
  const schema = engine === 'postgres' ? (/(?:^|&)schema=([^&]*)/.exec(m[4] ?? '')?.[1] ?? 'public') : undefined;
  return `lock:${engine}://${host}/${db}${schema !== undefined ? `/${decodeURIComponent(schema)}` : ''}/${table}`;
}
